"""Hardware watchpoints: DR0-DR3 address slots and DR7 control, per thread (docs/hard-cases.md D4).

A watchpoint is a registered ``Breakpoint`` (so it shares gdb's numbering,
`info breakpoints` and `delete N`) with kind "hw watchpoint" and no INT3
sites; the slot it occupies lives here, in the ``HwSlots`` of its breakpoint
table. Debug registers are per thread: the controller applies them to every
new thread at its first stop and after exec; ``sync`` pushes changes (a
deleted watchpoint, a new process) to every stopped thread before a resume.
The trap comes after the access, with DR6 naming the slot.

Every trap of a `watch` is reported (gdb skips writes that leave the value
unchanged; we count each write, which is what threaded tests need).
"""
from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, cast, overload

from ..errors import CommandError, PtraceError
from ..events import SourceLocation
from ..inspect.evaluate import Evaluator
from ..inspect.frame_text import FrameText
from ..process import ptrace
from ..process.inferior import Inferior
from ..program.target import Target
from ..symbols.value_format import format_value
from ..symbols.values import Value
from .breakpoints import Breakpoints
from .manager import Breakpoint, Manager

if TYPE_CHECKING:
    from ..symbols.types import Type

DR6 = ptrace.DEBUGREG_OFFSET + 6 * 8
DR7 = ptrace.DEBUGREG_OFFSET + 7 * 8
NSLOTS = 4
_RW = {"w": 0b01, "r": 0b11, "rw": 0b11}          # x86 has no read-only: reads use read/write
_LEN = {1: 0b00, 2: 0b01, 4: 0b11, 8: 0b10}
KIND = {"w": "hw watchpoint", "r": "read watchpoint", "rw": "acc watchpoint"}
TITLE = {"w": "Hardware watchpoint", "r": "Hardware read watchpoint",
         "rw": "Hardware access (read/write) watchpoint"}


@dataclass(slots=True)
class Watch:
    bp: Breakpoint
    expr: str
    addr: int
    size: int
    access: str          # "w", "r" or "rw"
    old: bytes           # the value at the last report (Old value = ...)
    type: Type | None = None   # the expression's type, to format values


class StopDetail(Protocol):
    """What watch_message reads of a stop (exec/stop.py's Stop, a layer above)."""

    @property
    def detail(self) -> object: ...


def dr7_bits(slot: int, w: Watch) -> int:
    return (1 << (2 * slot)) | ((_RW[w.access] | _LEN[w.size] << 2) << (16 + 4 * slot))


class HwSlots:
    def __init__(self, bps: Manager) -> None:
        self.bps = bps
        self.slots: list[Watch | None] = [None] * NSLOTS
        self._dirty = False
        self._inf: Inferior | None = None   # the process the registers were last written to

    def in_use(self) -> bool:
        return any(w is not None for w in self.slots)

    def watches(self) -> list[Watch]:
        return [w for w in self.slots if w is not None]

    def add(self, w: Watch) -> int | None:
        for i, cur in enumerate(self.slots):
            if cur is None:
                self.slots[i] = w
                self._dirty = True
                return i
        return None

    def dr7(self) -> int:
        return sum(dr7_bits(i, w) for i, w in enumerate(self.slots) if w is not None)

    def apply(self, tid: int) -> None:
        """Write our slots into one stopped thread; the kernel checks DR7 against DR0-3."""
        ptrace.poke_user(tid, DR7, 0)
        for i, w in enumerate(self.slots):
            ptrace.poke_user(tid, ptrace.DEBUGREG_OFFSET + 8 * i, w.addr if w else 0)
        ptrace.poke_user(tid, DR7, self.dr7())

    def sync(self, inf: Inferior) -> None:
        """Before a resume: forget deleted watchpoints, reach a new process's threads."""
        for i, w in enumerate(self.slots):
            if w is not None and w.bp.id not in self.bps.bps:
                self.slots[i] = None
                self._dirty = True
        if inf is not self._inf:
            self._inf = inf
            self._dirty = self._dirty or self.in_use()
        if not self._dirty:
            return
        for th in list(inf.threads.values()):
            if not th.running and not th.exiting:
                try:
                    self.apply(th.tid)
                except PtraceError:
                    pass
        self._dirty = False

    def triggered(self, tid: int, read: Callable[[int, int], bytes]) -> list[Watch]:
        """The watchpoints DR6 says fired in tid (DR6 is cleared for the next trap)."""
        try:
            dr6 = ptrace.peek_user(tid, DR6)
            if not dr6 & 0xF:
                return []
            ptrace.poke_user(tid, DR6, 0)
        except PtraceError:
            return []
        out = []
        for i, w in enumerate(self.slots):
            if w is None or not dr6 >> i & 1:
                continue
            if w.access == "r":
                # A read slot also fires on writes; gdb's rule: a changed value was a write.
                try:
                    now = read(w.addr, w.size)
                except Exception:
                    now = w.old
                if now != w.old:
                    w.old = now
                    continue
            out.append(w)
        return out


