"""DWARF primitives and line tables: source line <-> link-time address.

The line tables are built the way gdb 13 builds its symtabs, because tdbg's
answers are checked against gdb's: one table per source file ("subfile") of a
compilation unit, end markers (line 0) where a sequence ends or the file
changes, line-0 rows dropped, duplicate rows with discriminators folded, and
sequences at address 0 (functions the linker discarded) ignored. DWARF 5 file
indexes are 0-based (file 0 is the primary file), DWARF 2-4 ones 1-based.

Everything here reads bytes lazily from an mmap (or a decompressed copy) and
raises DwarfError on malformed input; callers turn that into one warning.
"""
from __future__ import annotations

import bisect
import os
import struct
from dataclasses import dataclass


class DwarfError(Exception):
    """Malformed DWARF. The message names what was being read; callers add the section."""


@dataclass(frozen=True, slots=True)
class LineRow:
    address: int
    file: str
    line: int
    column: int
    is_stmt: bool
    end_sequence: bool = False


_U16 = struct.Struct("<H").unpack_from
_U32 = struct.Struct("<I").unpack_from
_U64 = struct.Struct("<Q").unpack_from


class Sect:
    """One DWARF section: ``buf[base:base+size]``, where buf is an mmap or bytes.

    Offsets in every method are section-relative; reads past the end raise DwarfError
    so a corrupt length field can never make us read (or allocate) beyond the file.
    """

    __slots__ = ("name", "buf", "base", "size")

    def __init__(self, name: str, buf, base: int = 0, size: int | None = None) -> None:
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
        buf, pos, end = self.buf, self.base + off, self.base + self.size
        result = shift = 0
        while pos < end:
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                if b & 0x40:
                    result -= 1 << shift
                return result, pos - self.base
        raise DwarfError(f"LEB128 at {off:#x} runs past the end of {self.name}")

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


@dataclass(slots=True)
class FormContext:
    """What decoding a form value needs to know about its unit."""
    addr_size: int = 8
    offset_size: int = 4
    version: int = 5
    strings: "Strings | None" = None
    str_offsets_base: int | None = None
    addr_base: int | None = None


class Strings:
    """The string-bearing sections a form may point into; each may be None."""

    def __init__(self, debug_str=None, line_str=None, str_offsets=None, addr=None) -> None:
        self.debug_str, self.line_str = debug_str, line_str
        self.str_offsets, self.addr = str_offsets, addr

    def get(self, sect: Sect | None, off: int, what: str) -> str:
        if sect is None:
            raise DwarfError(f"{what} refers to a missing section")
        return sect.cstr(off)


def read_form(s: Sect, off: int, form: int, ctx: FormContext, implicit: int = 0):
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
            return strings.get(strings and strings.debug_str, val, "DW_FORM_strp"), off + n
        if form == DW_FORM_line_strp:
            return strings.get(strings and strings.line_str, val, "DW_FORM_line_strp"), off + n
        return val, off + n
    size = FIXED_FORM_SIZE.get(form)
    if size is not None:
        val = s.uint(off, size) if size and size <= 8 else (s.bytes(off, size) if size else True)
        if form in STRX_FORMS:
            return _strx(ctx, val), off + size
        if form in ADDRX_FORMS:
            return addrx(ctx, val), off + size
        return val, off + size
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
    if st is None or st.str_offsets is None or st.debug_str is None:
        raise DwarfError("DW_FORM_strx without .debug_str_offsets")
    base = ctx.str_offsets_base if ctx.str_offsets_base is not None else 8
    return st.debug_str.cstr(st.str_offsets.uint(base + index * ctx.offset_size, ctx.offset_size))


def addrx(ctx: FormContext, index: int) -> int:
    st = ctx.strings
    if st is None or st.addr is None:
        raise DwarfError("DW_FORM_addrx without .debug_addr")
    base = ctx.addr_base if ctx.addr_base is not None else 8
    return st.addr.uint(base + index * ctx.addr_size, ctx.addr_size)


# ----------------------------------------------------------------------------- line programs

DW_LNCT_path, DW_LNCT_directory_index = 1, 2


