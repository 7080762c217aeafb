"""Debugger: the worker-side engine behind Session (runs only on the ptrace thread).

It owns the program's symbols, the inferior, the breakpoint manager and the
controller, and turns every Stop into one event with what panes need to paint.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from typing import Callable

from . import events as ev
from .breaks.locations import (break_warnings, condition_changed, key as location_key,
                           relocate as relocate_locations, set_location_enabled)
from .breaks.manager import Breakpoint, Manager
from .inspect.conditions import validate as validate_condition
from .exec.control import Controller, Stop, StopKind
from .disasm.decode import Instruction, instruction, instructions
from .errors import BadAddress, CommandError, ExpressionError, NotFound, NotRunning, TdbgError
from .events import SourceLocation, StopReason
from .process.inferior import Inferior
from .program.program import Program
from .process.ptrace import REG_NAMES, signal_description, signal_name

MAX_READ = 1 << 24          # refuse single reads above 16 MiB: RSS stays bounded


class _Memory:
    """The manager's view of memory: whichever inferior is current."""

    def __init__(self, dbg: "Debugger") -> None:
        self._dbg = dbg

    def read(self, addr: int, n: int) -> bytes:
        return self._dbg.require_inferior().read(addr, n)

    def write(self, addr: int, data: bytes) -> None:
        self._dbg.require_inferior().write(addr, data)


@dataclass(slots=True)
class StopState:
    """What the current stop knows, for heavier views asked for later."""
    stop_id: int
    tid: int
    pc: int
    frames: list | None = None


from .inspect.evaluate import EvaluateMixin
from .inspect.frames import FramesMixin
from .inspect.variables import VariablesMixin
from .exec.stepping import SteppingMixin
from .inspect.threads import ThreadsMixin
from .breaks.watchpoints import WatchpointsMixin


