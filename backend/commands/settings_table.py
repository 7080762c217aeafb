"""gdb's settings as one table: `set NAME VALUE`, `show NAME` and `help set`/`help show`
all read the same rows (name, parser, getter, setter, gdb 13's show sentence).

Values the worker owns are read and written through `ci.s.settings` (backend/api/settings.py);
the few that only the command language uses (confirm, pagination, width, height) stay on
the interpreter, in `_local`.
"""
from __future__ import annotations

import os
import shlex
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CommandError

if TYPE_CHECKING:
    from .registry import CommandInterpreter

Value = str | bool | int | None
Getter = Callable[["CommandInterpreter"], Awaitable[Value]]
Setter = Callable[["CommandInterpreter", Value, str], Awaitable[None]]


@dataclass(frozen=True)
class Setting:
    name: str                       # gdb's words: "print pretty"
    kind: str                       # boolean | auto | enum | uinteger | integer | string
    help: str                       # `help set`'s line, without "Set "
    sentence: str                   # `show NAME`: "{}" is the value as gdb shows it
    get: Getter
    set: Setter
    choices: tuple[str, ...] = ()   # an enum's items, in gdb's order


# ---- parsing, as gdb's cli-setshow.c does ---------------------------------------------------
def parse_boolean(arg: str) -> bool:
    """parse_cli_boolean_value: no argument is on; prefixes of on/off/yes/no/enable/
    disable/1/0 ("o" alone is ambiguous)."""
    arg = arg.strip()
    if not arg:
        return True
    n = len(arg)
    if (n == 2 and arg == "on") or any(w.startswith(arg) for w in ("1", "yes", "enable")):
        return True
    if (n >= 2 and "off".startswith(arg)) or any(w.startswith(arg) for w in ("0", "no", "disable")):
        return False
    raise CommandError('"on" or "off" expected.')


def parse_auto(arg: str) -> str:
    """parse_auto_binary_operation: on, off or auto (a prefix of each word, "o" is on)."""
    arg = arg.strip()
    if arg:
        if any(w.startswith(arg) for w in ("on", "1", "yes", "enable")):
            return "on"
        if any(w.startswith(arg) for w in ("off", "0", "no", "disable")):
            return "off"
        if "auto".startswith(arg) or (len(arg) > 1 and "-1".startswith(arg)):
            return "auto"
    raise CommandError('"on", "off" or "auto" expected.')


def parse_enum(arg: str, choices: tuple[str, ...]) -> str:
    """parse_cli_var_enum: an item or an unambiguous prefix of one, nothing after it."""
    arg = arg.strip()
    if not arg:
        raise CommandError(f"Requires an argument. Valid arguments are {', '.join(choices)}.")
    word, _, after = arg.partition(" ")
    matches = [c for c in choices if c == word] or [c for c in choices if c.startswith(word)]
    if not matches:
        raise CommandError(f'Undefined item: "{word}".')
    if len(matches) > 1:
        raise CommandError(f'Ambiguous item "{word}".')
    if after.strip():
        raise CommandError(f'Junk after item "{word}": {after.strip()}')
    return matches[0]


async def parse_uinteger(ci: CommandInterpreter, arg: str, signed: bool = False) -> int | None:
    """A var_uinteger (signed: var_integer) with "unlimited" (None; 0 means it too): gdb
    evaluates the text as an expression, so `3+4` and symbols work and a bad name says so."""
    arg = arg.strip()
    if not arg:
        raise CommandError('Argument required (integer to set it to, or "unlimited").')
    if "unlimited".startswith(arg.split()[0]) and len(arg.split()) == 1:
        return None
    try:
        n = int(arg, 0)
    except ValueError:
        text = await ci.s.data.evaluate(arg)
        try:
            n = int(float(text.split()[0]))
        except (ValueError, IndexError):
            raise CommandError(f"Invalid number \"{arg}\".") from None
    if n < 0 and not signed:
        raise CommandError(f"integer {n} out of range")
    return n or None


