"""`tdbg --batch -ex CMD ... PROG`: the command language without a screen.

A block (`commands`, `define`, `document` ... `end`) takes the lines that follow it: those
of its -x script, or the following -ex arguments (gdb -batch would read them from stdin).

Prints what gdb -batch prints: each command's text, then stop/exit messages
from the bus in order. Exit status: 1 when the program cannot be loaded or
the last command failed (like gdb), else 0.
"""
from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Sequence
from typing import TextIO

from . import events as ev
from .errors import TdbgError


def describe_event(e) -> str | None:
    if isinstance(e, ev.Stopped):
        return e.message or None          # a call's abandoned frame returns silently
    if isinstance(e, ev.Exited):
        if e.code == 0:
            return f"[Inferior {e.inferior} (process {e.pid}) exited normally]"
        return f"[Inferior {e.inferior} (process {e.pid}) exited with code 0{e.code:o}]"   # gdb: 0%o
    if isinstance(e, ev.Signaled) and not e.requested:
        from .process.ptrace import signal_description
        return (f"\nProgram terminated with signal {e.signal_name}, {signal_description(e.signal)}.\n"
                "The program no longer exists.")
    if isinstance(e, ev.Message):
        return e.text
    if isinstance(e, ev.Error):
        return e.message
    return None


def say(text: str, stream: TextIO, raw: bool = False) -> None:
    """One line, written at once: the program writes to the same terminal or pipe (no pty
    in batch), and a newline written apart could land after its output. raw: the text as
    is (gdb's echo, output, printf end their lines only where their text does)."""
    stream.write(text if raw else text + "\n")
    stream.flush()


async def _run(program: str | None, args: Sequence[str], commands: Sequence[str],
               pid: int | None, aslr: bool) -> int:
    from .session import Session
    try:
        session = Session(program, args, aslr=aslr, use_pty=False)
    except TdbgError as e:
        print(str(e), file=sys.stderr)
        return 1
    out = sys.stdout
    session.from_tty = False          # gdb -batch: queries answer themselves, handle is quiet

    def on_event(e) -> None:
        if isinstance(e, ev.Output):
            out.buffer.write(e.data)
            out.flush()
            return
        text = describe_event(e)
        if text is not None:
            say(text, sys.stderr if isinstance(e, ev.Error) else out)

    session.bus.bind_loop(asyncio.get_running_loop())
    session.bus.listeners.append(on_event)
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, session.interrupt)
    except (NotImplementedError, RuntimeError):
        pass
    session.close_on_signals(loop)
    status = 0
    # lines that other lines run (breakpoint command lists, `source`, user commands) are
    # printed as each runs, among the stops they cause
    session.commands.emit = lambda text, ok, raw: say(text, out if ok else sys.stderr, raw)
    try:
        if program is not None:
            await session.load()
        if pid is not None:
            res = await session.execute(f"attach {pid}")
            if not res.ok:
                print(res.text, file=sys.stderr)
                return 1
        for cmd in commands:
            try:
                res = await session.execute(cmd)
            except SystemExit:
                break
            if res.text:
                say(res.text, out if res.ok else sys.stderr, res.raw)
            status = 0 if res.ok else 1
        # a block still open when the commands run out ends there (gdb: at end of file)
        end = await session.commands.end_of_input()
        if end is not None and end.text:
            say(end.text, out if end.ok else sys.stderr)
    finally:
        await session.close()
    return status


def run_batch(program: str | None, args: Sequence[str], commands: Sequence[str], *,
              pid: int | None = None, aslr: bool = False) -> int:
    return asyncio.run(_run(program, args, commands, pid, aslr))