@dataclass(slots=True)
class LineHeader:
    offset: int
    version: int
    unit_end: int
    program_start: int
    addr_size: int
    min_inst_length: int
    max_ops: int
    default_is_stmt: bool
    line_base: int
    line_range: int
    opcode_base: int
    std_lengths: tuple[int, ...]
    files: list[str]       # full, normalized paths, indexed like the line program does
    first_file: int        # 0 for DWARF 5, 1 before

    def file(self, index: int) -> str | None:
        i = index - self.first_file
        return self.files[i] if 0 <= i < len(self.files) else None


def _join(*parts: str | None) -> str:
    path = ""
    for p in parts:
        if p:
            path = p if os.path.isabs(p) or not path else path + "/" + p
    return os.path.normpath(path) if path else ""


def parse_line_header(s: Sect, off: int, strings: Strings, comp_dir: str | None = None,
                      addr_size: int = 8) -> LineHeader:
    """Parse the header of the line program at ``off`` (paths are made absolute with comp_dir)."""
    length, osize, p = s.initial_length(off)
    unit_end = p + length
    s.check(p, length)
    version = s.u16(p)
    p += 2
    if not 2 <= version <= 5:
        raise DwarfError(f"unsupported line table version {version} at {off:#x}")
    if version >= 5:
        addr_size = s.u8(p)
        p += 2                                   # address_size, segment_selector_size
    header_length = s.uint(p, osize)
    p += osize
    program_start = p + header_length
    min_inst = s.u8(p)
    max_ops = s.u8(p + 1) if version >= 4 else 1
    p += 2 if version >= 4 else 1
    default_is_stmt = bool(s.u8(p))
    line_base = s.u8(p + 1)
    line_base -= 256 if line_base >= 128 else 0
    line_range, opcode_base = s.u8(p + 2), s.u8(p + 3)
    p += 4
    if line_range == 0:
        raise DwarfError(f"line_range 0 in line table at {off:#x}")
    std_lengths = tuple(s.bytes(p, max(opcode_base - 1, 0)))
    p += max(opcode_base - 1, 0)
    ctx = FormContext(addr_size, osize, version, strings)
    files: list[str] = []
    if version >= 5:
        # Directory 0 is the compilation directory itself; the others are relative to it.
        dirs, p = _v5_entries(s, p, ctx)
        comp = dirs[0][0] if dirs and dirs[0][0] else comp_dir
        dir_names = [_join(comp, d) if i else (comp or "") for i, (d, _) in enumerate(dirs)]
        entries, p = _v5_entries(s, p, ctx)
        for name, dindex in entries:
            d = dir_names[dindex] if 0 <= dindex < len(dir_names) else comp
            files.append(_join(d, name))
        first = 0
    else:
        dir_names = []
        while True:
            d, p = s.cstr_next(p)
            if not d:
                break
            dir_names.append(_join(comp_dir, d))
        while True:
            name, p = s.cstr_next(p)
            if not name:
                break
            dindex, p = s.uleb(p)
            _, p = s.uleb(p)
            _, p = s.uleb(p)
            d = dir_names[dindex - 1] if 1 <= dindex <= len(dir_names) else comp_dir
            files.append(_join(comp_dir, d, name))
        first = 1
    if program_start > unit_end:
        raise DwarfError(f"line table header at {off:#x} longer than its unit")
    return LineHeader(off, version, unit_end, program_start, addr_size, min_inst, max_ops or 1,
                      default_is_stmt, line_base, line_range, opcode_base, std_lengths, files, first)


def _v5_entries(s: Sect, p: int, ctx: FormContext) -> tuple[list[tuple[str, int]], int]:
    nformats = s.u8(p)
    p += 1
    fmt = []
    for _ in range(nformats):
        ctype, p = s.uleb(p)
        form, p = s.uleb(p)
        fmt.append((ctype, form))
    count, p = s.uleb(p)
    if count > s.size - p:                      # each entry takes at least a byte
        raise DwarfError(f"implausible entry count {count} in line table header")
    out = []
    for _ in range(count):
        name, dindex = "", 0
        for ctype, form in fmt:
            val, p = read_form(s, p, form, ctx)
            if ctype == DW_LNCT_path:
                name = val if isinstance(val, str) else ""
            elif ctype == DW_LNCT_directory_index and isinstance(val, int):
                dindex = val
        out.append((name, dindex))
    return out, p


