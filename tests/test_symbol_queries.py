"""`info functions/variables/types`, `info scope`, `rbreak`, `pwd`, `cd`, `shell` and `!`,
diffed against gdb 13 on tests/programs/info_cmds.c (built from the repository root with
a relative source path, as test_info_commands.py does) and where_static_a.c +
where_static_b.c (a static `helper` and `counter` in each file, header-defined inlines)."""
from __future__ import annotations

from functools import partial

import batch_diff
import pytest
from conftest import ROOT, needs_gdb
from test_info_commands import _build  # info_cmds.c built as a user would, -O0/-O2

from tests.helpers import session_for

assert_same = partial(batch_diff.assert_same, cwd=ROOT, exits=False)


@pytest.fixture(scope="module")
def prog(tmp_path_factory):
    return _build(tmp_path_factory, "-O0")


# Each script runs tdbg and gdb once: a few long scripts rather than many short ones.
@needs_gdb
def test_info_functions_variables_types_like_gdb(prog):
    out = assert_same(prog, [
        "info functions", "info variables", "info types", "info functions ^[am]",
        "info variables -n ^s", "info types point", "info types -q ^nosuch",
        "info functions -q -n we", "info functions -n nosuch", "info functions weigh\\|add",
        "info functions \\(ad\\|mo\\)", "info variables -n", "info variables -- -n",
        "info functions -t char ^w", "info variables -t point", "info functions -t int",
        "info variables -t ^int$ -n g", "info functions -t",
        # bad regexps: gdb's regcomp messages
        "info functions [", "info variables \\(", "info types a\\",
        # once libraries are loaded: their ELF symbols are listed too
        "break move", "run", "info functions -n", "info functions ^weigh$",
        "info variables ^calls$", "info functions ^puts$", "info variables -q -n ^the_"])
    text = "\n".join(out)
    assert "File tests/programs/info_cmds.c:" in out
    assert "27:\tstatic int weigh(struct box, struct point *, int, char);" in out
    assert "14:\tint g;" in out and "15:\tstatic long s_count;" in out
    assert "6:\tstruct point;" in out and "\tunsigned long" in out
    assert "Non-debugging symbols:" in out and "Invalid regexp: Unmatched [ or [^" in out
    assert "  _start" in text and "  calls" in text


@needs_gdb
def test_info_scope_and_rbreak_like_gdb(prog):
    out = assert_same(prog, [
        "info scope move", "info scope main", "info scope weigh", "info scope *main",
        "info scope", "info scope nosuch",
        "rbreak ^[aw]", "rbreak ^mo", "rbreak [", "rbreak ^nosuch", "rbreak ^_init$",
        "info breakpoints", "delete 4", "run", "info scope add", "continue", "info scope weigh"])
    assert "Symbol calls is in static storage at address 0x" in "\n".join(out)
    assert out.count("static void move(struct point *);") == 1
    assert "int add(int, int);" in out and "<function, no debug info> _init;" in out


@needs_gdb
@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_two_files_with_the_same_static_names_like_gdb(build, opt):
    """Each file's static helper and counter under its own `File` header; rbreak puts
    a breakpoint on each helper, or on one file's with FILE:REGEX."""
    binary = build("where_static_a", opt, extra_sources=("where_static_b",))
    out = assert_same(binary, [
        "info functions -n", "info variables -n", "info types", "info functions -q helper",
        "info scope main", "info scope call_b" if opt == "-O0" else "info scope nosuch",
        "rbreak ^help", "rbreak where_static_b.c:^help", "info breakpoints", "run", "continue",
        "continue"])
    assert sum(line.startswith("File ") for line in out) >= 2
    if opt == "-O0":
        assert "10:\tstatic int helper(int);" in out and "7:\tstatic int helper(int);" in out
    else:
        assert "Symbol argc is multi-location:" in out


@needs_gdb
def test_pwd_cd_and_shell_like_gdb(prog, tmp_path):
    """cd moves the debugger and the program it runs next (`info proc cwd`); shell's
    output comes in its place among the commands'."""
    (tmp_path / "sub").mkdir()
    out = assert_same(prog, [
        "pwd", f"cd {tmp_path}/sub", "pwd", "cd ..", "pwd", "cd /nonexistent/dir", "pwd x",
        "shell echo out; echo err >&2; exit 3", "p $_shell_exitcode", "p $_shell_exitsignal",
        "!echo bang", "shell kill -9 $$", "p $_shell_exitsignal", "shell pwd",
        "break main", "run", "info proc cwd"])
    assert f"Working directory {tmp_path}." in out and "bang" in out and "$1 = 3" in out
    assert f"cwd = '{tmp_path}'" in out


async def test_shell_and_symbol_queries_through_a_session(build):
    """The command text the TUI's command pane shows (tui/panes/command.py)."""
    async with session_for(build("info_cmds")) as (s, _rec):
        r = await s.execute("shell echo from-shell")
        assert r.ok and r.text == "from-shell"
        r = await s.execute("info functions -n ^add$")
        assert r.ok and r.text.splitlines()[-1] == "21:\tint add(int, int);"
        r = await s.execute("info functions (")      # a literal ( in a POSIX basic regexp
        assert r.ok and r.text == 'All functions matching regular expression "(":'
        r = await s.execute("info types \\(")
        assert not r.ok and r.text == "Invalid regexp: Unmatched ( or \\("


def test_a_regex_matching_nothing_decodes_no_type(build):
    """Names are matched on the index scans (symbols/index/funcs.py, globals.py) first:
    a regex that picks nothing never opens the DWARF's DIE reader of types (pyelftools),
    and one that picks a name decodes only what it needs."""
    from tdbg.backend.inspect.symbol_search import search_text
    from tdbg.backend.program.program import Program

    prog = Program(str(build("where_static_a", extra_sources=("where_static_b",))))
    for kind in ("functions", "variables", "types"):
        assert search_text(prog, kind, "-q -n ^nosuch$") == ""
    assert prog.main._scopes is None and prog.main.debug._dwarf is None
    text = search_text(prog, "variables", "-n ^counter$")
    assert text.count("static int counter;") == 2 and prog.main._scopes is not None
