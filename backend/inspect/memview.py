"""`x/NFU ADDR`: parsing and gdb-compatible formatting of memory dumps."""
from __future__ import annotations

import re
import struct

from ..disasm.decode import instructions
from ..errors import BadAddress, CommandError
from ..program.target import Target

UNITS = {"b": 1, "h": 2, "w": 4, "g": 8}
PER_LINE = {1: 8, 2: 8, 4: 4, 8: 2}
MAX_UNITS = 1 << 20     # x/100000000xb is refused, not allocated


def parse_examine(arg: str, last: tuple[str, str, int]) -> tuple[str, str, int, str]:
    fmt, unit = last[0], last[1]
    count = 1
    if arg.startswith("/"):
        m = re.match(r"^/(\d*)([a-z]*)\s*(.*)$", arg)
        if not m:
            raise CommandError(f"Invalid number \"{arg[1:]}\".")
        if m.group(1):
            count = int(m.group(1))
        for ch in m.group(2):
            if ch in UNITS:
                unit = ch
            elif ch in "xduotacfsi":
                fmt = ch
            else:
                raise CommandError(f"Undefined output format \"{ch}\".")
        arg = m.group(3)
    if count > MAX_UNITS:
        raise CommandError(f"refusing to examine {count} units at once (limit {MAX_UNITS})")
    if fmt == "c" and not arg.startswith("/"):
        unit = "b" if unit not in ("b",) and last[0] != "c" else unit
    return fmt, unit, count, arg.strip()


def _label(target: Target, addr: int) -> str:
    sym = target.program.symbolize(addr) if target.program else None
    return f"{addr:#x} <{sym}>:" if sym else f"{addr:#x}:"


def _char(b: int) -> str:
    esc = {0: "\\000", 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r",
           39: "\\'", 92: "\\\\"}
    if b in esc:
        return esc[b]
    if 32 <= b < 127:
        return chr(b)
    return f"\\{b:03o}"


def format_examine(target: Target, addr: int, fmt: str, unit: str, count: int,
                   pc: int | None = None) -> tuple[str, int]:
    """pc: the selected frame's, which x/i marks with `=>` (gdb's pc_prefix); by default
    the stop's."""
    if fmt == "i":
        return _examine_insns(target, addr, count, pc)
    if fmt == "s":
        return _examine_strings(target, addr, count)
    size = 1 if fmt == "c" else UNITS[unit]
    data, got = target.read_memory_partial(addr, size * count)
    lines = []
    per = PER_LINE[size] if fmt != "c" else 8
    n_ok = got // size
    for i in range(0, count, per):
        row = []
        for j in range(i, min(count, i + per)):
            if j >= n_ok:
                break
            raw = data[j * size:(j + 1) * size]
            v = int.from_bytes(raw, "little")
            row.append(_fmt_unit(v, fmt, size))
        if row:
            lines.append(_label(target, addr + i * size) + "\t" + "\t".join(row))
        if len(row) < min(per, count - i):
            lines.append(f"Cannot access memory at address {addr + n_ok * size:#x}")
            if not row and not lines[:-1]:
                raise BadAddress(addr + n_ok * size)
            break
    return "\n".join(lines), addr + count * size


def _fmt_unit(v: int, fmt: str, size: int) -> str:
    bits = size * 8
    signed = v - (1 << bits) if v >> (bits - 1) else v
    if fmt == "x":
        return f"{v:#0{size * 2 + 2}x}"
    if fmt == "d":
        return str(signed)
    if fmt == "u":
        return str(v)
    if fmt == "o":
        return f"0{v:o}" if v else "0"
    if fmt == "t":
        return f"{v:0{bits}b}"
    if fmt == "a":
        return f"{v:#x}"
    if fmt == "c":
        return f"{signed} '{_char(v)}'"
    if fmt == "f":
        if size == 8:
            return repr(struct.unpack("<d", v.to_bytes(8, "little"))[0])
        if size == 4:
            return f"{struct.unpack('<f', v.to_bytes(4, 'little'))[0]:.9g}"
        return str(signed)
    return f"{v:#x}"


def _examine_strings(target: Target, addr: int, count: int) -> tuple[str, int]:
    lines = []
    for _ in range(count):
        data, got = target.read_memory_partial(addr, 200)
        if got == 0:
            raise BadAddress(addr)
        end = data.find(b"\0")
        s = data if end < 0 else data[:end]
        text = "".join(_char(b) if b != 39 else "'" for b in s).replace('"', '\\"')
        lines.append(f'{_label(target, addr)}\t"{text}"' + ("..." if end < 0 else ""))
        addr += len(s) + 1
    return "\n".join(lines), addr


def _examine_insns(target: Target, addr: int, count: int, pc: int | None) -> tuple[str, int]:
    if target.alive or target.program is None:
        data, got = target.read_memory_partial(addr, count * 15)
    else:                               # gdb reads the executable's file before `run`
        o = target.program.objfile_for(addr)
        data = o.elf.read_code(addr - o.bias, count * 15) if o else b""
        got = len(data)
    if got == 0:
        raise BadAddress(addr)
    lines = []
    if pc is None:
        pc = target.stop.pc if target.stop else None
    nxt = addr
    symbolize = target.prog.symbolize
    for i in instructions(data[:got], addr, count):
        mark = "=> " if i.addr == pc else "   "
        lines.append(f"{mark}{_label(target, i.addr)}\t{i.text(symbolize)}")
        nxt = i.addr + i.size
    return "\n".join(lines), nxt
