"""Line tables: source line <-> link-time address, by running line programs.

The line tables are built the way gdb 13 builds its symtabs, because tdbg's
answers are checked against gdb's: one table per source file ("subfile") of a
compilation unit, end markers (line 0) where a sequence ends or the file
changes, line-0 rows dropped, duplicate rows with discriminators folded, and
sequences at address 0 (functions the linker discarded) ignored. DWARF 5 file
indexes are 0-based (file 0 is the primary file), DWARF 2-4 ones 1-based.

This module runs the line program into those tables. The pieces live in dwarf/:
forms.py (sections and attribute forms), line_header.py (headers and file tables)
and line_table.py (the tables and their lookups); their names are re-exported here.
"""
from __future__ import annotations

from .dwarf.forms import (  # noqa: F401
    ADDRX_FORMS,
    BLOCK_FORMS,
    FIXED_FORM_SIZE,
    LEB_FORMS,
    OFFSET_FORMS,
    STRX_FORMS,
    DW_FORM_addr,
    DW_FORM_data16,
    DW_FORM_implicit_const,
    DW_FORM_indirect,
    DW_FORM_line_strp,
    DW_FORM_sec_offset,
    DW_FORM_string,
    DW_FORM_strp,
    DW_FORM_udata,
    DwarfError,
    FormContext,
    Sect,
    Strings,
    addrx,
    read_form,
)
from .dwarf.line_header import (  # noqa: F401
    DW_LNCT_directory_index,
    DW_LNCT_path,
    LineHeader,
    iter_line_headers,
    parse_line_header,
)
from .dwarf.line_table import CuLines, LineRow, Sal, SubfileTable  # noqa: F401


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

    # Per sequence: the subfile and line last recorded, and whether a statement row
    # was seen at the current address (for gdb's is_stmt filtering).
    last_sub: SubfileTable | None = None
    last_line = 0
    last_address = 0
    stmt_at_address = False

    def record(ending: bool, cur: SubfileTable | None, file_idx: int, op_index: int, address: int,
               line: int, is_stmt: bool, prologue_end: bool, column: int, recording: bool,
               nz_disc: bool) -> None:
        """One row of the state machine (`ending`: DW_LNE_end_sequence's) into the tables."""
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

    while pos < end:
        address = op_index = column = 0
        file_idx, line, is_stmt = 1, 1, default_stmt
        discriminator = 0
        prologue_end = False
        cur = subfile_for(1)
        last_sub, last_line, last_address, stmt_at_address = None, 0, 0, False
        nz_disc = False
        recording = True
        end_seq = False

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
                record(False, cur, file_idx, op_index, address, line, is_stmt, prologue_end, column,
                       recording, nz_disc)
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
                record(False, cur, file_idx, op_index, address, line, is_stmt, prologue_end, column,
                       recording, nz_disc)
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
        record(True, cur, file_idx, op_index, address, line, is_stmt, prologue_end, column,
               recording, nz_disc)
    for t in subfiles:
        t.finish()
    return CuLines(header, subfiles, cu_end)
