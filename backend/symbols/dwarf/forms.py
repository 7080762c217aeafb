"""DWARF byte primitives: bounded section reads, LEB128, and attribute forms.

Both DWARF readers build on this: the DIE reader (dies.py) and the line
program reader (line_header.py, symbols/lines.py). Everything reads lazily from an mmap
(or a decompressed copy) and raises DwarfError on malformed input; callers turn
that into one warning.
"""
from __future__ import annotations

import mmap
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias


class DwarfError(Exception):
    """Malformed DWARF. The message names what was being read; callers add the section."""


# What a section's bytes live in: the file's mmap, or a decompressed copy.
SectBuf: TypeAlias = bytes | bytearray | mmap.mmap
# A decoded attribute value; which of these depends on the form (bool for flags).
FormValue: TypeAlias = int | str | bytes

_U16: Callable[[SectBuf, int], tuple[int]] = struct.Struct("<H").unpack_from
_U32: Callable[[SectBuf, int], tuple[int]] = struct.Struct("<I").unpack_from
_U64: Callable[[SectBuf, int], tuple[int]] = struct.Struct("<Q").unpack_from


def sign_extend(value: int, bits: int) -> int:
    """An SLEB128's value from its bits read as unsigned (the top one is the sign)."""
    return value - (1 << bits) if value >> (bits - 1) & 1 else value


class Sect:
    """One DWARF section: ``buf[base:base+size]``, where buf is an mmap or bytes.

    Offsets in every method are section-relative; reads past the end raise DwarfError
    so a corrupt length field can never make us read (or allocate) beyond the file.
    """

    __slots__ = ("name", "buf", "base", "size")

    def __init__(self, name: str, buf: SectBuf, base: int = 0, size: int | None = None) -> None:
        self.name, self.buf, self.base = name, buf, base
        self.size = len(buf) - base if size is None else size

    def check(self, off: int, n: int) -> None:
        if off < 0 or n < 0 or off + n > self.size:
            raise DwarfError(f"read of {n} bytes at offset {off:#x} runs past the end of {self.name}")

    def u8(self, off: int) -> int:
        self.check(off, 1)
        return self.buf[self.base + off]

    def u16(self, off: int) -> int:
        self.check(off, 2)
        return _U16(self.buf, self.base + off)[0]

    def u32(self, off: int) -> int:
        self.check(off, 4)
        return _U32(self.buf, self.base + off)[0]

    def u64(self, off: int) -> int:
        self.check(off, 8)
        return _U64(self.buf, self.base + off)[0]

    def uint(self, off: int, n: int) -> int:
        self.check(off, n)
        return int.from_bytes(self.buf[self.base + off:self.base + off + n], "little")

    def bytes(self, off: int, n: int) -> bytes:
        self.check(off, n)
        return bytes(self.buf[self.base + off:self.base + off + n])

    def cstr(self, off: int) -> str:
        if not 0 <= off < self.size:
            raise DwarfError(f"string offset {off:#x} outside {self.name}")
        start = self.base + off
        end = self.buf.find(b"\0", start, self.base + self.size)
        if end < 0:
            raise DwarfError(f"unterminated string at {off:#x} in {self.name}")
        return bytes(self.buf[start:end]).decode("utf-8", "replace")

    def cstr_next(self, off: int) -> tuple[str, int]:
        """The string at off and the offset just past its NUL."""
        text = self.cstr(off)
        return text, self.buf.find(b"\0", self.base + off, self.base + self.size) - self.base + 1

    def uleb(self, off: int) -> tuple[int, int]:
        buf, pos, end = self.buf, self.base + off, self.base + self.size
        result = shift = 0
        while pos < end:
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result, pos - self.base
            shift += 7
        raise DwarfError(f"LEB128 at {off:#x} runs past the end of {self.name}")

    def sleb(self, off: int) -> tuple[int, int]:
        value, end = self.uleb(off)
        return sign_extend(value, 7 * (end - off)), end

    def initial_length(self, off: int) -> tuple[int, int, int]:
        """(unit length, offset size 4|8, offset of the first byte after the length)."""
        n = self.u32(off)
        if n == 0xFFFFFFFF:
            return self.u64(off + 4), 8, off + 12
        if n >= 0xFFFFFFF0:
            raise DwarfError(f"reserved unit length {n:#x} at {off:#x} in {self.name}")
        return n, 4, off + 4


