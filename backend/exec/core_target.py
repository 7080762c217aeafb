"""Debugging a core file: gdb's `core-file FILE` (and `tdbg PROG CORE`).

The core (process/core_file.py) becomes the Target's process: every inspect service
reads its registers and memory as it reads a stopped process's, while resuming finds
no controller and says "The program is not being run." (ProcessControl.ctl); `run`
kills it like a process and starts the program afresh. What gdb prints on opening a
core is the message of one Stopped event, so batch mode and the TUI's console show it
in order with the warnings before it.
"""
from __future__ import annotations

import os

from .. import events as ev
from ..breaks.solib import SharedLibraries
from ..errors import NotRunning, TdbgError
from ..inspect.frame_text import FrameText
from ..inspect.frames import Frames
from ..inspect.threads import Threads
from ..process.core_file import NO_PROCESS, CoreFile
from ..process.core_writer import ThreadState, write_core
from ..process.ptrace import REG_NAMES, get_siginfo
from ..process.signames import gdb_signal_description, gdb_signal_name
from ..program.program import Program
from ..program.target import StopState, Target
from .process_control import ProcessControl

MISMATCH = "warning: core file may not match specified executable file."
NEWER = "warning: exec file is newer than core file."


class CoreTarget:
    def __init__(self, target: Target, proc: ProcessControl, solib: SharedLibraries,
                 frames: Frames, text: FrameText, threads: Threads) -> None:
        self.target = target
        self.proc = proc
        self.solib = solib
        self.frames = frames
        self.text = text
        self.threads = threads

    @property
    def core(self) -> CoreFile | None:
        inf = self.target.inf
        return inf if isinstance(inf, CoreFile) and inf.alive else None

    def open(self, path: str) -> None:
        """Open the core at path (errors: gdb's one line) and publish what gdb prints."""
        path = os.path.expanduser(path)
        core = CoreFile.open(path)
        t = self.target
        try:
            prog = t.program
            if prog is None:
                prog = t.program = self._program_from(core)
            if t.alive:
                self.proc.kill()              # gdb asks "A program is being debugged already"
            self.proc.controller = None       # nothing of a previous process resumes now
        except BaseException:
            core.mark_dead()
            raise
        # gdb's core target warns first of each mapped file it cannot open
        for missing in dict.fromkeys(r.path for r in core.regions if not os.path.exists(r.path)):
            t.publish(ev.Message(f"warning: Can't open file {missing} during file-backed mapping "
                                 "note processing", "warning"))
        warning = None if self._matches(core, prog) else MISMATCH
        if warning is None and _mtime(prog.path) > _mtime(path):     # gdb's validate_files
            warning = NEWER
        self._substitute_executable(core, prog)
        t.inf = core
        t.tid = core.pid
        t.selected_frame = 0
        prog.relocate(core.maps())
        prog.maps_provider = core.maps
        self.solib.read_list()
        if warning:
            t.publish(ev.Message(warning, "warning"))
        self._report(core, prog)

    def discard(self) -> bool:
        """`core-file` without a name: drop the core; False when there was none."""
        core = self.core
        if core is None:
            return False
        self.proc.kill()                       # marks it dead, unrelocates, forgets the stop
        return True

    def generate(self, path: str | None) -> str:
        """gdb's `generate-core-file [FILE]` of the stopped process: "Saved corefile FILE"."""
        t = self.target
        inf = t.inf
        if inf is None or not inf.alive or self.core is not None or self.proc.controller is None:
            raise NotRunning(NO_PROCESS)
        path = os.path.expanduser(path) if path else f"core.{inf.pid}"
        inf.invalidate_maps()
        states = []
        order = [t.tid] + [tid for tid in inf.threads if tid != t.tid]
        for tid in order:
            th = inf.threads.get(tid)
            if th is None or th.running or th.exiting:
                continue
            state = ThreadState(tid, inf.regs(tid), inf.fpregs(tid))
            if tid == t.tid:
                try:
                    si = get_siginfo(tid)
                    state.signal, state.siginfo = si.si_signo, bytes(si)
                except TdbgError:
                    pass
            states.append(state)
        for state in states[1:]:           # gdb and the kernel give every thread the signal
            state.signal = states[0].signal if states else 0

        def read(addr: int, n: int) -> bytes:
            try:
                return t.read_memory_partial(addr, n)[0]
            except TdbgError:
                return b""
        try:
            write_core(path, inf.pid, states, inf.maps(), read,
                       lambda text: t.publish(ev.Message(text, "warning")))
        except OSError:
            raise TdbgError(f"Failed to open '{path}' for output.") from None
        return f"Saved corefile {path}"

    # ---- opening ----------------------------------------------------------------------
    def _program_from(self, core: CoreFile) -> Program:
        """No program given: the executable the core names (its first mapped file)."""
        exe = core.executable()
        if exe is None:
            raise TdbgError('No executable file specified.\nUse the "file" or "exec-file" command.')
        return Program(exe)

    def _matches(self, core: CoreFile, prog: Program) -> bool:
        """bfd's test (elf_core_file_matches_executable_p): equal build-ids match; else the
        core's program name (pr_fname, 15 characters at most) must be the file's name."""
        mine = _build_id(prog.path)
        if core.build_id is not None and mine is not None and core.build_id == mine:
            return True
        return not core.program_name or core.program_name == os.path.basename(prog.path)

    def _substitute_executable(self, core: CoreFile, prog: Program) -> None:
        """Read the executable's pages from the file we debug, wherever the core says it
        was (it may have been moved, or run under another name)."""
        main_real = os.path.realpath(prog.path)
        first = next((r for r in core.regions if r.offset == 0), None)
        if first is not None and os.path.realpath(first.path) != main_real:
            mine = _build_id(prog.path)
            if mine is not None and mine == core.build_id:
                for r in core.regions:
                    if r.path == first.path:
                        core.substitute[r.path] = prog.path
                        r.path = prog.path

    def _report(self, core: CoreFile, prog: Program) -> None:
        t = self.target
        t.stop_id += 1
        regs_struct = core.regs(core.pid)
        regs = {n: getattr(regs_struct, n) for n in REG_NAMES}
        pc = regs["rip"]
        t.stop = StopState(t.stop_id, core.pid, pc)
        lines = [f"[New LWP {th.tid}]" for th in core.core_threads]
        if core.command:
            lines.append(f"Core was generated by `{core.command}'.")
        sig = core.signal
        if sig > 0:
            lines.append(f"Program terminated with signal {gdb_signal_name(sig)}, "
                         f"{gdb_signal_description(sig)}.")
        try:
            lines.append(self.text.format_frame(self.frames.frame_info(self.frames.frame(0)),
                                                with_source=True))
        except TdbgError as e:
            lines.append(str(e))
        if len(core.core_threads) >= 2:
            try:
                lines.append(self.threads.select_thread(None))
            except TdbgError:
                pass
        t.publish(ev.ThreadsChanged(tuple(core.threads), core.pid))
        fault = int.from_bytes(core.siginfo[16:24], "little") if len(core.siginfo) >= 24 else None
        t.publish(ev.Stopped(t.stop_id, ev.StopReason.SIGNAL, core.pid, pc, ev.frozen_regs(regs),
                             prog.location(pc), prog.function_name(pc), frozenset(), None,
                             sig or None, gdb_signal_name(sig) if sig else None, fault,
                             "\n".join(lines), None, prog.symbolize(pc)))


def _build_id(path: str) -> bytes | None:
    """The GNU build-id note of an ELF file (None without one)."""
    import struct

    from ..process.core_file import EHDR, NT_GNU_BUILD_ID, PHDR, PT_NOTE, iter_notes
    try:
        with open(path, "rb") as f:
            data = f.read(1 << 16)
        eh = EHDR.unpack_from(data, 0)
        for i in range(eh[10]):
            p = PHDR.unpack_from(data, eh[5] + i * PHDR.size)
            if p[0] == PT_NOTE:
                for name, ntype, desc in iter_notes(data, p[2], p[5]):
                    if name == b"GNU" and ntype == NT_GNU_BUILD_ID:
                        return desc
    except (OSError, struct.error):
        return None
    return None


def _mtime(path: str) -> int:
    try:
        return int(os.stat(path).st_mtime)      # bfd's mtime: whole seconds
    except OSError:
        return 0
