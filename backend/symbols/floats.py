"""Floating-point bytes: IEEE float and double, and the x87 80-bit long double.

Long doubles are exact Fractions (Python has no 80-bit float), so they keep
every bit through arithmetic and print with C's %.21g rounding (`format_g`).
"""
from __future__ import annotations

import struct
from fractions import Fraction
from typing import cast


def unpack_float(data: bytes, size: int) -> float | Fraction:
    x: float
    if size == 4:
        (x,) = struct.unpack("<f", data[:4])
        return x
    if size == 8:
        (x,) = struct.unpack("<d", data[:8])
        return x
    return _x87_value(data)


def _x87_value(data: bytes) -> float | Fraction:
    """The 80-bit x87 extended value as an exact Fraction (or inf/nan as float)."""
    mant = int.from_bytes(data[:8], "little")
    se = int.from_bytes(data[8:10], "little")
    sign, exp = -1 if se & 0x8000 else 1, se & 0x7FFF
    if exp == 0x7FFF:
        return sign * float("inf") if mant << 1 & (1 << 64) - 1 == 0 else float("nan")
    if exp == 0:
        exp = 1                                    # denormal: same scale as the smallest normal
    return sign * Fraction(mant) * Fraction(2) ** (exp - 16383 - 63)


def pack_float(x: float | Fraction, size: int) -> bytes:
    if size == 4:
        return struct.pack("<f", float(x))
    if size == 8:
        return struct.pack("<d", float(x))
    return _x87_bytes(x).ljust(size, b"\0")


def _x87_bytes(x: float | Fraction) -> bytes:
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        sign = 0x8000 if x < 0 or (x != x and str(x).startswith("-")) else 0
        mant = 1 << 63 | (1 << 62 if x != x else 0)
        return mant.to_bytes(8, "little") + (sign | 0x7FFF).to_bytes(2, "little")
    f = Fraction(x)
    negative_zero = isinstance(x, float) and x == 0 and str(x)[0] == "-"
    sign = 0x8000 if f < 0 or negative_zero else 0
    f = abs(f)
    if f == 0:
        return bytes(8) + sign.to_bytes(2, "little")
    e = f.numerator.bit_length() - f.denominator.bit_length()
    while f >= Fraction(2) ** (e + 1):
        e += 1
    while f < Fraction(2) ** e:
        e -= 1
    mant = round(f / Fraction(2) ** (e - 63))
    if mant >> 64:
        mant, e = mant >> 1, e + 1
    return mant.to_bytes(8, "little") + (sign | (e + 16383)).to_bytes(2, "little")


def format_float(data: bytes, size: int) -> str:
    """gdb's %g with enough digits to round-trip: 9 for float, 17 for double,
    21 for the x87 long double."""
    if size == 4:
        bits, mbits, ebits = int.from_bytes(data[:4], "little"), 23, 8
    elif size == 8:
        bits, mbits, ebits = int.from_bytes(data[:8], "little"), 52, 11
    else:
        bits, mbits, ebits = int.from_bytes(data[:10], "little"), 64, 15
    sign = "-" if bits >> (mbits + ebits) & 1 else ""
    mantissa = bits & ((1 << mbits) - 1)
    if (bits >> mbits) & ((1 << ebits) - 1) == (1 << ebits) - 1:
        if size > 8:
            mantissa &= (1 << 63) - 1
        if mantissa == 0:
            return sign + "inf"
        return f"{sign}nan({bits & ((1 << mbits) - 1):#x})"
    if size == 4:
        return "{:.9g}".format(*struct.unpack("<f", data[:4]))
    if size == 8:
        return "{:.17g}".format(*struct.unpack("<d", data[:8]))
    # Finite here (inf and nan were handled above), so an exact Fraction.
    return sign + format_g(abs(cast(Fraction, _x87_value(data))), 21)   # keeps -0's sign


def format_g(x: Fraction, prec: int) -> str:
    """C's %.{prec}g of an exact rational, rounding half to even like glibc."""
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    x = abs(x)
    e = len(str(x.numerator)) - len(str(x.denominator))
    while x >= Fraction(10) ** (e + 1):
        e += 1
    while x < Fraction(10) ** e:
        e -= 1
    digits = round(x * Fraction(10) ** (prec - 1 - e))
    if digits >= 10 ** prec:
        digits, e = round(x * Fraction(10) ** (prec - 2 - e)), e + 1
    text = str(digits)
    if -4 <= e < prec:
        if e >= 0:
            whole, frac = text[:e + 1], text[e + 1:]
        else:
            whole, frac = "0", "0" * (-e - 1) + text
        frac = frac.rstrip("0")
        return sign + whole + ("." + frac if frac else "")
    frac = text[1:].rstrip("0")
    return f"{sign}{text[0]}{'.' + frac if frac else ''}e{'-' if e < 0 else '+'}{abs(e):02d}"
