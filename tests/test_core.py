"""Backend core on real tracees: breakpoints, stepping over them, exits, signals, detach."""
from __future__ import annotations

import asyncio
import errno
import os
import signal
import subprocess

import pytest
from elftools.elf.elffile import ELFFile

from tdbg.backend import events as ev
from tdbg.backend.errors import PtraceError
from tests.helpers import session_for


@pytest.fixture(scope="module")
def core(build):
    return build("core_main", extra_sources=("core_asm",))


async def test_thousand_hits_exact_and_output_intact(core):
    async with session_for(core, "calls") as (s, rec):
        await s.breakpoints.break_at("hit_me")
        await s.run()
        hits = 0
        while s.state == "stopped":
            assert rec.last_stop.reason == ev.StopReason.BREAKPOINT
            hits += 1
            await s.cont()
        assert hits == 1000
        assert rec.of(ev.Exited)[-1].code == 0
        out = await rec.wait_output(b"calls=")
        assert b"calls=1000 sum=999000" in out
        info = s.breakpoints.info()[0]
        assert info.hit_count == 1000


async def test_continue_n_ignores_crossings(core):
    async with session_for(core, "calls") as (s, rec):
        await s.breakpoints.break_at("hit_me")
        await s.run()
        await s.cont(500)          # gdb: continue N ignores the next N-1 crossings
        assert s.breakpoints.info()[0].hit_count == 501
        r = await s.execute("print $rdi")
        assert r.ok and r.text.endswith("= 500"), r.text


@pytest.mark.parametrize("spec,expected", [
    ("both_target", 6),        # reached 3x by call, 3x by jmp
    ("two_nops", 3),
    ("raw_syscall_insn", 1),
])
async def test_breakpoints_on_tricky_instructions(core, spec, expected):
    async with session_for(core, "asm") as (s, rec):
        await s.breakpoints.break_at(f"*{spec}")   # exactly on the instruction, no prologue skip
        await s.run()
        hits = 0
        while s.state == "stopped":
            hits += 1
            await s.cont()
        assert hits == expected
        assert rec.of(ev.Exited)[-1].code == 0, rec.output()
        assert b"counter=6 pid_ok=1" in await rec.wait_output(b"counter")


async def test_consecutive_instruction_breakpoints_each_hit_once(core):
    async with session_for(core, "asm") as (s, rec):
        first = await s.breakpoints.break_at("*two_nops")
        second = await s.breakpoints.break_at("*two_nops+1")
        await s.run()
        seen = []
        while s.state == "stopped":
            seen.append(rec.last_stop.breakpoint_id)
            await s.cont()
        assert seen == [first.id, second.id] * 3


async def test_continue_from_breakpoint_at_current_pc(core):
    async with session_for(core, "calls") as (s, rec):
        await s.breakpoints.break_at("main")
        await s.run()
        pc = rec.last_stop.pc
        r = await s.execute(f"break *{pc:#x}")      # a breakpoint exactly under the pc
        assert r.ok, r.text
        await s.cont()
        assert rec.of(ev.Exited)[-1].code == 0      # not re-hit in place, not stuck


async def test_temporary_breakpoint_fires_once(core):
    async with session_for(core, "calls") as (s, rec):
        await s.breakpoints.break_at("hit_me", temporary=True)
        await s.run()
        assert rec.last_stop.reason == ev.StopReason.BREAKPOINT
        assert s.breakpoints.info() == ()
        await s.cont()
        assert rec.of(ev.Exited)[-1].code == 0
        assert len(rec.of(ev.Stopped)) == 1


async def test_manager_errors_carry_errno(core):
    async with session_for(core, "calls") as (s, rec):
        await s.breakpoints.break_at("main")
        await s.run()
        with pytest.raises(PtraceError) as e:
            await s.breakpoints.delete(42)
        assert e.value.errno == errno.ENODATA
        mgr = s.dbg.bps

        def double_save():
            mgr.save_breakpoint(rec.last_stop.pc)
            try:
                mgr.save_breakpoint(rec.last_stop.pc)
            finally:
                mgr.restore_breakpoint()
        with pytest.raises(PtraceError) as e:
            await s._call(double_save)
        assert e.value.errno == errno.EBUSY
        r = await s.execute("delete 42")
        assert not r.ok and r.text == "No breakpoint number 42."


def _file_bytes(binary, name: str, n: int) -> tuple[int, bytes]:
    with open(binary, "rb") as f:
        elf = ELFFile(f)
        sym = next(s for s in elf.get_section_by_name(".symtab").iter_symbols() if s.name == name)
        addr = sym["st_value"]
        off = next(elf.address_offsets(addr))
        f.seek(off)
        return addr, f.read(n)


