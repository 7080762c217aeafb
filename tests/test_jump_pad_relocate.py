"""A fast breakpoint's covered instructions moved into the pad (backend/breaks/relocate.py).

Hand-assembled functions are planned and placed as fast_sites.py does (plan_cover,
build_stub); the stub's relocated part is decoded with capstone: every branch must
reach its original absolute target, a call must push the ORIGINAL return address, and
whatever cannot move says why.
"""
from __future__ import annotations

import struct

import capstone
import pytest

from tdbg.backend.breaks.jump_pad import build_stub, plan_cover
from tdbg.backend.breaks.relocate import NoJump
from tdbg.backend.inspect.cond_compile import Compiled

SITE = 0x5555_5555_1000          # a PIE address: the return address's high half matters
PAD = SITE - (1 << 24)
_cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)


def _stub(code: bytes, site_off: int = 0, pad: int = PAD):
    """The stub for a function `code` at SITE with the breakpoint at SITE+site_off."""
    def read(addr: int, n: int) -> bytes:
        return code[addr - SITE:addr - SITE + n]
    cover = plan_cover(SITE + site_off, read, (SITE, SITE + len(code)), [], [])
    return build_stub(cover, Compiled(b"\x31\xc0", [(0, 0)]), pad, ("c",))


def moved(code: bytes, site_off: int = 0, pad: int = PAD) -> list[capstone.CsInsn]:
    """The relocated instructions at R, decoded at their pad addresses."""
    stub = _stub(code, site_off, pad)
    return list(_cs.disasm(stub.code[stub.resume:], stub.addr + stub.resume))


def _pushed(push: capstone.CsInsn, mov: capstone.CsInsn) -> int:
    """The 64-bit value `push imm32; mov dword [rsp+4], imm32` leaves at [rsp]."""
    assert push.mnemonic == "push" and mov.mnemonic == "mov" and mov.op_str.startswith("dword ptr [rsp + 4]")
    lo = struct.unpack_from("<i", push.bytes, 1)[0] & 0xFFFF_FFFF
    hi = struct.unpack_from("<I", mov.bytes, 4)[0]
    return lo | hi << 32


def _imm(insn: capstone.CsInsn) -> int:
    return int(insn.op_str, 16)


NOPS = b"\x90" * 16
RET = b"\xc3"


def test_short_jcc_becomes_rel32_to_the_same_target():
    # je +0x10; mov rdi,rax; nops; ret
    code = b"\x74\x13" + b"\x48\x89\xc7" + NOPS + RET
    out = moved(code)
    assert out[0].bytes[:2] == bytearray(b"\x0f\x84") and out[0].mnemonic == "je"
    assert _imm(out[0]) == SITE + 0x15
    assert (out[1].mnemonic, out[1].op_str) == ("mov", "rdi, rax")
    assert out[2].mnemonic == "jmp" and _imm(out[2]) == SITE + 5


def test_long_jcc_and_every_condition_code():
    for cc in range(16):
        code = bytes((0x0F, 0x80 | cc)) + struct.pack("<i", 0x10) + NOPS + RET
        out = moved(code)
        assert out[0].bytes[:2] == bytearray((0x0F, 0x80 | cc))
        assert _imm(out[0]) == SITE + 6 + 0x10
        assert _imm(out[1]) == SITE + 6
    short = moved(bytes((0x7C, 0x10)) + b"\x48\x89\xc7" + NOPS + RET)
    assert short[0].mnemonic == "jl" and _imm(short[0]) == SITE + 0x12


def test_jmp_rel8_and_rel32():
    out = moved(b"\xeb\x13" + b"\x48\x89\xc7" + NOPS + RET)
    assert out[0].bytes[0] == 0xE9 and _imm(out[0]) == SITE + 0x15
    out = moved(b"\xe9" + struct.pack("<i", 0x10) + NOPS + RET)
    assert out[0].bytes[0] == 0xE9 and _imm(out[0]) == SITE + 0x15
    assert len(out[0].bytes) == 5


def test_jrcxz_and_loop_keep_their_condition():
    for op, name in ((0xE3, "jrcxz"), (0xE2, "loop"), (0xE1, "loope"), (0xE0, "loopne")):
        out = moved(bytes((op, 0x13)) + b"\x48\x89\xc7" + NOPS + RET)
        base = out[0].address
        assert out[0].mnemonic == name and _imm(out[0]) == base + 4    # taken: the far jump
        assert out[1].mnemonic == "jmp" and _imm(out[1]) == base + 9   # not taken: on
        assert out[2].mnemonic == "jmp" and _imm(out[2]) == SITE + 0x15
        assert (out[3].mnemonic, out[3].op_str) == ("mov", "rdi, rax")


