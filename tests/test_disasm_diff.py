"""Disassembly text against gdb, byte for byte (backend/att_printer.py).

1. gdb as the oracle: the same `x/Ni` and `disassemble` commands through `tdbg
   --batch` and `gdb -batch`, AT&T and Intel, on our programs at -O0/-O2 (main)
   and on a libc function stopped in (its `=>` line included); the disassembly
   lines must be identical, nothing normalized.
2. objdump as the oracle, for breadth: gdb 13 prints with the libopcodes of
   binutils 2.40, which `objdump -d` shares. Slices of libc, the test programs
   and an assembled zoo of rarer encodings (x87, string ops, prefixes, EVEX
   masks/broadcast/rounding...) are printed instruction by instruction and
   compared with objdump's text, rewritten to gdb's address conventions
   (objdump says `call 1139 <f>`, `# 4010 <x>`, gdb `call 0x1139 <f>`,
   `# 0x4010 <x>`; symbols are left out on both sides).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import time

import pytest
from batch_diff import gdb, tdbg
from conftest import needs_gdb

from tdbg.backend.disasm import att_printer

_DISASM_LINE = re.compile(r"^(=> |   )0x[0-9a-f]+|^Dump of assembler code|^End of assembler dump")


def disassembly(out: str) -> list[str]:
    return [line for line in out.splitlines() if _DISASM_LINE.match(line)]


def script(libc_function: str) -> list[str]:
    cmds = ["break main", "run"]
    for flavor in ("att", "intel"):
        cmds += [f"set disassembly-flavor {flavor}", "x/80i main", "disassemble"]
    cmds += [f"break {libc_function}", "continue"]
    for flavor in ("intel", "att"):
        cmds += [f"set disassembly-flavor {flavor}", "x/150i $pc", "disassemble"]
    return cmds


@needs_gdb
@pytest.mark.parametrize("name,opt,libc_function", [
    ("demo", "-O0", "printf"),
    ("demo", "-O2", "malloc"),
    ("step_flow", "-O2", "printf"),
    ("thr_storm", "-O2", "pthread_create"),
    ("values_opt", "-O2", "printf"),
])
def test_same_as_gdb(build, name, opt, libc_function):
    prog = build(name, opt)
    cmds = script(libc_function)
    want = disassembly(gdb(prog, ["set debug-file-directory /nonexistent", *cmds]))
    got = disassembly(tdbg(prog, cmds))
    assert len(want) > 300 and sum(line.startswith("=> ") for line in want) >= 4, want[:20]
    diff = [(w, g) for w, g in zip(want, got, strict=False) if w != g]
    assert not diff and len(got) == len(want), diff[:10] or (len(got), len(want))


@needs_gdb
def test_display_i_pc(build):
    prog = build("demo", "-O0")
    cmds = ["break main", "run", "display/i $pc", "display/3i $pc", "display"]
    want = gdb(prog, ["set debug-file-directory /nonexistent", *cmds]).splitlines()
    got = tdbg(prog, cmds).splitlines()
    last = lambda lines: len(lines) - 1 - lines[::-1].index("1: x/i $pc")   # (`display`'s)
    assert got[last(got):] == want[last(want):] and len(want) - last(want) == 6


# ---- objdump over many instructions -----------------------------------------------------

needs_objdump = pytest.mark.skipif(shutil.which("objdump") is None or shutil.which("as") is None,
                                   reason="binutils not installed")
_OBJDUMP_LINE = re.compile(r"^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(.*)$")
_BRANCHES = re.compile(r"\b(j[a-z]+|call|lcall|loop[a-z]*|xbegin)\b")


def objdump(path, *args: str) -> list[tuple[int, bytes, str, str]]:
    """(address, bytes, AT&T text, Intel text) of each instruction objdump prints,
    its addresses written as gdb writes them, symbols dropped."""
    texts = []
    for flavor in ((), ("-M", "intel")):
        out = subprocess.run(["objdump", "-d", "-w", "-z", *flavor, *args, str(path)],
                             capture_output=True, text=True, check=True).stdout
        rows = {}
        for line in out.splitlines():
            m = _OBJDUMP_LINE.match(line)
            if m:
                rows[int(m.group(1), 16)] = (bytes.fromhex(m.group(2).replace(" ", "")),
                                             _gdb_style(m.group(3)))
        texts.append(rows)
    return [(a, b, t, texts[1][a][1]) for a, (b, t) in texts[0].items()
            if a in texts[1] and "(bad)" not in t and not _cut_short(t)]


def _cut_short(text: str) -> bool:
    """objdump's rows for an instruction cut by --stop-address: `.byte 0xf`, `rex.W`."""
    return text.startswith(".byte") or re.fullmatch(
        r"rex(\.[WRXB]+)?|data16|addr32|repz|repnz|lock|[c-gs]s", text) is not None