# ---- values that live on the interpreter ---------------------------------------------------
_LOCAL: weakref.WeakKeyDictionary[CommandInterpreter, dict[str, Value]] = weakref.WeakKeyDictionary()
_LOCAL_DEFAULTS: dict[str, Value] = {
    "pagination": True,
    "width": None,          # tdbg never wraps or pages: gdb -batch's unlimited
    "height": None,
    "args text": None,      # `set args` as typed, while it is still what the program gets
}


def _local(ci: CommandInterpreter) -> dict[str, Value]:
    d = _LOCAL.get(ci)
    if d is None:
        d = _LOCAL[ci] = dict(_LOCAL_DEFAULTS)
    return d


def _local_row(key: str) -> tuple[Getter, Setter]:
    async def get(ci: CommandInterpreter) -> Value:
        return _local(ci)[key]

    async def put(ci: CommandInterpreter, value: Value, raw: str) -> None:
        _local(ci)[key] = value
    return get, put


# gdb's construct_inferior_arguments: what needs it is escaped with a backslash
_SPECIAL = set(" \t\n'\"\\")


def _escaped(args: list[str]) -> str:
    return " ".join("".join("\\" + c if c in _SPECIAL else c for c in a) or "''" for a in args)


async def _get_args(ci: CommandInterpreter) -> Value:
    args = ci.s.settings.args
    typed = _local(ci)["args text"]
    if isinstance(typed, str):
        try:
            if shlex.split(typed) == args:
                return typed
        except ValueError:
            pass
    return _escaped(args)


async def _set_args(ci: CommandInterpreter, value: Value, raw: str) -> None:
    text = raw.strip()
    try:
        words = shlex.split(text)
    except ValueError as e:
        raise CommandError(f"Invalid argument list: {e}") from None
    await ci.s.settings.set_args(words)
    _local(ci)["args text"] = text


async def _get_listsize(ci: CommandInterpreter) -> Value:
    return await ci.s.settings.listsize()


async def _set_listsize(ci: CommandInterpreter, value: Value, raw: str) -> None:
    await ci.s.settings.set_listsize(value if isinstance(value, int) else None)


async def _get_tty(ci: CommandInterpreter) -> Value:
    return ci.s.settings.tty or ""


async def _set_tty(ci: CommandInterpreter, value: Value, raw: str) -> None:
    await ci.s.settings.set_tty(raw.strip() or None)      # no device: tdbg's own terminal


async def _get_pending(ci: CommandInterpreter) -> Value:
    return await ci.s.settings.breakpoint_pending()


async def _set_pending(ci: CommandInterpreter, value: Value, raw: str) -> None:
    await ci.s.settings.set_breakpoint_pending(str(value))


async def _get_aslr_off(ci: CommandInterpreter) -> Value:
    return await ci.s.settings.disable_randomization()


async def _set_aslr_off(ci: CommandInterpreter, value: Value, raw: str) -> None:
    await ci.s.settings.set_disable_randomization(bool(value))


async def _get_flavor(ci: CommandInterpreter) -> Value:
    return await ci.s.settings.disassembly_flavor()


async def _set_flavor(ci: CommandInterpreter, value: Value, raw: str) -> None:
    await ci.s.settings.set_disassembly_flavor(str(value))


async def _get_confirm(ci: CommandInterpreter) -> Value:
    return getattr(ci, "confirm", True)


async def _set_confirm(ci: CommandInterpreter, value: Value, raw: str) -> None:
    ci.confirm = bool(value)          # queries answer themselves silently (registry.query_text)


async def _get_pretty(ci: CommandInterpreter) -> Value:
    return await ci.s.settings.print_pretty()


async def _set_pretty(ci: CommandInterpreter, value: Value, raw: str) -> None:
    await ci.s.settings.set_print_pretty(bool(value))


async def _get_frame_args(ci: CommandInterpreter) -> Value:
    return await ci.s.settings.frame_arguments()


async def _set_frame_args(ci: CommandInterpreter, value: Value, raw: str) -> None:
    await ci.s.settings.set_frame_arguments(str(value))


def _run_mode(field: str) -> tuple[Getter, Setter]:
    async def get(ci: CommandInterpreter) -> Value:
        return await ci.s.settings.run_mode(field)

    async def put(ci: CommandInterpreter, value: Value, raw: str) -> None:
        await ci.s.settings.set_run_mode(field, value if isinstance(value, (str, bool)) else str(value))
    return get, put