def test_call_pushes_the_original_return_address():
    # mov edi,eax; call +0x20 (the callee lies after the nops)
    code = b"\x89\xc7" + b"\xe8" + struct.pack("<i", 0x20) + NOPS * 3 + RET
    out = moved(code)
    assert (out[0].mnemonic, out[0].op_str) == ("mov", "edi, eax")
    assert _pushed(out[1], out[2]) == SITE + 7
    assert out[3].mnemonic == "jmp" and _imm(out[3]) == SITE + 7 + 0x20


def test_low_return_address_pushed_whole():
    """A non-PIE address below 2**31 and one with bit 31 set (sign extension undone)."""
    code = b"\x89\xc7" + b"\xe8" + struct.pack("<i", 0x20) + NOPS * 3 + RET
    for site in (0x401000, 0x8000_1000):
        def read(addr: int, n: int, site: int = site) -> bytes:
            return code[addr - site:addr - site + n]
        cover = plan_cover(site, read, (site, site + len(code)), [], [])
        stub = build_stub(cover, Compiled(b"\x31\xc0", [(0, 0)]), site + 0x100000, ("c",))
        out = list(_cs.disasm(stub.code[stub.resume:], stub.addr + stub.resume))
        assert _pushed(out[1], out[2]) == site + 7
        assert _imm(out[3]) == site + 0x27


def test_indirect_calls_become_jumps_after_the_push():
    for raw, text in ((b"\xff\xd0", "rax"), (b"\x41\xff\xd3", "r11"),
                      (b"\xff\x50\x08", "qword ptr [rax + 8]")):
        code = b"\x48\x89\xc7" + raw + NOPS + RET
        out = moved(code)
        end = SITE + 3 + len(raw)
        assert _pushed(out[1], out[2]) == end
        assert (out[3].mnemonic, out[3].op_str) == ("jmp", text)


def test_rip_relative_indirect_call_reads_the_same_slot():
    # mov rdi,rax; call [rip+0x100]: the slot is at the call's end + 0x100
    code = b"\x48\x89\xc7" + b"\xff\x15" + struct.pack("<i", 0x100) + NOPS + RET
    out = moved(code)
    assert _pushed(out[1], out[2]) == SITE + 9
    jmp = out[3]
    assert jmp.mnemonic == "jmp" and jmp.bytes[:2] == bytearray(b"\xff\x25")
    disp = struct.unpack_from("<i", jmp.bytes, 2)[0]
    assert jmp.address + jmp.size + disp == SITE + 9 + 0x100


def test_ret_copied():
    code = b"\x48\x89\xc7" + b"\x5d" + RET + NOPS
    out = moved(code)
    assert [i.mnemonic for i in out[:3]] == ["mov", "pop", "ret"]


@pytest.mark.parametrize("code,why", [
    (b"\xff\xd0" + b"\x48\x89\xc7" + NOPS + RET, "covers a call whose return address lies inside the jump (call)"),
    (b"\x48\x89\xc7" + b"\xff\x54\x24\x08" + NOPS + RET, "covers a call through rsp (call qword ptr [rsp + 8])"),
    (b"\x48\x89\xc7" + b"\xff\xd4" + NOPS + RET, "covers a call through rsp (call rsp)"),
    (b"\x48\x89\xc7" + b"\xff\x1c\x24" + NOPS + RET, "covers a far call (call)"),
    (b"\x0f\x05" + b"\x48\x89\xc7" + NOPS + RET, "covers an interrupt or system call (syscall)"),
    (b"\xcc" + b"\x48\x89\xc7\x90" + NOPS + RET, "covers an interrupt or system call (int3)"),
    (b"\x74\x01" + b"\x48\x89\xc7" + NOPS + RET, "a jump target lies inside the covered instructions"),
    (b"\xe3\x01" + b"\x48\x89\xc7" + NOPS + RET, "a jump target lies inside the covered instructions"),
    (b"\x66\x74\x13" + b"\x48\x89\xc7" + NOPS + RET, "covers a branch with a prefix it cannot keep (je)"),
    (b"\x48\x74\x13" + b"\x48\x89\xc7" + NOPS + RET, "covers a branch (je)"),
    (b"\xc7\xf8\x10\x00\x00\x00" + NOPS + RET, "covers a branch (xbegin)"),
    (b"\x48\x89\xc7" + b"\xff\xe0" + NOPS + RET, "the function has an indirect jump (a jump table may land inside the covered bytes)"),
])
def test_refused_with_a_reason(code, why):
    with pytest.raises(NoJump) as e:
        moved(code)
    assert str(e.value) == why


def test_target_out_of_range_from_the_pad():
    code = b"\x74\x13" + b"\x48\x89\xc7" + NOPS + RET
    with pytest.raises(NoJump, match="a branch target is out of jump range from the pad"):
        moved(code, pad=SITE - (1 << 31) - 0x100)


def test_a_jump_to_the_site_itself_stays_allowed():
    """A tight loop back to the breakpoint's own address: it enters the stub again."""
    code = b"\x48\x89\xc7" + b"\x75\xfb" + NOPS + RET       # jne site
    out = moved(code)
    assert out[1].mnemonic == "jne" and _imm(out[1]) == SITE
