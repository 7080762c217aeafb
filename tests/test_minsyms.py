"""Minimal symbols (ELF symbols without debug info: libc's, _start, PLT stubs) in
expressions, diffed against gdb 13 on tests/programs/values_user.c. tests/batch_diff.py
hides libc's separate debug info, so gdb shows `<text variable, no debug info>`.
"""
from __future__ import annotations

import batch_diff
import pytest
from batch_diff import gdb
from conftest import needs_gdb

from tdbg.backend.inspect.minsyms import lookup_minimal_symbol
from tdbg.backend.program.program import Program

pytestmark = needs_gdb


def assert_same(binary, commands) -> str:
    return "\n".join(batch_diff.assert_same(binary, commands, names=True,
                                            skip=("(No debugging symbols found in",)))


@pytest.fixture(scope="module")
def prog(build):
    return build("values_user")


_EXPRS = ["p puts", "p &puts", "p *puts", "whatis puts", "ptype puts", "ptype &puts", "whatis &puts",
          "p -puts", "p ~puts", "p !puts", "p puts == puts", "p 'puts'", "p 'pu'",
          # data without debug info: only & and casts take it
          "p _IO_stdin_used", "p &_IO_stdin_used", "whatis _IO_stdin_used", "ptype _IO_stdin_used",
          "whatis &_IO_stdin_used", "p sizeof(_IO_stdin_used)", "p _IO_stdin_used + 1",
          "p *_IO_stdin_used", "p (int)_IO_stdin_used", "p/x *(short *)&_IO_stdin_used",
          # an extern declaration gives the symbol its type
          "p environ", "p &environ", "whatis environ",
          "p _start", "p &_start", "p nosuchsym", "p main", "p &main"]


def test_before_run_a_name_means_the_plt_stub(prog):
    out = assert_same(prog, [*_EXPRS, "p 'puts@plt'", "p &'puts@plt'"])
    assert "{<text variable, no debug info>} 0x" in out and "<puts@plt>" in out


def test_after_run_the_library_definition_wins(prog):
    out = assert_same(prog, ["break add", "run", *_EXPRS, "p puts + 1", "p __environ", "p &__environ",
                             "whatis __environ", "p *(char **)__environ != 0", "p *environ != 0",
                             "x/2i puts", "p $_", "p printf", "p &printf",
                             "p strlen", "p &strlen", "whatis strlen", "p malloc", "p errno",
                             "p (long)stdout == (long)&_IO_2_1_stdout_", "p &_IO_2_1_stdout_",
                             "p 'puts@plt'", "delete", "break puts", "continue", "bt 1"])
    assert "<puts>" in out and "in puts () from" in out


@pytest.mark.parametrize("flags", [("-g0",), ("-g0", "-s")], ids=["no-debug-info", "stripped"])
def test_a_program_without_debug_info(build, flags):
    binary = build("values_user", *flags)
    assert_same(binary, ["p main", "p counter", "p &counter", "p (int)counter", "p $1", "p 1", "p $",
                         "set $x = 3", "p $x", "p $pc", "ptype counter", "whatis main", "p sizeof(int)",
                         "p (char)65", "break *add", "run", "p add", "p (int)counter", "p nosuch",
                         "x/2xw &table", "p $_", "p $__", "p $_siginfo.si_signo", "p $_exitcode"])


def test_the_resolver_prefers_a_definition_to_a_stub(prog, build):
    p = Program(str(prog))
    stub = lookup_minimal_symbol(p, "puts")
    assert stub is not None and stub.name == "puts@plt" and stub.kind == "text"
    data = lookup_minimal_symbol(p, "_IO_stdin_used")
    assert data is not None and data.kind == "data" and not data.is_text
    assert lookup_minimal_symbol(p, "no_such_symbol_anywhere") is None
    # gdb agrees on the address (info address shows it before run)
    text = gdb(prog, ["info address puts"])
    assert f"is at {stub.addr:#x} " in text
