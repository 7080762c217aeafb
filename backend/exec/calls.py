"""Calls during a source step: stepping over them, into them, through PLT stubs, and
catching a longjmp out of them (used by stepping.py).

- Over: an internal breakpoint at the return address, valid only once the call's
  frame is popped (rsp above the call's), so deeper recursion does not stop it.
- Into: gdb's handle_step_into_function: past `push %rbp; mov %rsp,%rbp` (amd64
  prologue analysis), then to the end of that line-table row when the row began
  before it; at -O2 (no frame setup) that is the entry itself.
- PLT: the stub `f@plt` is followed by name to `f` in whichever object defines
  it, with a breakpoint there, so the lazy-binding resolver runs at full speed (B3).
- longjmp: glibc's jmp_buf holds rsp and pc mangled with the thread's pointer guard
  (%fs:0x30): `rol(x ^ guard, 17)`. Decoding it at longjmp's entry tells where the
  jump lands; if that is in the stepping frame or above it, stepping goes on there
  (docs/hard-cases.md B8), else the jump stays inside the callee and is ignored.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from ..breaks.manager import Breakpoint, Manager
from ..errors import TdbgError
from ..process.inferior import Inferior
from ..program.target import Target
from .process_control import ProcessControl
from .stop import Stop, StopKind

_LONGJMPS = ("siglongjmp", "longjmp", "_longjmp", "__libc_siglongjmp", "__libc_longjmp",
             "__longjmp_chk")
_MASK = (1 << 64) - 1
_STEPPED = StopKind.STEPPED

# An instruction as disasm.decode yields it (addr, size, mnemonic, operands, bytes), or
# (addr, 1, "") where nothing decodes.
Insn = tuple[int, int, str] | tuple[int, int, str, str, bytes]


def _ror(v: int, n: int) -> int:
    return ((v >> n) | (v << (64 - n))) & _MASK


def _rsp_is(inf: Inferior, rsp: int) -> Callable[[int], bool]:
    """A breakpoint check: the thread's stack pointer is exactly rsp (a longjmp landed)."""
    return lambda tid: inf.regs(tid).rsp == rsp


