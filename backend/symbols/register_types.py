"""gdb's types of the x86-64 floating-point and vector registers: `union vec128` for
xmm (v8_bfloat16 ... uint128), `union builtin_type_vec256i` for ymm, the x87
`builtin_type_i387_ext` for st0-7, the `i386_mxcsr` flags and the x87 control words.

The vector lanes are arrays (gdb's vectors print as arrays do), behind gdb's typedef
names for xmm (`ptype $xmm0` shows `v4i32 v4_int32;`).
"""
from __future__ import annotations

from .types import Member, Type, array_of


def _int(name: str, size: int, signed: bool = True) -> Type:
    t = Type("int", name, size, signed=signed)
    t.nottext = size == 1           # gdb's int8_t lanes print as numbers
    return t


# xmm's lanes have the names of gdb's target description, ymm's the plain ones
BF16, XMM_BF16 = Type("float", "bfloat16", 2), Type("float", "builtin_type_bfloat16", 2)
HALF, XMM_HALF = Type("float", "half", 2), Type("float", "builtin_type_ieee_half", 2)
FLOAT, XMM_FLOAT = Type("float", "float", 4), Type("float", "builtin_type_ieee_single", 4)
DOUBLE, XMM_DOUBLE = Type("float", "double", 8), Type("float", "builtin_type_ieee_double", 8)
INT8, INT16, INT32, INT64 = _int("int8_t", 1), _int("int16_t", 2), _int("int32_t", 4), _int("int64_t", 8)
INT128, UINT128 = _int("int128_t", 16), _int("uint128_t", 16, signed=False)
UINT32 = _int("uint32_t", 4, signed=False)
INT = _int("int", 4)
I387_EXT = Type("float", "builtin_type_i387_ext", 10)

MXCSR = Type("flags", "i386_mxcsr", 4)
MXCSR.bits = [("IE", 0), ("DE", 1), ("ZE", 2), ("OE", 3), ("UE", 4), ("PE", 5), ("DAZ", 6),
              ("IM", 7), ("DM", 8), ("ZM", 9), ("OM", 10), ("UM", 11), ("PM", 12), ("FZ", 15)]

# (member, ymm's lane type, xmm's, gdb's typedef name of the 128-bit lane vector)
_LANES = (("bfloat16", BF16, XMM_BF16, "bf16"), ("half", HALF, XMM_HALF, "h"),
          ("float", FLOAT, XMM_FLOAT, "f"), ("double", DOUBLE, XMM_DOUBLE, "d"),
          ("int8", INT8, INT8, "i8"), ("int16", INT16, INT16, "i16"),
          ("int32", INT32, INT32, "i32"), ("int64", INT64, INT64, "i64"))


def _vector_union(name: str, size: int, typedefs: bool) -> Type:
    members = []
    for lane, ymm_lane, xmm_lane, short in _LANES:
        t = xmm_lane if typedefs else ymm_lane
        count = size // t.size
        vec = array_of(t, count)
        if typedefs:
            vec = Type("typedef", f"v{count}{short}", target=vec)
        members.append(Member(f"v{count}_{lane}", vec, 0))
    if size == 16:
        members.append(Member("uint128", UINT128, 0))
    else:
        members.append(Member(f"v{size // 16}_int128", array_of(INT128, size // 16), 0))
    u = Type("union", name, size)
    u.members = members
    return u


VEC128 = _vector_union("vec128", 16, typedefs=True)
VEC256 = _vector_union("builtin_type_vec256i", 32, typedefs=False)

# the x87 control registers as gdb names them (FXSAVE's words split as gdb does)
X87_CONTROL = ("fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop")


def fp_register_type(name: str) -> Type | None:
    """The type of FP/vector register `name`, None if it is not one."""
    num = name[3:]
    if name[:3] in ("xmm", "ymm") and num.isdigit() and str(int(num)) == num and int(num) < 16:
        return VEC128 if name[0] == "x" else VEC256
    if len(name) == 3 and name[:2] == "st" and name[2] in "01234567":
        return I387_EXT
    if name in X87_CONTROL:
        return INT
    return {"mxcsr": MXCSR, "pkru": UINT32}.get(name)


FP_REGISTER_NAMES = frozenset((*(f"xmm{i}" for i in range(16)), *(f"ymm{i}" for i in range(16)),
                               *(f"st{i}" for i in range(8)), *X87_CONTROL, "mxcsr", "pkru"))
