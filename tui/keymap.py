"""Every key tdbg answers, in one table with ids.

The footer, the ``?`` help screen, the command palette and README's keys table
(tests/test_tui_units.py compares it) are generated from these lists; ``[keys]`` in
~/.config/tdbg/config.toml overrides keys by id (``next = "f10,j"``) through
textual's keymap support.
"""
from __future__ import annotations

from textual.binding import Binding

# pane id -> (number key, title), in Tab order. A digit goes to its pane, showing it if
# it is hidden (narrow: picks the tab), as the titles ("3 Stack") suggest; v then the
# digit shows or hides it. Eleven panes, ten digits: the source is always shown and has
# no number (Esc comes back to it); the digit row 1 … 0 runs from threads to the memory map.
PANES: dict[str, tuple[str, str]] = {
    "source": ("", "Source"), "threads": ("1", "Threads"), "registers": ("2", "Registers"),
    "stack": ("3", "Stack"), "locals": ("4", "Locals"), "breakpoints": ("5", "Breakpoints"),
    "memory": ("6", "Memory"), "disasm": ("7", "Disassembly"), "console": ("8", "Console"),
    "command": ("9", "Command"), "maps": ("0", "Memory map"),
}
HIDDEN_AT_START = {"threads", "maps"}      # shown with their number key

# A prefix, not a modifier: most terminals send nothing distinct for Ctrl+digit, and
# Alt+digit arrives as ESC then the digit, which textual reads as macOS Option's
# characters ("¡" for Alt+1), besides being some terminals' own tab switch.
PANE_MENU_KEY = "v"

# Debugger keys live on the main screen; none is `priority` except Ctrl+C and ":", so a
# focused input line still receives the letters typed into it.
DEBUGGER: list[Binding] = [
    Binding("f5,c", "continue", "Run/Cont", key_display="F5", id="continue",
            tooltip="Run the program, or continue it"),
    Binding("f10,n", "next", "Next", key_display="F10", id="next",
            tooltip="Next line, stepping over calls"),
    Binding("f11,s", "step", "Step", key_display="F11", id="step",
            tooltip="Step into the next line, entering calls"),
    Binding("shift+f11,f", "finish", "Finish", key_display="S-F11", id="finish",
            tooltip="Run until the current function returns"),
    Binding("f7,i", "stepi", "Stepi", key_display="F7", id="stepi",
            tooltip="Step one machine instruction"),
    Binding("f9,b", "toggle_breakpoint", "Break", key_display="F9", id="toggle-breakpoint",
            tooltip="Toggle a breakpoint on the cursor line"),
    Binding("ctrl+c", "interrupt", "Interrupt", key_display="^C", id="interrupt", priority=True,
            tooltip="Stop the running program"),
    Binding("r", "run", "Run", id="run", tooltip="Run the program, or restart it"),
    # priority: keys typed right after ":" (a fast typist, a paste) must land in the
    # input; an input types ":" itself (the command line: not at its start)
    Binding("colon", "command_line", "Cmd", key_display=":", id="command-line", priority=True,
            tooltip="Type a command (break, print, x/8xb …)"),
    Binding("question_mark", "help", "Help", key_display="?", id="help", tooltip="All the keys"),
    Binding("q", "quit_tdbg", "Quit", id="quit", tooltip="Quit (asks while the program is alive)"),
    Binding("u", "frame_up", "Up a frame", show=False, id="frame-up",
            tooltip="Select the calling frame (gdb's up)"),
    Binding("d", "frame_down", "Down a frame", show=False, id="frame-down",
            tooltip="Select the frame it called (gdb's down)"),
    Binding("tab", "next_pane", "Next pane", show=False, id="next-pane"),
    Binding("shift+tab", "previous_pane", "Previous pane", show=False, id="previous-pane"),
    Binding("ctrl+o", "open_file", "Open source file", show=False, id="open-file"),
    Binding("escape", "focus_source", "Back to the source", show=False, id="focus-source"),
    *[Binding(n, f"focus_pane('{pid}')", f"Go to {title}", show=False, id=f"pane-{n}",
              tooltip=f"Go to the {title} pane (showing it if hidden)")
      for pid, (n, title) in PANES.items() if n],
    Binding(PANE_MENU_KEY, "pane_menu", "Show/hide a pane…", show=False, id="pane-menu",
            tooltip="Show or hide a pane: v, then its number"),
]

SOURCE: list[Binding] = [
    Binding("slash", "search", "Search", key_display="/", show=False, id="source-search"),
    # active only while a search is (check_action); otherwise n is "next" again
    Binding("n", "search_next", "Next match", show=False, id="source-search-next"),
    Binding("N", "search_previous", "Previous match", show=False, id="source-search-prev"),
    Binding("escape", "clear_search", "Clear search", show=False, id="source-clear-search"),
    Binding("up,k", "cursor(-1)", "Cursor up", show=False),
    Binding("down,j", "cursor(1)", "Cursor down", show=False),
    Binding("pageup", "cursor_page(-1)", "Page up", show=False),
    Binding("pagedown", "cursor_page(1)", "Page down", show=False),
    Binding("home,g", "cursor_home", "Top", show=False),
    Binding("end,G", "cursor_end", "Bottom", show=False),
    Binding("period", "show_pc", "Go to pc", key_display=".", show=False, id="source-show-pc",
            tooltip="Back to the selected frame's line"),
]

