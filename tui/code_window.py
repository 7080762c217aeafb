"""Which instructions the disassembly pane shows for a frame, fetched through the Session.

The window starts at the function's entry (known from the pc's ``func+off`` symbol) so
decoding never begins mid-instruction, and ends AFTER instructions past the pc. The
app fetches it with the rest of a frame's snapshot (frame_sync.py); the pane itself
only when it is shown again after being hidden.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tdbg.backend.events import SourceLocation
    from tdbg.backend.session import Session

MAX_BACK = 768          # bytes before the pc we decode from the function entry
AFTER = 48              # instructions after the pc


class Instruction(Protocol):
    """A row of session.data.disassemble() as the pane reads it (backend/disasm/decode.py has
    the class; tui/ imports only the Session's own modules: tests/test_tui_units.py)."""

    @property
    def addr(self) -> int: ...
    @property
    def mnemonic(self) -> str: ...
    @property
    def op_str(self) -> str: ...
    @property
    def symbol(self) -> str | None: ...
    @property
    def location(self) -> SourceLocation | None: ...
    @property
    def comment(self) -> str | None: ...
    @property
    def is_pc(self) -> bool: ...
    @property
    def breakpoint_id(self) -> int | None: ...


def function_offset(symbol: str | None) -> int | None:
    if not symbol or "+" not in symbol:
        return 0 if symbol else None
    try:
        return int(symbol.rsplit("+", 1)[1], 0)
    except ValueError:
        return None


async def code_window(session: Session, pc: int, symbol: str | None) -> tuple[Instruction, ...]:
    """The instructions around pc; symbol is the pc's "func+off" ("main" alone costs a hop)."""
    off = function_offset(symbol)
    if off == 0 and symbol and "+" not in symbol:
        # "main" may name the function without an offset: ask the pc's own symbol
        first = await session.data.disassemble(pc, 1)
        off = function_offset(first[0].symbol) if first else None
    start = pc - off if off is not None and off <= MAX_BACK else pc
    count = AFTER + (pc - start) // 2 + 8
    insns = await session.data.disassemble(start, count)
    # keep a window: everything up to the pc plus AFTER instructions
    pc_i = next((i for i, ins in enumerate(insns) if ins.addr == pc), 0)
    return tuple(insns[max(0, pc_i - 64): pc_i + AFTER])