async def _set_scheduler_locking(ci: CommandInterpreter, value: Value, raw: str) -> None:
    # gdb's set_schedlock_func: without a live process the mode falls back to "off" and
    # the target that cannot lock says so ("exec": the file alone; "None": no file)
    if not ci.s.alive:
        await ci.s.settings.set_run_mode("scheduler_locking", "off")
        what = "exec" if ci.s.program else "None"
        raise CommandError(f"Target '{what}' cannot support this command.")
    await ci.s.settings.set_run_mode("scheduler_locking", str(value))


async def _get_dirs(ci: CommandInterpreter) -> Value:
    return source_path_text(await ci.s.settings.source_dirs())


async def _set_dirs(ci: CommandInterpreter, value: Value, raw: str) -> None:
    # gdb's `set directories PATH` replaces the path; $cdir and $cwd are searched anyway
    dirs = [d for d in str(value or "").split(":") if d and d not in ("$cdir", "$cwd")]
    await ci.s.settings.set_source_dirs(dirs)
    missing = [f"Warning: {d}: No such file or directory." for d in dirs if not os.path.exists(d)]
    if missing:                 # set all the same, as gdb does
        raise CommandError("\n".join(missing))


def source_path_text(dirs: list[str]) -> str:
    return ":".join([*dirs, "$cdir", "$cwd"])


async def _get_debug_dirs(ci: CommandInterpreter) -> Value:
    return await ci.s.settings.debug_file_directory()


async def _set_debug_dirs(ci: CommandInterpreter, value: Value, raw: str) -> None:
    await ci.s.settings.set_debug_file_directory(raw.strip())


async def _get_fast(ci: CommandInterpreter) -> Value:
    return await ci.s.fast.enabled()


async def _set_fast(ci: CommandInterpreter, value: Value, raw: str) -> None:
    await ci.s.fast.set_enabled(bool(value))


_sl_get, _ = _run_mode("scheduler_locking")
_ff_get, _ff_set = _run_mode("follow_fork_mode")
_df_get, _df_set = _run_mode("detach_on_fork")

SETTINGS: tuple[Setting, ...] = (
    Setting("args", "string", "argument list to give program being debugged when it is started.",
            'Argument list to give program being debugged when it is started is "{}".',
            _get_args, _set_args),
    Setting("breakpoint pending", "auto", "debugger's behavior regarding pending breakpoints.",
            "Debugger's behavior regarding pending breakpoints is {}.", _get_pending, _set_pending),
    Setting("confirm", "boolean", "whether to confirm potentially dangerous operations.",
            "Whether to confirm potentially dangerous operations is {}.", _get_confirm, _set_confirm),
    Setting("debug-file-directory", "string", "the directories where separate debug symbols are searched for.",
            'The directory where separate debug symbols are searched for is "{}".',
            _get_debug_dirs, _set_debug_dirs),
    Setting("detach-on-fork", "boolean", "whether gdb will detach the child of a fork.",
            "Whether gdb will detach the child of a fork is {}.", _df_get, _df_set),
    Setting("directories", "string", "the search path for finding source files.",
            "Source directories searched: {}", _get_dirs, _set_dirs),
    Setting("disable-randomization", "boolean", "disabling of debuggee's virtual address space randomization.",
            "Disabling randomization of debuggee's virtual address space is {}.",
            _get_aslr_off, _set_aslr_off),
    Setting("disassembly-flavor", "enum", "the disassembly flavor.",
            'The disassembly flavor is "{}".', _get_flavor, _set_flavor, ("att", "intel")),
    Setting("fast-conditions", "boolean", "evaluation of simple conditions inside the program.",
            "Evaluation of simple conditions inside the program (tdbg) is {}.", _get_fast, _set_fast),
    Setting("follow-fork-mode", "enum", "debugger response to a program call of fork or vfork.",
            'Debugger response to a program call of fork or vfork is "{}".', _ff_get, _ff_set,
            ("child", "parent")),
    Setting("height", "uinteger", "number of lines in a page for GDB output pagination.",
            "Number of lines gdb thinks are in a page is {}.", *_local_row("height")),
    Setting("inferior-tty", "string", "terminal for future runs of program being debugged.",
            'Terminal for future runs of program being debugged is "{}".', _get_tty, _set_tty),
    Setting("listsize", "integer", "number of source lines gdb will list by default.",
            "Number of source lines gdb will list by default is {}.", _get_listsize, _set_listsize),
    Setting("pagination", "boolean", "state of GDB output pagination.",
            "State of pagination is {}.", *_local_row("pagination")),
    Setting("print frame-arguments", "enum", "printing of non-scalar frame arguments.",
            'Printing of non-scalar frame arguments is "{}".', _get_frame_args, _set_frame_args,
            ("all", "scalars", "none", "presence")),
    Setting("print pretty", "boolean", "pretty formatting of structures.",
            "Pretty formatting of structures is {}.", _get_pretty, _set_pretty),
    Setting("scheduler-locking", "enum", "mode for locking scheduler during execution.",
            'Mode for locking scheduler during execution is "{}".', _sl_get, _set_scheduler_locking,
            ("off", "on", "step", "replay")),
    Setting("width", "uinteger", "number of characters where GDB should wrap lines of its output.",
            "Number of characters gdb thinks are in a line is {}.", *_local_row("width")),
)
BY_NAME = {s.name: s for s in SETTINGS}

