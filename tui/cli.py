"""`tdbg`: argument parsing -> the screen, or batch mode.

    tdbg [options] PROG [ARGS...]     everything after PROG goes to the program
    tdbg [options] --args PROG ARGS   (gdb's spelling, accepted)
    tdbg -p PID | tdbg --demo | tdbg  (no program: the start screen)
    tdbg --tty=/dev/pts/3 PROG        the program's stdin/stdout/stderr go to that terminal
    tdbg PROG CORE | tdbg -c CORE PROG   debug a core dump (gdb's spelling: a lone argument
                                      after PROG that is an ELF core file is the core)

Bad input ends in one line on stderr and exit status 1, never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import theming

# options that take a value, so the first bare word after them is not PROG
_VALUE_OPTS = {"-p", "--pid", "-ex", "--eval-command", "-x", "--command", "--theme", "--tty",
               "-c", "--core"}


class _Ordered(argparse.Action):
    """-ex and -x share one list, in command-line order."""

    def __call__(self, parser, ns, value, option_string=None):
        items = list(getattr(ns, "script", None) or [])
        items.append(("x" if option_string in ("-x", "--command") else "ex", value))
        ns.script = items


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tdbg", description="A full-screen terminal debugger for Linux x86-64 programs.",
        usage="tdbg [options] [PROG [ARGS...]] | tdbg -p PID | tdbg --demo")
    p.add_argument("-p", "--pid", type=int, help="attach to a running process")
    p.add_argument("-c", "--core", metavar="CORE", help="debug the core dump CORE (also: tdbg PROG CORE)")
    p.add_argument("--batch", "-batch", action="store_true", help="run -ex/-x commands without a screen, then exit")
    p.add_argument("-ex", "--eval-command", dest="script", action=_Ordered, metavar="CMD",
                   help="run a command (repeatable)")
    p.add_argument("-x", "--command", dest="script", action=_Ordered, metavar="FILE",
                   help="run the commands in FILE")
    p.add_argument("--demo", action="store_true", help="build and open the demo program")
    p.add_argument("--theme", help=f"colour theme: {', '.join(theming.short_names())}")
    p.add_argument("--start", action="store_true", help="run to main before showing the screen")
    p.add_argument("--tty", metavar="DEVICE",
                   help="the program's stdin/stdout/stderr go to DEVICE (e.g. another terminal's /dev/pts/N)")
    p.add_argument("--args", dest="gdb_args", action="store_true",
                   help="(gdb compatibility) PROG ARGS follow")
    p.add_argument("-q", "-nx", "--quiet", "--nx", action="store_true", help=argparse.SUPPRESS)
    return p


def split_argv(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Options before PROG are ours; PROG and everything after belong to the program."""
    argv = list(argv)
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv[:i], argv[i + 1:]
        if a == "--args":
            return argv[:i + 1], argv[i + 1:]
        if not a.startswith("-") or a == "-":
            return argv[:i], argv[i:]
        i += 2 if a in _VALUE_OPTS else 1
    return argv, []


def read_script(items: list[tuple[str, str]]) -> list[str]:
    commands: list[str] = []
    for kind, value in items:
        if kind == "ex":
            commands.append(value)
            continue
        try:
            Path(value).read_text("utf-8")
        except OSError as e:
            raise SystemExit(_fail(f"{value}: {e.strerror}.")) from None
        # gdb's -x is `source FILE`: its blocks (commands ... end) are read from the file,
        # and an error ends the file ("FILE:N: Error in sourced command file:")
        commands.append(f"source {value}")
    return commands


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def check_program(path: str) -> str | None:
    """The cheap checks, so an obvious typo never opens a screen (the backend does the rest)."""
    if not os.path.exists(path):
        return f"{path}: No such file or directory."
    if os.path.isdir(path):
        return f"{path}: Is a directory."
    return None


def is_core_file(path: str) -> bool:
    """An ELF file of type ET_CORE: what `tdbg PROG CORE` takes as a core, not an argument."""
    try:
        with open(path, "rb") as f:
            head = f.read(18)
    except OSError:
        return False
    return len(head) == 18 and head[:4] == b"\x7fELF" and int.from_bytes(head[16:18], "little") == 4


def check_tty(device: str) -> str | None:
    """--tty: refuse a device we cannot open before any screen shows (gdb says so at run)."""
    try:
        os.close(os.open(device, os.O_RDWR | os.O_NOCTTY))
    except OSError as e:
        return f"Cannot open tty {device}: {e.strerror}."
    return None


def main(argv: Sequence[str] | None = None) -> int:
    ours, program_argv = split_argv(sys.argv[1:] if argv is None else argv)
    ns = build_parser().parse_args(ours)
    try:
        commands = read_script(ns.script or [])
    except SystemExit as e:
        return int(e.code or 1)
    program: str | None = program_argv[0] if program_argv else None
    args = program_argv[1:]
    if ns.theme and theming.resolve_name(ns.theme) not in {f"tdbg-{s}" for s in theming.short_names()}:
        return _fail(f"unknown theme {ns.theme!r}; choose from {', '.join(theming.short_names())}")
    if ns.demo:
        from tdbg.backend.errors import TdbgError

        from .demo import demo_binary
        try:
            program = str(demo_binary())
        except TdbgError as e:
            return _fail(str(e))
    if program is not None and (err := check_program(program)):
        return _fail(err)
    if ns.tty is not None and (err := check_tty(ns.tty)):
        return _fail(err)
    if ns.pid is not None and program is not None:
        program = None          # gdb: `gdb -p PID` ignores nothing; we attach, no launch
    core = ns.core
    if core is None and not ns.gdb_args and len(args) == 1 and is_core_file(args[0]):
        core, args = args[0], []        # gdb's `gdb PROG CORE`
    if core is not None:
        commands.insert(0, f"core-file {core}")     # before -ex commands, as gdb loads it
        if program is None and ns.pid is None:      # `tdbg -c CORE`: the program it names
            from tdbg.backend.program.preview import core_executable
            program = core_executable(core)
    if ns.batch:
        if ns.tty is not None:
            commands.insert(0, f"tty {ns.tty}")
        return _batch(program, args, commands, ns.pid)
    preview = None
    if program is not None and ns.pid is None:
        from .startup import preview as start_preview
        preview = start_preview(program)        # main's source, while textual imports
    from .app import make_app
    app = make_app(None, theme=theming.resolve_name(ns.theme) if ns.theme else None,
                   program=program, args=args, pid=ns.pid, start=ns.start, commands=commands,
                   tty=ns.tty, preview=preview)
    try:
        app.run()
    finally:
        session = app.session
        if session is not None:
            try:
                session.close_sync()        # no tracee outlives tdbg, whatever happened
            except Exception:
                pass
    return app.return_code or 0


def _batch(program: str | None, args: list[str], commands: list[str], pid: int | None) -> int:
    from tdbg.backend.batch import run_batch
    try:
        return int(run_batch(program, args, commands, pid=pid) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as e:              # never a traceback for the user
        return _fail(f"tdbg: {type(e).__name__}: {e}")


if __name__ == "__main__":
    raise SystemExit(main())