async def test_memory_and_disassembly_show_original_bytes(core):
    link, orig = _file_bytes(core, "hit_me", 16)
    async with session_for(core, "calls") as (s, rec):
        await s.breakpoints.break_at("*hit_me")
        await s.breakpoints.break_at("*hit_me+1")
        await s.run()
        pc = rec.last_stop.pc
        data = await s.data.read_memory(pc, 16)
        assert data == orig
        raw = await s._call(lambda: s.dbg.inf.read(pc, 2))
        assert raw == b"\xcc\xcc"                      # really planted
        r = await s.execute(f"x/2i {pc:#x}")
        from tdbg.backend.disasm.decode import decode
        want = [m for _, _, m, _, _ in decode(orig, pc, 2)]
        got = [line.split("\t")[1].split()[0] for line in r.text.splitlines()]
        assert got == want and "int3" not in r.text, r.text
        r = await s.execute(f"x/4xb {pc:#x}")
        assert r.text.split("\t")[1:] == [f"{b:#04x}" for b in orig[:4]], r.text


async def test_detach_leaves_text_intact_and_program_finishes(core):
    proc = subprocess.Popen([str(core), "sleep"])
    try:
        await asyncio.sleep(0.2)
        async with session_for(core) as (s, rec):
            await s.attach(proc.pid)
            assert rec.of(ev.Started)[-1].attached
            await s.breakpoints.break_at("hit_me")
            await s.breakpoints.break_at("main")
            link, orig = _file_bytes(core, "hit_me", 32)
            addr = s.breakpoints.info()[0].addresses[0]
            start = addr - (addr - (s.dbg.program.main.bias + link))
            await s.detach()
            with open(f"/proc/{proc.pid}/mem", "rb") as mem:
                mem.seek(start)
                assert mem.read(32) == orig
        os.kill(proc.pid, signal.SIGALRM)      # wake from sleep: it dies of SIGALRM untraced
        assert proc.wait(5) == -signal.SIGALRM
    finally:
        proc.kill()


async def test_killed_from_outside_is_signaled_not_a_hang(core):
    async with session_for(core, "spin") as (s, rec):
        task = asyncio.create_task(s.run())
        await asyncio.sleep(0.2)
        os.kill(s.pid, signal.SIGKILL)
        await asyncio.wait_for(task, 5)
        assert rec.of(ev.Signaled)[-1].signal == signal.SIGKILL
        # and the session runs again
        await s.breakpoints.break_at("main")
        await s.run()
        assert rec.last_stop.reason == ev.StopReason.BREAKPOINT


async def test_sigkill_while_stopped(core):
    async with session_for(core, "calls") as (s, rec):
        await s.breakpoints.break_at("hit_me")
        await s.run()
        os.kill(s.pid, signal.SIGKILL)
        await asyncio.wait_for(s.cont(), 5)
        assert rec.of(ev.Signaled)[-1].signal_name == "SIGKILL"
        assert s.state == "exited"


@pytest.mark.parametrize("code", [0, 3, 255])
async def test_exit_codes_propagate(core, code):
    async with session_for(core, "exit", str(code)) as (s, rec):
        await s.run()
        assert rec.of(ev.Exited)[-1].code == code


async def test_segv_is_reported_with_fault_address(core):
    async with session_for(core, "segv") as (s, rec):
        await s.run()
        st = rec.last_stop
        assert st.reason == ev.StopReason.SIGNAL and st.signal_name == "SIGSEGV"
        assert st.fault_addr == 0
        assert "Program received signal SIGSEGV, Segmentation fault." in st.message
        await s.cont()
        assert rec.of(ev.Signaled)[-1].signal_name == "SIGSEGV"


async def test_breakpoint_in_signal_handler(core):
    async with session_for(core, "signal") as (s, rec):
        await s.breakpoints.break_at("on_usr1")
        await s.run()
        reasons = []
        while s.state == "stopped":
            reasons.append((rec.last_stop.reason, rec.last_stop.signal_name))
            await s.cont()
        assert reasons == [(ev.StopReason.SIGNAL, "SIGUSR1"), (ev.StopReason.BREAKPOINT, None)] * 2
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"handled=20" in await rec.wait_output(b"handled")


async def test_interrupt_endless_loop_then_continue(core):
    async with session_for(core, "spin") as (s, rec):
        task = asyncio.create_task(s.run())
        await asyncio.sleep(0.3)
        assert s.state == "running"
        s.interrupt()
        await asyncio.wait_for(task, 5)
        assert rec.last_stop.reason == ev.StopReason.INTERRUPTED
        r = await s.execute("info registers rip")
        assert r.ok and "main" in r.text, r.text
        task = asyncio.create_task(s.cont())
        await asyncio.sleep(0.2)
        assert s.state == "running"
        s.interrupt()
        await asyncio.wait_for(task, 5)
        assert len(rec.of(ev.Stopped)) == 2


async def test_launched_tracee_dies_with_session(core):
    async with session_for(core, "spin") as (s, rec):
        task = asyncio.create_task(s.run())
        await asyncio.sleep(0.2)
        pid = s.pid
    await asyncio.sleep(0.1)
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    task.cancel()
