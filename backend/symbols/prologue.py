"""Prologue analysis: where a function's frame-pointer setup ends, as gdb's
amd64_analyze_prologue finds it (with amd64_analyze_stack_align for a
stack-realigning preamble)."""
from __future__ import annotations


def frame_setup_end(code: bytes, addr: int) -> int | None:
    """The address after `[endbr64] push %rbp; mov %rsp,%rbp` (past an optional
    stack-realigning preamble) in `code`, the function's first bytes at `addr`;
    None when the code does not set up a frame pointer."""
    code = code.ljust(32, b"\0")
    pc = _stack_align_end(code)
    if code[pc:pc + 4] == b"\xf3\x0f\x1e\xfa":
        pc += 4
    if code[pc:pc + 1] != b"\x55" or code[pc + 1:pc + 4] not in (b"\x48\x89\xe5", b"\x48\x8b\xec"):
        return None
    return addr + pc + 4


def _stack_align_end(code: bytes) -> int:
    """amd64_analyze_stack_align: length of a stack-realigning preamble, or 0."""
    try:
        if code[0] & 0xFB == 0x48 and code[1] == 0x8D and code[3] == 0x24 and code[4] == 0x08:
            if code[2] & 0xC7 != 0x44:                     # leaq 8(%rsp), %reg
                return 0
            reg = ((code[2] >> 3) & 7) + (8 if code[0] == 0x4C else 0)
            off = 5
        else:
            reg, off = 0, 0                                # pushq %reg; leaq 16(%rsp), %reg
            if code[0] & 0xF6 == 0x40 and code[1] & 0xF8 == 0x50:
                reg, off = (8 if code[0] & 1 else 0), 1
            elif code[0] & 0xF8 != 0x50:
                return 0
            reg += code[off] & 7
            off += 1
            if code[off] & 0xFB != 0x48 or code[off + 1] != 0x8D or code[off + 3] != 0x24 \
                    or code[off + 4] != 0x10 or code[off + 2] & 0xC7 != 0x44:
                return 0
            if ((code[off + 2] >> 3) & 7) + (8 if code[off] == 0x4C else 0) != reg:
                return 0
            off += 5
        if reg in (4, 5) or code[off] != 0x48 or code[off + 2] != 0xE4 or code[off + 1] not in (0x81, 0x83):
            return 0
        off += 7 if code[off + 1] == 0x81 else 4
        r = 0                                              # pushq -8(%reg)
        if code[off] == 0xFF:
            off += 1
        elif code[off] & 0xF6 == 0x40 and code[off + 1] == 0xFF:
            r, off = (8 if code[off] & 1 else 0), off + 2
        else:
            return 0
        if code[off + 1] != 0xF8 or code[off] & 0xF8 != 0x70 or r + (code[off] & 7) != reg:
            return 0
        return off + 2
    except IndexError:
        return 0
