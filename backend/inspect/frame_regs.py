"""A frame's registers as the DWARF evaluator sees them (x87/SSE/AVX fetched only when asked)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..process.fp_state import thread_fp_registers
from ..process.inferior import Inferior
from ..process.ptrace import REG_NAMES, UserRegs
from ..symbols.register_types import FP_REGISTER_NAMES

_GP = frozenset(REG_NAMES)

FetchFP = Callable[[], dict[str, int]]


class FrameRegs(dict[str, int]):
    """A frame's registers; xmm/st registers are fetched only when asked (frame 0)."""

    def __init__(self, regs: dict[str, int], fetch_fp: FetchFP | None) -> None:
        super().__init__(regs)
        self._fetch_fp = fetch_fp

    def _load_fp(self, name: str) -> bool:
        if self._fetch_fp is None or name not in FP_REGISTER_NAMES:
            return False
        fetch, self._fetch_fp = self._fetch_fp, None
        self.update(fetch())
        return name in self

    def __contains__(self, name: Any) -> bool:
        return dict.__contains__(self, name) or self._load_fp(name)

    def __missing__(self, name: str) -> int:
        if self._load_fp(name):
            return dict.__getitem__(self, name)
        raise KeyError(name)


class LiveRegs(FrameRegs):
    """Frame 0's registers read straight from the cached ptrace struct: no dict built per hit."""

    def __init__(self, struct: UserRegs, fetch_fp: FetchFP | None) -> None:
        dict.__init__(self)
        self._struct = struct
        self._fetch_fp = fetch_fp

    def __contains__(self, name: Any) -> bool:
        return name in _GP or dict.__contains__(self, name) or self._load_fp(name)

    def __missing__(self, name: str) -> int:
        if name in _GP:
            value: int = getattr(self._struct, name)
            return value
        return FrameRegs.__missing__(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default


def fp_registers(inf: Inferior, tid: int) -> dict[str, int]:
    """Thread `tid`'s x87, SSE and AVX registers, as gdb names them (process/fp_state.py)."""
    return thread_fp_registers(inf, tid)