# settings gdb has and tdbg accepts without effect (its output is never paged or styled)
IGNORED_SET = ("style", "print", "logging", "verbose", "auto-load",
               "startup-with-shell", "can-use-hw-watchpoints")


def shown(s: Setting, value: Value) -> str:
    """The value as `show` words it."""
    if s.kind == "boolean":
        return "on" if value else "off"
    if s.kind in ("uinteger", "integer"):
        return "unlimited" if value is None else str(value)
    return "" if value is None else str(value)


async def parse_value(ci: CommandInterpreter, s: Setting, arg: str) -> Value:
    if s.kind == "boolean":
        return parse_boolean(arg)
    if s.kind == "auto":
        return parse_auto(arg)
    if s.kind == "enum":
        return parse_enum(arg, s.choices)
    if s.kind in ("uinteger", "integer"):
        return await parse_uinteger(ci, arg, s.kind == "integer")
    return arg.strip()


def resolve(words: list[str]) -> tuple[Setting | None, str, list[str]]:
    """The setting the leading words name (each an unambiguous prefix, as gdb's
    lookup_cmd), the prefix words matched so far, and the words after the name.
    (None, prefix, rest) when the words name no setting: prefix is the settings
    group ("print") the first unknown word was looked up in."""
    prefix: list[str] = []
    i = 0
    if words and words[0] in ("p", "pr"):          # gdb's aliases of `set print`/`show print`
        words = ["print", *words[1:]]
    while i < len(words):
        word = words[i]
        level = {n.split()[len(prefix)] for n in BY_NAME
                 if n.split()[:len(prefix)] == prefix and len(n.split()) > len(prefix)}
        match = [w for w in level if w == word] or sorted(w for w in level if w.startswith(word))
        if len(match) > 1:
            raise _Ambiguous(" ".join(prefix), " ".join(words[i:]), match)
        if not match:
            return None, " ".join(prefix), words[i:]
        prefix.append(match[0])
        i += 1
        name = " ".join(prefix)
        if name in BY_NAME:
            return BY_NAME[name], name, words[i:]
    return None, " ".join(prefix), []


class _Ambiguous(CommandError):
    def __init__(self, prefix: str, rest: str, matches: list[str]) -> None:
        self.prefix, self.rest, self.matches = prefix, rest, matches
        super().__init__(rest)

    def text(self, verb: str) -> str:
        where = f"{verb} {self.prefix}".strip()
        return f'Ambiguous {where} command "{self.rest}": {", ".join(self.matches)}.'


Ambiguous = _Ambiguous


def help_lines(verb: str) -> list[str]:
    """`help set` / `help show`: one line a setting, as gdb's help lists subcommands."""
    return [f"{verb} {s.name} -- {verb.capitalize()} {s.help}" for s in SETTINGS]
