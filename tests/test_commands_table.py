"""The command table (backend/commands/registry.py): `help` in gdb 13's shapes, lookup by
alias and unique prefix, and the table's own invariants; the TUI's help screen and palette
list the same commands."""
from __future__ import annotations

import io
import subprocess

import pytest
from conftest import have_gdb, needs_gdb
from helpers import session_for
from test_tui_support import isolated, wait_for  # noqa: F401

from tdbg.backend.commands import ALIASES, COMMANDS, GROUPS, CommandInterpreter

ABBREVIATIONS = "Command name abbreviations are allowed if unambiguous."


@pytest.fixture
def prog(build):
    return build("cond_names")


def gdb_help(*args: str) -> tuple[str, str]:
    """gdb's own help (stdout, stderr): the oracle for the shapes."""
    p = subprocess.run(["gdb", "-nx", "-batch", *(a for arg in args for a in ("-ex", arg))],
                       capture_output=True, text=True, timeout=60)
    return p.stdout, p.stderr


# ---- the table --------------------------------------------------------------------------------
def test_every_command_has_a_group_and_a_help_line():
    assert COMMANDS
    for name, c in COMMANDS.items():
        assert c.name == name
        assert c.group in GROUPS, name
        assert c.help.strip() and "\n" not in c.help and c.help.endswith("."), name
        assert callable(c.handler), name


def test_every_alias_resolves_to_its_command():
    ci = CommandInterpreter.__new__(CommandInterpreter)     # lookup needs no session
    for name, c in COMMANDS.items():
        assert ci.lookup(name) == name
        for a in c.aliases:
            assert ALIASES[a] == name
            assert ci.lookup(a) == name
            assert a not in COMMANDS, a                      # an alias never hides a command
    assert set(ALIASES) == {a for c in COMMANDS.values() for a in c.aliases}


def test_groups_are_gdbs_classes():
    if not have_gdb():
        pytest.skip("gdb not installed")
    out, _ = gdb_help("help")
    for group, text in GROUPS.items():
        assert f"{group} -- {text}" in out.splitlines()


# ---- help ---------------------------------------------------------------------------------------
async def test_help_lists_the_classes(prog):
    async with session_for(prog) as (s, _):
        r = await s.execute("help")
    assert r.ok
    lines = r.text.split("\n")
    assert lines[:2] == ["List of classes of commands:", ""]
    assert lines[2:2 + len(GROUPS)] == [f"{g} -- {t}" for g, t in GROUPS.items()]
    assert lines[2 + len(GROUPS)] == ""
    assert lines[-1] == ABBREVIATIONS
    assert 'Type "help" followed by a class name for a list of commands in that class.' in lines


async def test_help_breakpoints_lists_that_class(prog):
    async with session_for(prog) as (s, _):
        r = await s.execute("help breakpoints")
    assert r.ok
    lines = r.text.split("\n")
    assert lines[:4] == ["Making program stop at certain points.", "", "List of commands:", ""]
    assert "break, b, br, brea -- Set breakpoint at specified location." in lines
    listed = [ln.split(" -- ")[0].split(", ")[0] for ln in lines[4:] if " -- " in ln]
    for name in ("awatch", "break", "clear", "condition", "delete", "disable", "enable", "ignore",
                 "rwatch", "tbreak", "watch"):
        assert name in listed
    assert listed == sorted(listed)
    assert all(COMMANDS[n].group == "breakpoints" for n in listed)
    assert lines[-1] == ABBREVIATIONS


@needs_gdb
def test_classes_and_help_lines_are_gdbs():
    """Each command is in gdb's class for it, with gdb's help line (gdb's `help all`
    names a command with its aliases; ours may be one of those aliases, as `tty` is)."""
    out, _ = gdb_help("help all")
    theirs: dict[str, list[tuple[str, str]]] = {}
    group = ""
    for ln in out.splitlines():
        if ln.startswith("Command class: "):
            group = ln.removeprefix("Command class: ")
        elif " -- " in ln:
            names, text = ln.split(" -- ", 1)
            for n in names.split(", "):
                theirs.setdefault(n, []).append((group, text))
    ours_not_gdbs = {"attach", "quit"}                      # they say tdbg where gdb says GDB
    for name, c in COMMANDS.items():
        assert name in theirs, name
        if name in ours_not_gdbs:
            assert c.group in [g for g, _ in theirs[name]], name
        else:
            assert (c.group, c.help) in theirs[name], name


