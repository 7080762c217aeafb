"""`tdbg --batch`: the command language without a screen, gdb -batch style.

Used only when the backend offers no ``tdbg.backend.batch.run_batch``. Events are
printed in the order they happen: program output as raw bytes, stop lines,
exit lines; each command's result text after the events it caused.
"""
from __future__ import annotations

import asyncio
import signal
import sys
from typing import Sequence, TextIO

from tdbg.backend import events as ev
from tdbg.backend.errors import TdbgError


def event_text(event: object) -> str | None:
    if isinstance(event, ev.Stopped):
        return event.message or None
    if isinstance(event, ev.Exited):
        how = "exited normally" if event.code == 0 else f"exited with code {event.code:02o}"
        return f"[Inferior 1 (process {event.pid}) {how}]"
    if isinstance(event, ev.Signaled):
        try:
            desc = signal.strsignal(event.signal) or event.signal_name
        except ValueError:
            desc = event.signal_name
        return (f"\nProgram terminated with signal {event.signal_name}, {desc}.\n"
                f"The program no longer exists.")
    if isinstance(event, ev.Message):
        return event.text
    if isinstance(event, ev.Error):
        return event.message
    return None


async def run_batch_async(program: str | None, args: Sequence[str], commands: Sequence[str],
                          *, pid: int | None = None, out: TextIO | None = None) -> int:
    from tdbg.backend.session import Session
    out = out or sys.stdout
    session = None
    try:
        session = await asyncio.to_thread(Session, program, list(args))
        stream = session.events()

        def drain() -> None:
            while (e := stream.get_nowait()) is not None:
                if isinstance(e, ev.Output):
                    out.flush()
                    buf = getattr(out, "buffer", None)
                    if buf is not None:
                        buf.write(e.data)
                        buf.flush()
                    else:
                        out.write(e.data.decode("utf-8", "replace"))
                elif (text := event_text(e)) is not None:
                    print(text, file=sys.stderr if isinstance(e, ev.Error) else out, flush=True)

        await session.load()
        if pid is not None:
            await session.attach(pid)
        ok = True
        for cmd in commands:
            result = await session.execute(cmd)
            for _ in range(3):             # let events the worker queued reach us
                await asyncio.sleep(0)
            drain()
            if result.text:
                print(result.text, file=out if result.ok else sys.stderr, flush=True)
            ok = result.ok
        await asyncio.sleep(0)
        drain()
        return 0 if ok else 1
    except TdbgError as e:
        print(str(e).splitlines()[0] if str(e) else type(e).__name__, file=sys.stderr)
        return 1
    finally:
        if session is not None:
            await session.close()


def run_batch(program: str | None, args: Sequence[str], commands: Sequence[str],
              *, pid: int | None = None) -> int:
    return asyncio.run(run_batch_async(program, args, commands, pid=pid))
