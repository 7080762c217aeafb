"""The 16-bit floats of gdb's vector register lanes: IEEE half and bfloat16, printed
with gdb's %g digits for their types (5 for half, 4 for bfloat16)."""
from __future__ import annotations

import struct
from fractions import Fraction

from .floats import format_g

# type name (ymm's lanes, then xmm's as gdb's target description names them):
# (exponent bits, mantissa bits, %g digits)
_HALF, _BF16 = (5, 10, 5), (8, 7, 4)
_FORMATS = {"half": _HALF, "builtin_type_ieee_half": _HALF,
            "bfloat16": _BF16, "builtin_type_bfloat16": _BF16}


def is_small_float(name: str | None) -> bool:
    return name in _FORMATS


def _decode(bits: int, name: str) -> tuple[bool, Fraction | None, int]:
    """(negative, magnitude, mantissa): magnitude None for inf (mantissa 0) and nan."""
    ebits, mbits, _ = _FORMATS[name]
    mantissa, exponent = bits & ((1 << mbits) - 1), bits >> mbits & ((1 << ebits) - 1)
    bias = (1 << (ebits - 1)) - 1
    negative = bool(bits >> (ebits + mbits) & 1)
    if exponent == (1 << ebits) - 1:
        return negative, None, mantissa
    if exponent == 0:                                       # subnormal or zero
        return negative, Fraction(mantissa) * Fraction(2) ** (1 - bias - mbits), mantissa
    return negative, Fraction((1 << mbits) | mantissa) * Fraction(2) ** (exponent - bias - mbits), mantissa


def format_small_float(bits: int, name: str) -> str:
    negative, value, mantissa = _decode(bits, name)
    sign = "-" if negative else ""
    if value is None:
        return f"{sign}inf" if mantissa == 0 else f"{sign}nan({mantissa:#x})"
    return sign + format_g(value, _FORMATS[name][2])


def small_float_value(bits: int, name: str) -> float:
    """The lane's value as a Python float (for arithmetic and casts)."""
    negative, value, mantissa = _decode(bits, name)
    x = float(value) if value is not None else float("inf") if mantissa == 0 else float("nan")
    return -x if negative else x


def pack_small_float(x: float, name: str) -> int:
    """The lane's bits nearest to x (round to nearest even)."""
    if _FORMATS[name] is _HALF:
        try:
            return int.from_bytes(struct.pack("<e", x), "little")
        except OverflowError:
            return 0xFC00 if x < 0 else 0x7C00
    bits = int.from_bytes(struct.pack("<f", x), "little") if abs(x) < 3.5e38 or x != x \
        else (0xFF800000 if x < 0 else 0x7F800000)
    if (bits >> 23 & 0xFF) == 0xFF:                        # inf, nan: keep it one
        return bits >> 16 | (0x40 if bits & 0x7FFFFF else 0)
    return (bits + 0x7FFF + (bits >> 16 & 1)) >> 16 & 0xFFFF