# DW_FORM codes -> fixed size in bytes; -1 = depends on the unit (address or
# offset size); forms absent from the table have variable size.
DW_FORM_addr, DW_FORM_string, DW_FORM_strp, DW_FORM_udata = 0x01, 0x08, 0x0E, 0x0F
DW_FORM_indirect, DW_FORM_sec_offset, DW_FORM_implicit_const = 0x16, 0x17, 0x21
DW_FORM_line_strp, DW_FORM_data16 = 0x1F, 0x1E
FIXED_FORM_SIZE = {
    0x05: 2, 0x06: 4, 0x07: 8, 0x0B: 1, 0x0C: 1, 0x11: 1, 0x12: 2, 0x13: 4, 0x14: 8,
    0x19: 0, 0x1C: 4, 0x1E: 16, 0x20: 8, 0x21: 0, 0x24: 8, 0x25: 1, 0x26: 2, 0x27: 3,
    0x28: 4, 0x29: 1, 0x2A: 2, 0x2B: 3, 0x2C: 4,
}
OFFSET_FORMS = frozenset((0x0E, 0x10, 0x17, 0x1D, 0x1F, 0x1F20, 0x1F21))  # offset-sized
LEB_FORMS = frozenset((0x0D, 0x0F, 0x15, 0x1A, 0x1B, 0x22, 0x23, 0x1F01, 0x1F02))
BLOCK_FORMS = {0x0A: 1, 0x03: 2, 0x04: 4}          # block1/2/4: length prefix size
STRX_FORMS = {0x1A: 0, 0x25: 1, 0x26: 2, 0x27: 3, 0x28: 4, 0x1F02: 0}
ADDRX_FORMS = {0x1B: 0, 0x29: 1, 0x2A: 2, 0x2B: 3, 0x2C: 4, 0x1F01: 0}


class Strings:
    """The string-bearing sections a form may point into; each may be None."""

    def __init__(self, debug_str: Sect | None = None, line_str: Sect | None = None,
                 str_offsets: Sect | None = None, addr: Sect | None = None) -> None:
        self.debug_str, self.line_str = debug_str, line_str
        self.str_offsets, self.addr = str_offsets, addr

    def get(self, sect: Sect | None, off: int, what: str) -> str:
        if sect is None:
            raise DwarfError(f"{what} refers to a missing section")
        return sect.cstr(off)


@dataclass(slots=True)
class FormContext:
    """What decoding a form value needs to know about its unit."""
    addr_size: int = 8
    offset_size: int = 4
    version: int = 5
    strings: Strings = field(default_factory=Strings)
    str_offsets_base: int | None = None
    addr_base: int | None = None


def read_form(s: Sect, off: int, form: int, ctx: FormContext, implicit: int = 0) -> tuple[FormValue, int]:
    """Decode one attribute value: (value, next offset). Strings come back as str."""
    if form == DW_FORM_indirect:
        form, off = s.uleb(off)
        if form == DW_FORM_indirect:
            raise DwarfError(f"nested DW_FORM_indirect at {off:#x}")
    if form == DW_FORM_implicit_const:
        return implicit, off
    if form == DW_FORM_addr:
        return s.uint(off, ctx.addr_size), off + ctx.addr_size
    if form == DW_FORM_string:
        return s.cstr_next(off)
    if form in OFFSET_FORMS or (form == 0x10 and ctx.version <= 2):
        n = ctx.addr_size if (form == 0x10 and ctx.version <= 2) else ctx.offset_size
        val = s.uint(off, n)
        strings = ctx.strings
        if form == DW_FORM_strp:
            return strings.get(strings.debug_str, val, "DW_FORM_strp"), off + n
        if form == DW_FORM_line_strp:
            return strings.get(strings.line_str, val, "DW_FORM_line_strp"), off + n
        return val, off + n
    size = FIXED_FORM_SIZE.get(form)
    if size is not None:
        if form in STRX_FORMS:                  # strx1-4: sizes 1 to 4
            return _strx(ctx, s.uint(off, size)), off + size
        if form in ADDRX_FORMS:                 # addrx1-4
            return addrx(ctx, s.uint(off, size)), off + size
        if size == 0:                           # flag_present, implicit_const
            return True, off
        return (s.uint(off, size) if size <= 8 else s.bytes(off, size)), off + size
    if form in LEB_FORMS:
        if form == 0x0D:
            return s.sleb(off)
        val, off = s.uleb(off)
        if form in STRX_FORMS:
            return _strx(ctx, val), off
        if form in ADDRX_FORMS:
            return addrx(ctx, val), off
        return val, off
    if form in BLOCK_FORMS or form in (0x09, 0x18):
        if form in BLOCK_FORMS:
            n = s.uint(off, BLOCK_FORMS[form])
            off += BLOCK_FORMS[form]
        else:
            n, off = s.uleb(off)
        return s.bytes(off, n), off + n
    raise DwarfError(f"unknown attribute form {form:#x} at {off:#x}")


def _strx(ctx: FormContext, index: int) -> str:
    st = ctx.strings
    if st.str_offsets is None or st.debug_str is None:
        raise DwarfError("DW_FORM_strx without .debug_str_offsets")
    base = ctx.str_offsets_base if ctx.str_offsets_base is not None else 8
    return st.debug_str.cstr(st.str_offsets.uint(base + index * ctx.offset_size, ctx.offset_size))


def addrx(ctx: FormContext, index: int) -> int:
    st = ctx.strings
    if st.addr is None:
        raise DwarfError("DW_FORM_addrx without .debug_addr")
    base = ctx.addr_base if ctx.addr_base is not None else 8
    return st.addr.uint(base + index * ctx.addr_size, ctx.addr_size)
