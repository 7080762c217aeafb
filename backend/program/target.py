"""Target: what is being debugged right now, shared by the worker-side services.

One object holds the state every service reads: the program, the traced process,
the current thread and stop, the selected frame, the launch settings. It is owned by
the ptrace worker thread (backend/worker.py): only code running there may change it.

Memory reads go through `shadow`, which the composition root (backend/debugger.py)
points at the breakpoint manager, so every reader sees the program's original bytes
under INT3s without the lower layers knowing about breakpoints.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import CommandError, NotRunning
from ..events import SourceLocation
from ..process.inferior import Inferior
from ..process.ptrace import REG_NAMES
from .program import Program

MAX_READ = 1 << 24          # refuse single reads above 16 MiB: RSS stays bounded


@dataclass(slots=True)
class StopState:
    """What the current stop knows, for heavier views asked for later."""
    stop_id: int
    tid: int
    pc: int
    frames: list[object] | None = None


@dataclass(slots=True)
class LaunchSettings:
    """How the next `run` starts the program (gdb's args, disable-randomization, inferior-tty)."""
    args: list[str] = field(default_factory=list)
    aslr: bool = False
    use_pty: bool = True
    tty: str | None = None      # gdb's inferior-tty: the program's I/O goes there
    # how the process runs (gdb's names): read by exec/, set and shown by `set`/`show`
    scheduler_locking: str = "replay"   # off | on | step | replay
    follow_fork_mode: str = "parent"    # parent | child
    detach_on_fork: bool = True


def no_program() -> CommandError:
    """What require_program() raises; hot paths that narrow `Target.program` inline raise it too."""
    return CommandError('No executable file specified.\nUse the "file" or "exec-file" command.')


def _no_shadow(addr: int, data: bytes) -> bytes:
    return data


def _no_breakpoint(pc: int) -> bool:
    return False


class Target:
    def __init__(self, publish: Callable[[object], None]) -> None:
        self.publish = publish
        self.program: Program | None = None
        self.inf: Inferior | None = None
        self.settings = LaunchSettings()
        self.tid = 0
        self.stop: StopState | None = None
        self.stop_id = 0
        self.selected_frame = 0
        # Wired by the composition root (backend/debugger.py):
        self.shadow: Callable[[int, bytes], bytes] = _no_shadow
        self.user_breakpoint_at: Callable[[int], bool] = _no_breakpoint
        # gdb's number of the inferior commands act on (exec/inferiors.py; set by the root)
        self.inferior_num: Callable[[], int] = lambda: 1
        self.write_through: Callable[[int, bytes], None] = self._write_plain
        self._source_cache: dict[str, list[str] | None] = {}
        self.source_dirs: list[str] = []    # gdb's `directory`: searched before $cdir:$cwd
        self._source_notes: set[tuple[str, str]] = set()   # (kind, path) said once
        self._source_visited: str | None = None             # the file last shown (visit_source)
        # Where a plain `list` goes on: (stop_id, file, next line); a frame shown resets it.
        self.listed: tuple[int, str, int] | None = None
        self.listsize: int | None = 10      # gdb's `set listsize` (None: unlimited)
        # The user's values: `print` history ($1, $2 ...) and convenience variables.
        self.value_history: list[str] = []
        self.convenience: dict[str, Any] = {}

    # ---- what must exist -------------------------------------------------------------
    def require_program(self) -> Program:
        if self.program is None:
            raise no_program()
        return self.program

    def require_inferior(self) -> Inferior:
        if self.inf is None or not self.inf.alive:
            raise NotRunning()
        return self.inf

    @property
    def alive(self) -> bool:
        return self.inf is not None and self.inf.alive

    @property
    def prog(self) -> Program:
        """The program, for services that only run once there is one (as require_program)."""
        program = self.program
        if program is None:
            raise no_program()
        return program

    @property
    def process(self) -> Inferior:
        """The traced process, alive or not: unlike require_inferior() a process that just
        died still answers (its last registers, its pid). NotRunning when there is none."""
        inf = self.inf
        if inf is None:
            raise NotRunning()
        return inf

    # ---- registers and memory ----------------------------------------------------------
    def registers(self, tid: int | None = None) -> dict[str, int]:
        inf = self.require_inferior()
        r = inf.regs(tid or self.tid)
        return {n: getattr(r, n) for n in REG_NAMES}

    def set_register(self, name: str, value: int) -> None:
        inf = self.require_inferior()
        regs = inf.regs(self.tid)
        if name not in REG_NAMES:
            raise CommandError(f"Invalid register `{name}'")
        setattr(regs, name, value & 0xFFFFFFFFFFFFFFFF)
        inf.set_regs(self.tid, regs)

    def read_memory(self, addr: int, n: int) -> bytes:
        if n > MAX_READ:
            raise CommandError(f"refusing to read {n} bytes at once (limit {MAX_READ}); read less")
        inf = self.require_inferior()
        return self.shadow(addr, inf.read(addr, n))

    def read_memory_partial(self, addr: int, n: int) -> tuple[bytes, int]:
        if n > MAX_READ:
            raise CommandError(f"refusing to read {n} bytes at once (limit {MAX_READ}); read less")
        inf = self.require_inferior()
        data = self.shadow(addr, inf.read_partial(addr, n))
        return data, len(data)

    def write_memory(self, addr: int, data: bytes) -> None:
        self.require_inferior()
        self.write_through(addr, data)

    def _write_plain(self, addr: int, data: bytes) -> None:
        self.require_inferior().write(addr, data)

    # ---- source text -----------------------------------------------------------------
    def source_lines(self, path: str) -> list[str] | None:
        """Any thread (the TUI reads sources while the program runs): a file is read
        outside the lock and stored whole, so readers never see half an entry."""
        cache = self._source_cache
        if path in cache:
            return cache[path]
        found = self.source_path(path)
        lines: list[str] | None = None
        if found is not None:
            try:
                with open(found, "rb") as f:
                    lines = f.read().decode("utf-8", errors="replace").splitlines()
            except OSError:
                lines = None
        return cache.setdefault(path, lines)

    def source_path(self, path: str) -> str | None:
        """Where the file the debug info names is found: itself, else (gdb's source path)
        each `directory` joined with its whole name, then with its base name."""
        if os.path.isfile(path):
            return path
        for d in self.source_dirs:
            for candidate in (os.path.join(d, path.lstrip("/")), os.path.join(d, os.path.basename(path))):
                if os.path.isfile(candidate):
                    return candidate
        return None

    def set_source_dirs(self, dirs: list[str]) -> None:
        self.source_dirs = dirs
        self._source_cache.clear()          # files missing before may be found now
        self._source_notes.clear()
        self._source_visited = None

    def visit_source(self, path: str) -> bool:
        """Note that a line of path is shown; True when the last one shown was of another
        file. gdb's print_source_lines_base says a file is missing each time it comes
        back to it from another one (last_source_visited), "in FILE" while it stays."""
        changed = path != self._source_visited
        self._source_visited = path
        return changed

    def say_once(self, kind: str, path: str) -> bool:
        """True the first time (kind, path) is asked: gdb says "No such file" and "more
        recent than executable" once per file."""
        if (kind, path) in self._source_notes:
            return False
        self._source_notes.add((kind, path))
        return True

    def source_newer(self, path: str) -> bool:
        """The source file was changed after the program was built (gdb warns)."""
        found = self.source_path(path)
        if found is None or self.program is None:
            return False
        try:
            return os.path.getmtime(found) > os.path.getmtime(self.program.path)
        except OSError:
            return False

    def source_line(self, path: str, line: int) -> str | None:
        lines = self.source_lines(path)
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    def current_file(self) -> str | None:
        """The file `list` and `break LINE` mean: the stop's, else main's."""
        if self.stop is not None and self.program is not None:
            loc = self.program.location(self.stop.pc)
            if loc is not None:
                return loc.file
        main: SourceLocation | None = self.program.main_location() if self.program else None
        return main.file if main else None
