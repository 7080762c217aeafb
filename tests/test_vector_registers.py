"""x87, SSE and AVX registers as gdb 13 shows them, diffed against gdb on
tests/programs/vec_regs.c (known values in st0/st1, xmm0/xmm1 and, on a CPU with AVX, ymm0):
`info registers` of single registers and of gdb's groups, `info all-registers`, `$xmm0`
and `$ymm0` as unions (lanes as half/bfloat16/float/double/ints, uint128), members and
elements, caller frames (the FP registers are not unwound), bad names and members."""
from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import batch_diff
import pytest
from conftest import needs_gdb

pytestmark = needs_gdb


def _cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


FLAGS = _cpu_flags()


def _stack_decimal(line: str) -> str:
    # a stack address's decimal twin in `info registers` (its hex is lines()' 0xSTACK)
    return re.sub(r"^(\w+ +0xSTACK +)\d+$", r"\1N", line)


assert_same = partial(batch_diff.assert_same, exits=False, names=True, fix=_stack_decimal)


@pytest.fixture(scope="module")
def prog(build):
    return build("vec_regs")


def test_sse_and_x87_registers_match_gdb(prog):
    ours = "\n".join(assert_same(prog, [
        "info registers xmm0", "p $xmm0",
        "break check", "run",
        "info registers xmm0 xmm1 mxcsr st0 st1 fstat ftag", "p $xmm0", "p $xmm1",
        "p $xmm0.v4_int32[2]", "p/x $xmm0.uint128", "p $xmm1.uint128", "p $xmm0.v8_half",
        "p $xmm1.v8_bfloat16", "p $xmm0.v2_double", "p/x $xmm1", "p $xmm0.v16_int8",
        "whatis $xmm0", "ptype $xmm0", "whatis $xmm0.v4_int32", "p $xmm0.v4_int32[1] + 1",
        "whatis $xmm0.v8_half[0]", "whatis $xmm0.v8_bfloat16[0]", "p $xmm0.v8_bfloat16[3] * 2",
        "p $st1", "p $st0 + $st1", "whatis $st0", "p $mxcsr", "whatis $mxcsr", "p $fctrl",
        "info registers float", "info registers sse",
        "up", "info registers xmm1 st1 mxcsr", "p $xmm1.v4_int32", "p $st1", "down",
        "p $xmm99", "p $xmm0.nope", "p $xmm0.v4_int32[4]", "info registers xmm99",
        "info registers $xmm1 pc"]))
    assert re.search(r"^xmm1 +\{v8_bfloat16 = \{0xff, 0x0, .*uint128 = 0xff000000ff000000ff\}$",
                     ours, re.M), ours
    assert "v4_int32 = {1065353216, -1068953637, 305419896, -1}" in ours
    assert re.search(r"^st1 +7\.5 +\(raw 0x4001f000000000000000\)$", ours, re.M), ours
    assert re.search(r"^mxcsr +0x1f80 +\[ IM DM ZM OM UM PM \]$", ours, re.M), ours
    assert "\n$3 = 305419896\n" in ours and "Invalid register `xmm99'" in ours


def test_avx_groups_and_all_registers_match_gdb(prog):
    if "avx512f" in FLAGS:
        pytest.skip("AVX-512 registers (k0-7, zmm) are not shown yet")
    avx = "avx" in FLAGS
    # with AVX, vzeroall leaves every upper half known; without, ymm is void in both
    ours = "\n".join(assert_same(prog, [
        "break check", "run", "p $ymm0.v8_int32", "p $ymm0", "p/x $ymm1.v2_int128",
        "whatis $ymm0", "whatis $ymm0.v16_half[0]", "info registers ymm0 ymm1", "info registers vector",
        "info registers general", "info registers system", "info all-registers",
        "up", "info all-registers"], args=("avx",) if avx else ()))
    if avx:
        assert "$1 = {1065353216, -1068953637, 305419896, -1, 5, 6, 2139095039, -2147483648}" in ours, ours
        assert re.search(r"^ymm15 +\{v16_bfloat16 = \{0x0 <repeats 16 times>\}", ours, re.M), ours
    assert re.search(r"^st0 +1 +\(raw 0x3fff8000000000000000\)$", ours, re.M), ours
