"""Line program headers: each unit's file table, read without running its program.

Paths come out absolute and normalized, indexed the way the line program
indexes them: DWARF 5 file indexes are 0-based (file 0 is the primary file),
DWARF 2-4 ones 1-based.
"""
from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from .forms import DwarfError, FormContext, Sect, Strings, read_form

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
    # gdb's name of each file before it is matched with the unit's own name: the entry's
    # directory as written, "/", its name (inspect/file_names.py)
    written: list[str] = field(default_factory=list)

    def file(self, index: int) -> str | None:
        i = index - self.first_file
        return self.files[i] if 0 <= i < len(self.files) else None


def _join(*parts: str | None) -> str:
    path = ""
    for p in parts:
        if p:
            path = p if os.path.isabs(p) or not path else path + "/" + p
    return os.path.normpath(path) if path else ""


def _written(directory: str | None, name: str) -> str:
    """gdb's compute_include_file_name: a relative name after its directory, unnormalized."""
    if os.path.isabs(name) or not directory:
        return name
    return directory + "/" + name


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
    written: list[str] = []
    if version >= 5:
        # Directory 0 is the compilation directory itself; the others are relative to it.
        dirs, p = _v5_entries(s, p, ctx)
        comp = dirs[0][0] if dirs and dirs[0][0] else comp_dir
        dir_names = [_join(comp, d) if i else (comp or "") for i, (d, _) in enumerate(dirs)]
        entries, p = _v5_entries(s, p, ctx)
        for name, dindex in entries:
            d = dir_names[dindex] if 0 <= dindex < len(dir_names) else comp
            files.append(_join(d, name))
            written.append(_written(dirs[dindex][0] if 0 <= dindex < len(dirs) else comp, name))
        first = 0
    else:
        dir_names = []
        raw_dirs: list[str] = []
        while True:
            d, p = s.cstr_next(p)
            if not d:
                break
            dir_names.append(_join(comp_dir, d))
            raw_dirs.append(d)
        while True:
            name, p = s.cstr_next(p)
            if not name:
                break
            dindex, p = s.uleb(p)
            _, p = s.uleb(p)
            _, p = s.uleb(p)
            d = dir_names[dindex - 1] if 1 <= dindex <= len(dir_names) else comp_dir
            files.append(_join(comp_dir, d, name))
            written.append(_written(raw_dirs[dindex - 1] if 1 <= dindex <= len(raw_dirs) else None, name))
        first = 1
    if program_start > unit_end:
        raise DwarfError(f"line table header at {off:#x} longer than its unit")
    return LineHeader(off, version, unit_end, program_start, addr_size, min_inst, max_ops or 1,
                      default_is_stmt, line_base, line_range, opcode_base, std_lengths, files, first,
                      written)


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


def iter_line_headers(s: Sect, strings: Strings) -> Iterator[tuple[int, LineHeader | DwarfError]]:
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
