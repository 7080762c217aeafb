"""TUI pieces that need no tracee: key table, themes, persistence, CLI parsing."""
from __future__ import annotations

import json
import os

from tdbg.backend import events as ev
from tdbg.backend.batch import describe_event as event_text
from tdbg.tui import bpstore, cli, config, keymap, theming
from tdbg.tui.panes.memory import parse_address
from tdbg.tui.panes.registers import decode_eflags


def test_key_table_ids_unique_and_actions_exist():
    from tdbg.tui.app import TdbgApp
    ids = [b.id for _, bs in keymap.SECTIONS for b in bs if b.id]
    assert len(ids) == len(set(ids))
    for b in keymap.DEBUGGER:
        name = b.action.split("(")[0]
        assert hasattr(TdbgApp, f"action_{name}"), b.action
    required = {"continue": "f5", "next": "f10", "step": "f11", "finish": "shift+f11",
                "toggle-breakpoint": "f9", "stepi": "f7", "interrupt": "ctrl+c", "run": "r",
                "quit": "q", "command-line": "colon", "next-pane": "tab", "previous-pane": "shift+tab"}
    by_id = {b.id: b.key.split(",") for b in keymap.DEBUGGER}
    for bid, key in required.items():
        assert key in by_id[bid], bid
    assert {f"pane-{n}" for n in "1234567890"} <= set(by_id)
    # a digit goes to its pane; showing and hiding is `v` then the digit (keymap.py: why)
    assert all(b.action.startswith("focus_pane(") for b in keymap.DEBUGGER
               if b.id and b.id.startswith("pane-") and b.id[5:].isdigit())
    assert by_id["pane-menu"] == [keymap.PANE_MENU_KEY]
    assert by_id["frame-up"] == ["u"] and by_id["frame-down"] == ["d"]


def test_readme_keys_table_is_the_keymap():
    """README's keys table is generated from the key table: a key changed in one place only
    fails here (paste `python -c "from tdbg.tui import keymap; print(keymap.markdown_keys())"`)."""
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    section = readme.split("### Keys\n\n", 1)[1]
    table = section[:section.index("\n\n") + 1]
    assert table == keymap.markdown_keys()
    # every key of the debugger screen is in it, the digits in their one row
    for b in keymap.DEBUGGER:
        if not b.action.startswith("focus_pane("):
            assert f"| {keymap.what(b)} |" in table, b.id
    assert "| `1` … `0` |" in table


def test_key_labels():
    assert keymap.key_label("shift+f11,f") == "Shift+F11 / f"
    assert keymap.key_label("colon") == ":"


def test_themes_are_data_with_tdbg_variables():
    themes = {t.name: t for t in theming.tdbg_themes()}
    assert set(themes) == {"tdbg-dark", "tdbg-light", "tdbg-high-contrast"}
    for t in themes.values():
        for var in ("tdbg-pc-line", "tdbg-bp-enabled", "tdbg-bp-disabled", "tdbg-changed"):
            assert var in t.variables, (t.name, var)
    assert themes["tdbg-light"].dark is False
    assert theming.resolve_name("high_contrast") == "tdbg-high-contrast"
    assert theming.resolve_name("light") == "tdbg-light"


def test_no_colour_literals_outside_palettes():
    """Colours live only in themes/*.toml: not in .tcss values, not in Python."""
    import re
    from pathlib import Path
    hex_value = re.compile(r":[^;{}]*#[0-9a-fA-F]{3,8}\b")
    themes = Path(theming.__file__).resolve().parents[1] / "themes"
    for tcss in themes.glob("*.tcss"):
        assert not hex_value.search(tcss.read_text()), tcss
    for py in Path(theming.__file__).parent.rglob("*.py"):
        assert not re.search(r"[\"']#[0-9a-fA-F]{6}[\"']", py.read_text()), py


def test_config_round_trip_respects_xdg(isolated):
    config.save_config(theme="tdbg-light", keys={"next": "f10,j"})
    assert config.config_path().is_relative_to(isolated / "config")
    assert config.load_config() == {"theme": "tdbg-light", "keys": {"next": "f10,j"}}
    config.add_recent("/bin/true", ["a"])
    config.add_recent("/bin/true", ["b"])
    recent = config.load_recent()
    assert len(recent) == 1 and recent[0]["args"] == ["b"]


