"""gdb's `info registers` and `info all-registers` text: the general registers, the x87
stack and control words, SSE/AVX vector registers (in hex, every lane view), mxcsr's
flags, and gdb's register groups (general, float, sse, vector, system, all).

The FP and vector registers are the thread's in every frame: gdb does not unwind them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from ..errors import CommandError
from ..symbols.floats import format_float
from ..symbols.register_types import X87_CONTROL, fp_register_type
from ..symbols.value_format import flags_text, format_value
from ..symbols.values import Value

GENERAL = ("rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip eflags "
           "cs ss ds es fs gs").split()
SYSTEM = ("fs_base", "gs_base", "orig_rax")
_SEGMENTS = ("cs", "ss", "ds", "es", "fs", "gs")
# gdb's value columns: the name is padded to 15, the raw/hex column to 35
_COL1, _COL2 = 15, 35


def register_groups(fp: Mapping[str, int]) -> dict[str, list[str]]:
    """gdb's groups in its register order; with AVX, xmm is only in `sse` (ymm covers
    it elsewhere), and `all` has neither the system registers nor orig_rax."""
    xmm = [f"xmm{i}" for i in range(16)]
    ymm = [f"ymm{i}" for i in range(16)] if "ymm0" in fp else []
    x87 = [f"st{i}" for i in range(8)] + list(X87_CONTROL)
    pkru = ["pkru"] if "pkru" in fp else []
    return {"general": list(GENERAL), "float": x87, "sse": [*xmm, "mxcsr"],
            "vector": ["mxcsr", *ymm] if ymm else [*xmm, "mxcsr"],
            "system": list(SYSTEM),
            "all": [*GENERAL, *x87, *([] if ymm else xmm), "mxcsr", *pkru, *ymm]}


def registers_text(arg: str, all_registers: bool, gp: Mapping[str, int],
                   fetch_fp: Callable[[], Mapping[str, int]],
                   symbolize: Callable[[int], str | None]) -> str:
    """`info registers ARG` (all_registers: `info all-registers ARG`); gp: the selected
    frame's general registers, fetch_fp: the thread's FP/vector registers
    (frame_regs.fp_registers), read only when a name or group needs them."""
    fp: Mapping[str, int] = {}
    names: list[str] = []
    for word in arg.split() or ["all" if all_registers else "general"]:
        word = word.removeprefix("$")
        if word in gp or word in GENERAL or word in SYSTEM or word == "pc":
            names.append(word)
            continue
        if word in ("general", "system"):          # no FP registers read for these
            names += GENERAL if word == "general" else SYSTEM
            continue
        if not fp:
            fp = fetch_fp()
        groups = register_groups(fp)
        if word in fp:
            names.append(word)
        elif word in groups:
            names += groups[word]
        else:
            raise CommandError(f"Invalid register `{word}'")
    return "\n".join(register_line(n, gp, fp, symbolize) for n in names)


def _pad(text: str, col: int) -> str:
    """gdb's pad_to_column: at least one space, then up to the column."""
    return (text + " ").ljust(col)


def register_line(name: str, gp: Mapping[str, int], fp: Mapping[str, int],
                  symbolize: Callable[[int], str | None]) -> str:
    shown = name                        # gdb names `pc` as asked
    if name == "pc":
        name = "rip"
    if name in fp:
        return _fp_line(name, fp[name])
    if name not in gp:
        return _pad(name, _COL1) + "<not saved>"
    v = gp[name]
    head = _pad(_pad(shown, _COL1) + hex(v), _COL2)
    if name == "eflags":
        return head + flags_text(v)
    if name in _SEGMENTS:
        return head + str(v)
    if name == "rip":
        sym = symbolize(v)
        return head + hex(v) + (f" <{sym}>" if sym else "")
    if name in ("rbp", "rsp"):
        return head + hex(v)
    return head + str(v - (1 << 64) if v >> 63 else v)


def _fp_line(name: str, raw: int) -> str:
    t = fp_register_type(name)
    assert t is not None
    data = raw.to_bytes(t.size, "little")
    head = _pad(name, _COL1)
    if t.kind == "float":                                   # st0-7: value, then the raw bits
        return _pad(head + format_float(data, t.size), _COL2) + f"(raw 0x{raw:0{2 * t.size}x})"
    if t.kind == "union":                                   # vectors: every lane in hex only
        return head + format_value(Value(t, data), fmt="x")
    return _pad(head + hex(raw), _COL2) + format_value(Value(t, data))
