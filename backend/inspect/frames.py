"""Frames and registers of a stopped thread: unwinding, backtrace, frame selection.

`unwind()` gives gdb's frame list: each real (CFI-unwound) frame expands into one
virtual frame per DW_TAG_inlined_subroutine containing its pc, innermost first,
then the function itself (docs/hard-cases.md B10). A virtual frame shares the registers
and CFA of its real frame; what differs is its function name, the scope whose
variables it shows, and its location: the frame that made an inlined call is "at"
the call site (DW_AT_call_file/line), printed without an address like gdb does.

Like gdb, a stop at the first instruction of an inlined call hides that inline
frame ("skipped"): the stop shows the caller at the call site, and `step` then
enters the inline function without running anything. A stop at a user
breakpoint never hides it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CommandError, NotRunning, TdbgError
from ..events import FrameInfo, SourceLocation
from ..program.program import ObjFile
from ..program.target import Target, no_program
from ..symbols.frames import Frame

if TYPE_CHECKING:
    from elftools.dwarf.die import DIE

    from ..symbols.dwarf.cfi import ObjectCFI

ENTRY = "_start"
# gdb's name of the frame a call from an expression returns to (exec/infcall.py)
DUMMY = "<function called from gdb>"

CallSite = tuple[str | None, int | None]
FrameId = tuple[int | None, int | None, int]     # gdb's frame_id: CFA, entry, inline depth


@dataclass(frozen=True, slots=True)
class Level:
    """One function level at a pc: an inlined subroutine or the real function."""
    name: str
    scope: int | None          # DIE offset whose variables the frame shows
    entry: int | None          # link-time entry pc (first range): part of the frame id
    inline: bool
    call: CallSite | None = None   # where this inline call was made


@dataclass
class VFrame(Frame):
    """A frame as the user sees it (see the module docstring)."""
    real_level: int = 0
    function: str | None = None
    scope_offset: int | None = None
    entry: int | None = None       # runtime entry of the frame's block or function
    depth: int = 0                 # inline levels outside this one in the same real frame
    inline: bool = False
    call_site: CallSite | None = None   # set: it is "at" its callee's call

    @property
    def frame_id(self) -> FrameId:
        """gdb's frame_id: stack address, code address, inline depth."""
        return (self.cfa, self.entry, self.depth)

    @property
    def show_address(self) -> bool | None:
        """False when the location is a call site (no pc), None: decide by the line table."""
        return False if self.call_site is not None else None


def _vframe(f: Frame, level: int, lv: Level, bias: int, depth: int,
            call_site: CallSite | None) -> VFrame:
    return VFrame(level, f.pc, f.cfa, f.regs, f.heuristic, f.signal_frame, f.lookup_pc, f.row,
                  real_level=f.level, function=lv.name, scope_offset=lv.scope,
                  entry=None if lv.entry is None else lv.entry + bias, depth=depth,
                  inline=lv.inline, call_site=call_site, dummy=f.dummy)


def _no_args(level: int) -> list[tuple[str, str]]:
    return []


def _no_dummy(pc: int, sp: int) -> dict[str, int] | None:
    return None