def test_broken_config_is_ignored(isolated):
    config.config_path().parent.mkdir(parents=True)
    config.config_path().write_text("theme = [unclosed")
    assert config.load_config() == {}


def _bp(id, file, line, **kw):
    return ev.BreakpointInfo(id, "breakpoint", f"{file}:{line}", (0x1000 + line,), kw.get("enabled", True),
                             False, kw.get("condition"), 0, 0, ev.SourceLocation(file, line))


def test_breakpoints_follow_small_edits(isolated):
    lines = ["int main() {", "  int a = 1;", "  a++;", "  return a;", "}"]
    bpstore.save("/bin/true", [_bp(1, "/src/x.c", 3, condition="a > 0"), _bp(2, "/src/x.c", 4, enabled=False)],
                 lambda f, n: lines[n - 1])
    saved = bpstore.load("/bin/true")
    assert [(s.line, s.text, s.condition, s.enabled) for s in saved] == [
        (3, "  a++;", "a > 0", True), (4, "  return a;", None, False)]
    edited = ["// new", "// lines", *lines]
    assert [bpstore.anchor(s, edited) for s in saved] == [5, 6]
    assert bpstore.anchor(saved[0], ["nothing", "alike"]) is None
    data = json.loads(bpstore.store_path("/bin/true").read_text())
    assert data["program"] == os.path.realpath("/bin/true")


def test_cli_splits_program_arguments():
    assert cli.split_argv(["-ex", "run", "./prog", "-x", "y"]) == (["-ex", "run"], ["./prog", "-x", "y"])
    assert cli.split_argv(["--batch", "--args", "./p", "1"]) == (["--batch", "--args"], ["./p", "1"])
    assert cli.split_argv(["--theme", "light"]) == (["--theme", "light"], [])
    ns = cli.build_parser().parse_args(["-ex", "a", "-x", "f", "-ex", "b"])
    assert ns.script == [("ex", "a"), ("x", "f"), ("ex", "b")]


def test_cli_bad_input_is_one_line(capsys, tmp_path):
    assert cli.main(["--batch", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert err.strip().endswith("No such file or directory.") and err.count("\n") == 1
    assert cli.main(["--batch", str(tmp_path)]) == 1
    assert "Is a directory" in capsys.readouterr().err
    assert cli.main(["--theme", "purple", "/bin/true"]) == 1


def test_batch_event_lines():
    assert event_text(ev.Exited(7, 0)) == "[Inferior 1 (process 7) exited normally]"
    assert event_text(ev.Exited(7, 3)) == "[Inferior 1 (process 7) exited with code 03]"
    assert event_text(ev.Exited(7, 8)) == "[Inferior 1 (process 7) exited with code 010]"   # gdb: 0%o
    assert "Program terminated with signal SIGKILL, Killed." in event_text(ev.Signaled(7, 9, "SIGKILL"))


def test_eflags_and_addresses():
    assert decode_eflags(0x246) == "[ PF ZF IF ]"
    assert decode_eflags(0) == "[  ]"
    assert parse_address("0x7ffe0010") == 0x7FFE0010
    assert parse_address("(int *) 0x5555deadbeef") == 0x5555DEADBEEF
    assert parse_address("$1 = 1234") == 1234
    assert parse_address("no") is None


def test_process_list_marks_ourselves():
    from tdbg.tui.procs import list_processes
    procs = {p.pid: p for p in list_processes()}
    me = procs[os.getpid()]
    assert not me.traceable and "tdbg itself" in me.reason and me.fix


def test_demo_binary_builds_into_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    from tdbg.tui.demo import demo_binary
    out = demo_binary()
    assert out.is_file() and os.access(out, os.X_OK) and out.is_relative_to(tmp_path)
    mtime = out.stat().st_mtime
    assert demo_binary().stat().st_mtime == mtime       # not rebuilt when up to date


def test_tui_never_touches_ptrace():
    """tui/ talks to the Session only: no ctypes, no ptrace, no backend internals (ARCHITECTURE).
    (preview: main's source before the Session exists, for the first frame.)"""
    import ast
    from pathlib import Path
    allowed = {"tdbg.backend.commands", "tdbg.backend.session", "tdbg.backend.events", "tdbg.backend.errors",
               "tdbg.backend.batch", "tdbg.backend.program.preview"}
    for path in Path(theming.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert name.split(".")[0] != "ctypes", path
                if name.startswith("tdbg.backend"):
                    assert name in allowed or name == "tdbg.backend", (path, name)