_TABLES: weakref.WeakKeyDictionary[Manager, HwSlots] = weakref.WeakKeyDictionary()


@overload
def slots_of(bps: Manager, create: Literal[True]) -> HwSlots: ...
@overload
def slots_of(bps: Manager, create: bool = False) -> HwSlots | None: ...
def slots_of(bps: Manager, create: bool = False) -> HwSlots | None:
    hw = _TABLES.get(bps)
    if hw is None and create:
        hw = _TABLES[bps] = HwSlots(bps)
    return hw


class Watchpoints:
    """`watch`/`rwatch`/`awatch`, and their stops worded like gdb (worker thread)."""

    def __init__(self, target: Target, bps: Manager, breakpoints: Breakpoints,
                 evaluator: Evaluator, text: FrameText) -> None:
        self.target = target
        self.bps = bps
        self.breakpoints = breakpoints
        self.evaluator = evaluator
        self.text = text

    def set_watchpoint(self, expr: str, access: str = "w") -> tuple[Breakpoint, str]:
        """`watch [-l|-location] EXPR`. Every watchpoint here watches the address EXPR has
        now; -location also names it so (gdb's "-location EXPR" in its title and table)."""
        expr = expr.strip()
        spec = expr
        m = re.match(r"^-l(?:o(?:c(?:a(?:t(?:i(?:on?)?)?)?)?)?)?(?:\s+|$)", expr)
        if m:
            expr = expr[m.end():].strip()
            spec = f"-location {expr}"
        if not expr:
            raise CommandError("Argument required (expression to compute).")
        inf = self.target.require_inferior()
        value = self.evaluator.evaluate_value(expr)
        if value.address is None and re.fullmatch(r"[-+]?(0[xX][0-9a-fA-F]+|\d+)[uUlL]*", expr):
            raise CommandError(f"Cannot watch constant value `{expr}'.")
        if value.address is None and m:
            raise CommandError("Attempt to take address of value not located in memory.")
        addr = self.evaluator.evaluate_address(f"&({expr})")
        t = value.type
        size = t.size
        if size not in _LEN or addr % size:
            raise CommandError(f"Cannot watch {expr}: {size} bytes at {addr:#x} "
                               "(hardware watchpoints take 1, 2, 4 or 8 aligned bytes)")
        hw = slots_of(self.bps, create=True)
        hw.sync(inf)                            # frees the slots of deleted watchpoints
        bp = self.bps.set_breakpoint([], spec=spec)
        bp.kind = KIND[access]
        w = Watch(bp, spec, addr, size, access, self.target.read_memory(addr, size), t)
        if hw.add(w) is None:
            self.bps.delete_breakpoint(bp.id)
            raise CommandError(f"Hardware watchpoint {bp.id}: Could not insert watchpoint")
        try:
            hw.sync(inf)
        except PtraceError as e:
            self.bps.delete_breakpoint(bp.id)
            hw.sync(inf)
            raise CommandError(f"Hardware watchpoint {bp.id}: Could not insert watchpoint ({e})") from None
        self.breakpoints.changed()
        return bp, f"{TITLE[access]} {bp.id}: {spec}"

    def watch_message(self, stop: StopDetail, pc: int, loc: SourceLocation | None) -> str:
        """gdb's report: the watchpoint, old/new values, then the frame line."""
        prog = self.target.prog
        parts = []
        for w in cast("list[Watch] | None", stop.detail) or ():   # the slots DR6 named
            try:
                new = self.target.read_memory(w.addr, w.size)
            except Exception:
                new = w.old

            def show(data: bytes, w: Watch = w) -> str:
                if w.type is not None:
                    try:
                        return format_value(Value(w.type, data), self.target.read_memory, prog.symbolize)
                    except Exception:
                        pass
                return "0x" + data[::-1].hex()
            head = f"\n{TITLE[w.access]} {w.bp.id}: {w.expr}\n\n"
            if w.access == "w" or (w.access == "rw" and new != w.old):
                parts.append(f"{head}Old value = {show(w.old)}\nNew value = {show(new)}\n")
            else:
                parts.append(f"{head}Value = {show(new)}\n")
            w.old = new
        at_start = loc is not None and prog.line_start(pc)
        return "".join(parts) + self.text.frame_line(pc, loc, with_addr=not at_start)
