"""Call frame information: `.eh_frame` / `.debug_frame` parsed into rule rows.

Our own parser rather than pyelftools' CallFrameInfo: that one decodes every
entry of a section up front (measured 0.54 s for libc's .eh_frame), while a
debugger needs one FDE per frame. `.eh_frame_hdr`'s sorted table gives a binary
search straight to the FDE; sections without it are scanned once, on first use.
All addresses here are link-time until `rule_row` adds the load bias.
"""
from __future__ import annotations

import bisect
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from elftools.common.exceptions import ELFError

from .expr import read_sleb, read_uleb

RA_DEFAULT = 16           # x86-64 return address column
_ROW_CACHE_MAX = 512


class CFIError(Exception):
    """Malformed call frame information (callers fall back to heuristics)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """How to recover one register of the caller.

    kind: "undefined" | "same" | "offset" | "val_offset" | "register"
          | "expression" | "val_expression"; arg: offset, DWARF register number
          or expression bytes.
    """
    kind: str
    arg: int | bytes = 0


@dataclass(slots=True)
class Row:
    """The CFA and register rules in force at one pc (runtime addresses)."""
    start: int                       # range of the FDE this row came from
    end: int
    cfa_reg: int | None = None       # CFA = reg + offset ...
    cfa_offset: int = 0
    cfa_expr: bytes | None = None    # ... or the value of this expression
    rules: dict[int, Rule] = field(default_factory=dict)
    ra_reg: int = RA_DEFAULT
    signal_frame: bool = False


@dataclass(slots=True)
class _CIE:
    code_align: int
    data_align: int
    ra_reg: int
    fde_enc: int
    signal_frame: bool
    has_z: bool
    address_size: int
    instructions: bytes


@dataclass(slots=True)
class _Section:
    data: bytes
    addr: int                        # link-time address of the section (pcrel base)
    is_eh: bool
    index: list[tuple[int, int]] | None = None   # sorted (pc_begin, fde offset)


# pyelftools' ELFFile and its sections: the library has no type information.
ElfFileObj: TypeAlias = Any
# An FDE as _parse_fde returns it: (pc_begin, pc_end, its CIE, its instructions).
_FDE: TypeAlias = tuple[int, int, _CIE, bytes]
# What remember_state saves: the rules and the CFA rule.
_Saved: TypeAlias = tuple[dict[int, Rule], int | None, int, bytes | None]


class ObjectCFI:
    """CFI of one loaded object: the program, libc, ld.so, a dlopen'ed library."""

    def __init__(self, elffile: ElfFileObj, bias: int) -> None:
        self.bias = bias
        self._sections: list[_Section] = []
        self._cies: dict[tuple[int, int], _CIE] = {}
        self._rows: dict[int, Row | None] = {}
        debug = elffile.get_section_by_name(".debug_frame")
        eh = elffile.get_section_by_name(".eh_frame")
        hdr = elffile.get_section_by_name(".eh_frame_hdr")
        # .debug_frame first: when a binary has both, it is the complete one.
        debug_data = _section_data(debug)
        if debug_data:
            self._sections.append(_Section(debug_data, 0, False))
        eh_data = _section_data(eh)
        if eh_data:
            sec = _Section(eh_data, eh["sh_addr"], True)
            if hdr is not None and hdr["sh_type"] != "SHT_NOBITS":
                sec.index = _hdr_index(hdr.data(), hdr["sh_addr"], sec.addr)
            self._sections.append(sec)

    def rule_row(self, pc: int) -> Row | None:
        """The rules at runtime `pc`, or None when no FDE covers it."""
        if pc in self._rows:
            return self._rows[pc]
        row = None
        link_pc = pc - self.bias
        for sec in self._sections:
            try:
                found = self._find_fde(sec, link_pc)
                if found is not None:
                    row = self._execute(sec, found, link_pc)
                    break
            except (CFIError, IndexError, KeyError, ValueError, struct.error):
                continue        # a damaged entry covers nothing: callers fall back to heuristics
        if len(self._rows) >= _ROW_CACHE_MAX:
            self._rows.clear()
        self._rows[pc] = row
        return row

    # -- locating the FDE --------------------------------------------------

    def _find_fde(self, sec: _Section, pc: int) -> _FDE | None:
        if sec.index is None:
            sec.index = self._scan(sec)
        i = bisect.bisect_right(sec.index, (pc, 1 << 64)) - 1
        # Ranges may nest or leave gaps; check the nearest few starts below pc.
        for j in range(i, max(i - 4, -1), -1):
            fde = self._parse_fde(sec, sec.index[j][1])
            if fde is not None and fde[0] <= pc < fde[1]:
                return fde
        return None

    def _scan(self, sec: _Section) -> list[tuple[int, int]]:
        out = []
        off = 0
        try:
            while off + 4 <= len(sec.data):
                length, id_off, body, nxt = _entry_header(sec.data, off)
                if length == 0:
                    if sec.is_eh:
                        break                    # .eh_frame terminator
                    off = nxt
                    continue
                if not _is_cie(sec, sec.data, id_off, body):
                    fde = self._parse_fde(sec, off)
                    if fde is not None and fde[1] > fde[0]:
                        out.append((fde[0], off))
                off = nxt
        except CFIError:
            pass                # keep what precedes the damage; lookups past it find nothing
        out.sort()
        return out

    # -- decoding entries --------------------------------------------------

    def _parse_fde(self, sec: _Section, off: int) -> _FDE | None:
        """(pc_begin, pc_end, cie, instructions) of the FDE at `off`, or None."""
        data = sec.data
        try:
            length, id_off, body, end = _entry_header(data, off)
            if length == 0 or _is_cie(sec, data, id_off, body):
                return None
            cie_id = int.from_bytes(data[id_off:body], "little")
            cie_off = id_off - cie_id if sec.is_eh else cie_id
            cie = self._parse_cie(sec, cie_off)
            pos = body
            if sec.is_eh:
                start, pos = _read_encoded(data, pos, cie.fde_enc, sec.addr)
                size, pos = _read_encoded(data, pos, cie.fde_enc & 0x0F, sec.addr)
            else:
                start, size = _unpack_addr(data, pos, cie.address_size, 2)
                pos += 2 * cie.address_size
            if cie.has_z:
                aug_len, pos = read_uleb(data, pos)
                pos += aug_len
            return start, start + size, cie, data[pos:end]
        except (IndexError, struct.error, ValueError) as e:
            raise CFIError(f"bad FDE at {off:#x}: {e}") from None

    def _parse_cie(self, sec: _Section, off: int) -> _CIE:
        key = (id(sec), off)
        if key in self._cies:
            return self._cies[key]
        data = sec.data
        length, id_off, body, end = _entry_header(data, off)
        if not _is_cie(sec, data, id_off, body):
            raise CFIError(f"CIE pointer {off:#x} points at an FDE")
        version = data[body]
        aug_end = data.index(b"\0", body + 1)
        aug = data[body + 1:aug_end].decode("ascii", "replace")
        pos = aug_end + 1
        address_size = 8
        if version >= 4:
            address_size = data[pos]
            pos += 2                                     # address_size, segment_size
        code_align, pos = read_uleb(data, pos)
        data_align, pos = read_sleb(data, pos)
        if version == 1:
            ra_reg, pos = data[pos], pos + 1
        else:
            ra_reg, pos = read_uleb(data, pos)
        fde_enc, signal = 0, False
        if aug.startswith("z"):
            aug_len, pos = read_uleb(data, pos)
            aug_data_end = pos + aug_len
            for ch in aug[1:]:
                if ch == "R":
                    fde_enc, pos = data[pos], pos + 1
                elif ch == "L":
                    pos += 1
                elif ch == "P":
                    enc = data[pos]
                    _, pos = _read_encoded(data, pos + 1, enc, sec.addr)
                elif ch == "S":
                    signal = True
                else:
                    break                                # unknown: aug length skips the rest
            pos = aug_data_end
        elif aug and aug != "\0":
            if "S" in aug:
                signal = True
            if aug not in ("S",):
                raise CFIError(f"unsupported CIE augmentation {aug!r}")
        cie = _CIE(code_align, data_align, ra_reg, fde_enc, signal,
                   aug.startswith("z"), address_size, data[pos:end])
        self._cies[key] = cie
        return cie

    # -- the CFA program ---------------------------------------------------

    def _execute(self, sec: _Section, fde: _FDE, pc: int) -> Row:
        start, end, cie, insns = fde
        row = Row(start + self.bias, end + self.bias, ra_reg=cie.ra_reg,
                  signal_frame=cie.signal_frame)
        try:
            _run_cfa(cie.instructions, cie, row, None, start, None, sec)
            initial = dict(row.rules)
            _run_cfa(insns, cie, row, initial, start, pc, sec)
        except (IndexError, struct.error, ValueError) as e:
            raise CFIError(f"truncated CFA program in FDE for {start:#x}: {e}") from None
        return row


