"""SystemTap SDT probes (.note.stapsdt): where libstdc++ says an exception is thrown.

gdb's `catch throw|catch|rethrow` stop at libstdc++'s probes libstdcxx:throw, :catch
and :rethrow, inside __cxa_throw and friends, not at their entry; reading the same
notes gives the same stop address. Each note's descriptor holds the probe's pc, the
link-time address of .stapsdt.base (the pc moves with it when prelinked), a
semaphore, then provider, name and arguments as C strings.
"""
from __future__ import annotations

import struct

from ..program.program import ObjFile, Program

_NT_STAPSDT = 3


def probes(obj: ObjFile) -> dict[tuple[str, str], int]:
    """(provider, name) -> link-time pc of every probe of obj (first of a name)."""
    cached: dict[tuple[str, str], int] | None = getattr(obj, "_sdt_probes", None)
    if cached is not None:
        return cached
    out: dict[tuple[str, str], int] = {}
    elf = obj.elf
    sec = elf.section(".note.stapsdt")
    base_sec = elf.section(".stapsdt.base")
    if sec is not None:
        data = bytes(elf.section_bytes(sec))
        pos = 0
        while pos + 12 <= len(data):
            namesz, descsz, kind = struct.unpack_from("<III", data, pos)
            pos += 12
            name = data[pos:pos + namesz].rstrip(b"\0")
            pos += (namesz + 3) & ~3
            desc = data[pos:pos + descsz]
            pos += (descsz + 3) & ~3
            if kind != _NT_STAPSDT or name != b"stapsdt" or len(desc) < 24:
                continue
            pc, base, _ = struct.unpack_from("<QQQ", desc)
            provider, probe = desc[24:].split(b"\0")[:2]
            if base_sec is not None and base:
                pc += base_sec.addr - base
            out.setdefault((provider.decode(), probe.decode()), pc)
    try:
        obj._sdt_probes = out          # type: ignore[attr-defined]
    except AttributeError:
        pass
    return out


def probe_address(prog: Program, provider: str, name: str) -> int | None:
    """The runtime address of the probe in whichever loaded object has it."""
    for obj in prog.objfiles:
        pc = probes(obj).get((provider, name))
        if pc is not None:
            return pc + obj.bias
    return None
