"""The user's values in expressions, diffed against gdb 13 on tests/programs/values_user.c:
the value history (`$`, `$$`, `$N`, `$$N` and their errors), convenience variables
(`set $x`, `$x++`, void when unset), `$_`/`$__` after `x`, `$_exitcode`/`$_exitsignal`,
`$_hit_bpnum`/`$_hit_locno`, `show values`,
`$_siginfo` after a SIGSEGV, and FUNC::name / 'file.c'::name with gdb's errors.
"""
from __future__ import annotations

import batch_diff
import pytest
from batch_diff import gdb
from conftest import needs_gdb

from tdbg.backend.symbols import cexpr

pytestmark = needs_gdb


def assert_same(binary, commands, args=()) -> str:
    return "\n".join(batch_diff.assert_same(binary, commands, args, names=True))


@pytest.fixture(scope="module")
def prog(build):
    return build("values_user")


def test_history_and_its_errors(prog):
    out = assert_same(prog, [
        "p $1", "p $", "p $$", "p $$2", "p $0", "p 5", "p $", "p $$", "p $$1", "p $1 + 1", "p $$3",
        "p $4", "p $0", "p $$0", "p $9", "p $99999999999", "p $$99999999999", "p $-1", "p $ 1",
        "p 7", "p $", "p $1 = 3", "p $1++", "p ++$1", "p $1 += 1", "p $1.x", "whatis $",
        "p table", "p $[2]", "p &$", "p sizeof($)"])
    assert "History has not yet reached $1." in out and "$1 = 5" in out


def test_convenience_variables(prog):
    out = assert_same(prog, [
        "p $x", "p $_exitcode", "p $_siginfo", "set $x = 4", "p $x * 2", "p $x++", "p $x", "p ++$x",
        "p $x += 2", "p $y += 2", "p $z++", "p ++$z", "whatis $z", "set $w = 1.5", "p $w++", "p $w",
        "set $s = table", "p $s", "p $s[1]", "p &$s", "p &$x", "p $$$", "p $_siginfo = 1",
        "set $x = counter", "p $x", "p $x = 9", "p counter"])
    assert "$4 = 8" in out


def test_x_sets_last_address_and_contents_and_exit_sets_exitcode(prog):
    assert_same(prog, [
        "p $_exitcode", "break add", "run", "x/2xw table", "p $_", "p $__", "x/2i $pc", "p $_", "p $__",
        "x/3xb &counter", "p $_", "p $__", "x/2xg table", "p $_", "p $__", "whatis $__",
        "x/2c table", "p $_", "x/2dh table", "p $_", "p $__", "x/ag $sp", "p $_",
        "x/s table", "p $_", "p $__", "display/i $pc", "p $_", "undisplay 1",
        "p $_siginfo.si_signo", "p $_siginfo.si_code",
        "delete", "continue", "p $_exitcode", "p $_exitsignal", "p $_exitcode + 1"])


def test_siginfo_and_exit_values_after_a_crash(prog):
    out = assert_same(prog, [
        "p $_siginfo", "run", "p $_siginfo", "p $_siginfo._sifields._sigfault.si_addr",
        "p $_siginfo.si_signo", "p/x $_siginfo.si_code", "p $_siginfo._sifields._sigfault",
        "whatis $_siginfo", "whatis $_siginfo._sifields", "p sizeof($_siginfo)",
        "whatis $_siginfo._sifields._kill.si_pid", "p $_siginfo._sifields._sigchld",
        "p &$_siginfo", "p $_siginfo.nope", "p $_siginfo = 1", "p $_exitcode", "continue",
        "p $_exitcode", "p $_exitsignal", "p $_siginfo"], args=("crash",))
    assert "si_addr = 0x8" in out and "$11 = 11" in out