def _section_data(section: Any) -> bytes | None:
    """Section bytes; pyelftools inflates SHF_COMPRESSED zlib (-gz) itself but
    raises on zstd, which we cannot read: no CFI from that section then."""
    if section is None or section["sh_type"] == "SHT_NOBITS":
        return None
    try:
        data: bytes = section.data()
        return data
    except (ELFError, zlib.error):
        return None


def _run_cfa(code: bytes, cie: _CIE, row: Row, initial: dict[int, Rule] | None,
             loc: int, pc: int | None, sec: _Section) -> None:
    """Interpret CFA instructions into `row`, stopping once the location passes pc."""
    stack: list[_Saved] = []
    da, ca = cie.data_align, cie.code_align
    rules = row.rules
    pos, n = 0, len(code)
    while pos < n:
        op = code[pos]
        pos += 1
        hi, lo = op & 0xC0, op & 0x3F
        new_loc = None
        if hi == 0x40:                                   # advance_loc
            new_loc = loc + lo * ca
        elif hi == 0x80:                                 # offset
            off, pos = read_uleb(code, pos)
            rules[lo] = Rule("offset", off * da)
        elif hi == 0xC0:                                 # restore
            _restore(rules, initial, lo)
        elif op == 0x00:                                 # nop
            pass
        elif op == 0x01:                                 # set_loc
            if sec.is_eh:
                new_loc, pos = _read_encoded(code, pos, cie.fde_enc, None)
            else:
                new_loc = int.from_bytes(code[pos:pos + cie.address_size], "little")
                pos += cie.address_size
        elif op in (0x02, 0x03, 0x04):                   # advance_loc1/2/4
            w = 1 << (op - 2)
            new_loc = loc + int.from_bytes(code[pos:pos + w], "little") * ca
            pos += w
        elif op in (0x05, 0x11, 0x14, 0x15, 0x2F):       # offset/val_offset (+_sf, GNU neg)
            reg, pos = read_uleb(code, pos)
            if op in (0x11, 0x15):
                off, pos = read_sleb(code, pos)
            else:
                off, pos = read_uleb(code, pos)
            off *= da
            if op == 0x2F:
                off = -off
            rules[reg] = Rule("val_offset" if op in (0x14, 0x15) else "offset", off)
        elif op == 0x06:                                 # restore_extended
            reg, pos = read_uleb(code, pos)
            _restore(rules, initial, reg)
        elif op in (0x07, 0x08):                         # undefined, same_value
            reg, pos = read_uleb(code, pos)
            rules[reg] = Rule("undefined" if op == 0x07 else "same")
        elif op == 0x09:                                 # register
            reg, pos = read_uleb(code, pos)
            src, pos = read_uleb(code, pos)
            rules[reg] = Rule("register", src)
        elif op == 0x0A:                                 # remember_state
            stack.append((dict(rules), row.cfa_reg, row.cfa_offset, row.cfa_expr))
        elif op == 0x0B:                                 # restore_state
            if not stack:
                raise CFIError("DW_CFA_restore_state with an empty stack")
            saved, row.cfa_reg, row.cfa_offset, row.cfa_expr = stack.pop()
            rules.clear()
            rules.update(saved)
        elif op in (0x0C, 0x12):                         # def_cfa, def_cfa_sf
            row.cfa_reg, pos = read_uleb(code, pos)
            if op == 0x0C:
                row.cfa_offset, pos = read_uleb(code, pos)
            else:
                off, pos = read_sleb(code, pos)
                row.cfa_offset = off * da
            row.cfa_expr = None
        elif op == 0x0D:                                 # def_cfa_register
            row.cfa_reg, pos = read_uleb(code, pos)
            row.cfa_expr = None
        elif op in (0x0E, 0x13):                         # def_cfa_offset(_sf)
            if op == 0x0E:
                row.cfa_offset, pos = read_uleb(code, pos)
            else:
                off, pos = read_sleb(code, pos)
                row.cfa_offset = off * da
        elif op == 0x0F:                                 # def_cfa_expression
            size, pos = read_uleb(code, pos)
            row.cfa_expr, row.cfa_reg = bytes(code[pos:pos + size]), None
            pos += size
        elif op in (0x10, 0x16):                         # expression, val_expression
            reg, pos = read_uleb(code, pos)
            size, pos = read_uleb(code, pos)
            kind = "expression" if op == 0x10 else "val_expression"
            rules[reg] = Rule(kind, bytes(code[pos:pos + size]))
            pos += size
        elif op == 0x2E:                                 # GNU_args_size: only for landing pads
            _, pos = read_uleb(code, pos)
        elif op == 0x2D:                                 # GNU_window_save: SPARC only
            pass
        else:
            raise CFIError(f"unknown DW_CFA opcode {op:#x}")
        if new_loc is not None:
            if pc is not None and new_loc > pc:
                return
            loc = new_loc