class Frames:
    """Unwinding and frame selection of the current thread (worker thread only)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        # ((stop_id, tid), frames, whether they reach the outermost frame)
        self._frames_cache: tuple[tuple[int, int], list[VFrame], bool] | None = None
        self._skip_override: tuple[int, int, int, int] | None = None   # (stop_id, tid, pc, count): set by `step`
        # A frame's arguments come from the variables service, which needs frames to
        # find them: backend/debugger.py points this at Variables.frame_args.
        self.args_of: Callable[[int], list[tuple[str, str]]] = _no_args
        # (pc, sp) -> registers saved before a call from an expression, when that is the
        # call's return: backend/debugger.py points this at InferiorCalls.dummy_regs.
        self.dummy_regs: Callable[[int, int], dict[str, int] | None] = _no_dummy

    def forget(self) -> None:
        """The thread's registers changed outside a stop (a step, a thread switch)."""
        self._frames_cache = None

    # ---- function levels at a pc (cached per objfile and link-time pc) ------------------
    def levels_at(self, lookup_pc: int) -> tuple[Level, ...]:
        """Inlined subroutines containing pc, innermost first, then the function; () when
        there is no debug info for pc."""
        prog = self.target.program
        if prog is None:
            raise no_program()
        o = prog.objfile_for(lookup_pc)
        if o is None or o.debug is None:
            return ()
        cache: dict[int, tuple[Level, ...]] = o.__dict__.setdefault("_levels_cache", {})
        link = lookup_pc - o.bias
        hit = cache.get(link)
        if hit is None:
            try:
                hit = self._compute_levels(o, link)
            except (TdbgError, LookupError, ValueError, AttributeError):
                hit = ()
            if len(cache) > 8192:
                cache.clear()
            cache[link] = hit
        return hit

    @staticmethod
    def _compute_levels(o: ObjFile, link: int) -> tuple[Level, ...]:
        d = o.debug
        if d is None:
            return ()
        f = d.function_at(link)
        if f is None:
            return ()
        chain = d.inlined_chain(link)
        out: list[Level] = []
        if chain:
            sc = o.scopes
            dies: Sequence[DIE | None] = sc.inline_chain(sc.die_at(f.cu_offset, f.die_offset), link)
            if len(dies) != len(chain) + 1:
                dies = [None] * (len(chain) + 1)
            for (name, cfile, cline), die in zip(chain, dies, strict=False):
                # gdb drops empty ranges (gcc emits [entry_pc, entry_pc) first at -O2)
                ranges = [r for r in sc.ranges(die) if r[0] < r[1]] if die is not None else []
                out.append(Level(name, die.offset if die is not None else None,
                                 ranges[0][0] if ranges else None, True, (cfile, cline)))
        out.append(Level(f.name, f.die_offset, f.ranges[0][0] if f.ranges else f.low, False))
        return tuple(out)

    def default_inline_skip(self, pc: int) -> int:
        """gdb's skip_inline_frames: inline calls that start exactly at pc are not entered
        yet, unless a user breakpoint sits at pc."""
        levels = self.levels_at(pc)
        if len(levels) < 2:
            return 0
        o = self.target.prog.objfile_for(pc)
        bias = o.bias if o is not None else 0     # levels were found: o is there
        before = None
        n = 0
        for lv in levels[:-1]:
            if lv.entry is None:
                break
            if lv.entry + bias != pc:
                # gdb's block_starting_point_at: pc-1 outside this block (a range of a
                # split inline block begins here) also counts as its entrance.
                if before is None:
                    before = {b.scope for b in self.levels_at(pc - 1)}
                if lv.scope in before:
                    break
            n += 1
        if n and self.target.user_breakpoint_at(pc):
            return 0
        return n

    def inline_skip(self) -> int:
        """How many inline frames the current stop hides at frame 0."""
        inf = self.target.inf
        if inf is None:
            raise NotRunning()
        pc = inf.regs(self.target.tid).rip
        ov = self._skip_override
        if ov is not None and ov[:3] == (self.target.stop_id, self.target.tid, pc) and self.target.stop is not None:
            return ov[3]
        return self.default_inline_skip(pc)

    def skip_decided(self, stop_id: int) -> bool:
        """Whether the step that made stop `stop_id` said how many inline frames it hides."""
        ov = self._skip_override
        return ov is not None and ov[0] == stop_id

    def set_inline_skip(self, count: int, stop_id: int) -> None:
        """The stop with `stop_id` hides `count` inline frames (what the step that made it
        decided: `step` enters a hidden inline call without running, stepi hides none)."""
        inf = self.target.inf
        if inf is not None and inf.alive:
            self._skip_override = (stop_id, self.target.tid, inf.regs(self.target.tid).rip, count)

    # ---- unwinding ---------------------------------------------------------------------
    def unwind_real(self, limit: int = 256) -> list[Frame]:
        """Real frames from CFI (no inline frames), innermost first."""
        from ..symbols.frames import Unwinder
        self.target.require_inferior()
        prog = self.target.program
        if prog is None:
            raise no_program()

        def cfi_for(pc: int) -> ObjectCFI | None:
            o = prog.objfile_for(pc)
            if o is None:
                return None
            try:
                return o.cfi
            except Exception:
                return None

        return Unwinder(cfi_for, self.target.read_memory, self.dummy_regs).frames(self.target.registers(), limit=limit)

    def unwind(self, limit: int = 256) -> list[VFrame]:
        """Frames of the current thread as gdb shows them, innermost first; cached per stop."""
        self.target.require_inferior()
        key = (self.target.stop_id, self.target.tid)
        cached = self._frames_cache
        if self.target.stop is not None and cached and cached[0] == key and (len(cached[1]) >= limit or cached[2]):
            return cached[1][:limit]
        real = self.unwind_real(limit)
        frames = self.expand_inline(real, self.inline_skip() if real else 0)
        complete = len(real) < limit
        frames = frames[:limit]
        if self.target.stop is not None:
            self._frames_cache = (key, frames, complete)
        return frames

    def expand_inline(self, real: list[Frame], skip: int) -> list[VFrame]:
        out: list[VFrame] = []
        prog = self.target.program
        if prog is None:
            raise no_program()
        for f in real:
            if f.dummy:
                out.append(_vframe(f, len(out), Level(DUMMY, None, None, False), 0, 0, None))
                continue
            levels = self.levels_at(f.lookup_pc) if not f.signal_frame else ()
            if not levels:
                name = None if f.signal_frame else prog.function_name(f.lookup_pc)
                rng = None if f.signal_frame else prog.function_range(f.lookup_pc)
                lv = Level(name or "??", None, rng[0] if rng else None, False)
                out.append(_vframe(f, len(out), lv, 0, 0, None))
                continue
            o = prog.objfile_for(f.lookup_pc)
            bias = o.bias if o is not None else 0     # levels were found: o is there
            first = min(skip, len(levels) - 1) if f.level == 0 else 0
            for i in range(first, len(levels)):
                # Below an inline call (shown or skipped) a frame is "at" that call's site.
                call = levels[i - 1].call if i > 0 else None
                out.append(_vframe(f, len(out), levels[i], bias, len(levels) - 1 - i, call))
        return out

    def frame(self, level: int) -> VFrame:
        frames = self.unwind(limit=level + 1)
        if level >= len(frames):
            raise CommandError(f"No frame at level {level}.")
        return frames[level]

    def selected_pc(self) -> int | None:
        """The selected frame's pc (what x/i marks), None without a stopped program."""
        t = self.target
        if t.stop is None or not t.alive:
            return None
        try:
            return self.frame(t.selected_frame).pc
        except TdbgError:
            return t.stop.pc

    def frame_id(self, level: int = 0) -> FrameId | None:
        frames = self.unwind(limit=level + 1)
        return frames[level].frame_id if len(frames) > level else None

    # ---- presenting ----------------------------------------------------------------------
    def frame_location(self, f: Frame) -> SourceLocation | None:
        func = getattr(f, "function", None)
        site = getattr(f, "call_site", None)
        if site is not None and site[1]:
            return SourceLocation(site[0] or "", site[1], 0, func)
        loc = self.target.prog.location(f.lookup_pc)
        if loc is not None and func is not None and loc.function != func:
            loc = SourceLocation(loc.file, loc.line, loc.column, func)
        return loc

    def frame_info(self, f: Frame) -> FrameInfo:
        prog = self.target.prog
        if f.dummy:
            return FrameInfo(f.level, f.pc, DUMMY, None)
        loc = self.frame_location(f)
        func = getattr(f, "function", None) or prog.function_name(f.lookup_pc)
        if func == "??":
            func = None
        o = prog.objfile_for(f.pc)
        try:
            args = tuple(self.args_of(f.level)) if loc is not None else ()
        except TdbgError:
            args = ()
        return FrameInfo(f.level, f.pc, func, loc, args, o.display_path if o else None,
                         f.heuristic, f.signal_frame)

    def frame_info_light(self, f: Frame, loc: SourceLocation | None) -> FrameInfo:
        """frame_info without the arguments (enough to decide how to print a location)."""
        return FrameInfo(f.level, f.pc, getattr(f, "function", None), loc, (), None,
                         f.heuristic, f.signal_frame)

    def backtrace(self, limit: int = 256) -> list[FrameInfo]:
        if not self.target.alive:
            raise CommandError("No stack.")
        out = []
        for f in self.unwind(limit=limit):
            info = self.frame_info(f)
            out.append(info)
            # gdb (backtrace past-main off): nothing above main, nor above the entry point.
            if (info.function == "main" and not getattr(f, "inline", False)) \
                    or info.function == ENTRY:
                break
        return out

    def select_frame(self, level: int, how: str = "frame", clamp: bool = False) -> FrameInfo:
        """how: "frame" (absolute), "up" or "down" (relative moves), for gdb's messages.
        clamp: a relative move past either end stops at that end, unless already there
        (gdb's `up N`/`down N` with N given)."""
        if not self.target.alive:
            raise CommandError("No stack.")
        current = self.target.selected_frame
        if level < 0:
            if not clamp or current == 0:
                raise CommandError("Bottom (innermost) frame selected; you cannot go down.")
            level = 0
        frames = self.backtrace(limit=level + 1)
        if level >= len(frames):
            if how == "frame":
                raise CommandError(f"No frame at level {level}.")
            if not clamp or current == len(frames) - 1:
                raise CommandError("Initial frame selected; you cannot go up.")
            level = len(frames) - 1
        self.target.selected_frame = level
        return frames[level]

    def frame_registers(self) -> dict[str, int]:
        regs = self.target.registers()
        if self.target.selected_frame:
            f = self.frame(self.target.selected_frame)
            regs = {**{k: v for k, v in regs.items() if k in ("cs", "ss", "ds", "es", "fs", "gs",
                                                               "fs_base", "gs_base")}, **f.regs}
        return regs

    def show_address(self, info: FrameInfo) -> bool:
        """gdb's frame_show_address: never for a call site; always for a caller frame
        (its pc is a return address, looked up at pc-1); else when pc is mid-line."""
        f = None
        cached = self._frames_cache
        if cached and cached[0] == (self.target.stop_id, self.target.tid) and info.level < len(cached[1]):
            f = cached[1][info.level]
            if f.pc != info.pc:
                f = None
        if f is not None and f.call_site is not None:
            return False
        if info.location is None:
            return True
        if f is not None:
            if f.lookup_pc != f.pc:
                return True
        elif info.level > 0:
            return True
        return not self.target.prog.line_start(info.pc)
