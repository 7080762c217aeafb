"""Thread commands: thread [ID] (exec/inferior_switch.py reads the ID), thread apply, taas,
thread find."""
from __future__ import annotations

from ..api.frames import ApplyState, ThreadRow
from ..errors import CommandError, TdbgError
from ..thread_ids import IdRange
from .registry import CommandInterpreter, command
from .thread_apply_args import Flags, parse_apply, parse_apply_all

_APPLY_USAGE = (
    "Usage: thread apply all [-ascending] [-q] [-c | -s] COMMAND\n"
    "       thread apply ID... [-q] [-c | -s] COMMAND\n"
    "Run COMMAND in every thread (descending numbers; -ascending: ascending), or in\n"
    "those the ID list names (as \"info threads\" takes them), in that order.\n"
    "  -q  Disables printing the thread information.\n"
    "  -c  Print any error raised by COMMAND and continue.\n"
    "  -s  Silently ignore any errors or empty output produced by COMMAND.")


@command("thread", "t", group="running", help="Use this command to switch between threads.",
         usage="Usage: thread [THREAD-ID]\n"
               "THREAD-ID is N, or INF.N for thread N of inferior INF.  The new thread ID\n"
               "must be currently known.  With no argument, shows the\n"
               'current thread.  See "info threads" for the known ones.\n\n' + _APPLY_USAGE +
               "\n\nUsage: thread find REGEXP\n"
               "Find the threads whose name or target id REGEXP matches."
               "\n\nUsage: thread name [NAME]\n"
               "Set the current thread's name (no NAME: the target's name again).")
async def _thread(ci: CommandInterpreter, arg: str) -> str | None:
    arg = arg.strip()
    word, _, rest = arg.partition(" ")
    if word == "apply":
        return await _apply(ci, rest)
    if word == "find":
        return await ci.s.frames.thread_find_text(rest.strip())
    if word == "name":
        await ci.s.frames.name_thread(rest.strip() or None)
        return None
    return await ci.s.frames.thread_text(arg)


@command("taas", group="running", help="Apply a command to all threads (ignoring errors and empty output).",
         usage="Usage: taas [OPTION]... COMMAND\n"
               'shortcut for "thread apply all -s [OPTION]... COMMAND"')
async def _taas(ci: CommandInterpreter, arg: str) -> str | None:
    if not arg.strip():
        raise CommandError("Please specify a command to apply on all threads")
    return await _apply(ci, "all -s " + arg.strip())


async def _rows_of(ci: CommandInterpreter, state: ApplyState, inf: int) -> list[ThreadRow] | None:
    """The threads of inferior `inf` (None: there is no such inferior), switching to it
    when it is not the current one (the caller switches back: _restore)."""
    if inf not in state.inferiors:
        return None
    now = await ci.s.frames.apply_state()
    if now.inferior != inf:
        res = await ci.execute(f"inferior {inf}")
        if not res.ok:
            raise CommandError(res.text)
        now = await ci.s.frames.apply_state()
    return now.rows


async def _plan(ci: CommandInterpreter, state: ApplyState, it: IdRange) -> list[ThreadRow | str]:
    """The threads one item of the ID list names, and gdb's warning for each unknown one."""
    rows = await _rows_of(ci, state, it.inf)
    if it.hi is None:
        if rows is None:
            return [f"warning: Unknown inferior {it.inf}"]
        return [r for r in rows if r.num >= it.lo]
    by_num = {r.num: r for r in rows or []}
    out: list[ThreadRow | str] = []
    for n in range(it.lo, it.hi + 1):
        row = by_num.get(n)
        if row is None:
            ident = f"{it.inf}.{n}" if state.many or it.qualified else str(n)
            out.append(f"warning: Unknown thread {ident}")
        else:
            out.append(row)
    return out


async def _apply(ci: CommandInterpreter, arg: str) -> str:
    state = await ci.s.frames.apply_state()
    word, _, rest = arg.strip().partition(" ")
    if word == "all":
        flags, cmd = parse_apply_all(rest)
        groups: list[int | IdRange] = [*sorted(state.inferiors, reverse=not flags.ascending)]
    else:
        items, flags, cmd = parse_apply(arg, state.inferior)
        groups = [*items]
    out: list[str] = []
    try:
        for g in groups:
            plan: list[ThreadRow | str]
            if isinstance(g, int):       # `all`: every thread of inferior g, in gdb's order
                rows = await _rows_of(ci, state, g) or []
                plan = [*sorted(rows, key=lambda r: r.num, reverse=not flags.ascending)]
            else:
                plan = await _plan(ci, state, g)
            for entry in plan:
                if isinstance(entry, str):
                    out.append(entry)
                else:
                    await _run_in(ci, entry, cmd, flags, out, listed=word != "all")
    finally:
        await _restore(ci, state)
    return "\n".join(out)


async def _run_in(ci: CommandInterpreter, row: ThreadRow, cmd: str, flags: Flags,
                  out: list[str], listed: bool) -> None:
    """gdb's thread_try_catch_cmd: the header, then the command's text or error."""
    try:
        await ci.s.frames.select_thread(row.num)
    except TdbgError:
        if listed:
            out.append(f"warning: Thread {row.ident} has terminated.")
        return
    header = ["", f"Thread {row.ident} ({row.target}):"] if not flags.quiet else []
    res = await ci.execute(cmd)
    if res.ok:
        if not flags.silent or res.text:
            out += header + ([res.line_text] if res.text else [])
        return
    if flags.silent:
        return
    out += header
    if not flags.cont:
        raise CommandError("\n".join([*out, res.text]))
    out.append(res.text)


async def _restore(ci: CommandInterpreter, state: ApplyState) -> None:
    """gdb's scoped_restore_current_thread: the thread and frame selected before."""
    try:
        now = await ci.s.frames.apply_state()
        if now.inferior != state.inferior:
            await ci.execute(f"inferior {state.inferior}")
        if state.thread is None or not ci.s.alive:
            return
        await ci.s.frames.select_thread(state.thread)
        if state.frame:
            await ci.s.frames.select_frame(state.frame)
    except TdbgError:
        pass