def _gdb_style(text: str) -> str:
    text = re.sub(r" <[^>]*>", "", text)
    text = re.sub(r"        # ([0-9a-f]+)$", r"        # 0x\1", text)
    m = re.match(r"^(.*\s)([0-9a-f]+)$", text)
    if m and _BRANCHES.search(m.group(1)) and "# 0x" not in text:
        text = m.group(1) + "0x" + m.group(2)
    return text.rstrip()


def assert_like_objdump(rows) -> None:
    bad = []
    for addr, raw, att, intel in rows:
        for want, is_intel in ((att, False), (intel, True)):
            got = [i.text() for i in att_printer.disasm(raw + b"\x90" * 16, addr, 1, is_intel)]
            if got != [want]:
                bad.append((raw.hex(), want, got))
    assert not bad, f"{len(bad)} of {len(rows)} differ: {bad[:10]}"


def _libc() -> str:
    out = subprocess.run(["ldd", "/bin/true"], capture_output=True, text=True).stdout
    m = re.search(r"(/\S+/libc\.so\.6)", out)
    return m.group(1) if m else "/lib/x86_64-linux-gnu/libc.so.6"


@needs_objdump
@pytest.mark.parametrize("part", range(4))
def test_libc_like_objdump(part):
    """Eight 6 KiB slices of libc's .text per part, evenly spread (the AVX2/EVEX
    string functions are in there)."""
    libc = _libc()
    head = subprocess.run(["objdump", "-h", "-w", libc], capture_output=True, text=True,
                          check=True).stdout
    m = re.search(r"\s\.text\s+([0-9a-f]+)\s+([0-9a-f]+)", head)
    size, start = int(m.group(1), 16), int(m.group(2), 16)
    rows = []
    for k in range(8):
        lo = start + (size * (part * 8 + k)) // 32
        # (a slice may start mid-instruction and end in one: trim a few rows both ends)
        rows += objdump(libc, f"--start-address={lo:#x}", f"--stop-address={lo + 6144:#x}")[8:]
    assert len(rows) > 5000
    assert_like_objdump(rows)


@needs_objdump
@pytest.mark.parametrize("name,opt", [("demo", "-O0"), ("demo", "-O2"), ("thr_storm", "-O2"),
                                      ("step_inline", "-O2"), ("core_main", "-O2")])
def test_programs_like_objdump(build, name, opt):
    extra = ("core_asm",) if name == "core_main" else ()
    assert_like_objdump(objdump(build(name, opt, extra_sources=extra)))


