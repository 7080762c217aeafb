"""The gdb-like command language: one interpreter for --batch, the TUI command line and tests.

`execute(line)` never raises for user errors: it returns CommandResult(ok=False, text=one line).
Stops and exits are events on the bus; the text returned is what the command itself prints.
"""
from __future__ import annotations

import os
import re
import shlex
from typing import Awaitable, Callable

from .. import events as ev
from ..disasm.decode import decode
from ..errors import CommandError, TdbgError
from ..inspect.memview import format_examine, parse_examine
from ..numbers import parse_int
from ..process.ptrace import REG_NAMES

Handler = Callable[["CommandInterpreter", str], Awaitable[str | None]]
COMMANDS: dict[str, Handler] = {}
ALIASES: dict[str, str] = {}


def command(name: str, *aliases: str):
    def deco(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        for a in aliases:
            ALIASES[a] = name
        return fn
    return deco


class CommandInterpreter:
    def __init__(self, session) -> None:
        self.s = session
        self.dbg = session.dbg
        self.last_examine = ("x", "w", 0)   # format, unit, next address
        self.displays: dict[int, str] = {}     # gdb's display numbers stay put
        self._display_num = 0

    def lookup(self, word: str) -> str:
        if word in COMMANDS:
            return word
        if word in ALIASES:
            return ALIASES[word]
        matches = [c for c in COMMANDS if c.startswith(word)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise CommandError(f'Ambiguous command "{word}": {", ".join(sorted(matches)[:6])}.')
        raise CommandError(f'Undefined command: "{word}".  Try "help".')

    async def execute(self, line: str):
        from ..session import CommandResult
        line = line.strip()
        if not line or line.startswith("#"):
            return CommandResult(True, "")
        m = re.match(r"^([a-zA-Z_-]+|[!])(.*)$", line)
        if m is None:
            return CommandResult(False, f'Undefined command: "{line.split()[0]}".  Try "help".')
        word, rest = m.group(1), m.group(2)
        if word in ("x", "p", "print", "display", "output") and rest.startswith("/"):
            rest = rest   # keep "/fmt ..." attached
        try:
            name = self.lookup(word)
            text = await COMMANDS[name](self, rest.strip() if not rest.startswith("/") else rest)
            if name in _RESUMING and self.displays and self.dbg.alive and self.dbg.stop:
                # gdb shows the auto-display expressions after every stop
                text = "\n".join(t for t in (text, await _show_displays(self)) if t)
            return CommandResult(True, text or "")
        except TdbgError as e:
            return CommandResult(False, str(e))

    def complete(self, line: str) -> list[str]:
        parts = line.split(" ")
        if len(parts) == 1:
            return [n for n in sorted(COMMANDS) if n.startswith(parts[0])]
        word = parts[-1]
        prefix = " ".join(parts[:-1]) + " "
        out: list[str] = []
        prog = self.dbg.program
        if prog is not None:
            if word.startswith("$"):
                out = ["$" + r for r in REG_NAMES if ("$" + r).startswith(word)]
            else:
                out = prog.main.elf.symbols_matching(word)[:200]
                if prog.main.debug is not None and word:
                    out += [os.path.basename(f) for f in prog.main.debug.source_files()
                            if os.path.basename(f).startswith(word)]
        return [prefix + o for o in sorted(set(out))]

    # helpers --------------------------------------------------------------------
    async def call(self, fn):
        return await self.s._stopped_call(fn)


def query_text(ci: CommandInterpreter, question: str, answer: bool) -> str:
    """gdb's query() answered without asking: batch mode says why, as gdb does;
    after `set confirm off` nothing is said (the answer is the same)."""
    if not getattr(ci, "confirm", True):
        return ""
    choices = "(y or n)" if answer else "(y or [n])"
    why = "; input not from terminal" if not getattr(ci.s, "from_tty", True) else ""
    return f"{question}{choices} [answered {'Y' if answer else 'N'}{why}]"


def _count(arg: str) -> int:
    return parse_int(arg) if arg.strip() else 1


# ---- running -------------------------------------------------------------------------
@command("run", "r")
async def _run(ci: CommandInterpreter, arg: str) -> str:
    args = shlex.split(arg) if arg else None
    await ci.s.run(args)
    return ""


@command("start")
async def _start(ci, arg):
    await ci.s.start(shlex.split(arg) if arg else None)
    return ""


_RESUMING = frozenset(("run", "start", "continue", "next", "step", "stepi", "nexti", "finish",
                       "until", "advance"))


@command("continue", "c", "cont", "fg")
async def _continue(ci, arg):
    await ci.s.cont(_count(arg))
    return ""


@command("next", "n")
async def _next(ci, arg):
    await ci.s.next(_count(arg))
    return ""


@command("step", "s")
async def _step(ci, arg):
    await ci.s.step(_count(arg))
    return ""


@command("stepi", "si")
async def _stepi(ci, arg):
    await ci.s.stepi(_count(arg))
    return ""


@command("nexti", "ni")
async def _nexti(ci, arg):
    await ci.s.nexti(_count(arg))
    return ""


@command("finish", "fin")
async def _finish(ci, arg):
    await ci.s.finish()
    return ""


@command("until", "u")
async def _until(ci, arg):
    await ci.s.until(arg or None)
    return ""


@command("advance")
async def _advance(ci, arg):
    if not arg:
        raise CommandError("Argument required (a location).")
    await ci.s.advance(arg)
    return ""


@command("kill", "k")
async def _kill(ci, arg):
    if not ci.dbg.alive:
        raise CommandError("The program is not being run.")
    pid = ci.dbg.inf.pid
    await ci.s.kill()
    asked = "" if getattr(ci.s, "from_tty", True) else \
        query_text(ci, "Kill the program being debugged? ", True)
    return f"{asked}\n[Inferior 1 (process {pid}) killed]" if asked else \
        f"[Inferior 1 (process {pid}) killed]"


@command("detach")
async def _detach(ci, arg):
    pid = await ci.s.detach()
    return f"[Inferior 1 (process {pid}) detached]"


@command("attach")
async def _attach(ci, arg):
    await ci.s.attach(parse_int(arg))
    return ""


@command("quit", "q", "exit")
async def _quit(ci, arg):
    await ci.s.close()
    raise SystemExit(0)


@command("file")
async def _file(ci, arg):
    if not arg:
        raise CommandError("Argument required (file name).")
    await ci.call(lambda: ci.dbg.load(os.path.expanduser(arg)))
    return f"Reading symbols from {arg}..."


# ---- breakpoints ------------------------------------------------------------------------------
_IF = re.compile(r"^(.*?)\s+if\s+(.*)$")


async def _set_break(ci, arg: str, temporary: bool) -> str:
    spec, cond = arg, None
    m = _IF.match(arg)
    if m:
        spec, cond = m.group(1), m.group(2)
    if not spec:
        if ci.dbg.stop is None:
            raise CommandError("No default breakpoint location now selected.")
        spec = f"*{ci.dbg.stop.pc:#x}"
    from ..program.solib import PendingQuery
    try:
        _, msg = await ci.call(lambda: ci.dbg.break_at(spec, cond, temporary))
    except PendingQuery as e:
        question = "Make breakpoint pending on future shared library load? "
        hint = "" if not getattr(ci.s, "from_tty", True) else \
            '\n(use "set breakpoint pending on" to make it pending)'
        asked = query_text(ci, question, False)
        raise CommandError(f"{e}\n{asked}{hint}" if asked else str(e)) from None
    return msg


@command("break", "b", "br", "brea")
async def _break(ci, arg):
    return await _set_break(ci, arg, False)


@command("tbreak", "tb")
async def _tbreak(ci, arg):
    return await _set_break(ci, arg, True)


def _ids(arg: str) -> list[int]:
    out = []
    for part in arg.replace(",", " ").split():
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(parse_int(a), parse_int(b) + 1))
        else:
            out.append(parse_int(part))
    return out


@command("delete", "d")
async def _delete(ci, arg):
    arg = re.sub(r"^breakpoints?\s*", "", arg)
    ids = _ids(arg) if arg else [b.id for b in ci.dbg.bps.user_breakpoints()]
    for i in ids:
        await ci.call(lambda i=i: ci.dbg.delete(i))
    return ""


@command("clear")
async def _clear(ci, arg):
    def work():
        resolved = ci.dbg.program.resolve(arg, ci.dbg._current_file()) if arg else None
        addrs = set(resolved.addrs) if resolved else {ci.dbg.stop.pc} if ci.dbg.stop else set()
        gone = [b.id for b in ci.dbg.bps.user_breakpoints() if set(b.addrs) & addrs
                or (not b.addrs and resolved and resolved.line is not None
                    and b.spec.endswith(f":{resolved.line}"))]
        for i in gone:
            ci.dbg.delete(i)
        if not gone:
            raise CommandError(f"No breakpoint at {arg}.")
        return f"Deleted breakpoint{'s' if len(gone) > 1 else ''} {' '.join(map(str, gone))} "
    return await ci.call(work)


@command("disable")
async def _disable(ci, arg):
    from ..breaks.locations import enable_disable           # N, N-M, N.M, N.M-L like gdb
    arg = re.sub(r"^breakpoints?\b\s*", "", arg)
    return await ci.call(lambda: enable_disable(ci.dbg, arg, False))


@command("enable")
async def _enable(ci, arg):
    from ..breaks.locations import enable_disable
    arg = re.sub(r"^breakpoints?\b\s*", "", arg)
    return await ci.call(lambda: enable_disable(ci.dbg, arg, True))


@command("condition")
async def _condition(ci, arg):
    num, _, expr = arg.partition(" ")
    if not num:
        raise CommandError("Argument required (breakpoint number).")
    bid = parse_int(num)
    notes: list[str] = []
    await ci.call(lambda: ci.dbg.set_condition(bid, expr.strip() or None, notes))
    if not expr.strip() and getattr(ci.s, "from_tty", True):
        notes.append(f"Breakpoint {bid} now unconditional.")     # gdb says it only to a person
    return "\n".join(notes)


@command("ignore")
async def _ignore(ci, arg):
    parts = arg.split()
    if len(parts) != 2:
        raise CommandError("Argument required (a breakpoint number and a count).")
    bid, n = parse_int(parts[0]), parse_int(parts[1])
    await ci.call(lambda: ci.dbg.ignore(bid, n))
    if not getattr(ci.s, "from_tty", True):
        return ""                                   # gdb says it only to a person
    if n == 0:
        return f"Will stop next time breakpoint {bid} is reached."
    if n == 1:
        return f"Will ignore next crossing of breakpoint {bid}."
    return f"Will ignore next {n} crossings of breakpoint {bid}."


# ---- info --------------------------------------------------------------------------------------
@command("info", "i")
async def _info(ci, arg):
    sub, _, rest = arg.partition(" ")
    rest = rest.strip()
    table = {"breakpoints": _info_breakpoints, "registers": _info_registers,
             "all-registers": _info_registers, "frame": _info_frame, "locals": _info_locals,
             "args": _info_args, "line": _info_line, "sharedlibrary": _info_shared,
             "threads": _info_threads, "symbol": _info_symbol, "inferiors": _info_inferiors,
             "signals": _info_signals, "display": _info_display, "source": _info_source}
    if not sub:
        raise CommandError('List of info subcommands: ' + ", ".join(sorted(table)))
    names = [k for k in table if k.startswith(sub)]
    if sub in ("b", "br", "break"):
        names = ["breakpoints"]
    elif sub in ("r", "reg"):
        names = ["registers"]
    if len(names) != 1:
        raise CommandError(f'Undefined info command: "{sub}".  Try "help info".')
    return await table[names[0]](ci, rest)


async def _info_breakpoints(ci, arg):
    from ..breaks.table import table
    solib = ci.dbg.solib
    return table(await ci.call(ci.dbg.breakpoint_infos), frozenset(solib.unloaded),
                 frozenset(solib.unresolved))


def _flags_text(v: int) -> str:
    names = [(0, "CF"), (2, "PF"), (4, "AF"), (6, "ZF"), (7, "SF"), (8, "TF"), (9, "IF"),
             (10, "DF"), (11, "OF")]
    return "[ " + " ".join(n for bit, n in names if v >> bit & 1) + " ]"


GDB_REG_ORDER = ("rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip eflags "
                 "cs ss ds es fs gs fs_base gs_base").split()


def format_register(name: str, v: int, symbolize=None) -> str:
    if name == "eflags":
        return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{_flags_text(v)}"
    if name in ("cs", "ss", "ds", "es", "fs", "gs"):
        return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{v}"
    if name in ("rip",):
        sym = symbolize(v) if symbolize else None
        return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{v:#x}" + (f" <{sym}>" if sym else "")
    if name in ("rbp", "rsp"):
        return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{v:#x}"
    signed = v - (1 << 64) if v >> 63 else v
    return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{signed}"


async def _info_registers(ci, arg):
    regs = await ci.s.registers()
    names = [r.lstrip("$") for r in arg.split()] or GDB_REG_ORDER
    out = []
    for n in names:
        if n == "pc":
            n = "rip"
        if n not in regs:
            raise CommandError(f"Invalid register `{n}'")
        out.append(format_register(n, regs[n], ci.dbg.program.symbolize))
    return "\n".join(out)


async def _info_frame(ci, arg):
    def work():
        f = ci.dbg.frame(ci.dbg.selected_frame)
        info = ci.dbg.frame_info(f)
        lines = [f"Stack level {f.level}, frame at {f.cfa:#x}:" if f.cfa else f"Stack level {f.level}:"]
        where = f" in {info.function}" if info.function else ""
        if info.location:
            where += f" ({os.path.basename(info.location.file)}:{info.location.line})"
        caller = ci.dbg.unwind(limit=f.level + 2)
        saved = f"; saved rip = {caller[f.level + 1].pc:#x}" if len(caller) > f.level + 1 else ""
        lines.append(f" rip = {f.pc:#x}{where}{saved}")
        return "\n".join(lines)
    return await ci.call(work)


async def _info_locals(ci, arg):
    return await ci.call(lambda: ci.dbg.locals_text())


async def _info_args(ci, arg):
    return await ci.call(lambda: ci.dbg.args_text())


async def _info_line(ci, arg):
    def work():
        prog = ci.dbg.require_program()
        if not arg:
            if ci.dbg.stop is None:
                raise CommandError("No line number information available.")
            addr = ci.dbg.stop.pc
        elif arg.startswith("*"):
            addr = parse_int(arg[1:])
        else:
            m = re.match(r"^(?:(.+):)?(\d+)$", arg.strip())
            if m:
                file = m.group(1) or ci.dbg._current_file()
                if file is None:
                    main = prog.main_location()
                    file = main.file if main is not None else None
                if file is not None:
                    return _info_file_line(prog, file.strip(), int(m.group(2)))
            r = prog.resolve(arg, ci.dbg._current_file())
            if r.line is None and "+" not in arg:
                return "\n".join(_line_of(prog, a) for a in _function_entries(ci.dbg, r.addrs))
            addr = r.addrs[0]
        return _line_of(prog, addr)
    return await ci.call(work)


def _info_file_line(prog, file: str, line: int) -> str:
    """gdb's `info line FILE:LINE`, from the line tables (symbols/index_locations.py)."""
    out = []
    for o in prog.objfiles:
        if o.debug is None:
            continue
        try:
            rows = o.debug.info_line(file, line)
        except CommandError:
            continue
        for path, n, start, end in rows:
            name = os.path.basename(path)
            if start is None:
                out.append(f'Line number {n} is out of range for "{name}".')
            elif start == end:
                at = start + o.bias
                out.append(f'Line {n} of "{name}" is at address {at:#x} <{prog.symbolize(at)}> '
                           "but contains no code.")
            else:
                out.append(_line_text(prog, n, name, start + o.bias, end + o.bias))
    if not out:
        raise CommandError(f"No source file named {file}.")
    return "\n".join(out)


def _function_entries(dbg, addrs) -> list[int]:
    """gdb's `info line FUNC`: each out-of-line copy at its entry (no prologue skip),
    then each inlined instance where it starts."""
    outline, inline = [], []
    for a in addrs:
        levels = dbg.levels_at(a)
        if levels and levels[0].inline:
            inline.append(a)
            continue
        rng = dbg.program.function_range(a)
        outline.append(rng[0] if rng else a)
    return sorted(set(outline)) + sorted(set(inline))


def _line_of(prog, addr: int) -> str:
    loc = prog.location(addr)
    if loc is None:
        sym = prog.symbolize(addr)
        return f"No line number information available for address {addr:#x}" + (f" <{sym}>" if sym else "")
    rng = prog.line_range(addr)
    start, end = rng if rng else (addr, addr)
    return _line_text(prog, loc.line, os.path.basename(loc.file), start, end)


def _line_text(prog, line: int, name: str, start: int, end: int) -> str:
    return (f'Line {line} of "{name}" starts at address {start:#x} <{prog.symbolize(start)}> '
            f"and ends at {end:#x} <{prog.symbolize(end)}>.")


async def _info_shared(ci, arg):
    return await ci.call(lambda: ci.dbg.solib.table(arg))


async def _info_threads(ci, arg):
    return await ci.call(ci.dbg.info_threads_text)


async def _info_symbol(ci, arg):
    def work():
        addr = ci.dbg.evaluate_address(arg)
        sym = ci.dbg.program.symbolize(addr)
        if sym is None:
            return f"No symbol matches {arg}."
        name, _, off = sym.partition("+")
        o = ci.dbg.program.objfile_for(addr)
        sec = o.elf.section_name_at(addr - o.bias) if o else None
        return f"{name}{' + ' + off if off else ''} in section {sec or '?'}"
    return await ci.call(work)


async def _info_inferiors(ci, arg):
    pid = ci.s.pid
    return f"* 1    {'process ' + str(pid) if pid else '<null>'}  {ci.s.program or ''}"


async def _info_signals(ci, arg):
    from .signals import info_signals
    return await info_signals(ci, arg)


async def _info_display(ci, arg):
    if not ci.displays:
        return "There are no auto-display expressions now."
    return "Auto-display expressions now in effect:\nNum Enb Expression\n" + "\n".join(
        f"{i}:   y  {_display_spelling(e)}" for i, e in ci.displays.items())


def _display_spelling(e: str) -> str:
    """gdb lists an x-style display with its count and unit: `/i $pc` is `/1bi $pc`."""
    if not _examined_display(e):
        return e
    count, letters, expr = _display_parts(e)
    count = count or "1"
    unit = next((u for u in letters if u in "bhwg"), "b")
    fmt = "".join(c for c in letters if c not in "bhwg")
    return f"/{count}{unit}{fmt} {expr}"


async def _info_source(ci, arg):
    f = await ci.call(ci.dbg._current_file)
    return f"Current source file is {f}" if f else "No current source file."


# ---- stack -------------------------------------------------------------------------------------
@command("backtrace", "bt", "where")
async def _bt(ci, arg):
    limit = parse_int(arg) if arg.strip().lstrip("-").isdigit() else 256
    def work():
        frames = ci.dbg.backtrace(limit if limit > 0 else 256)
        return "\n".join(ci.dbg.format_frame(f) for f in frames)
    return await ci.call(work)


async def _show_frame(ci, level: int, how: str = "frame") -> str:
    def work():
        info = ci.dbg.select_frame(level, how)
        return ci.dbg.format_frame(info, with_source=True)
    return await ci.call(work)


@command("frame", "f")
async def _frame(ci, arg):
    return await _show_frame(ci, parse_int(arg) if arg else ci.dbg.selected_frame)


@command("up")
async def _up(ci, arg):
    return await _show_frame(ci, ci.dbg.selected_frame + _count(arg), "up")


@command("down")
async def _down(ci, arg):
    return await _show_frame(ci, ci.dbg.selected_frame - _count(arg), "down")


# ---- data --------------------------------------------------------------------------------------
@command("print", "p", "inspect", "call")
async def _print(ci, arg):
    fmt = None
    if arg.startswith("/"):
        fmt, _, arg = arg[1:].partition(" ")
    if not arg.strip():
        raise CommandError("Argument required (expression to compute).")
    return await ci.call(lambda: ci.dbg.print_text(arg.strip(), fmt))


@command("output")
async def _output(ci, arg):
    text = await ci.call(lambda: ci.dbg.evaluate_text(arg))
    return text


@command("ptype", "whatis")
async def _ptype(ci, arg):
    return await ci.call(lambda: ci.dbg.ptype_text(arg))


@command("set")
async def _set(ci, arg):
    m = re.match(r"^(var|variable)\s+(.*)$", arg)
    if m:
        await ci.call(lambda: ci.dbg.evaluate_text(m.group(2)))
        return ""
    m = re.match(r"^args\s*(.*)$", arg)
    if m:
        ci.dbg.args = shlex.split(m.group(1))
        return ""
    m = re.match(r"^inferior-tty\b\s*(.*)$", arg)
    if m:
        ci.s.tty = m.group(1).strip() or None        # no device: back to tdbg's own terminal
        return ""
    m = re.match(r"^breakpoint\s+pending\s+(on|off|auto)$", arg)
    if m:
        ci.dbg.solib.pending_mode = m.group(1)
        return ""
    m = re.match(r"^disable-randomization\s+(on|off)$", arg)
    if m:
        ci.dbg.aslr = m.group(1) == "off"
        return ""
    m = re.match(r"^disassembly-flavor\s+(att|intel)$", arg)
    if m:
        from ..disasm.decode import set_flavor
        set_flavor(m.group(1))
        return ""
    m = re.match(r"^confirm\s*(on|off)?$", arg)
    if m:
        ci.confirm = m.group(1) != "off"          # queries answer themselves silently
        return ""
    if re.match(r"^(confirm|pagination|width|height|print|listsize|debug-file-directory|style)\b", arg):
        return ""
    if arg.startswith("$") or "=" in arg:
        await ci.call(lambda: ci.dbg.evaluate_text(arg))
        return ""
    raise CommandError(f'Undefined set command: "{arg}".  Try "help set".')


@command("tty")
async def _tty(ci, arg):
    """gdb's `tty DEV` (= set inferior-tty DEV): the next run's stdin/stdout/stderr go to DEV."""
    if not arg.strip():
        raise CommandError("Argument required (filename to set it to.).")
    ci.s.tty = arg.strip()
    return ""


@command("display")
async def _display(ci, arg):
    if not arg:
        return await _show_displays(ci)
    if ci.dbg.alive:                     # gdb refuses an expression it cannot evaluate now
        expr = _display_parts(arg)[2]
        await ci.call(lambda: ci.dbg.evaluate_address(expr) if _examined_display(arg)
                      else ci.dbg.evaluate_value(expr))
    ci._display_num += 1
    n = ci._display_num
    ci.displays[n] = arg
    if ci.dbg.alive and getattr(ci.s, "from_tty", True):   # gdb -batch shows it at stops only
        return await _show_one_display(ci, n, arg)
    return ""


_DISPLAY = re.compile(r"^/(\d*)([a-z]*)\s+(.*)$")


def _display_parts(e: str) -> tuple[str, str, str]:
    """A display spec `/2xb expr` as (count, format letters, expression); no /FMT: ("", "", e)."""
    m = _DISPLAY.match(e)
    return (m.group(1), m.group(2), m.group(3)) if m else ("", "", e)


def _examined_display(arg: str) -> bool:
    """gdb shows `display/i` and `display/s` as the x command does."""
    return bool(set(_display_parts(arg)[1]) & set("is"))


async def _examine_display(ci, n: int, arg: str) -> str:
    fmt, unit, count, expr = parse_examine(arg, ("x", "w", 0))
    text, _ = await ci.call(lambda: format_examine(ci.dbg, ci.dbg.evaluate_address(expr),
                                                   fmt, unit, count))
    return f"{n}: x{arg.split()[0]} {expr}\n{text}"


async def _show_displays(ci) -> str:
    out = [await _show_one_display(ci, i, e) for i, e in ci.displays.items()]
    return "\n".join(out)


async def _show_one_display(ci, n: int, e: str) -> str:
    """`N: EXPR = VALUE` (or x's output for /i and /s), as gdb shows a display."""
    try:
        if _examined_display(e):
            return await _examine_display(ci, n, e)
        count, letters, expr = _display_parts(e)
        fmt, expr = (letters, expr) if letters and not count else (None, e)
        _, text = await ci.call(lambda: ci.dbg.formatted(expr, fmt))
        return f"{n}: {e} = {text}"
    except TdbgError as err:
        return f"{n}: {e} = <error: {err}>"


@command("undisplay")
async def _undisplay(ci, arg):
    if not arg:
        ci.displays.clear()
    else:
        for i in _ids(arg):
            ci.displays.pop(i, None)
    return ""


@command("x")
async def _x(ci, arg):
    fmt, unit, count, expr = parse_examine(arg, ci.last_examine)
    def work():
        addr = ci.dbg.evaluate_address(expr) if expr else ci.last_examine[2]
        text, next_addr = format_examine(ci.dbg, addr, fmt, unit, count)
        ci.last_examine = (fmt, unit, next_addr)
        return text
    return await ci.call(work)


@command("disassemble")
async def _disassemble(ci, arg):
    def work():
        prog = ci.dbg.require_program()
        if arg:
            addr = ci.dbg.evaluate_address(arg.split(",")[0])
        elif ci.dbg.stop is not None:
            addr = ci.dbg.stop.pc
        else:
            raise CommandError("No frame selected.")
        rng = prog.function_range(addr)
        if rng is None:
            raise CommandError(f"No function contains specified address.")
        n = rng[1] - rng[0]
        insns = ci.dbg.disassemble(rng[0], max(1, n))
        name = prog.function_name(rng[0])
        out = [f"Dump of assembler code for function {name}:"]
        for i in insns:
            if i.addr >= rng[1]:
                break
            off = i.addr - rng[0]
            mark = "=> " if i.is_pc else "   "
            out.append(f"{mark}{i.addr:#018x} <+{off}>:\t{i.text}")
        out.append("End of assembler dump.")
        return "\n".join(out)
    return await ci.call(work)


@command("list", "l")
async def _list(ci, arg):
    def work():
        prog = ci.dbg.require_program()
        if arg:
            r = prog.resolve(arg, ci.dbg._current_file())
            loc = prog.location(r.addrs[0]) if r.addrs else None
            center = r.line or (loc.line if loc else 1)
            file = r.file or (loc.file if loc else None)
        else:
            loc = prog.location(ci.dbg.stop.pc) if ci.dbg.stop else prog.main_location()
            if loc is None:
                raise CommandError("No symbol table is loaded.")
            center, file = loc.line, loc.file
        if file is None:
            raise CommandError("No line number known for " + arg)
        lines = ci.dbg.source_lines(file)
        if lines is None:
            raise CommandError(f"{center}\tin {file}")
        first = max(1, center - 5)
        return "\n".join(f"{n}\t{lines[n - 1]}" for n in range(first, min(len(lines), first + 9) + 1))
    return await ci.call(work)


@command("help", "h")
async def _help(ci, arg):
    return ("Commands: " + ", ".join(sorted(COMMANDS)) +
            "\nLocations: FUNC, FILE:LINE, LINE, *ADDR.  Conditions: break LOC if EXPR.")


@command("echo")
async def _echo(ci, arg):
    return arg.replace("\\n", "\n")


@command("shell", "!")
async def _shell(ci, arg):
    raise CommandError("shell commands are not supported in tdbg")


from . import signals, threads, watch  # noqa: E402,F401  (register their commands)
