"""Libraries loaded later: pending breakpoints, dlopen/dlclose, info sharedlibrary (docs/hard-cases.md E8).

solib_host dlopens our libsolib_plugin.so (built here with gcc -shared) three times,
calls plugin_fn in it and dlcloses it. gdb 13 on the same binaries is the oracle.
"""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
import time

import pytest

from tdbg.backend import events as ev
from tdbg.backend.process.inferior import read_maps
from tests import batch_diff
from tests.conftest import find_source, have_gdb, needs_gdb
from tests.helpers import session_for

LIB = "./libsolib_plugin.so"      # as the program passes it to dlopen: relative to its cwd
AFTER_CALL, AFTER_LOOP = 25, 27   # solib_host.c: dlclose(h); / total += twin(2);


@pytest.fixture(scope="module")
def host(build, tmp_path_factory):
    """(program, directory holding the plugin): run with that directory as cwd."""
    libdir = tmp_path_factory.mktemp("plugin")
    subprocess.run(["gcc", "-g", "-O0", "-shared", "-fPIC", str(find_source("solib_plugin")),
                    "-o", str(libdir / LIB)], check=True, capture_output=True)
    return build("solib_host", "-O0", "-ldl"), libdir


def untraced_total(host, rounds: str = "3") -> str:
    prog, libdir = host
    out = subprocess.run([str(prog), LIB, rounds], cwd=libdir, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def short(text: str) -> str:
    """File names without their directories (gdb shows them as given to the compiler)."""
    return re.sub(r"(?<=\s)/\S+/(?=[\w.-]+\.c:)", "", text)


def both(host, commands, rounds: str = "3") -> tuple[str, str | None]:
    prog, libdir = host
    ours = batch_diff.tdbg(prog, commands, (LIB, rounds), cwd=libdir)
    assert "Traceback" not in ours, ours
    theirs = batch_diff.gdb(prog, commands, (LIB, rounds), cwd=libdir) if have_gdb() else None
    return ours, theirs


def same(ours: str, theirs: str) -> bool:
    """Equal but for pids and argv addresses; the program's own line may land anywhere,
    even inside one of ours (it writes to the same pipe while we print)."""
    return batch_diff.normalize(ours, r"total=\d+") == batch_diff.normalize(theirs, r"total=\d+")


def test_pending_breakpoint_resolves_in_each_dlopen(host):
    total = untraced_total(host)
    cmds = ["set breakpoint pending on", "break plugin_fn", "info breakpoints", "run", "bt",
            "info breakpoints", "info sharedlibrary", "continue", "continue",
            "info breakpoints", "continue"]
    ours, theirs = both(host, cmds)
    stops = [l for l in short(ours).splitlines() if l.startswith("Breakpoint 1, ")]
    assert stops == [f"Breakpoint 1, plugin_fn (x={i}) at solib_plugin.c:13" for i in (1, 2, 3)]
    assert "#0  plugin_fn (x=1) at solib_plugin.c:13" in short(ours)
    assert ours.count('warning: Temporarily disabling breakpoints for unloaded shared library '
                      f'"{LIB}"') == 3
    assert "1       breakpoint     keep y   <PENDING>  plugin_fn" in ours
    assert total in ours and "exited normally" in ours
    if theirs is not None:
        assert same(ours, theirs), (ours, theirs)


def test_without_pending_the_query_is_answered_no(host):
    ours, theirs = both(host, ["break plugin_fn", "run", "info breakpoints"])
    assert ('Function "plugin_fn" not defined.\nMake breakpoint pending on future shared library '
            "load? (y or [n]) [answered N; input not from terminal]") in ours
    assert "Breakpoint 1," not in ours and "No breakpoints or watchpoints." in ours
    if theirs is not None:
        assert same(ours, theirs), (ours, theirs)


@needs_gdb
def test_info_sharedlibrary_and_breakpoints_after_unload_like_gdb(host):
    cmds = ["info sharedlibrary", "set breakpoint pending on", "break plugin_fn",
            f"break solib_host.c:{AFTER_CALL}", f"tbreak solib_host.c:{AFTER_LOOP}", "run",
            "info sharedlibrary", "delete 2", "continue", "continue", "continue",
            "info breakpoints", "info sharedlibrary", "info sharedlibrary libc", "kill"]
    ours, theirs = both(host, cmds)
    assert f"Yes         {LIB}" in ours and "No shared libraries loaded at this time." in ours
    assert same(ours, theirs), (ours, theirs)


@needs_gdb
def test_pending_breakpoint_with_a_condition_like_gdb(host):
    """Until it resolves, the condition is part of the pending location's text."""
    cmds = ["set breakpoint pending on", "break plugin_fn if x == 2", "info breakpoints", "run",
            "info breakpoints", f"tbreak solib_host.c:{AFTER_LOOP}", "continue",
            "info breakpoints"]
    ours, theirs = both(host, cmds)
    assert "Breakpoint 1 (plugin_fn if x == 2) pending." in ours
    assert "Breakpoint 1, plugin_fn (x=2) at solib_plugin.c:13" in short(ours)
    assert "<PENDING>          plugin_fn if x == 2\n\tstop only if x == 2\n" in ours
    assert same(ours, theirs), (ours, theirs)


@needs_gdb
def test_function_in_two_objects_gets_a_location_in_each_like_gdb(host):
    """twin() is static in the host and in the plugin: one location before the
    plugin loads, <MULTIPLE> with 1.1 and 1.2 after; hits report 1.2 in the plugin."""
    cmds = ["break twin", "info breakpoints", f"break solib_host.c:{AFTER_CALL}", "run",
            "info breakpoints", "continue", "info breakpoints", "continue", "info breakpoints",
            "delete 2", "continue", "continue", "info breakpoints"]
    ours, theirs = both(host, cmds)
    assert "1.2                         y   0x" in ours and "in twin at solib_plugin.c:8" in short(ours)
    assert "Breakpoint 1.2, twin (x=2) at solib_plugin.c:8" in short(ours)
    assert same(ours, theirs), (ours, theirs)


@needs_gdb
def test_disabled_location_stays_disabled_when_the_library_reloads(host):
    """`disable 1.2` (twin in the plugin) survives the dlclose and the next dlopen: gdb
    finds the location again at the same address; `enable 1.2` plants it again."""
    cmds = ["break twin", f"break solib_host.c:{AFTER_CALL}", "run", "continue", "disable 1.2",
            "continue", "continue", "info breakpoints", "enable 1.2", "continue",
            "info breakpoints", "kill"]
    ours, theirs = both(host, cmds)
    stops = [l.split(",")[0] for l in ours.splitlines() if l.startswith("Breakpoint ")]
    assert stops[2:] == ["Breakpoint 1", "Breakpoint 1.2", "Breakpoint 2", "Breakpoint 2",
                         "Breakpoint 1.2"], ours
    assert "1.2                         n   0x" in ours
    assert same(ours, theirs), (ours, theirs)


@needs_gdb
def test_plt_breakpoint_moves_into_the_library_like_gdb(host):
    """`break printf` before run is the PLT stub; once libc is loaded it is libc's printf."""
    cmds = ["break printf", "info breakpoints", "run", "info breakpoints"]
    ours, theirs = both(host, cmds)
    assert "<printf@plt>" in ours and "in printf () from " in ours
    assert same(ours, theirs), (ours, theirs)


async def test_unloaded_library_is_never_written(host):
    """Sites in a library are dropped at dlclose without a write into unmapped memory;
    every INT3 write lands in a mapping that exists at that moment."""
    prog, libdir = host
    os_cwd = os.getcwd()
    os.chdir(libdir)              # the tracee inherits our cwd: dlopen's relative name
    try:
        async with session_for(prog, LIB, "3") as (s, rec):
            writes: list[tuple[int, bool]] = []
            real = s.dbg.bps.mem

            class Recording:
                def read(self, addr, n):
                    return real.read(addr, n)

                def write(self, addr, data):
                    mapped = any(r.start <= addr < r.end for r in read_maps(s.dbg.inf.pid))
                    writes.append((addr, mapped))
                    real.write(addr, data)
            s.dbg.bps.mem = Recording()
            assert (await s.execute("set breakpoint pending on")).ok
            r = await s.execute("break plugin_fn")
            assert r.text.endswith("Breakpoint 1 (plugin_fn) pending."), r.text
            r = await s.execute(f"break solib_host.c:{AFTER_LOOP}")
            assert r.ok, r.text
            await asyncio.wait_for(s.run(), 20)
            ranges = []
            while rec.last_stop.breakpoint_id == 1:
                lib = next(o for o in s.dbg.program.objfiles if o.display_path == LIB)
                ranges.append((lib._lo + lib.bias, lib._hi + lib.bias))
                assert lib.contains(rec.last_stop.pc)            # hit inside the .so
                await asyncio.wait_for(s.cont(), 20)
            assert len(ranges) == 3 and rec.last_stop.breakpoint_id == 2
            # The library is gone: no site of ours is left in its range, none was written there.
            lo, hi = ranges[-1]
            assert not [a for a in s.dbg.bps.sites if lo <= a < hi]
            assert writes and all(mapped for _, mapped in writes), writes
            info = (await s.execute("info breakpoints")).text
            assert "1       breakpoint     keep y   <PENDING>          plugin_fn" in info
            assert "\tbreakpoint already hit 3 times" in info
            assert s.dbg.solib.events >= 3 * 4          # open: ADD+CONSISTENT, close: DELETE+...
            await asyncio.wait_for(s.cont(), 20)
            assert rec.of(ev.Exited)[-1].code == 0
    finally:
        os.chdir(os_cwd)


async def test_breakpoint_set_while_stopped_before_dlopen(host):
    prog, libdir = host
    async with session_for(prog, str(libdir / LIB), "2") as (s, rec):
        await asyncio.wait_for(s.start(), 20)
        r = await s.execute("break plugin_fn")                   # interactive: nobody to ask
        assert not r.ok and r.text.startswith('Function "plugin_fn" not defined.\n'), r.text
        await s.execute("set breakpoint pending on")
        r = await s.execute("tbreak plugin_fn")
        assert r.ok and r.text.endswith("Temporary breakpoint 2 (plugin_fn) pending."), r.text
        await asyncio.wait_for(s.cont(), 20)
        st = rec.last_stop
        assert st.function == "plugin_fn" and st.message.startswith("\nTemporary breakpoint 2, ")
        libs = (await s.execute("info sharedlibrary")).text
        assert libs.splitlines()[-2].endswith(str(libdir / LIB)), libs
        await asyncio.wait_for(s.cont(), 20)
        assert rec.of(ev.Exited)[-1].code == 0


def test_dlopen_loop_costs_one_stop_per_notification(host, monkeypatch):
    """The linker's hook is a bare `ret` we step over without a second stop; a loop of
    dlopen/dlclose runs at least as fast as under gdb."""
    prog, libdir = host
    rounds = 300
    waits = [0]
    real_wait = os.waitpid

    def counting(*a, **k):
        waits[0] += 1
        return real_wait(*a, **k)
    monkeypatch.setattr(os, "waitpid", counting)     # every wait, whoever does it

    async def run() -> int:
        cwd = os.getcwd()
        os.chdir(libdir)
        try:
            async with session_for(prog, LIB, str(rounds), use_pty=False) as (s, rec):
                await asyncio.wait_for(s.run(), 60)
                assert rec.of(ev.Exited)[-1].code == 0
                return s.dbg.solib.events
        finally:
            os.chdir(cwd)
    events = asyncio.run(run())
    assert events >= 4 * rounds
    assert waits[0] <= events + 20, (waits[0], events)
    if have_gdb():
        t0 = time.monotonic()
        batch_diff.tdbg(prog, ["run"], (LIB, str(rounds)), cwd=libdir)
        ours = time.monotonic() - t0
        t0 = time.monotonic()
        batch_diff.gdb(prog, ["run"], (LIB, str(rounds)), cwd=libdir)
        theirs = time.monotonic() - t0
        assert ours < 2 * theirs + 1.0, (ours, theirs)
