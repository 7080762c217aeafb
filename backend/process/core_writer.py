"""gdb's `generate-core-file` / `gcore`: a stopped process written as an ELF core.

The notes are the kernel's (and gdb's) for x86-64 Linux, in gdb's order: NT_PRPSINFO;
per thread NT_PRSTATUS, NT_FPREGSET (and NT_SIGINFO after the current thread's); then
NT_AUXV and NT_FILE. Every mapping is dumped whole, text included, so the core stands
alone; a mapping the kernel marks "dd" in smaps (VM_DONTDUMP: [vvar]) is left out
as gdb leaves it out, and one that cannot be read gets gdb's warning and no bytes.
Memory is read through the caller's reader, which shows original bytes under
breakpoints. core_file.py reads these files back.
"""
from __future__ import annotations

import ctypes
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass

from .core_file import (
    EHDR,
    NHDR,
    NT_AUXV,
    NT_FILE,
    NT_FPREGSET,
    NT_PRPSINFO,
    NT_PRSTATUS,
    NT_SIGINFO,
    PHDR,
    PR_CURSIG,
    PR_FNAME,
    PR_FPVALID,
    PR_PID,
    PR_PSARGS,
    PR_REG,
    PRPSINFO_SIZE,
    PRSTATUS_SIZE,
    PT_LOAD,
    PT_NOTE,
    align4,
)
from .inferior import Region
from .ptrace import UserFPRegs, UserRegs

PAGE = 4096
CHUNK = 1 << 20
PF_X, PF_W, PF_R = 1, 2, 4


@dataclass
class ThreadState:
    tid: int
    regs: UserRegs
    fpregs: UserFPRegs | None
    signal: int = 0                  # pr_cursig: the current thread's stop signal, in every thread
    siginfo: bytes = b""             # the current thread's siginfo_t (128 bytes)


def note(ntype: int, desc: bytes, name: bytes = b"CORE") -> bytes:
    n = name + b"\0"
    return (NHDR.pack(len(n), len(desc), ntype) + n.ljust(align4(len(n)), b"\0")
            + desc.ljust(align4(len(desc)), b"\0"))