class Calls:
    """Calls met by a source step: over, into, through PLT stubs, out by longjmp."""

    def __init__(self, target: Target, bps: Manager, proc: ProcessControl) -> None:
        self.target = target
        self.bps = bps
        self.proc = proc
        self._longjmp_cache: tuple[tuple[int, ...], list[int]] | None = None
        self._longjmp_relocated: int | None = None    # the stop at which libc was looked for

    # ---- stepping over ----------------------------------------------------------------
    def run_to_return(self, ret_addr: int, rsp_at_call: int, *, extra: tuple[Breakpoint, ...] = (),
                       longjmp: bool = True) -> Stop:
        """Resume until ret_addr is reached with the call's frame popped, or one of the
        `extra` internal breakpoints is hit; follows a longjmp that leaves the call."""
        inf = self.proc.ctl.inf
        bp = self.bps.set_breakpoint(ret_addr, registered=False,
                                     check=lambda tid: inf.regs(tid).rsp > rsp_at_call - 8)
        ours = [bp, *extra]
        jbp = self._longjmp_breakpoint() if longjmp else None
        if jbp is not None:
            ours.append(jbp)
        try:
            while True:
                stop = self.proc.ctl.cont(self.target.tid)
                if jbp is None or not self._only_hit(stop, jbp):
                    break
                landing = self._longjmp_target(rsp_at_call)
                if landing is not None:
                    pc, rsp = landing
                    ours.append(self.bps.set_breakpoint(pc, registered=False, check=_rsp_is(inf, rsp)))
        finally:
            for b in ours:
                self.drop_internal(b)
        return self.internal_only(stop, ours)

    def drop_internal(self, bp: Breakpoint) -> None:
        if bp.id in self.bps.bps and self.target.alive:
            self.bps.delete_breakpoint(bp.id)

    @staticmethod
    def _only_hit(stop: Stop, bp: Breakpoint) -> bool:
        return stop.kind == StopKind.BREAKPOINT and bp in stop.hit and \
            all(b is bp or not b.registered for b in stop.hit)

    @staticmethod
    def internal_only(stop: Stop, bps: Breakpoint | Sequence[Breakpoint]) -> Stop:
        """Our own breakpoint reached (and no user one with it): an ordinary step stop."""
        if isinstance(bps, Breakpoint):
            bps = [bps]
        if stop.kind == StopKind.BREAKPOINT and stop.hit and \
                all(not b.registered for b in stop.hit) and any(b in bps for b in stop.hit):
            return Stop(_STEPPED, stop.tid, stop.pc)
        return stop

    # ---- a signal arriving while single-stepping ------------------------------------------
    def step_with_signal(self, pc: int, insn: Insn) -> Stop | None:
        """The controller holds a routine signal that arrived during a single-step
        (th.pending_sig) and delivers it on the next *continue* only; a loop waiting for
        that signal would be stepped forever. Do as gdb does: let the handler run at full
        speed and catch the thread when the interrupted instruction has run, at its
        successor(s) in this frame. None when the successors are unknown (ret, jmp *r)."""
        th = self.target.process.threads.get(self.target.tid)
        if th is None or not getattr(th, "pending_sig", 0):
            return None
        size, mnem, op = insn[1], insn[2], insn[3] if len(insn) > 3 else ""
        succ: set[int] = set()
        if not (mnem == "jmp" or mnem.startswith(("ret", "call", "syscall", "int"))):
            succ.add(pc + size)
        if mnem.startswith("j"):
            try:
                succ.add(int(op, 16))
            except ValueError:
                return None                      # an indirect jump
        if not succ:
            return None
        inf, rsp0 = self.proc.ctl.inf, self.proc.ctl.inf.regs(self.target.tid).rsp
        # The handler runs on frames ~1 KiB below (or on an alternate stack): not ours.
        bp = self.bps.set_breakpoint(sorted(succ), registered=False,
                                     check=lambda tid: abs(inf.regs(tid).rsp - rsp0) < 512)
        try:
            stop = self.proc.ctl.cont(self.target.tid)
        finally:
            self.drop_internal(bp)
        return self.internal_only(stop, bp)

    # ---- longjmp -----------------------------------------------------------------------
    def _longjmp_breakpoint(self) -> Breakpoint | None:
        if not self._longjmp_addrs() and self._longjmp_relocated != self.target.stop_id:
            # libc may be mapped but not met yet (objects are found lazily by address).
            self._longjmp_relocated = self.target.stop_id
            prog, inf = self.target.prog, self.target.process
            try:
                prog.relocate(inf.maps())
            except (OSError, TdbgError):
                pass
        addrs = self._longjmp_addrs()
        if not addrs:
            return None
        try:
            return self.bps.set_breakpoint(addrs, registered=False)
        except TdbgError:
            return None

    def _longjmp_addrs(self) -> list[int]:
        prog = self.target.prog
        objs = tuple(id(o) for o in prog.objfiles)
        if self._longjmp_cache is None or self._longjmp_cache[0] != objs:
            addrs: set[int] = set()
            for o in prog.objfiles:
                for name in _LONGJMPS:
                    s = o.elf.symbol(name)
                    if s is not None and s.addr and s.kind == "func" and "@" not in s.name:
                        addrs.add(s.addr + o.bias)
            self._longjmp_cache = (objs, sorted(addrs))
        return self._longjmp_cache[1]

    def _longjmp_target(self, rsp_at_call: int) -> tuple[int, int] | None:
        """(pc, rsp) where the longjmp just entered will land, when that is the stepping
        frame or an outer one; None when it stays below (or cannot be decoded)."""
        try:
            regs = self.proc.ctl.inf.regs(self.target.tid)
            buf = self.target.read_memory(regs.rdi, 64)
            guard = int.from_bytes(self.target.read_memory(regs.fs_base + 0x30, 8), "little")
        except (TdbgError, AttributeError):
            return None

        def word(i: int) -> int:
            return int.from_bytes(buf[8 * i:8 * i + 8], "little")
        rsp, pc = _ror(word(6), 17) ^ guard, _ror(word(7), 17) ^ guard
        if rsp < rsp_at_call or self.target.prog.objfile_for(pc) is None:
            return None
        return pc, rsp

    # ---- stepping into ---------------------------------------------------------------
    def enter_function(self, pc: int, ret_addr: int, rsp_at_call: int) -> Stop | None:
        """`step` went into a call: stop after its prologue, or step over it when it has
        no line info. Returns the stop, or None when it was stepped over."""
        prog, inf = self.target.prog, self.proc.ctl.inf
        below = lambda tid: inf.regs(tid).rsp < rsp_at_call
        sym = prog.symbolize(pc) or ""
        if sym.endswith("@plt"):
            target = self._plt_target(sym[:-4])
            if target is None or prog.location(target) is None:
                stop = self.run_to_return(ret_addr, rsp_at_call)
                return None if stop.kind == _STEPPED else stop
            tbp = self.bps.set_breakpoint(target, registered=False, check=below)
            stop = self.run_to_return(ret_addr, rsp_at_call, extra=(tbp,))
            if stop.kind != _STEPPED or stop.pc != target:
                return None if stop.kind == _STEPPED else stop
            pc = target
        if prog.location(pc) is None:
            stop = self.run_to_return(ret_addr, rsp_at_call)
            return None if stop.kind == _STEPPED else stop
        target = self.step_into_target(pc)
        if target != pc:
            tbp = self.bps.set_breakpoint(target, registered=False, check=below)
            stop = self.run_to_return(ret_addr, rsp_at_call, extra=(tbp,))
            if stop.kind != _STEPPED or stop.pc != target:
                return None if stop.kind == _STEPPED else stop
        else:
            stop = Stop(_STEPPED, self.target.tid, pc)
        return stop

    def _plt_target(self, name: str) -> int | None:
        """Where the stub for `name` leads: the function of that name in a loaded object."""
        prog, inf = self.target.prog, self.target.process
        try:
            prog.relocate(inf.maps())        # libraries mapped since the last look
        except (OSError, TdbgError):
            pass
        for o in prog.objfiles:
            s = o.elf.symbol(name)
            if s is not None and s.addr and s.kind == "func" and "@" not in s.name:
                return s.addr + o.bias
        return None

    def step_into_target(self, pc: int) -> int:
        """gdb's handle_step_into_function: where `step` stops in a function entered at pc."""
        o = self.target.prog.objfile_for(pc)
        d = o.debug if o is not None else None
        if o is None or d is None:
            return pc
        link = pc - o.bias
        f = d.function_at(link)
        if f is None:
            return pc
        start = f.ranges[0][0] if f.ranges else f.low
        end = next((hi for lo, hi in f.ranges if lo <= start < hi), f.high)
        try:
            # amd64_skip_prologue (gdbarch_skip_prologue_noexcept); DebugInfo keeps
            # gdb's implementation, used here as gdb's infrun uses it.
            post = d._amd64_skip_prologue(start)
        except (TdbgError, LookupError, ValueError, AttributeError):
            post = start
        row = d.line_range(post)
        if row is not None and row[0] != post and row[1] < end:
            post = row[1]
        return post + o.bias
