"""gdb's echo, output and printf end a line only where their text does
(backend/commands/registry.py `raw`, backend/batch.py `say`): the bytes tdbg --batch
writes equal gdb's, at top level, in a breakpoint's command list and in a user command."""
from __future__ import annotations

from batch_diff import gdb, tdbg
from conftest import mark_line, needs_gdb

pytestmark = needs_gdb


def test_echo_output_printf_bytes(build, tmp_path):
    prog = build("inferior_switch")
    script = tmp_path / "raw.gdb"
    script.write_text("\n".join([
        "define show2", "output $arg0", "echo |", "printf \"%d;\", $arg0 * 2", "end",
        f"break {mark_line('inferior_switch', 'parent_body')}", "commands", "silent", "output n",
        "echo \\n", "end"]) + "\n")
    commands = ["echo hi\\n", "echo a", "echo b\\n", "output 5", "output 6", 'printf "%d", 7',
                'printf "x%d\\n", 8', "p 1", f"source {script}", "show2 21", "echo \\n", "run",
                "output/x 255", "echo \\n"]
    ours, theirs = tdbg(prog, commands), gdb(prog, commands)
    skip = ("[Thread debugging", "Using host libthread_db", "[Detaching after fork", "parent got=",
            "[Inferior 1 (process")
    def keep(text: str) -> str:
        return "".join(ln for ln in text.splitlines(keepends=True) if not ln.startswith(skip))
    assert keep(ours) == keep(theirs), (ours, theirs)
    assert ours.startswith("hi\nab\n567x8\n$1 = 1\n") and "\n21|42;\n" in ours and "\n3\n0xff\n" in ours