class Debugger(SteppingMixin, FramesMixin, EvaluateMixin, VariablesMixin, ThreadsMixin,
               WatchpointsMixin):
    def __init__(self, publish: Callable[[object], None]) -> None:
        self.publish = publish
        self.program: Program | None = None
        self.args: list[str] = []
        self.aslr = False
        self.use_pty = True
        self.tty: str | None = None      # gdb's inferior-tty: the program's I/O goes there
        self.inf: Inferior | None = None
        self.ctl: Controller | None = None
        self.bps = Manager(_Memory(self))
        self.tid = 0
        self.stop: StopState | None = None
        self.stop_id = 0
        self.selected_frame = 0
        self._last_regs: dict[str, int] = {}
        self._source_cache: dict[str, list[str] | None] = {}
        self._pty_thread: threading.Thread | None = None
        self.value_history: list[str] = []
        self.convenience: dict = {}
        self.condition_compiler: Callable[[str], Callable[[int], bool]] | None = None
        from .exec.signals import SignalTable
        from .program.solib import SharedLibraries
        from .exec.thread_events import ThreadEvents
        self.signals = SignalTable()          # handle SIG ...: kept across runs, like gdb's
        self.solib = SharedLibraries(self)
        self.thread_events = ThreadEvents(self)

    # ---- program ------------------------------------------------------------------
    def load(self, path: str) -> Program:
        self.program = Program(path)
        return self.program

    def require_program(self) -> Program:
        if self.program is None:
            raise CommandError('No executable file specified.\nUse the "file" or "exec-file" command.')
        return self.program

    def require_inferior(self) -> Inferior:
        if self.inf is None or not self.inf.alive:
            raise NotRunning()
        return self.inf

    @property
    def alive(self) -> bool:
        return self.inf is not None and self.inf.alive

    # ---- starting ---------------------------------------------------------------------
    def launch(self, args: list[str] | None = None) -> Stop:
        prog = self.require_program()
        if self.alive:
            self.kill()
        if args is not None:
            self.args = list(args)
        inf = Inferior.launch(prog.path, self.args, aslr=self.aslr, use_pty=self.use_pty,
                              tty=self.tty)
        self._adopt(inf)
        self.publish(ev.Started(inf.pid, prog.path))
        for bp in self.bps.user_breakpoints():
            bp.hit_count = 0                 # gdb's run clears hit counts
        self._insert_user_breakpoints()
        self.publish(ev.Resumed(inf.pid))
        return Stop(StopKind.STEPPED, inf.pid, self.ctl.pc(inf.pid))

    def attach(self, pid: int) -> Stop:
        if self.alive:
            raise CommandError("A program is being debugged already.  Kill it first.")
        inf = Inferior.attach(pid)
        if self.program is None:
            try:
                self.load(os.readlink(f"/proc/{pid}/exe"))
            except (OSError, TdbgError) as e:
                inf.detach()
                raise TdbgError(f"cannot read the program of process {pid}: {e}") from None
        self._adopt(inf)
        self.publish(ev.Started(pid, self.program.path, attached=True))
        self._insert_user_breakpoints()
        return Stop(StopKind.INTERRUPTED, pid, self.ctl.pc(pid))

    def _adopt(self, inf: Inferior) -> None:
        self.inf = inf
        self.ctl = Controller(inf, self.bps)
        from .exec.signals import attach as attach_signals
        attach_signals(self, self.ctl)           # handle SIG ... (signals.py)
        self.thread_events.attach(self.ctl)
        self.tid = inf.pid
        self.program.relocate(inf.maps())
        self.program.maps_provider = inf.maps
        self._new_displaced()        # needs the relocated entry point
        self._last_regs = {}
        if inf.pty_master is not None:
            self._start_pty_reader(inf.pty_master)

    def _new_displaced(self) -> None:
        from .exec.displaced import Displaced
        main = self.program.main
        self.ctl.displaced = Displaced(self.inf, main.elf.entry + main.bias)

    def _start_pty_reader(self, fd: int) -> None:
        def pump() -> None:
            while True:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                self.publish(ev.Output("stdout", data))
            try:
                os.close(fd)
            except OSError:
                pass
        self._pty_thread = threading.Thread(target=pump, name="tdbg-pty", daemon=True)
        self._pty_thread.start()

    def _insert_user_breakpoints(self) -> None:
        """(Re)resolve every user breakpoint spec against the running image."""
        prog = self.require_program()
        self.solib.start()            # before resolving: libraries already loaded (attach) count
        for bp in self.bps.user_breakpoints():
            bp.addrs.clear()
            try:
                resolved = prog.resolve(bp.spec, evaluate=self.evaluate_address)
            except TdbgError:
                bp.pending = True
                continue
            bp.pending = False
            relocate_locations(self, bp, resolved.addrs)    # per-location states carried over
            for a in resolved.addrs:
                try:
                    self.bps.add_address(bp, a)
                except TdbgError as e:
                    self.publish(ev.Message(f"Warning: cannot insert breakpoint {bp.id} at {a:#x}: {e}", "warning"))
        self._breakpoints_changed()

    # ---- breakpoints -------------------------------------------------------------------
    def break_at(self, spec: str, condition: str | None = None, temporary: bool = False,
                 current_file: str | None = None, note: bool = False) -> tuple[Breakpoint, str]:
        prog = self.require_program()
        try:
            resolved = prog.resolve(spec, current_file or self._current_file(), self.evaluate_address)
        except NotFound as e:         # maybe in a library loaded later (solib.py)
            return self.solib.pending_breakpoint(spec, condition, temporary, e)
        if resolved.file is not None and resolved.line is not None:
            spec = f"{resolved.file}:{resolved.line}"
        elif spec.isdigit() and current_file is None and self._current_file():
            spec = f"{self._current_file()}:{spec}"
        errors: dict = {}
        check = self._compile(condition, resolved.addrs, errors) if condition else None
        addrs = resolved.addrs if self.alive else []
        bp = self.bps.set_breakpoint(addrs, temporary=temporary, spec=spec,
                                     condition=condition, check=check,
                                     bad={location_key(self, a) for a in errors})
        if not self.alive:
            bp.pending = False
        self._breakpoints_changed()
        info = self.breakpoint_info(bp)
        what = "Temporary breakpoint" if temporary else "Breakpoint"
        msg = f"{what} {bp.id} at {resolved.addrs[0]:#x}" if resolved.addrs else f"{what} {bp.id} (pending)"
        if info.location is not None:
            msg += f": file {os.path.basename(info.location.file)}, line {info.location.line}."
        elif len(resolved.addrs) == 1:
            msg += ""
        if len(resolved.addrs) > 1:
            msg = f"{what} {bp.id} at {resolved.addrs[0]:#x}: {spec}. ({len(resolved.addrs)} locations)"
        if errors:
            msg = f"{break_warnings(self, resolved.addrs, errors)}\n{msg}"
        if resolved.note and note:
            msg = f"{resolved.note}\n{msg}"
        return bp, msg

    def _compile(self, condition: str, addrs=(),
                 errors: dict | None = None) -> Callable[[int], bool]:
        """errors: filled with address -> ExpressionError where the condition does not parse."""
        if self.condition_compiler is None:
            raise CommandError("conditions are not available")
        check = self.condition_compiler(condition)
        errors = {} if errors is None else errors
        for addr in addrs:
            try:
                validate_condition(self, condition, addr)
            except ExpressionError as e:
                errors[addr] = e
        if errors and len(errors) == len(set(addrs)):
            raise next(iter(errors.values()))    # gdb: no location can evaluate it, no breakpoint
        return check

    def set_condition(self, id: int, condition: str | None,
                      notes: list[str] | None = None) -> Breakpoint:
        """notes: gdb's words for locations the condition disables or enables again."""
        bp = self.bps.get(id)
        addrs, errors = self._addresses(bp), {}
        bp.check = self._compile(condition, addrs, errors) if condition else None
        bp.condition = condition or None
        said = condition_changed(self, bp, addrs, errors)
        if notes is not None:
            notes.extend(said)
        self.bps.sync_locations(bp)
        self._breakpoints_changed()
        return bp

    def delete(self, id: int) -> None:
        bp = self.bps.get(id)
        self.bps.delete_breakpoint(bp.id)
        self._breakpoints_changed()

    def enable(self, id: int, on: bool) -> None:
        self.bps.enable(id, on)
        self._breakpoints_changed()

    def enable_location(self, id: int, number: int, on: bool) -> None:
        """`enable|disable ID.NUMBER`: one location of a breakpoint."""
        set_location_enabled(self, self.bps.get(id), number, on)

    def ignore(self, id: int, count: int) -> None:
        self.bps.get(id).ignore_count = max(0, count)
        self._breakpoints_changed()

    def _addresses(self, bp: Breakpoint) -> tuple[int, ...]:
        """Where bp is, or would be once the program runs."""
        addrs = tuple(bp.addrs)
        if not addrs and self.program is not None and not self.alive:
            try:
                addrs = tuple(self.program.resolve(bp.spec).addrs)
            except TdbgError:
                addrs = ()
        return addrs

    def breakpoint_info(self, bp: Breakpoint) -> ev.BreakpointInfo:
        addrs = self._addresses(bp)
        loc = self.program.location(addrs[0]) if addrs and self.program else None
        func = self.program.symbolize(addrs[0]) if addrs and self.program else None
        from .breaks.table import locations
        locs = locations(self.program, bp.spec, addrs)
        if bp.off or bp.bad:
            locs = tuple(replace(l, enabled=location_key(self, l.address) not in bp.off,
                                 condition_ok=location_key(self, l.address) not in bp.bad)
                         for l in locs)
        return ev.BreakpointInfo(bp.id, bp.kind, bp.spec, addrs, bp.enabled, bp.temporary,
                                 bp.condition, bp.ignore_count, bp.hit_count, loc, func,
                                 bp.pending, locs)

    def breakpoint_infos(self) -> tuple[ev.BreakpointInfo, ...]:
        return tuple(self.breakpoint_info(b) for b in self.bps.user_breakpoints())

    def _breakpoints_changed(self) -> None:
        self.publish(ev.BreakpointChanged(self.breakpoint_infos()))

    # ---- reporting ------------------------------------------------------------------------
    def report(self, stop: Stop, *, reason: StopReason | None = None, message: str | None = None,
               return_value: str | None = None) -> None:
        if stop.gone:
            self._report_end(stop)
            return
        previous_tid, self.tid = self.tid, stop.tid
        self.selected_frame = 0
        self.stop_id += 1
        inf = self.require_inferior()
        regs_struct = inf.regs(stop.tid)
        regs = {n: getattr(regs_struct, n) for n in REG_NAMES}
        changed = frozenset(k for k, v in regs.items() if self._last_regs.get(k, v) != v)
        self._last_regs = regs
        pc = regs["rip"]
        self.stop = StopState(self.stop_id, stop.tid, pc)
        prog = self.require_program()
        loc = prog.location(pc)
        func = prog.symbolize(pc)
        bp_id = next((b.id for b in stop.hit if b.registered), None)
        if bp_id is not None:
            self._breakpoints_changed()       # hit counts (and spent temporaries) changed
        if reason is None:
            reason = {StopKind.BREAKPOINT: StopReason.BREAKPOINT, StopKind.SIGNAL: StopReason.SIGNAL,
                      StopKind.INTERRUPTED: StopReason.INTERRUPTED, StopKind.TRAP: StopReason.TRAP,
                      StopKind.WATCHPOINT: StopReason.WATCHPOINT, StopKind.EXEC: StopReason.EXEC,
                      }.get(stop.kind, StopReason.STEP)
            if stop.kind == StopKind.BREAKPOINT and bp_id is None:
                reason = StopReason.STEP
        if message is None and stop.kind == StopKind.WATCHPOINT:
            message = self.watch_message(stop, pc, loc)
        if message is None:
            message = self.stop_message(stop, reason, pc, loc, bp_id)
        self.step_origin = self.frame_origin()    # where the next step starts (stepping.py)
        if stop.error:
            message = f"{stop.error}\n{message}"
        message = self.thread_events.stop_text(message, previous_tid, stop.tid)
        sig = stop.sig if stop.kind in (StopKind.SIGNAL, StopKind.TRAP) else None
        self.publish(ev.Stopped(self.stop_id, reason, stop.tid, pc, ev.frozen_regs(regs), loc,
                                prog.function_name(pc), changed, bp_id, sig,
                                signal_name(sig) if sig else None, stop.fault_addr, message,
                                return_value, prog.symbolize(pc)))

    def _report_end(self, stop: Stop) -> None:
        pid = self.inf.pid if self.inf else stop.tid
        self._process_gone()
        if stop.kind == StopKind.EXITED:
            self.publish(ev.Exited(pid, stop.code))
        else:
            self.publish(ev.Signaled(pid, stop.sig, signal_name(stop.sig)))

    def _process_gone(self) -> None:
        if self.inf is not None:
            self.inf.mark_dead()
        self.bps.delete_internal()
        self.bps.sites.clear()
        for bp in self.bps.user_breakpoints():
            bp.addrs.clear()
            if bp.temporary:
                self.bps.delete_breakpoint(bp.id)
        if self.program is not None:
            self.program.unrelocate()
        self.stop = None
        self._breakpoints_changed()

    def stop_message(self, stop: Stop, reason: StopReason, pc: int,
                     loc: SourceLocation | None, bp_id: int | None) -> str:
        prog = self.require_program()
        head = ""
        if reason == StopReason.BREAKPOINT and bp_id is not None:
            bp = self.bps.bps.get(bp_id)
            temp = bp is None or bp.temporary
            num = bp_id
            if bp is not None and len(bp.addrs) > 1 and pc in bp.addrs:
                num = f"{bp_id}.{sorted(bp.addrs).index(pc) + 1}"    # gdb 13: location number
            head = f"\n{'Temporary breakpoint' if temp else 'Breakpoint'} {num}, "
        elif reason == StopReason.SIGNAL:
            head = (f"\nProgram received signal {signal_name(stop.sig)}, "
                    f"{signal_description(stop.sig)}.\n")
        elif reason == StopReason.INTERRUPTED:
            head = "\nProgram received signal SIGINT, Interrupt.\n" if False else "\nProgram stopped.\n"
        elif reason == StopReason.TRAP:
            head = "\nProgram received signal SIGTRAP, Trace/breakpoint trap.\n"
        at_line_start = loc is not None and prog.line_start(pc)
        if reason == StopReason.STEP:
            text = self.step_stop_text()          # stepping.py: gdb's SRC_LINE or SRC_AND_LOC
            if text is not None:
                return text
        if reason == StopReason.STEP and loc is not None:
            src = self.source_line(loc.file, loc.line)
            if at_line_start:
                return f"{loc.line}\t{src}" if src is not None else f"{loc.line}\tin {loc.file}"
            return f"{pc:#018x}\t{loc.line}\t{src or ''}"
        return head + self.frame_line(pc, loc, with_addr=not at_line_start or head == "")

    def frame_line(self, pc: int, loc: SourceLocation | None, with_addr: bool,
                   args: str = "") -> str:
        prog = self.require_program()
        if args == "" and self.alive and self.stop is not None and pc == self.stop.pc:
            try:
                return self.frame0_header()       # inspect_frames.py: inline frames, trampolines
            except TdbgError:
                pass
        func = prog.function_name(pc) or "??"
        if args == "" and loc is not None:
            args = self.frame_args_text(0)
        addr = f"{pc:#018x} in " if with_addr else ""
        if loc is None:
            where = ""
            o = prog.objfile_for(pc)
            if o is not None and o is not prog.main:
                where = f" from {o.display_path}"
            return f"{addr}{func} ()" + where
        src = self.source_line(loc.file, loc.line)
        text = f"{addr}{func} ({args}) at {os.path.basename(loc.file)}:{loc.line}"
        return text + (f"\n{loc.line}\t{src}" if src is not None else "")

    def frame_args_text(self, level: int) -> str:
        """'n=6, p=0x...' for frame headers."""
        try:
            return ", ".join(f"{n}={v}" for n, v in self.frame_args(level))
        except TdbgError:
            return ""

    def source_lines(self, path: str) -> list[str] | None:
        if path not in self._source_cache:
            try:
                with open(path, "rb") as f:
                    text = f.read().decode("utf-8", errors="replace")
                self._source_cache[path] = text.splitlines()
            except OSError:
                self._source_cache[path] = None
        return self._source_cache[path]

    def source_line(self, path: str, line: int) -> str | None:
        lines = self.source_lines(path)
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    def _current_file(self) -> str | None:
        if self.stop is not None and self.program is not None:
            loc = self.program.location(self.stop.pc)
            if loc is not None:
                return loc.file
        loc = self.program.main_location() if self.program else None
        return loc.file if loc else None

    # ---- resuming ---------------------------------------------------------------------------
    def resumed(self) -> None:
        self.stop = None
        self.publish(ev.Resumed(self.tid))

    def cont(self, count: int = 1) -> Stop:
        ctl = self._ctl()
        if count > 1 and self.stop is not None:
            hit = next((b for b in self._bps_at(self.stop.pc) if b.registered), None)
            if hit is not None:
                hit.ignore_count = count - 1
                self.publish(ev.Message(f"Will ignore next {count - 1} crossings of breakpoint {hit.id}.  Continuing."))
        self.resumed()
        return ctl.cont(self.tid)

    def _bps_at(self, pc: int) -> list[Breakpoint]:
        site = self.bps.site_at(pc)
        return [self.bps.bps[o] for o in site.owners if o in self.bps.bps] if site else []

    def _ctl(self) -> Controller:
        self.require_inferior()
        return self.ctl

    # ---- ending -------------------------------------------------------------------------------
    def kill(self) -> None:
        if self.inf is not None and self.inf.alive:
            self.inf.kill()
            pid = self.inf.pid
            self._process_gone()
            self.publish(ev.Signaled(pid, 9, "SIGKILL", requested=True))

    def detach(self) -> int:
        inf = self.require_inferior()
        self.bps.delete_internal()
        self.bps.remove_all()
        pid = inf.pid
        inf.detach()
        self._process_gone()
        return pid

    def close(self) -> None:
        """Quit: never leave a launched tracee running, nor an INT3 in an attached one."""
        if self.inf is None or not self.inf.alive:
            return
        if self.inf.launched:
            self.inf.kill()
        else:
            try:
                self.bps.delete_internal()
                self.bps.remove_all()
            finally:
                self.inf.detach()
        self._process_gone()

    # ---- state ----------------------------------------------------------------------------------
    def registers(self, tid: int | None = None) -> dict[str, int]:
        inf = self.require_inferior()
        r = inf.regs(tid or self.tid)
        return {n: getattr(r, n) for n in REG_NAMES}

    def set_register(self, name: str, value: int) -> None:
        inf = self.require_inferior()
        regs = inf.regs(self.tid)
        if name not in REG_NAMES:
            raise CommandError(f"Invalid register `{name}'")
        setattr(regs, name, value & 0xFFFFFFFFFFFFFFFF)
        inf.set_regs(self.tid, regs)

    def read_memory(self, addr: int, n: int) -> bytes:
        if n > MAX_READ:
            raise CommandError(f"refusing to read {n} bytes at once (limit {MAX_READ}); read less")
        inf = self.require_inferior()
        return self.bps.shadow(addr, inf.read(addr, n))

    def read_memory_partial(self, addr: int, n: int) -> tuple[bytes, int]:
        if n > MAX_READ:
            raise CommandError(f"refusing to read {n} bytes at once (limit {MAX_READ}); read less")
        inf = self.require_inferior()
        data = self.bps.shadow(addr, inf.read_partial(addr, n))
        return data, len(data)

    def write_memory(self, addr: int, data: bytes) -> None:
        self.require_inferior()
        self.bps.write_through(addr, data)
        if self.ctl is not None:
            self.ctl._trap_cache.clear()          # the code there may have changed
        d = self.ctl.displaced if self.ctl else None
        if d is not None:
            for site in [a for a in d.slots if addr <= a < addr + len(data)]:
                d.slots.pop(site)       # a stale copy; a fresh slot is made on next use

    def disassemble(self, addr: int, count: int) -> list[Instruction]:
        prog = self.require_program()
        if self.alive:
            code, _ = self.read_memory_partial(addr, count * 15)
        else:
            o = prog.objfile_for(addr)
            code = o.elf.read_code(addr - o.bias, count * 15) if o else b""
        pc = self.stop.pc if self.stop else None
        out = []
        for i in instructions(code, addr, count):
            a = i.addr
            bp = next((b.id for b in self._bps_at(a) if b.registered), None) if self.alive else None
            out.append(instruction(i, prog.symbolize, symbol=prog.symbolize(a),
                                   location=prog.location(a), is_pc=a == pc, breakpoint_id=bp))
        return out
