"""`set` and `show`: gdb's settings (settings_table.py), and `set [var] EXPR`."""
from __future__ import annotations

import re
from importlib import metadata

from ..errors import CommandError
from . import settings_table as st
from .registry import CommandInterpreter, command

# gdb's `set print` subcommands tdbg takes without effect (`gdb -batch -ex "help set print"`)
_PRINT_IGNORED = frozenset((
    "address array array-indexes asm-demangle demangle elements entry-values finish frame-info "
    "inferior-events max-depth max-symbolic-offset memory-tag-violations nibbles null-stop "
    "object pascal_static-members raw-frame-arguments raw-values repeats sevenbit-strings "
    "static-members symbol symbol-filename symbol-loading thread-events type union vtbl").split())

_FOOTER = ['Type "help {0}" followed by {0} subcommand name for full documentation.',
           'Type "apropos word" to search for commands related to "word".',
           'Type "apropos -v word" for full documentation of commands related to "word".',
           "Command name abbreviations are allowed if unambiguous."]


def subcommands_text(verb: str, prefix: str) -> str:
    """gdb's list for a prefix without a subcommand (`set print`, `help show`)."""
    where = f"{verb} {prefix}".strip()
    rows = [line for line in st.help_lines(verb) if line.startswith(where + " ")]
    return "\n".join([f"List of {where} subcommands:", "", *rows, ""]
                     + [f.format(where) for f in _FOOTER])


def _rest_after(arg: str, nwords: int) -> str:
    """The text after the first nwords words, its own spacing kept (`set args a  b`)."""
    m = re.match(r"^\s*(?:\S+\s+){" + str(nwords) + "}", arg + " ")
    return (arg + " ")[m.end():].rstrip() if m else ""


def _first_words() -> set[str]:
    return {s.name.split()[0] for s in st.SETTINGS}


async def set_setting(ci: CommandInterpreter, arg: str) -> str:
    words = arg.split()
    first = words[0]
    known_first = first in _first_words() or first in st.IGNORED_SET
    if not known_first and (first.startswith("$") or "=" in arg):
        return await set_expression(ci, arg)      # set $r = 1, set x = 3
    try:
        s, prefix, rest = st.resolve(words)
    except st.Ambiguous as e:
        raise CommandError(e.text("set")) from None
    if s is None:
        if not prefix:
            if first in st.IGNORED_SET:
                return ""
            return await set_expression(ci, arg)     # gdb: not a setting, so an expression
        if not rest:
            return subcommands_text("set", prefix)
        if prefix == "print" and any(w.startswith(rest[0]) for w in _PRINT_IGNORED):
            return ""
        raise CommandError(f'Undefined set {prefix} command: "{" ".join(rest)}".  '
                           f'Try "help set {prefix}".')
    raw = _rest_after(arg, len(words) - len(rest))
    value = await st.parse_value(ci, s, raw)
    await s.set(ci, value, raw)
    return ""


async def show_setting(ci: CommandInterpreter, arg: str) -> str:
    words = arg.split()
    if not words:
        return "\n".join([f"{s.name}:  {await _sentence(ci, s)}" for s in st.SETTINGS])
    if "version".startswith(words[0]) and len(words[0]) >= 2:
        try:
            version = metadata.version("tdbg")
        except metadata.PackageNotFoundError:
            version = "unknown"
        return f"tdbg {version}"
    if words[0] == "values":          # gdb's `show values [N|+]`: the value history
        return await ci.s.data.show_values_text(" ".join(words[1:]))
    try:
        s, prefix, rest = st.resolve(words)
    except st.Ambiguous as e:
        raise CommandError(e.text("show")) from None
    if s is not None:
        return await _sentence(ci, s)
    if prefix and not rest:
        return "\n".join([f"{x.name}:  {await _sentence(ci, x)}" for x in st.SETTINGS
                          if x.name.startswith(prefix + " ")])
    where = f"show {prefix}".strip()
    raise CommandError(f'Undefined {where} command: "{" ".join(rest)}".  Try "help {where}".')


async def _sentence(ci: CommandInterpreter, s: st.Setting) -> str:
    return s.sentence.format(st.shown(s, await s.get(ci)))


_SET_USAGE = "\n".join([
    "Usage: set var VAR = EXP  (or set $REG = EXP, set EXPR = EXP), or set SETTING VALUE.",
    "",
    "List of set subcommands:",
    "",
    *st.help_lines("set"),
    "",
    "gdb's " + ", ".join(x for x in st.IGNORED_SET if x != "print"),
    "and its other print settings are accepted and have no effect."])

_SHOW_USAGE = "\n".join(["Usage: show SETTING", "", "List of show subcommands:", "",
                         *st.help_lines("show"),
                         "show values -- Elements of value history around item number IDX (or last ten).",
                         "show version -- Show what version of tdbg this is."])


@command("set", group="data", help="Evaluate expression EXP and assign result to variable VAR.",
         usage=_SET_USAGE)
async def _set(ci: CommandInterpreter, arg: str) -> str | None:
    if not arg.strip():
        raise CommandError("Argument required (expression to compute).")
    m = re.match(r"^(var|variable)\b\s*(.*)$", arg)
    if m:
        return await set_expression(ci, m.group(2))
    return await set_setting(ci, arg)


# an assignment operator, `++`/`--` or a comma outside parentheses and brackets
_ASSIGNS = re.compile(r"<<=|>>=|[-+*/%&|^]=|(?<![=!<>])=(?!=)|\+\+|--|,")


def _assigns(expr: str) -> bool:
    """gdb's set_command warns when the expression's top operation is no assignment;
    this looks at the operators outside any parentheses, brackets and quotes."""
    depth, flat = 0, []
    for ch in re.sub(r"'(\\.|[^'])*'|\"(\\.|[^\"])*\"", "0", expr):
        depth += ch in "([" and 1 or -(ch in ")]")
        flat.append(ch if depth == 0 or ch in "([" else " ")
    return bool(_ASSIGNS.search("".join(flat)))


async def set_expression(ci: CommandInterpreter, expr: str) -> str:
    """`set [var] EXPR`: evaluated for its effect."""
    await ci.s.data.evaluate(expr)
    return "" if _assigns(expr) else "warning: Expression is not an assignment (and might have no effect)"


@command("show", group="status",
         help="Generic command for showing things about the debugger.", usage=_SHOW_USAGE)
async def _show(ci: CommandInterpreter, arg: str) -> str | None:
    return await show_setting(ci, arg)