class SubfileTable:
    """gdb's linetable of one source file within one CU: parallel arrays sorted by pc."""

    __slots__ = ("name", "pcs", "lines", "stmt", "prologue_end", "columns")

    def __init__(self, name: str) -> None:
        self.name = name
        self.pcs: list[int] = []
        self.lines: list[int] = []
        self.stmt: list[bool] = []
        self.prologue_end: list[bool] = []
        self.columns: list[int] = []

    def record(self, line: int, pc: int, is_stmt: bool, prologue_end: bool, column: int) -> None:
        if line == 0:
            # An end marker replaces rows at its own address; markers that end an
            # empty sequence, or follow another marker, are dropped (gdb buildsym).
            last_line = None
            while self.pcs:
                last_line = self.lines[-1]
                if self.pcs[-1] != pc:
                    break
                for arr in (self.pcs, self.lines, self.stmt, self.prologue_end, self.columns):
                    arr.pop()
            if last_line is None or last_line == 0:
                return
            is_stmt = True
        self.pcs.append(pc)
        self.lines.append(line)
        self.stmt.append(is_stmt)
        self.prologue_end.append(prologue_end)
        self.columns.append(column)

    def finish(self) -> None:
        # Stable sort by pc, end markers first among rows at the same pc.
        order = sorted(range(len(self.pcs)), key=lambda i: (self.pcs[i], self.lines[i] != 0))
        if order != list(range(len(order))):
            for attr in self.__slots__[1:]:
                arr = getattr(self, attr)
                setattr(self, attr, [arr[i] for i in order])


@dataclass(slots=True)
class Sal:
    """gdb's symtab_and_line for a pc: the line's [pc, end) and where it is."""
    pc: int
    end: int
    file: str
    line: int
    is_stmt: bool
    column: int
    subfile: int


class CuLines:
    """The decoded line program of one CU, split per source file like gdb's symtabs."""

    def __init__(self, header: LineHeader, subfiles: list[SubfileTable], cu_end: int) -> None:
        self.header = header
        self.subfiles = subfiles
        self.cu_end = cu_end
        self.lowest = min((t.pcs[0] for t in subfiles if t.pcs), default=None)
        self.highest = max((t.pcs[-1] for t in subfiles if t.pcs), default=None)

    def find_pc_line(self, pc: int) -> Sal | None:
        """gdb's find_pc_sect_line restricted to this CU."""
        best_t = best_i = None
        best_pc = -1
        best_end = 0
        alt = None
        for t in self.subfiles:
            pcs = t.pcs
            if not pcs:
                continue
            if pcs[0] > pc and (alt is None or pcs[0] < alt):
                alt = pcs[0]
            item = bisect.bisect_right(pcs, pc)
            prev = None
            if item:
                prev = item - 1
            if prev is not None and t.lines[prev] and (best_t is None or pcs[prev] > best_pc):
                best_t, best_i, best_pc = t, prev, pcs[prev]
                if not t.stmt[prev]:
                    # Prefer an is_stmt row at the same address.
                    tmp = prev
                    while tmp > 0 and pcs[tmp - 1] == pcs[tmp] and t.lines[tmp - 1] != 0 \
                            and not t.stmt[tmp]:
                        tmp -= 1
                    if t.stmt[tmp]:
                        best_i = tmp
                if best_end <= best_pc:
                    best_end = 0
            if best_t is not None and item < len(pcs) and pcs[item] > best_pc \
                    and (best_end == 0 or best_end > pcs[item]):
                best_end = pcs[item]
        if best_t is None:
            return None
        if best_end and (alt is None or best_end < alt):
            end = best_end
        elif alt is not None:
            end = alt
        else:
            end = self.cu_end
        i = best_i
        return Sal(best_t.pcs[i], end, best_t.name, best_t.lines[i], best_t.stmt[i],
                   best_t.columns[i], self.subfiles.index(best_t))

    def is_stmt_at(self, pc: int) -> bool:
        for t in self.subfiles:
            i = bisect.bisect_left(t.pcs, pc)
            while i < len(t.pcs) and t.pcs[i] == pc:
                if t.stmt[i] and t.lines[i]:
                    return True
                i += 1
        return False

    def pcs_for_line(self, sub: int, line: int) -> tuple[list[int], tuple[int, int] | None]:
        """gdb's find_pcs_for_symtab_line: exact is_stmt matches, else the best later line.

        Returns (pcs, None) or ([], (best_line, its pc)) when the line has no code here."""
        t = self.subfiles[sub]
        if line <= 0:
            return [], None
        out = [t.pcs[i] for i in range(len(t.pcs)) if t.stmt[i] and t.lines[i] == line]
        if out:
            return out, None
        best = None
        for i in range(len(t.pcs)):
            ln = t.lines[i]
            if t.stmt[i] and ln > line and (best is None or ln < best[0]):
                best = (ln, t.pcs[i])
        return [], best

    def first_line_at_or_after(self, sub: int, line: int) -> tuple[int, int] | None:
        """gdb's find_line_common: (line, pc) of the first is_stmt row for ``line``,
        else of the smallest later line."""
        t = self.subfiles[sub]
        best = None
        if line <= 0:
            return None
        for i in range(len(t.pcs)):
            ln = t.lines[i]
            if t.stmt[i] and ln >= line and (best is None or ln < best[0]):
                best = (ln, t.pcs[i])
                if ln == line:
                    break
        return best

    def prologue_end_in(self, sub: int, lo: int, hi: int) -> int | None:
        t = self.subfiles[sub]
        i = bisect.bisect_left(t.pcs, lo)
        while i < len(t.pcs) and t.pcs[i] < hi:
            if t.prologue_end[i]:
                return t.pcs[i]
            i += 1
        return None

    def rows(self) -> list[LineRow]:
        """All rows of all files, by address (end markers as end_sequence rows)."""
        out = []
        for t in self.subfiles:
            for i, pc in enumerate(t.pcs):
                out.append(LineRow(pc, t.name, t.lines[i], t.columns[i], t.stmt[i], t.lines[i] == 0))
        out.sort(key=lambda r: (r.address, not r.end_sequence))
        return out


