"""Commands that start, resume and end the program: run, start, continue, the steps, kill,
attach/detach, quit, file, tty."""
from __future__ import annotations

import os
import shlex

from ..errors import CommandError
from ..numbers import parse_int
from .args import parse_count
from .registry import CommandInterpreter, command, query_text

_STEPS_N = "Argument N means step N times (or till program stops for another reason)."


@command("run", "r", group="running", resumes=True, help="Start debugged program.",
         usage="Usage: run [ARGS]...\n"
               "ARGS are split as a shell would, but not expanded; with no arguments, uses\n"
               'the arguments last specified (with "run" or "set args").')
async def _run(ci: CommandInterpreter, arg: str) -> str | None:
    args = shlex.split(arg) if arg else None
    await ci.s.run(args)
    return ""


@command("start", group="running", resumes=True,
         help="Start the debugged program stopping at the beginning of the main procedure.",
         usage='Usage: start [ARGS]...\nARGS are taken as by "run".')
async def _start(ci: CommandInterpreter, arg: str) -> str | None:
    # gdb: `tbreak main` (its "Temporary breakpoint 1 at ..." line first), then `run`
    await ci.s.flow.start(shlex.split(arg) if arg else None)
    return ""


@command("continue", "c", "cont", "fg", group="running", resumes=True,
         help="Continue program being debugged, after signal or breakpoint.",
         usage="Usage: continue [N]\n"
               "If proceeding from breakpoint, a number N may be used as an argument,\n"
               "which means to set the ignore count of that breakpoint to N - 1 (so that\n"
               "the breakpoint won't break until the Nth time it is reached).")
async def _continue(ci: CommandInterpreter, arg: str) -> str | None:
    await ci.s.cont(parse_count(arg))
    return ""


@command("next", "n", group="running", resumes=True,
         help="Step program, proceeding through subroutine calls.",
         usage='Usage: next [N]\nUnlike "step", if the current source line calls a subroutine,\n'
               "this command does not enter the subroutine, but instead steps over\n"
               "the call, in effect treating it as a single source line.")
async def _next(ci: CommandInterpreter, arg: str) -> str | None:
    await ci.s.next(parse_count(arg))
    return ""


@command("step", "s", group="running", resumes=True,
         help="Step program until it reaches a different source line.",
         usage=f"Usage: step [N]\n{_STEPS_N}")
async def _step(ci: CommandInterpreter, arg: str) -> str | None:
    await ci.s.step(parse_count(arg))
    return ""


@command("stepi", "si", group="running", resumes=True, help="Step one instruction exactly.",
         usage=f"Usage: stepi [N]\n{_STEPS_N}")
async def _stepi(ci: CommandInterpreter, arg: str) -> str | None:
    await ci.s.stepi(parse_count(arg))
    return ""


@command("nexti", "ni", group="running", resumes=True,
         help="Step one instruction, but proceed through subroutine calls.",
         usage=f"Usage: nexti [N]\n{_STEPS_N}")
async def _nexti(ci: CommandInterpreter, arg: str) -> str | None:
    await ci.s.nexti(parse_count(arg))
    return ""


@command("finish", "fin", group="running", resumes=True,
         help="Execute until selected stack frame returns.",
         usage="Usage: finish\nUpon return, the value returned is printed.")
async def _finish(ci: CommandInterpreter, arg: str) -> str | None:
    await ci.s.settings.set_from_tty(ci.s.from_tty)     # "Run till exit from ..." or not
    await ci.s.finish()
    return ""


@command("until", "u", group="running", resumes=True,
         help="Execute until past the current line or past a LOCATION.",
         usage="Usage: until [LOCATION]\n"
               "Execute until the program reaches a source line greater than the current\n"
               "or a specified location (same args as break command) within the current frame.")
async def _until(ci: CommandInterpreter, arg: str) -> str | None:
    await ci.s.until(arg or None)
    return ""


@command("advance", group="running", resumes=True,
         help="Continue the program up to the given location (same form as args for break command).",
         usage="Usage: advance LOCATION\n"
               "Execution will also stop upon exit from the current stack frame.")
async def _advance(ci: CommandInterpreter, arg: str) -> str | None:
    if not arg:
        raise CommandError("Argument required (a location).")
    await ci.s.advance(arg)
    return ""


@command("kill", "k", group="running", help="Kill execution of program being debugged.",
         usage="Usage: kill")
async def _kill(ci: CommandInterpreter, arg: str) -> str | None:
    pid = ci.s.pid
    if pid is None:
        raise CommandError("The program is not being run.")
    ask = ci.s.confirm
    if ci.s.from_tty and ask is not None and getattr(ci, "confirm", True) and \
            not await ask("Kill the program being debugged?"):
        raise CommandError("Not confirmed.")
    num = await ci.s.processes.current_inferior()
    await ci.s.kill()
    asked = "" if ci.s.from_tty else \
        query_text(ci, "Kill the program being debugged? ", True)
    done = f"[Inferior {num} (process {pid}) killed]"
    return f"{asked}\n{done}" if asked else done


@command("detach", group="running", help="Detach a process or file previously attached.",
         usage="Usage: detach\nThe process is no longer traced, and it continues its execution.")
async def _detach(ci: CommandInterpreter, arg: str) -> str | None:
    program = ci.s.program
    num = await ci.s.processes.current_inferior()
    pid = await ci.s.detach()
    done = f"[Inferior {num} (process {pid}) detached]"
    if ci.s.from_tty and program:             # gdb says this only to a person
        return f"Detaching from program: {os.path.abspath(program)}, process {pid}\n{done}"
    return done


@command("attach", group="running", help="Attach to a process outside of tdbg.",
         usage="Usage: attach PID")
async def _attach(ci: CommandInterpreter, arg: str) -> str | None:
    if not arg.strip():
        raise CommandError("Argument required (process-id to attach).")
    try:
        pid = parse_int(arg.strip())
    except CommandError:
        raise CommandError(f"Illegal process-id: {arg.strip()}.") from None
    await ci.s.flow.attach(pid, ci.s.from_tty)
    return ""


@command("quit", "q", "exit", group="support", help="Exit tdbg.",
         usage="Usage: quit\nA program tdbg started is killed; an attached one is detached.")
async def _quit(ci: CommandInterpreter, arg: str) -> str | None:
    await ci.s.close()
    raise SystemExit(0)


@command("file", group="files", help="Use FILE as program to be debugged.",
         usage="Usage: file FILE\n"
               "It is read for its symbols, and it is the program executed when you use the `run' command.")
async def _file(ci: CommandInterpreter, arg: str) -> str | None:
    if not arg:
        raise CommandError("Argument required (file name).")
    await ci.s.load_program(os.path.expanduser(arg))
    return f"Reading symbols from {arg}..."


@command("tty", group="data", help="Set terminal for future runs of program being debugged.",
         usage='Usage: tty TTY\nThe same as "set inferior-tty TTY".')
async def _tty(ci: CommandInterpreter, arg: str) -> str | None:
    """gdb's `tty DEV` (= set inferior-tty DEV): the next run's stdin/stdout/stderr go to DEV."""
    if not arg.strip():
        raise CommandError("Argument required (filename to set it to.).")
    await ci.s.settings.set_tty(arg.strip())
    return ""