ZOO = """
vaddps (%rax){1to16}, %zmm1, %zmm2
vaddpd 8(%rax){1to8}, %zmm1, %zmm2{%k3}
vaddps {rn-sae}, %zmm1, %zmm2, %zmm3
vaddps {rz-sae}, %zmm1, %zmm2, %zmm3{%k1}{z}
vcmpps $5, {sae}, %zmm1, %zmm2, %k1
vcvttsd2si {sae}, %xmm1, %eax
vcvtusi2sdq %rax, {rn-sae}, %xmm1, %xmm2
vpternlogq $0x96, (%rax){1to8}, %zmm1, %zmm2
vmovups %zmm1, (%rax){%k1}
vmovdqu8 (%rdi), %zmm1{%k1}{z}
vgatherdpd (%rax,%ymm1,8), %zmm2{%k1}
vpgatherdd %ymm1, (%rax,%ymm2,4), %ymm3
vpcmpub $4, (%rdi), %ymm18, %k1{%k2}
vpcmpd $3, %zmm1, %zmm2, %k1
vpcmpeqb %zmm1, %zmm2, %k1{%k2}
vcmpps $0x1f, %ymm1, %ymm2, %ymm3
vcmpltsd %xmm0, %xmm1, %xmm2
cmpnlesd %xmm1, %xmm4
cmpps $8, %xmm1, %xmm2
vfpclasspsz $3, (%rax), %k1
vcvtpd2psx (%rax), %xmm0
vcvtpd2psy (%rax), %xmm0
vmovq %xmm28, 0x40(%r9)
pclmulqdq $0x11, %xmm1, %xmm2
vpclmulqdq $0x10, %xmm1, %xmm2, %xmm3
sha256rnds2 %xmm0, %xmm1, %xmm2
blendvps %xmm0, %xmm1, %xmm2
fadd %st(3), %st
fadd %st, %st(3)
fsub %st, %st(3)
fsubr %st, %st(3)
fdivp %st, %st(2)
fsubrp %st, %st(1)
fucomip %st(1), %st
fcmovnbe %st(2), %st
ffreep %st(0)
fxch %st(1)
fstp %st(0)
fstcw (%rax)
fstsw %ax
fnstsw %ax
fclex
fildll (%rax)
fistps (%rax)
fisttpl (%rax)
fldt (%rax)
fstpt (%rax)
fadds (%rax)
fdivrl (%rax)
ficompl (%rax)
fldenv (%rax)
fxsave64 (%rax)
rep movsb
rep movsq
repz cmpsb
repnz scasb
rep stosq
lodsb
insb
outsw
xlat
movabs 0x1122334455667788, %al
movabs %eax, 0x1122334455667788
movabs $0x123456789, %rax
mov %fs:0x28, %rax
mov %fs:-0x8, %rax
mov 0x10, %eax
lea 0x0(,%rax,8), %rdx
lea 0x10(%eax,%ebx,2), %edx
nopw 0x0(%rax,%rax,1)
nopw %cs:0x0(%rax,%rax,1)
.byte 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
.byte 0x66, 0x66, 0x48, 0xe8, 0, 0, 0, 0
.byte 0x66, 0x48, 0x8d, 0x3d, 0, 0, 0, 0
.byte 0xf3, 0xc3
.byte 0x3e, 0x74, 0x00
xchg %ax, %ax
pause
endbr64
notrack jmp *%rax
bnd jmp *%rax
bnd ret
call *(%rax)
jmp *0x10(%rip)
lcall *(%rdx)
ljmp *(%rdx)
lret $8
enter $0x10, $1
leave
ret $8
iretq
pushf
popf
pushw (%rax)
push $-1
pop (%rax)
xbegin .+100
xabort $0xff
int $0x80
int3
syscall
ud2
hlt
in (%dx), %eax
out %al, $0x80
crc32b %al, %eax
crc32l (%rax), %eax
popcnt %eax, %eax
tzcnt (%rax), %rax
adcx %rax, %rbx
movq %xmm0, %rax
cvtsi2sdq (%rax), %xmm0
cvtsi2sd %eax, %xmm0
vcvtsi2sdl (%rax), %xmm1, %xmm2
comisd (%rax), %xmm0
movzbw (%rax), %ax
movswq (%rax), %rax
movslq (%rax), %rax
movsxd %eax, %eax
cbtw
cltq
cqto
shl %eax
shlb $1, (%rax)
shll %cl, (%rax)
sal %cl, %eax
shrd %cl, %eax, %ebx
btsq $63, (%rax)
imul $-3, %eax, %eax
mull (%rax)
negq (%rax)
lock xaddq %rax, (%rbx)
lock cmpxchg16b (%rax)
testb $1, (%rax)
cmpq $-1, (%rax)
movw $0x1234, (%rax)
sub $-0x80, %rsp
and $0xfffffffffffffff0, %rsp
mov %cr0, %rax
mov %db7, %rax
lddqu (%rax), %xmm0
prefetchnta (%rax)
clflushopt (%rax)
kmovw %k1, %eax
vpbroadcastb (%rax), %zmm3
vextracti128 $1, %ymm1, (%rax)
.byte 0x66, 0x66, 0x66, 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0
.byte 0x0f, 0x1f, 0x44, 0, 0
.byte 0x48, 0x0f, 0x1f, 0x00
.byte 0x67, 0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff
.byte 0x67, 0x8b, 0x04, 0x25, 0xf0, 0xff, 0xff, 0xff
.byte 0x67, 0xa0, 0xf0, 0xff, 0xff, 0xff
.byte 0x67, 0xe3, 0x00
.byte 0x9b, 0xdb, 0xe2
.byte 0x9b
.byte 0xf0, 0x8b, 0xde
.byte 0x41, 0xff, 0xd3
.byte 0x40, 0x88, 0xf0
"""


@needs_objdump
def test_zoo_like_objdump(tmp_path):
    src = tmp_path / "zoo.s"
    src.write_text(".text\n" + ZOO)
    obj = tmp_path / "zoo.o"
    subprocess.run(["as", "--64", "-o", str(obj), str(src)], check=True, capture_output=True)
    rows = objdump(obj)
    assert len(rows) >= ZOO.count("\n") - 2
    assert_like_objdump(rows)


def test_speed_of_1000_instructions():
    """Decoding and printing stay cheap: the TUI does it around the pc at each stop
    (~8 ms for 1000 libc instructions here; the bound only catches a collapse)."""
    libc = _libc()
    with open(libc, "rb") as f:
        data = f.read()
    start = data.find(b"\xf3\x0f\x1e\xfa", 0x30000)          # somewhere in the code
    code = data[start:start + 15000]
    best = min(_timed(lambda: [i.text() for i in att_printer.disasm(code, start, 1000)])
               for _ in range(3))
    assert best < 0.1, best


def _timed(fn) -> float:
    t0 = time.perf_counter()
    out = fn()
    assert len(out) == 1000
    return time.perf_counter() - t0
