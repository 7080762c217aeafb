"""`tdbg` alone: pick a recent program, type a path, or attach to a process.

The process list is read in a thread (psutil only, no Session), filtered with
textual's fuzzy matcher, and each process we could not trace says why and how
to fix it.
"""
from __future__ import annotations

import os
import shlex

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from . import config
from .fuzzy import score
from .procs import ProcInfo, list_processes, ptrace_scope


class StartScreen(Screen):
    BINDINGS = [
        Binding("ctrl+r", "refresh", "Refresh processes", id="start-refresh"),
        Binding("escape", "quit_app", "Quit", id="start-quit"),
        Binding("tab", "app.focus_next", "Next", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="start")
        self.procs: list[ProcInfo] = []
        self.shown: list[ProcInfo] = []
        self.recent = config.load_recent()

    def compose(self) -> ComposeResult:
        yield Label(" tdbg — open a program or attach to a process", id="start-title")
        with Horizontal(id="start-body"):
            with Vertical(id="start-left", classes="pane"):
                yield Label("Program to debug (path and arguments):")
                yield Input(placeholder="./prog arg1 arg2   (Enter opens)", id="start-path")
                yield Label("Recent programs:")
                options = [Option(self._recent_label(r), id=str(i)) for i, r in enumerate(self.recent)]
                yield OptionList(*options, id="start-recent")
            with Vertical(id="start-right", classes="pane"):
                yield Input(placeholder="filter processes (fuzzy: name, pid, user, command)",
                            id="start-filter")
                table: DataTable[str] = DataTable(id="start-procs", cursor_type="row", zebra_stripes=True)
                table.add_column("pid", key="pid", width=7)
                table.add_column("user", key="user", width=10)
                table.add_column("name", key="name", width=16)
                table.add_column("can attach?", key="why", width=34)
                table.add_column("command", key="cmd")
                yield table
                yield Label("", id="start-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#start-left").border_title = "Open"
        self.query_one("#start-right").border_title = "Attach"
        if not self.recent:
            self.query_one("#start-recent", OptionList).add_option(
                Option("(none yet)", id="none", disabled=True))
        scope = ptrace_scope()
        note = ("ptrace_scope: " + {0: "0 (any process of yours)", 1: "1 (only children, unless root)",
                                    2: "2 (root only)", 3: "3 (disabled)"}.get(scope, str(scope))
                if scope is not None else "yama ptrace_scope: not present (same-user attach allowed)")
        self.query_one("#start-note", Label).update(note)
        self.query_one("#start-path", Input).focus()
        self.action_refresh()

    @staticmethod
    def _recent_label(r: dict) -> str:
        args = " ".join(shlex.quote(a) for a in r.get("args", []))
        return f"{r['path']}{'  ' + args if args else ''}"

    # -- processes -------------------------------------------------------------
    def action_refresh(self) -> None:
        self._load_procs()

    @work(thread=True, exclusive=True, group="procs", exit_on_error=False)
    def _load_procs(self) -> None:
        procs = sorted(list_processes(), key=lambda p: (not p.traceable, -p.pid))
        self.app.call_from_thread(self._set_procs, procs)

    def _set_procs(self, procs: list[ProcInfo]) -> None:
        self.procs = procs
        self._apply_filter(self.query_one("#start-filter", Input).value)

    @on(Input.Changed, "#start-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    def _apply_filter(self, query: str) -> None:
        query = query.strip()
        if query:
            scored = [(score(query, f"{p.name} {p.pid} {p.user} {p.cmdline[:300]}"), p)
                      for p in self.procs]
            self.shown = [p for s, p in sorted(scored, key=lambda sp: -sp[0]) if s > 0]
        else:
            self.shown = list(self.procs)
        table = self.query_one("#start-procs", DataTable)
        table.clear()
        for p in self.shown[:2000]:
            why = "yes" if p.traceable else f"no: {p.reason}"
            table.add_row(str(p.pid), p.user[:10], p.name[:16], why, p.cmdline[:200], key=str(p.pid))

    @on(Input.Submitted, "#start-filter")
    def _filter_submitted(self) -> None:
        if self.shown:
            self._attach_process(self.shown[0])

    @on(DataTable.RowSelected, "#start-procs")
    def _proc_selected(self, event: DataTable.RowSelected) -> None:
        pid = int(str(event.row_key.value))
        proc = next((p for p in self.shown if p.pid == pid), None)
        if proc is not None:
            self._attach_process(proc)

    def _attach_process(self, proc: ProcInfo) -> None:
        if not proc.traceable:
            self.notify(f"Cannot trace {proc.pid} ({proc.name}): {proc.reason}.\nFix: {proc.fix}",
                        severity="error", timeout=8)
            return
        self.app.pop_screen()
        self.app.open_debugger(pid=proc.pid)  # type: ignore[attr-defined]

    # -- programs ---------------------------------------------------------------
    @on(Input.Submitted, "#start-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        try:
            words = shlex.split(event.value)
        except ValueError as e:
            self.notify(str(e), severity="error")
            return
        if words:
            self._open_program(words[0], words[1:])

    @on(OptionList.OptionSelected, "#start-recent")
    def _recent_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id.isdigit():
            r = self.recent[int(event.option.id)]
            self._open_program(r["path"], r.get("args", []))

    def _open_program(self, path: str, args: list[str]) -> None:
        path = os.path.expanduser(path)
        if not os.path.exists(path):
            self.notify(f"{path}: No such file or directory.", severity="error")
            return
        self.app.pop_screen()
        self.app.open_debugger(program=path, args=args)  # type: ignore[attr-defined]

    def action_quit_app(self) -> None:
        self.app.exit()
