"""Stack unwinding from CFI rows, with an rbp-chain fallback.

`Unwinder.frames(regs)` turns the registers of a stopped thread into the list of
frames, innermost first. Each caller frame only knows the registers the callee's
CFI lets us recover (callee-saved ones, rsp, rip), except below a signal frame,
whose CFI restores everything from the kernel's ucontext.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import ExpressionError, TdbgError
from .dwarf.cfi import CFIError, ObjectCFI, Row, Rule
from .dwarf.expr import DWARF_REGS, REG_NUMBERS, Unavailable, evaluate_address

MAX_DEPTH = 10_000
# The SysV ABI makes these the callee's to preserve: without a rule they keep their value.
CALLEE_SAVED = ("rbx", "rbp", "r12", "r13", "r14", "r15")
# mov $__NR_rt_sigreturn, %rax; syscall -- the body of every x86-64 sigreturn trampoline.
SIGRETURN_CODE = bytes.fromhex("48c7c00f0000000f05")
# struct rt_sigframe: at the trampoline rsp points at the ucontext (pretcode was
# popped by the handler's ret); uc_mcontext.gregs starts 40 bytes into it.
_GREGS = 40
_GREG_ORDER = ("r8 r9 r10 r11 r12 r13 r14 r15 rdi rsi rbp rbx rdx rax rcx rsp rip").split()


@dataclass
class Frame:
    level: int
    pc: int
    cfa: int | None
    regs: dict[str, int]
    heuristic: bool = False       # registers or CFA guessed from the rbp chain, not CFI
    signal_frame: bool = False    # the sigreturn trampoline (gdb's "<signal handler called>")
    # Where to look this frame up (CFI, symbol, line): pc-1 in a caller frame, since
    # its pc is a return address, possibly past the end of a noreturn call's function.
    lookup_pc: int = -1
    row: Row | None = field(default=None, repr=False, compare=False)
    # gdb's DUMMY_FRAME: the return of a call made from an expression (exec/infcall.py)
    dummy: bool = False

    def __post_init__(self) -> None:
        if self.lookup_pc < 0:
            self.lookup_pc = self.pc


class _RegContext:
    """ExprContext for CFI expressions: only registers and memory make sense there."""
    bias = 0

    def __init__(self, regs: dict[str, int], read: Callable[[int, int], bytes]) -> None:
        self._regs, self.read = regs, read

    def reg(self, name: str) -> int:
        if name not in self._regs:
            raise Unavailable(f"register {name} not known in this frame")
        return self._regs[name]

    def frame_base(self) -> int:
        raise ExpressionError("DW_OP_fbreg in call frame information")

    def cfa(self) -> int:
        raise ExpressionError("DW_OP_call_frame_cfa in call frame information")

    def addrx(self, index: int) -> int:
        raise ExpressionError("DW_OP_addrx in call frame information")


class FrameContext(_RegContext):
    """ExprContext for a variable in `frame`: its registers, its CFA, and the
    function's DW_AT_frame_base expression (usually DW_OP_call_frame_cfa)."""

    def __init__(self, frame: Frame, read: Callable[[int, int], bytes], bias: int,
                 frame_base_expr: bytes | None = None,
                 addrx: Callable[[int], int] | None = None) -> None:
        super().__init__(frame.regs, read)
        self.frame, self.bias = frame, bias
        self._fb_expr, self._addrx = frame_base_expr, addrx
        self._fb: int | None = None

    def cfa(self) -> int:
        if self.frame.cfa is None:
            raise Unavailable("frame has no CFA")
        return self.frame.cfa

    def frame_base(self) -> int:
        if self._fb is None:
            if self._fb_expr is None:
                raise Unavailable("function has no frame base")
            self._fb = evaluate_address(self._fb_expr, self)
        return self._fb

    def addrx(self, index: int) -> int:
        if self._addrx is None:
            raise ExpressionError("no .debug_addr table for DW_OP_addrx")
        return self._addrx(index)


# (pc, sp) of a caller frame -> the registers saved before an expression's call when
# that frame is the call's return (gdb's dummy_frame_sniffer), else None
DummyLookup = Callable[[int, int], "dict[str, int] | None"]