def _restore(rules: dict[int, Rule], initial: dict[int, Rule] | None, reg: int) -> None:
    if initial is not None and reg in initial:
        rules[reg] = initial[reg]
    else:
        rules.pop(reg, None)


def _entry_header(data: bytes, off: int) -> tuple[int, int, int, int]:
    """(length, offset of the id field, offset after it, offset of the next entry)."""
    length = int.from_bytes(data[off:off + 4], "little")
    if length == 0xFFFFFFFF:
        length = int.from_bytes(data[off + 4:off + 12], "little")
        id_off, width = off + 12, 8
    else:
        id_off, width = off + 4, 4
    end = id_off + length
    if length and (end > len(data) or length < width):
        raise CFIError(f"CFI entry at {off:#x} runs past its section")
    return length, id_off, id_off + width, end


def _is_cie(sec: _Section, data: bytes, id_off: int, body: int) -> bool:
    value = int.from_bytes(data[id_off:body], "little")
    if sec.is_eh:
        return value == 0
    return value == (1 << (8 * (body - id_off))) - 1


_FIXED = {0x02: "<H", 0x03: "<I", 0x04: "<Q", 0x0A: "<h", 0x0B: "<i", 0x0C: "<q", 0x00: "<Q"}


def _read_encoded(data: bytes, pos: int, enc: int, base: int | None) -> tuple[int, int]:
    """Decode a DW_EH_PE pointer at data[pos]; `base` is the section's address
    (for pcrel), None where only the value's size matters."""
    if enc == 0xFF:                                       # DW_EH_PE_omit
        return 0, pos
    fmt = enc & 0x0F
    start = pos
    if fmt == 0x01:
        value, pos = read_uleb(data, pos)
    elif fmt == 0x09:
        value, pos = read_sleb(data, pos)
    elif fmt in _FIXED:
        code = _FIXED[fmt]
        value = struct.unpack_from(code, data, pos)[0]
        pos += struct.calcsize(code)
    else:
        raise CFIError(f"unknown pointer encoding {enc:#x}")
    app = enc & 0x70
    if app == 0x10 and base is not None:                 # pcrel
        value += base + start
    elif app not in (0x00, 0x10):
        # textrel/datarel/funcrel never appear in x86-64 .eh_frame FDEs.
        raise CFIError(f"unsupported pointer application {enc:#x}")
    return value & 0xFFFFFFFFFFFFFFFF, pos


def _unpack_addr(data: bytes, pos: int, size: int, count: int) -> list[int]:
    return [int.from_bytes(data[pos + i * size:pos + (i + 1) * size], "little")
            for i in range(count)]


def _hdr_index(hdr: bytes, hdr_addr: int, eh_addr: int) -> list[tuple[int, int]] | None:
    """The sorted (pc_begin, FDE offset in .eh_frame) table of `.eh_frame_hdr`."""
    if len(hdr) < 4 or hdr[0] != 1:
        return None
    ptr_enc, count_enc, table_enc = hdr[1], hdr[2], hdr[3]
    try:
        _, pos = _read_encoded(hdr, 4, ptr_enc, hdr_addr)
        count, pos = _read_encoded(hdr, pos, count_enc, hdr_addr)
    except CFIError:
        return None
    if table_enc != 0x3B or count_enc == 0xFF:
        return None            # only datarel sdata4 is ever emitted; scan otherwise
    count = max(0, min(count, (len(hdr) - pos) // 8))
    vals = struct.unpack_from(f"<{2 * count}i", hdr, pos)
    return [(hdr_addr + vals[i], hdr_addr + vals[i + 1] - eh_addr)
            for i in range(0, 2 * count, 2)]