def _proc_stat(pid: int) -> tuple[str, int, int, int]:
    """(state, ppid, pgrp, session) from /proc/PID/stat (the name may hold spaces)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return rest[0], int(rest[1]), int(rest[2]), int(rest[3])
    except (OSError, IndexError, ValueError):
        return "t", 0, 0, 0


def _read_proc(pid: int, name: str) -> bytes:
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return f.read()
    except OSError:
        return b""


def _dont_dump(pid: int) -> set[int]:
    """Start addresses of mappings whose VmFlags say "dd" (never dumped)."""
    out: set[int] = set()
    start = 0
    for line in _read_proc(pid, "smaps").decode("latin-1").splitlines():
        head = line.split(" ", 1)[0]
        if "-" in head and not head.endswith(":"):
            try:
                start = int(head.split("-")[0], 16)
            except ValueError:
                continue
        elif line.startswith("VmFlags:") and " dd" in line:
            out.add(start)
    return out


def prstatus(pid: int, th: ThreadState, ppid: int, pgrp: int, sid: int) -> bytes:
    buf = bytearray(PRSTATUS_SIZE)
    struct.pack_into("<iii", buf, 0, th.signal, 0, 0)
    struct.pack_into("<h", buf, PR_CURSIG, th.signal)
    struct.pack_into("<iiii", buf, PR_PID, th.tid, ppid, pgrp, sid)
    buf[PR_REG:PR_REG + ctypes.sizeof(UserRegs)] = bytes(th.regs)
    struct.pack_into("<i", buf, PR_FPVALID, 1 if th.fpregs is not None else 0)
    return bytes(buf)


def prpsinfo(pid: int) -> bytes:
    state, ppid, pgrp, sid = _proc_stat(pid)
    buf = bytearray(PRPSINFO_SIZE)
    sname = state[:1] or "t"
    buf[0] = "RSDTZW".find(sname) if sname in "RSDTZW" else 0
    buf[1] = ord(sname)
    uid = gid = 0
    for line in _read_proc(pid, "status").decode("latin-1").splitlines():
        if line.startswith("Uid:"):
            uid = int(line.split()[1])
        elif line.startswith("Gid:"):
            gid = int(line.split()[1])
    struct.pack_into("<II", buf, 16, uid & 0xFFFFFFFF, gid & 0xFFFFFFFF)
    struct.pack_into("<iiii", buf, 24, pid, ppid, pgrp, sid)
    fname = _read_proc(pid, "comm").strip()[:15]
    buf[PR_FNAME:PR_FNAME + len(fname)] = fname
    args = _read_proc(pid, "cmdline").rstrip(b"\0").replace(b"\0", b" ")[:79]
    buf[PR_PSARGS:PR_PSARGS + len(args)] = args
    return bytes(buf)


def nt_file(regions: list[Region]) -> bytes:
    files = [r for r in regions if r.path.startswith("/")]
    head = struct.pack("<QQ", len(files), PAGE)
    body = b"".join(struct.pack("<QQQ", r.start, r.end, r.offset // PAGE) for r in files)
    names = b"".join(r.path.encode() + b"\0" for r in files)
    return head + body + names


def _flags(perms: str) -> int:
    return (PF_R if perms[:1] == "r" else 0) | (PF_W if perms[1:2] == "w" else 0) \
        | (PF_X if perms[2:3] == "x" else 0)


def write_core(path: str, pid: int, threads: list[ThreadState], regions: list[Region],
               read: Callable[[int, int], bytes],
               warn: Callable[[str], None]) -> None:
    """Write the core of process pid (threads: the current one first) to path.
    read(addr, n) returns up to n bytes (fewer where memory ends)."""
    state, ppid, pgrp, sid = _proc_stat(pid)
    notes = [note(NT_PRPSINFO, prpsinfo(pid))]
    for th in threads:
        notes.append(note(NT_PRSTATUS, prstatus(pid, th, ppid, pgrp, sid)))
        if th.fpregs is not None:
            notes.append(note(NT_FPREGSET, bytes(th.fpregs)))
        if th.siginfo:
            notes.append(note(NT_SIGINFO, th.siginfo.ljust(128, b"\0")[:128]))
    auxv = _read_proc(pid, "auxv")
    if auxv:
        notes.append(note(NT_AUXV, auxv))
    notes.append(note(NT_FILE, nt_file(regions)))
    note_data = b"".join(notes)

    skip = _dont_dump(pid)
    # Like gdb, every mapping (/proc/PID/mem reads PROT_NONE pages too) but the "dd" ones.
    dumped = [r for r in regions if r.start not in skip]
    phnum = 1 + len(dumped)
    offset = EHDR.size + phnum * PHDR.size
    note_off = offset
    offset = (offset + len(note_data) + PAGE - 1) & ~(PAGE - 1)
    with open(path, "wb") as f:
        f.truncate(0)
        loads: list[tuple[Region, int, int]] = []       # region, file offset, bytes written
        f.seek(offset)
        for r in dumped:
            f.seek(offset)
            size = r.end - r.start
            written = 0
            while written < size:
                data = read(r.start + written, min(CHUNK, size - written))
                if not data:
                    break
                f.write(data)
                written += len(data)
            if written < size:
                warn(f"warning: Memory read failed for corefile section, {size} bytes at {r.start:#x}.")
                written = 0
            loads.append((r, offset, written))
            offset = (offset + written + PAGE - 1) & ~(PAGE - 1)
        f.seek(0)
        ident = b"\x7fELF\x02\x01\x01" + bytes(9)
        f.write(EHDR.pack(ident, 4, 62, 1, 0, EHDR.size, 0, 0, EHDR.size, PHDR.size, phnum, 0, 0, 0))
        f.write(PHDR.pack(PT_NOTE, 0, note_off, 0, 0, len(note_data), 0, 1))
        for r, off, written in loads:
            f.write(PHDR.pack(PT_LOAD, _flags(r.perms), off if written else 0, r.start, 0,
                              written, r.end - r.start, 1))
        f.write(note_data)
        f.seek(0, os.SEEK_END)
        end = f.tell()
        if end < offset:                 # the last segment's padding: keep offsets inside
            f.truncate(offset)