def test_function_and_file_scopes(prog):
    assert_same(prog, [
        "p add::total", "p add::zz", "p add::a", "p main::r", "p add::counter", "p 'values_user.c'::calls",
        "p 'values_user.c'::nope", "p 'nofile.c'::calls", "p nofunc::x", "p counter::x",
        "break add", "run", "p add::a", "p add::b + add::a", "p add::total", "p main::argc",
        "p add::r", "finish", "p add::a", "p main::r", "p add::total", "p *&add::total",
        "p 'values_user.c'::counter"])


def test_a_static_of_the_same_name_in_two_files(build):
    binary = build("where_static_a", extra_sources=("where_static_b",))
    assert_same(binary, [
        "p 'where_static_a.c'::counter", "p 'where_static_b.c'::counter",
        "p &'where_static_b.c'::counter", "p 'where_static_b.c'::nope", "p call_b::x",
        "p $_hit_bpnum", "break call_b", "break helper", "run", "p $_hit_bpnum", "p $_hit_locno",
        "p helper::x", "continue", "p $_hit_bpnum", "p $_hit_locno",
        "p counter", "p helper::x", "p call_b::x", "p main::argc",
        "p 'where_static_a.c'::counter", "p 'where_static_b.c'::counter", "p main::counter",
        "p call_b::counter", "p clamp::lo", "continue", "p $_hit_locno", "p helper::y", "next",
        "p $_hit_bpnum"])


def test_the_parser_keeps_calls_and_history_apart():
    assert cexpr.parse("f(1, x)")[0] == "call"
    callee, args = cexpr.parse("f(1, x)")[1:]
    assert callee == ("name", "f", None) and len(args) == 2
    assert cexpr.parse("$") == ("hist", 0) and cexpr.parse("$$") == ("hist", -1)
    assert cexpr.parse("$$4") == ("hist", -4) and cexpr.parse("$12") == ("hist", 12)
    assert cexpr.parse("$$x") == ("reg", "$x") and cexpr.parse("'puts@plt'") == ("name", "puts@plt", None)


async def test_show_values_prints_the_history_anew(prog):
    from tests.helpers import session_for
    prints = ["p table", "p &counter", "p puts", "p 'values_user.c'::calls", *(f"p {i}" for i in range(5, 13))]
    shows = ["", "3", "+", "+"]
    theirs = gdb(prog, [*prints, *(f"show values {a}".strip() for a in shows)]).splitlines()[len(prints):]
    ours: list[str] = []
    async with session_for(prog) as (s, rec):
        assert (await s.data.show_values_text()) == ""
        for p in prints:
            assert (await s.execute(p)).ok
        for a in shows:
            text = (await s.execute(f"show values {a}".strip())).text     # the command itself
            ours += text.splitlines() if text else []
    assert ours == theirs and "$12 = 12" in ours


def test_a_call_goes_to_the_environments_call_hook():
    from test_cexpr import INT, FakeEnv

    from tdbg.backend.errors import ExpressionError
    from tdbg.backend.symbols.values import Value

    env = FakeEnv()
    env.define("x", INT, (5).to_bytes(4, "little"))
    # no hook at all: an env without a process; a None hook: a condition's env
    with pytest.raises(ExpressionError, match="You can't do that without a process to debug."):
        cexpr.evaluate("x(1)", env)
    env.call_function = None
    with pytest.raises(ExpressionError, match="Calling functions of the program is not supported."):
        cexpr.evaluate("x(1)", env)
    seen = []

    def call_function(callee, args, e, return_type):
        seen.append((callee.as_int(), [a.as_int() for a in args], e is env, return_type))
        return Value.from_int(INT, 42)
    env.call_function = call_function
    assert cexpr.evaluate("x(1, x + 2) + 1", env).as_int() == 43
    assert cexpr.evaluate("(long) x(2)", env).as_int() == 42
    assert seen[0] == (5, [1, 7], True, None)
    assert seen[1][:3] == (5, [2], True) and seen[1][3].name == "long"