def decode_line_program(s: Sect, header: LineHeader, primary: str | None, cu_end: int,
                        lowpc: int = 1) -> CuLines:
    """Run the line program into gdb-style per-file tables (see the module docstring).

    ``lowpc`` is the lowest code address of the CU: sequences set to address 0 below
    it come from functions the linker discarded and are ignored, as gdb does."""
    subfiles: list[SubfileTable] = []
    by_name: dict[str, int] = {}

    def subfile_for(index: int) -> SubfileTable | None:
        name = header.file(index)
        if name is None:
            return None
        k = by_name.get(name)
        if k is None:
            k = by_name[name] = len(subfiles)
            subfiles.append(SubfileTable(name))
        return subfiles[k]

    if primary:
        by_name[primary] = 0
        subfiles.append(SubfileTable(primary))
    for i in range(len(header.files)):                   # file-table order, like gdb's filetabs
        subfile_for(i + header.first_file)

    buf, base, end = s.buf, s.base, s.base + header.unit_end
    pos = base + header.program_start
    opcode_base, line_base, line_range = header.opcode_base, header.line_base, header.line_range
    min_inst, max_ops, std_lengths = header.min_inst_length, header.max_ops, header.std_lengths
    default_stmt = header.default_is_stmt
    adj_const = (255 - opcode_base) // line_range

    def leb(signed: bool = False) -> int:
        nonlocal pos
        result = shift = 0
        while True:
            if pos >= end:
                raise DwarfError(f"line program at {header.offset:#x} ends inside an opcode")
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                if signed and b & 0x40:
                    result -= 1 << shift
                return result

    while pos < end:
        address = op_index = column = 0
        file_idx, line, is_stmt = 1, 1, default_stmt
        discriminator = 0
        prologue_end = False
        cur = subfile_for(1)
        last_sub: SubfileTable | None = None
        last_line = 0
        nz_disc = False
        last_address = 0
        stmt_at_address = False
        recording = True
        end_seq = False

        def record(ending: bool) -> None:
            nonlocal last_sub, last_line, last_address, stmt_at_address
            if header.file(file_idx) is not None and (op_index == 0 or ending):
                changed = last_sub is not cur
                ignore = (changed and not ending and last_address == address and not is_stmt
                          and stmt_at_address) or (not ending and line == 0)
                if (changed and not ignore) or ending:
                    if last_sub is not None and recording:
                        last_sub.record(0, address, True, False, 0)
                if not ending and not ignore:
                    if cur is not last_sub or line != last_line or not nz_disc:
                        if recording and cur is not None:
                            cur.record(line, address, is_stmt, prologue_end, column)
                        last_sub, last_line = cur, line
            if last_address != address:
                stmt_at_address = False
                last_address = address
            stmt_at_address |= is_stmt

        while pos < end and not end_seq:
            op = buf[pos]
            pos += 1
            if op >= opcode_base:
                adj = op - opcode_base
                step = adj // line_range
                if max_ops == 1:
                    address += step * min_inst
                else:
                    address += (op_index + step) // max_ops * min_inst
                    op_index = (op_index + step) % max_ops
                delta = line_base + adj % line_range
                line += delta
                if delta:
                    nz_disc = discriminator != 0
                record(False)
                discriminator = 0
                prologue_end = False
            elif op == 0:
                n = leb()
                ext_end = pos + n
                if n == 0 or ext_end > end:
                    raise DwarfError(f"bad extended opcode length at {pos - base:#x}")
                sub = buf[pos]
                pos += 1
                if sub == 1:                                   # DW_LNE_end_sequence
                    recording = True
                    end_seq = True
                elif sub == 2:                                 # DW_LNE_set_address
                    address = int.from_bytes(buf[pos:ext_end], "little")
                    width = ext_end - pos
                    if (address == 0 and address < lowpc) or address >= (1 << (8 * width)) - 2:
                        recording = False
                    op_index = 0
                elif sub == 4:                                 # DW_LNE_set_discriminator
                    discriminator = leb()
                    nz_disc |= discriminator != 0
                pos = ext_end
            elif op == 1:                                      # DW_LNS_copy
                record(False)
                discriminator = 0
                prologue_end = False
            elif op == 2:
                step = leb()
                address += (op_index + step) // max_ops * min_inst
                op_index = (op_index + step) % max_ops
            elif op == 3:
                delta = leb(True)
                line += delta
                if delta:
                    nz_disc = discriminator != 0
            elif op == 4:
                file_idx = leb()
                sf = subfile_for(file_idx)
                if sf is not None:
                    nz_disc = discriminator != 0
                    cur = sf
            elif op == 5:
                column = leb()
            elif op == 6:
                is_stmt = not is_stmt
            elif op == 7:
                pass
            elif op == 8:
                address += (op_index + adj_const) // max_ops * min_inst
                op_index = (op_index + adj_const) % max_ops
            elif op == 9:
                if pos + 2 > end:
                    raise DwarfError(f"line program at {header.offset:#x} ends inside an opcode")
                address += buf[pos] | buf[pos + 1] << 8
                op_index = 0
                pos += 2
            elif op == 10:
                prologue_end = True
            elif op in (11, 12):
                if op == 12:
                    leb()
            else:
                for _ in range(std_lengths[op - 1] if op - 1 < len(std_lengths) else 0):
                    leb()
        record(True)
    for t in subfiles:
        t.finish()
    return CuLines(header, subfiles, cu_end)


def iter_line_headers(s: Sect, strings: Strings):
    """Yield (offset, LineHeader or DwarfError) for every unit of .debug_line, in order.

    DWARF 5 headers carry their compilation directory; DWARF 2-4 paths stay relative to
    a comp_dir we do not know here and are fixed up by the caller when it matters."""
    off = 0
    while off + 4 <= s.size:
        try:
            length, _, p = s.initial_length(off)
        except DwarfError as e:
            yield off, e
            return
        nxt = p + length
        if length == 0 or nxt > s.size:
            yield off, DwarfError(f"line table unit at {off:#x} has a bad length {length:#x}")
            return
        try:
            yield off, parse_line_header(s, off, strings)
        except (DwarfError, IndexError, ValueError, struct.error) as e:
            yield off, e if isinstance(e, DwarfError) else DwarfError(f"bad line table header at {off:#x}")
        off = nxt
