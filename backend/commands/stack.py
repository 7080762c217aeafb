"""Stack commands: backtrace, frame (and its level/function/address subcommands), up, down."""
from __future__ import annotations

from ..errors import CommandError
from ..numbers import parse_int
from .args import parse_count
from .registry import CommandInterpreter, command

# gdb 13's backtrace options; tdbg has no frame filters, so -no-filters and -hide change nothing
_BT_OPTIONS = ("entry-values", "frame-arguments", "raw-frame-arguments", "frame-info",
               "past-main", "past-entry", "full", "no-filters", "hide")
_BT_QUALIFIERS = ("full", "no-filters", "hide")
_FRAME_SUBCOMMANDS = ("address", "apply", "function", "level", "view")


def _bt_options(arg: str) -> tuple[bool, str]:
    """gdb's option processing (unknown options are the operand): (full, the rest)."""
    rest, full = arg.strip(), False
    while rest.startswith("-"):
        word, _, after = rest.partition(" ")
        if word == "--":
            return full, after.strip()
        name = word[1:]
        matches = [o for o in _BT_OPTIONS if o.startswith(name)] if name[:1].isalpha() else []
        if not matches:
            break
        if len(matches) > 1 and name not in matches:
            raise CommandError(f"Ambiguous option at: {rest}")
        option = name if name in matches else matches[0]
        if option == "full":
            full = True
        elif option not in ("no-filters", "hide"):
            raise CommandError(f"backtrace -{option} is not supported yet.")
        rest = after.strip()
    return full, rest


def _bt_qualifiers(rest: str, full: bool) -> tuple[bool, str]:
    """gdb's parse_backtrace_qualifiers: leading words that begin `full`, `no-filters`, `hide`."""
    while rest:
        word, _, after = rest.partition(" ")
        q = next((q for q in _BT_QUALIFIERS if q.startswith(word)), None)
        if q is None:
            break
        full = full or q == "full"
        rest = after.strip()
    return full, rest


async def _integer(ci: CommandInterpreter, text: str) -> int:
    """gdb's parse_and_eval_long: a number, or any expression (signed 64 bits)."""
    try:
        return parse_int(text)
    except (ValueError, CommandError):
        pass
    n = await ci.s.data.evaluate_address(text)
    return n - (1 << 64) if n >= 1 << 63 else n


@command("backtrace", "bt", "where", group="stack",
         help="Print backtrace of all stack frames, or innermost COUNT frames.",
         usage="Usage: backtrace [OPTION]... [QUALIFIER]... [COUNT | -COUNT]\n"
               "With a negative COUNT, print outermost -COUNT frames.\n"
               "Options: -full  Print values of local variables.\n"
               "Qualifiers: full (same as -full), no-filters, hide.")
async def _bt(ci: CommandInterpreter, arg: str) -> str | None:
    full, rest = _bt_options(arg)
    full, rest = _bt_qualifiers(rest, full)
    count = await _integer(ci, rest) if rest else None
    return await ci.s.frames.backtrace_full_text(count, full, ci.s.from_tty)


async def _frame_subcommand(ci: CommandInterpreter, sub: str, rest: str) -> str | None:
    if sub == "level":
        if not rest:
            raise CommandError("Argument required (expression to compute).")
        level = await _integer(ci, rest)
        if not ci.s.alive:
            raise CommandError("No registers.")
        if level < 0:
            raise CommandError(f"No frame at level {rest}.")
        return await ci.s.frames.frame_text(level)
    if sub == "function":
        if not rest:
            raise CommandError("Missing function name argument")
        if not ci.s.alive:
            raise CommandError("No registers.")
        return await ci.s.frames.frame_function_text(rest)
    if sub == "address":
        if not rest:
            raise CommandError("Argument required (expression to compute).")
        return await ci.s.frames.frame_address_text(rest)
    raise CommandError(f'"frame {sub}" is not supported yet.')


@command("frame", "f", group="stack", help="Select and print a stack frame.",
         usage="Usage: frame [LEVEL]\n"
               'With no argument, print the selected stack frame.  (See also "info frame").\n'
               "A single numerical argument specifies the frame to select.\n"
               "frame level LEVEL, frame function NAME, frame address STACK-ADDRESS select\n"
               "the frame at that level, the innermost frame of function NAME, or the frame\n"
               "whose stack address (as \"info frame\" shows it) is STACK-ADDRESS.")
async def _frame(ci: CommandInterpreter, arg: str) -> str | None:
    word, _, rest = arg.strip().partition(" ")
    if word[:1].isalpha():
        subs = [s for s in _FRAME_SUBCOMMANDS if s.startswith(word)]
        if len(subs) > 1 and word not in subs:
            raise CommandError(f'Ambiguous frame command "{word}": {", ".join(subs)}.')
        if subs:
            return await _frame_subcommand(ci, word if word in subs else subs[0], rest.strip())
    if not arg.strip():
        return await ci.s.frames.frame_text(None)
    return await _frame_subcommand(ci, "level", arg.strip())     # gdb: `frame N` is `frame level N`


@command("up", group="stack", help="Select and print stack frame that called this one.",
         usage="Usage: up [N]\nAn argument says how many frames up to go.")
async def _up(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.frames.up_text(parse_count(arg), clamp=bool(arg.strip()))


@command("down", group="stack", help="Select and print stack frame called by this one.",
         usage="Usage: down [N]\nAn argument says how many frames down to go.")
async def _down(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.frames.down_text(parse_count(arg), clamp=bool(arg.strip()))
