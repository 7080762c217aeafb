"""Where a function's return value is right after it returns (`finish`), by the
SysV x86-64 ABI's classification of the return type."""
from __future__ import annotations

from collections.abc import Callable

from .types import VOID, Type
from .values import Value


def return_value(t: Type, reg: Callable[[str], int], read: Callable[[int, int], bytes]) -> Value:
    """The value a function of return type `t` just returned, by the SysV x86-64
    classification: rax/rdx for INTEGER eightbytes, xmm0/xmm1 (low 8 bytes each)
    for SSE ones, st0 for long double, memory at rax for MEMORY. `reg` gives
    user_regs names plus "xmm0", "xmm1" (128-bit) and "st0", "st1" (80-bit)."""
    s = t.strip()
    if s.kind == "void" or s.size == 0:
        return Value(t, b"")
    if s.kind == "float" and s.size > 8:
        return Value(t, (reg("st0") & (1 << 80) - 1).to_bytes(10, "little").ljust(s.size, b"\0"))
    if s.kind == "complex" and s.size > 16:
        half = s.size // 2
        return Value(t, b"".join((reg(r) & (1 << 80) - 1).to_bytes(10, "little").ljust(half, b"\0")
                                 for r in ("st0", "st1")))
    classes = _classify(s)
    if classes is None:
        return Value(t, None, reg("rax"), read)
    if classes == ["X87", "X87UP"]:                  # struct { long double x; }
        return Value(t, (reg("st0") & (1 << 80) - 1).to_bytes(10, "little").ljust(16, b"\0"))
    ints, sses = iter(("rax", "rdx")), iter(("xmm0", "xmm1"))
    data = b"".join((reg(next(ints) if c == "INTEGER" else next(sses)) & (1 << 64) - 1)
                    .to_bytes(8, "little") for c in classes)
    return Value(t, data[:s.size])


def _classify(t: Type) -> list[str] | None:
    """One class per eightbyte (ABI 3.2.3), or None when the value goes through memory."""
    if t.size > 16:
        return None
    classes = ["NONE"] * ((t.size + 7) // 8)

    def mark(offset: int, cls: str) -> None:
        i = offset // 8
        old = classes[i]
        if old == cls or old == "NONE":
            classes[i] = cls
        elif "MEMORY" in (old, cls) or {old, cls} & {"X87", "X87UP"}:
            classes[i] = "MEMORY"
        elif "INTEGER" in (old, cls):
            classes[i] = "INTEGER"

    def visit(t: Type, offset: int) -> None:
        s = t.strip()
        if s.kind in ("struct", "union", "class"):
            for m in s.members:
                if m.bitsize:
                    mark(offset + m.offset, "INTEGER")
                else:
                    visit(m.type, offset + m.offset)
        elif s.kind == "array":
            elem = s.target or VOID
            for i in range(s.count or 0):
                visit(elem, offset + i * elem.size)
        elif s.kind == "complex":
            part = s.target or VOID
            visit(part, offset)
            visit(part, offset + s.size // 2)
        elif offset % max(1, min(s.size, 8)):
            mark(offset, "MEMORY")                    # unaligned (packed)
        elif s.kind == "float" and s.size > 8:
            mark(offset, "X87")
            mark(offset + 8, "X87UP")
        else:
            for k in range(0, max(s.size, 1), 8):
                mark(offset + k, "SSE" if s.kind == "float" else "INTEGER")

    visit(t, 0)
    if "MEMORY" in classes or "X87UP" in classes and classes != ["X87", "X87UP"]:
        return None
    return ["SSE" if c == "NONE" else c for c in classes]
