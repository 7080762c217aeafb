"""x86-64 registers as C values: `$rax`, `$eax`, `$al`, `$pc`, `$sp`, `$eflags`, the
x87/SSE/AVX ones (`$st0`, `$xmm0`, `$ymm0`, `$mxcsr`: types in register_types.py), and
gdb's `$name` convenience variables, which share the `$` syntax.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import ExpressionError
from ...process.fp_state import thread_fp_registers
from ..dwarf.expr import Unavailable
from ..register_types import FP_REGISTER_NAMES, fp_register_type
from ..types import VOID, Type, func_type, pointer_to
from ..values import Value
from .ops import INT, LONG

if TYPE_CHECKING:
    from .env import EvalEnv

VOID_PTR = pointer_to(VOID)
PC_TYPE = pointer_to(func_type(VOID, prototyped=False))     # gdb's `void (*)()` for $pc


def _named_int(name: str, size: int, nottext: bool = False) -> Type:
    t = Type("int", name, size, signed=True)
    t.nottext = nottext
    return t


I8, I16 = _named_int("int8_t", 1, True), _named_int("int16_t", 2)
I32 = _named_int("int32_t", 4)
EFLAGS = Type("flags", "i386_eflags", 4)
_GPR = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp")
_SUBREGS: dict[str, tuple[str, int, Type]] = {}
for _r in _GPR:
    _b = _r[1:]                                           # ax, bx, si, bp ...
    _SUBREGS["e" + _b] = (_r, 0, I32)
    if _b != "sp":                                       # $sp is the stack pointer (gdb)
        _SUBREGS[_b] = (_r, 0, I16)
    _SUBREGS[_b[0] + "l" if _b.endswith("x") else _b + "l"] = (_r, 0, I8)
    if _b.endswith("x"):
        _SUBREGS[_b[0] + "h"] = (_r, 1, I8)
for _n in range(8, 16):
    _SUBREGS[f"r{_n}d"], _SUBREGS[f"r{_n}w"] = (f"r{_n}", 0, I32), (f"r{_n}", 0, I16)
    _SUBREGS[f"r{_n}l"] = (f"r{_n}", 0, I8)
for _r in (*_GPR, *(f"r{n}" for n in range(8, 16)), "orig_rax", "fs_base", "gs_base"):
    _SUBREGS[_r] = (_r, 0, LONG)
for _r in ("cs", "ss", "ds", "es", "fs", "gs"):
    _SUBREGS[_r] = (_r, 0, I32)
_SUBREGS.update({"rip": ("rip", 0, PC_TYPE), "pc": ("rip", 0, PC_TYPE),
                 "rsp": ("rsp", 0, VOID_PTR), "sp": ("rsp", 0, VOID_PTR),
                 "rbp": ("rbp", 0, VOID_PTR), "fp": ("rbp", 0, VOID_PTR),
                 "eflags": ("eflags", 0, EFLAGS)})


# The FP/vector registers are registers for assignment too (compile.py: a `$name` missing
# here is a convenience variable); register() reads them through _fp_register.
for _r in FP_REGISTER_NAMES:
    _SUBREGS[_r] = (_r, 0, fp_register_type(_r) or VOID)


# gdb's $_thread and $_inferior: read from the environment at each use (EvalEnv.thread_ids:
# the thread's number, 0 without a process, and its inferior's); an environment without a
# process says (0, 1), as gdb before `run`
THREAD_VARIABLES = {"_thread": 0, "_inferior": 1}


def register(name: str, env: EvalEnv) -> Value:
    if name in FP_REGISTER_NAMES:
        return _fp_register(name, env)
    if name not in _SUBREGS:
        if name in THREAD_VARIABLES:
            ids = getattr(env, "thread_ids", None)                          # optional in an EvalEnv
            return Value.from_int(INT, (ids() if ids is not None else (0, 1))[THREAD_VARIABLES[name]])
        if name == "_siginfo":             # read from the stopped thread at each use
            siginfo = getattr(env, "siginfo", None)                          # optional in an EvalEnv
            found: Value | None = siginfo() if siginfo is not None else None
            return found if found is not None else Value(VOID, b"")
        conv: dict[str, Value] | None = getattr(env, "convenience", None)   # optional in an EvalEnv
        if conv is not None and name in conv:
            return conv[name]
        return Value(VOID, b"")
    full, offset, t = _SUBREGS[name]
    try:
        raw = env.reg(full)
    except Unavailable:
        return Value(t, error="<not saved>")
    n = (raw >> (8 * offset)) & ((1 << (8 * t.size)) - 1)
    return Value(t, n.to_bytes(t.size, "little"), reg=full, reg_offset=offset)


def _fp_register(name: str, env: EvalEnv) -> Value:
    """An x87/SSE/AVX register; one the CPU lacks (ymm without AVX, pkru) is void, as
    an unknown `$name` is in gdb. Caller frames show the thread's (they are not unwound).
    Not an lvalue: tdbg does not write these registers yet."""
    t = _SUBREGS[name][2]
    try:
        raw: int | None = env.reg(name)
    except (Unavailable, KeyError, ExpressionError) as e:
        regs = _thread_fp(env)
        if regs is None:
            if isinstance(e, Unavailable):
                return Value(t, error="<not saved>")
            if name.startswith(("ymm", "pkru")):     # gdb's registers without a process
                return Value(VOID, b"")
            raise
        raw = regs.get(name)
    if raw is None:
        return Value(VOID, b"")
    return Value(t, raw.to_bytes(t.size, "little"))


def _thread_fp(env: EvalEnv) -> dict[str, int] | None:
    """The thread's FP registers, for an environment whose reg() knows only the general
    registers or a caller frame's saved ones (inspect/evaluate.py's FrameEnv, which has
    `target` and `tid`); None without a live thread."""
    inf = getattr(getattr(env, "target", None), "inf", None)
    tid = getattr(env, "tid", None)
    if inf is None or tid is None or not getattr(inf, "alive", True):
        return None
    return thread_fp_registers(inf, tid)