async def test_help_of_an_alias_is_its_commands(prog):
    async with session_for(prog) as (s, _):
        by_alias = await s.execute("help b")
        by_name = await s.execute("help break")
        by_prefix = await s.execute("help brea")
        tb = await s.execute("help tb")
        advance = await s.execute("help advance")
        klass = await s.execute("help runn")
        everything = await s.execute("help all")
    assert by_alias.ok and by_alias.text == by_name.text == by_prefix.text
    lines = by_alias.text.split("\n")
    assert lines[:2] == ["break, b, br, brea", "Set breakpoint at specified location."]
    assert lines[2].startswith("Usage: break")
    assert tb.text.split("\n")[:2] == ["tbreak, tb", "Set a temporary breakpoint."]
    # no aliases: gdb starts with the help line
    assert advance.text.split("\n")[0] == COMMANDS["advance"].help
    assert klass.text.split("\n")[0] == "Running the program."          # a class by prefix
    assert "Command class: breakpoints" in everything.text.split("\n")
    assert "step, s -- Step program until it reaches a different source line." in everything.text


async def test_help_of_every_command(prog):
    async with session_for(prog) as (s, _):
        for name, c in COMMANDS.items():
            r = await s.execute(f"help {name}")
            assert r.ok, name
            assert c.help in r.text.split("\n")[:2], name


# ---- lookup -------------------------------------------------------------------------------------
async def test_unique_and_ambiguous_prefixes(prog):
    async with session_for(prog) as (s, _):
        echo = await s.execute("ech hello")                # unique prefix of echo
        brk = await s.execute("brea main")                 # an alias
        bre = await s.execute("bre depth")                 # a prefix of break only
        amb = await s.execute("dis 1")
        info = await s.execute("info b")
    assert echo.ok and echo.text == "hello"
    assert brk.ok and brk.text.startswith("Breakpoint 1 at ")
    assert bre.ok and bre.text.startswith("Breakpoint 2 at ")
    assert not amb.ok
    assert amb.text == 'Ambiguous command "dis": disable, disassemble, display.'
    assert info.ok and "main" in info.text


async def test_unknown_command(prog):
    async with session_for(prog) as (s, _):
        r = await s.execute("xyz")
        h = await s.execute("help xyz")
        odd = await s.execute("5 + 1")
    assert (r.ok, r.text) == (False, 'Undefined command: "xyz".  Try "help".')
    assert (h.ok, h.text) == (False, 'Undefined command: "xyz".  Try "help".')
    assert (odd.ok, odd.text) == (False, 'Undefined command: "5".  Try "help".')
    if have_gdb():
        _, err = gdb_help("help xyz")
        assert err.strip() == h.text


# ---- the TUI ------------------------------------------------------------------------------------
async def test_help_screen_and_palette_list_the_commands(isolated, build):  # noqa: F811

    from tdbg.tui.app import make_app
    from tdbg.tui.help_screen import HelpScreen

    app = make_app(program=str(build("demo")))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.main is not None and app.run_state == "idle")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        from textual.widgets import Static

        from tdbg.tui.help_screen import command_rows
        rows = command_rows()
        assert len(rows) == len(COMMANDS)
        assert ("break", "b, br, brea", COMMANDS["break"].help) in rows
        from rich.console import Console
        from rich.table import Table
        table = app.screen.query_one("#help-commands", Static).render()
        table = getattr(table, "_renderable", table)
        assert isinstance(table, Table) and table.row_count == len(COMMANDS)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(table)
        assert COMMANDS["break"].help in console.export_text()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        await pilot.press("ctrl+p")
        await pilot.press(*"Command: tbreak")
        await pilot.pause(0.3)
        await pilot.press("enter")
        inp = app.main.query_one("#command-input")
        await wait_for(pilot, lambda: inp.value == "tbreak " and app.focused is inp, what="tbreak typed")
        assert inp.cursor_position == len("tbreak ")
        await app.session.close()


def test_readme_command_reference_is_the_command_table():
    """README's command reference is generated from the table: a command added, renamed or
    re-described in one place only fails here (paste
    `python -c "from tdbg.backend.commands.reference import markdown_commands as m; print(m())"`)."""
    from pathlib import Path

    from tdbg.backend.commands.reference import markdown_commands
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("### Command reference\n\n", 1)[1]
    table = section[:section.index("\n\n") + 1]
    assert table == markdown_commands()
    assert all(f"| `{name}` |" in table for name in COMMANDS)