STACK: list[Binding] = [
    Binding("up,k", "cursor_up", "Frame above", show=False, id="stack-up",
            tooltip="Select the frame one row up (toward frame 0)"),
    Binding("down,j", "cursor_down", "Frame below", show=False, id="stack-down",
            tooltip="Select the frame one row down (toward main)"),
]

DISASM: list[Binding] = [
    Binding("up,k", "move(-1)", "Cursor up", show=False, id="disasm-up"),
    Binding("down,j", "move(1)", "Cursor down", show=False, id="disasm-down"),
]

BREAKPOINTS: list[Binding] = [
    Binding("space", "toggle_enabled", "Enable/disable", id="bp-toggle"),
    Binding("d,delete", "delete", "Delete", id="bp-delete"),
    Binding("e", "edit_condition", "Condition", id="bp-condition"),
    Binding("enter", "jump", "Go to source", show=False, id="bp-jump"),
]

MEMORY: list[Binding] = [
    Binding("g", "goto", "Go to address", id="memory-goto"),
    Binding("e", "edit", "Edit byte", id="memory-edit"),
    Binding("left", "move(-1)", "Previous byte", show=False),
    Binding("right", "move(1)", "Next byte", show=False),
    Binding("up", "scroll_rows(-1)", "Up", show=False),
    Binding("down", "scroll_rows(1)", "Down", show=False),
    Binding("pageup", "scroll_page(-1)", "Page up", show=False),
    Binding("pagedown", "scroll_page(1)", "Page down", show=False),
]

REGISTERS: list[Binding] = [
    Binding("x", "toggle_sse", "SSE regs", id="registers-sse"),
]

CONSOLE: list[Binding] = [
    Binding("ctrl+d", "eof", "EOF", show=False, id="console-eof",
            tooltip="End of input for the program (its stdin line)"),
]
COMMAND: list[Binding] = [
    Binding("up", "history(-1)", "History back", show=False, id="command-history-back"),
    Binding("down", "history(1)", "History forward", show=False, id="command-history-forward"),
    Binding("tab", "complete", "Complete", show=False, id="command-complete"),
    Binding("escape", "leave", "Leave", show=False, id="command-leave"),
]

# For the help screen: (section, bindings)
SECTIONS: list[tuple[str, list[Binding]]] = [
    ("Debugger", DEBUGGER), ("Source", SOURCE), ("Stack", STACK), ("Disassembly", DISASM),
    ("Breakpoints", BREAKPOINTS), ("Memory", MEMORY), ("Registers", REGISTERS),
    ("Console", CONSOLE), ("Command line", COMMAND),
]

# What the mouse does, for the same screen: (section, gesture, what)
MOUSE: list[tuple[str, str, str]] = [
    ("Source", "click the gutter", "Toggle a breakpoint on that line"),
    ("Stack", "click a row", "Select that frame"),
    ("Threads", "click a row", "Switch to that thread"),
]


def what(b: Binding) -> str:
    """A binding's line of help."""
    return b.tooltip or b.description


def keys_of(b: Binding, overrides: dict[str, str] | None = None) -> str:
    """A binding's keys, as configured ([keys] in config.toml may change them)."""
    return (overrides or {}).get(b.id, b.key) if b.id else b.key


def key_label(keys: str) -> str:
    """'shift+f11,f' -> 'Shift+F11 / f' for people."""
    names = {"colon": ":", "question_mark": "?", "slash": "/", "period": ".", "space": "Space",
             "escape": "Esc", "enter": "Enter", "delete": "Del", "pageup": "PgUp",
             "pagedown": "PgDn", "tab": "Tab"}
    out = []
    for k in keys.split(","):
        k = k.strip()
        if k in names:
            out.append(names[k])
        elif len(k) > 1:
            out.append("+".join(p.upper() if p.startswith("f") and p[1:].isdigit() else p.capitalize()
                                for p in k.split("+")))
        else:
            out.append(k)
    return " / ".join(out)


def _key_markdown(keys: str) -> str:
    """'f5,c' -> 'F5 / `c`': what is typed as a character in backticks, named keys as they are."""
    out = []
    for k in keys.split(","):
        label = key_label(k)
        out.append(f"`{label}`" if len(label) == 1 else label)
    return " / ".join(out)


def markdown_keys() -> str:
    """README's keys table (tests/test_tui_units.py keeps README.md equal to it): the keys of
    the whole debugger screen, the pane digits in one row."""
    lines = ["| key | action |", "| --- | --- |"]
    digits = [b for b in DEBUGGER if b.action.startswith("focus_pane(")]
    for b in DEBUGGER:
        if b in digits[1:]:
            continue
        if b is digits[0]:
            panes = ", ".join(f"{n} {title.lower()}" for n, title in PANES.values() if n)
            lines.append(f"| `{digits[0].key}` … `{digits[-1].key}` | Go to a pane, showing it if "
                         f"hidden: {panes} |")
        else:
            lines.append(f"| {_key_markdown(b.key)} | {what(b)} |")
    return "\n".join(lines) + "\n"