def _no_dummy(pc: int, sp: int) -> dict[str, int] | None:
    return None


class Unwinder:
    def __init__(self, cfi_for_pc: Callable[[int], ObjectCFI | None],
                 read: Callable[[int, int], bytes], dummy: DummyLookup = _no_dummy) -> None:
        self._cfi_for_pc = cfi_for_pc
        self._read = read
        self._dummy = dummy
        self.stop_reason = ""

    def frames(self, regs: dict[str, int], limit: int = 256) -> list[Frame]:
        """Frames innermost first; `stop_reason` then says why the list ends."""
        limit = min(limit, MAX_DEPTH)
        frame = self._make_frame(0, dict(regs), regs["rip"], heuristic=False)
        out = [frame]
        seen = {(frame.pc, frame.cfa)}
        while True:
            if len(out) >= limit:
                self.stop_reason = "frame limit reached"
                break
            nxt = self.caller(frame)
            if nxt is None:
                break
            if (nxt.pc, nxt.cfa) in seen:
                self.stop_reason = "previous frame identical to this frame (corrupt stack?)"
                break
            seen.add((nxt.pc, nxt.cfa))
            out.append(nxt)
            frame = nxt
        return out

    def caller(self, frame: Frame) -> Frame | None:
        """The frame that `frame` returns to, or None at the outermost frame or
        when the stack no longer makes sense (`stop_reason` says which)."""
        self.stop_reason = "outermost"
        if frame.dummy:
            # Beneath a call's return: the frame where the program was when the call was
            # made, its registers all known (saved), its pc not a return address.
            saved = self._dummy(frame.pc, frame.regs.get("rsp", 0))
            if saved is None:
                return None
            return self._make_frame(frame.level + 1, dict(saved), saved["rip"], False)
        try:
            if frame.row is not None and frame.cfa is not None:
                regs = self._apply_rules(frame, frame.row, frame.cfa)
                heuristic = False
            else:
                regs = self._rbp_chain(frame)
                heuristic = True
        except (TdbgError, Unavailable, CFIError, IndexError) as e:
            self.stop_reason = str(e) or type(e).__name__
            return None
        if regs is None or not regs.get("rip"):
            if heuristic:
                self.stop_reason = "no CFI here and no usable frame pointer (corrupt stack?)"
            return None
        sp = regs.get("rsp", 0)
        if self._dummy(regs["rip"], sp) is not None:
            # gdb's amd64_dummy_id: the frame is "at" 16 above the return address's slot
            return Frame(frame.level + 1, regs["rip"], sp + 8, regs, dummy=True)
        lookup = regs["rip"] if frame.signal_frame else regs["rip"] - 1
        nxt = self._make_frame(frame.level + 1, regs, lookup, heuristic)
        if not (frame.signal_frame or nxt.signal_frame):
            # A caller's frame is older, so higher on x86-64's downward stack. Only
            # compare CFAs that CFI computed: a guessed one proves nothing.
            inner_cfa = (nxt.row is not None and frame.row is not None
                         and nxt.cfa is not None and frame.cfa is not None
                         and nxt.cfa <= frame.cfa)
            if inner_cfa or nxt.regs.get("rsp", 1 << 64) <= frame.regs.get("rsp", -1):
                self.stop_reason = "previous frame inner to this frame (corrupt stack?)"
                return None
        return nxt

    # -- building frames ---------------------------------------------------

    def _make_frame(self, level: int, regs: dict[str, int], lookup_pc: int,
                    heuristic: bool) -> Frame:
        pc = regs["rip"]
        row = None
        cfi = self._cfi_for_pc(lookup_pc)
        if cfi is not None:
            try:
                row = cfi.rule_row(lookup_pc)
            except CFIError:
                row = None
        if row is None or (lookup_pc != pc and row.end <= pc):
            # No CFI, or the return address lies past the FDE that pc-1 found: it
            # may be a trampoline without CFI (musl) right after another function.
            row = self._sigreturn_row(pc) or row
        # Without a row this frame's CFA, and so its caller, can only be guessed.
        frame = Frame(level, pc, None, regs, heuristic=heuristic or row is None,
                      signal_frame=bool(row and row.signal_frame),
                      lookup_pc=lookup_pc, row=row)
        try:
            if row is not None:
                frame.cfa = self._cfa(frame, row)
            elif "rbp" in regs:
                frame.cfa = regs["rbp"] + 16        # what a standard prologue gives
        except (TdbgError, Unavailable):
            frame.cfa = None
        return frame

    def _cfa(self, frame: Frame, row: Row) -> int | None:
        if row.cfa_expr is not None:
            return evaluate_address(row.cfa_expr, _RegContext(frame.regs, self._read))
        if row.cfa_reg is None:
            return None
        name = DWARF_REGS.get(row.cfa_reg)
        if name is None or name not in frame.regs:
            return None
        return (frame.regs[name] + row.cfa_offset) & 0xFFFFFFFFFFFFFFFF

    def _apply_rules(self, frame: Frame, row: Row, cfa: int) -> dict[str, int] | None:
        ctx = _RegContext(frame.regs, self._read)
        regs = {n: frame.regs[n] for n in CALLEE_SAVED if n in frame.regs}
        regs["rsp"] = cfa
        for num, rule in row.rules.items():
            name = DWARF_REGS.get(num)
            if name is None or num == row.ra_reg:
                continue
            if rule.kind == "same":
                value = frame.regs.get(name)
            else:
                value = self._rule_value(rule, cfa, frame, ctx)
            if value is None:
                regs.pop(name, None)
            else:
                regs[name] = value
        ra_rule = row.rules.get(row.ra_reg)
        if ra_rule is None or ra_rule.kind == "undefined":
            return None          # e.g. _start marks rip undefined: the outermost frame
        ra = self._rule_value(ra_rule, cfa, frame, ctx)
        if ra is None:
            return None
        regs["rip"] = ra
        return regs

    def _rule_value(self, rule: Rule, cfa: int, frame: Frame, ctx: _RegContext) -> int | None:
        kind, arg = rule.kind, rule.arg
        if isinstance(arg, bytes):                   # the expression rules carry DWARF bytes
            if kind == "expression":
                return self._read8(evaluate_address(arg, ctx, stack=(cfa,)))
            if kind == "val_expression":
                return evaluate_address(arg, ctx, stack=(cfa,))
            return None
        if kind == "offset":
            return self._read8(cfa + arg)
        if kind == "val_offset":
            return (cfa + arg) & 0xFFFFFFFFFFFFFFFF
        if kind == "register":
            return frame.regs.get(DWARF_REGS.get(arg, ""))
        return None                                  # undefined

    def _rbp_chain(self, frame: Frame) -> dict[str, int] | None:
        rbp = frame.regs.get("rbp")
        if rbp is None or rbp % 8 or rbp < frame.regs.get("rsp", 0):
            return None
        return {"rbp": self._read8(rbp), "rip": self._read8(rbp + 8), "rsp": rbp + 16}

    def _sigreturn_row(self, pc: int) -> Row | None:
        """Rules for a sigreturn trampoline that has no CFI (musl, a static
        binary): the kernel's ucontext layout, as glibc's own CFI describes it."""
        try:
            if self._read(pc, len(SIGRETURN_CODE)) != SIGRETURN_CODE:
                return None
        except TdbgError:
            return None
        row = Row(pc, pc + len(SIGRETURN_CODE), signal_frame=True)
        rsp_off = _GREGS + 8 * _GREG_ORDER.index("rsp")
        row.cfa_expr = bytes([0x77]) + _sleb(rsp_off) + bytes([0x06])   # breg7 off; deref
        for i, name in enumerate(_GREG_ORDER):
            expr = bytes([0x77]) + _sleb(_GREGS + 8 * i)
            row.rules[REG_NUMBERS[name]] = Rule("expression", expr)
        return row

    def _read8(self, addr: int) -> int:
        return int.from_bytes(self._read(addr, 8), "little")


def _sleb(v: int) -> bytes:
    out = bytearray()
    while True:
        byte = v & 0x7F
        v >>= 7
        if (v == 0 and not byte & 0x40) or (v == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)
