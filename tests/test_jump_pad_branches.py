"""Fast breakpoints whose covered bytes hold a branch or a call (backend/breaks/relocate.py).

fast_branches.c built at -O1 -fno-plt has three such sites, each checked to really
start with the form meant: `scan+2` is `je rel8; test; jle rel8`, line 28 is
`call rel32` (tick), line 35 is `call *GOT(%rip)` (getpid). Each is fast, stops
exactly where gdb's plain conditional breakpoint stops, and a callee entered through
the pad has the program's own caller: gdb's `bt` and `finish`. A thread parked in the
middle of a rewritten sequence is single-stepped out to where the program would be.
"""
from __future__ import annotations

import asyncio
import re
import signal
import subprocess

import capstone
from conftest import ROOT, needs_gdb
from helpers import session_for
from test_fast_conditions import fast_rows
from test_source_diff import both, tdbg_batch

SRC = ROOT / "tests" / "programs" / "fast_branches.c"
FLAGS = ("-O1", "-fno-plt")
OWN = "ticks 100 seen 4851 found 3066"
_cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)


def line(tag: str) -> int:
    return next(i + 1 for i, t in enumerate(SRC.read_text().splitlines()) if f"FAST:{tag}" in t)


def code_at(prog, addr: int, n: int = 3, span: int = 32) -> list[capstone.CsInsn]:
    """The file's instructions at a link-time address (the binary is a PIE)."""
    from elftools.elf.elffile import ELFFile
    with open(prog, "rb") as f:
        elf = ELFFile(f)
        text = elf.get_section_by_name(".text")
        data = text.data()
    off = addr - text["sh_addr"]
    return list(_cs.disasm(data[off:off + span], addr))[:n]


def symbol(prog, name: str) -> int:
    out = subprocess.run(["nm", str(prog)], capture_output=True, text=True, check=True).stdout
    return next(int(m[1], 16) for m in re.finditer(r"^([0-9a-f]+) [Tt] (\w+)$", out, re.M) if m[2] == name)


def sites(prog) -> dict[str, int]:
    """Link-time addresses of the three sites, their forms asserted."""
    out = tdbg_batch(prog, f"break fast_branches.c:{line('call')}", f"break fast_branches.c:{line('pltcall')}")
    call, plt = (int(a, 16) for a in re.findall(r"Breakpoint \d at (0x[0-9a-f]+)", out))
    je = symbol(prog, "scan") + 2
    ins = code_at(prog, je)
    assert [(i.bytes[0], i.mnemonic) for i in ins] == [(0x74, "je"), (0x85, "test"), (0x7E, "jle")], ins
    ins = code_at(prog, call, 1)
    assert ins[0].bytes[0] == 0xE8 and ins[0].size == 5, ins
    assert int(ins[0].op_str, 16) == symbol(prog, "tick")
    ins = code_at(prog, plt, 1)
    assert ins[0].bytes[:2] == bytearray(b"\xff\x15") and ins[0].mnemonic == "call", ins
    return {"je": je, "call": call, "plt": plt}


@needs_gdb
def test_short_jcc_site_is_fast_and_gdbs(build):
    """`je rel8; test; jle rel8` moved as rel32 jccs: both ways of the je are taken (want
    == v[0] once in 64 calls) and the stops, values and counts are gdb's."""
    prog = build("fast_branches", *FLAGS)
    sites(prog)
    cmds = ("break *scan+2 if ticks % 16 == 1", "run", "bt", "p want", "c", "p want", "c", "c", "c",
            "info breakpoints", "c", "c", "info breakpoints", "delete", "c")
    g, t = both(prog, *cmds)
    assert t == g
    assert "\tbreakpoint already hit 7 times" in t and OWN in t
    own = subprocess.run([str(prog)], capture_output=True, text=True, timeout=60).stdout.strip()
    assert own == OWN
    # scan+36 is `jne; ret; mov`: the mov is the je's target, inside the jump's bytes
    assert [i.mnemonic for i in code_at(prog, symbol(prog, "scan") + 36)] == ["jne", "ret", "mov"]
    out = tdbg_batch(prog, "break *scan+2 if ticks == 65", "break *scan+36 if ticks == 1000", "run",
                     "info fast-conditions", "p want", "c", "info breakpoints")
    assert fast_rows(out) == {1: "yes", 2: "a jump target lies inside the covered instructions"}
    assert "$1 = 0" in out and "\tbreakpoint already hit 1 time" in out and OWN in out


@needs_gdb
def test_call_site_callee_sees_the_real_caller(build):
    """`call rel32` and `call *GOT(%rip)` through the pad: the callee's backtrace shows
    main at the call's own return address, `finish` returns into main; as gdb."""
    prog = build("fast_branches", *FLAGS)
    sites(prog)
    cmds = (f"break fast_branches.c:{line('call')} if ticks == 40", "run", "x/i $pc",
            "break tick if ticks == 42", "c", "bt", "finish", "p ticks",
            f"break fast_branches.c:{line('pltcall')} if seen == 1128", "c", "x/i $pc",
            "break getpid", "c", "bt", "finish", "p $pc", "info breakpoints", "delete", "c")
    g, t = both(prog, *cmds)
    assert t == g
    assert any(re.match(r"#1  0x[0-9a-f]+ in main \(.*fast_branches\.c:" + str(line("call")), x) for x in t)
    assert any(re.match(r"#1  0x[0-9a-f]+ in main \(.*fast_branches\.c:" + str(line("pltcall")), x) for x in t)
    assert OWN in t
    out = tdbg_batch(prog, f"break fast_branches.c:{line('call')} if ticks == 40",
                     f"break fast_branches.c:{line('pltcall')} if seen == 1128", "run",
                     "info fast-conditions", "c", "info breakpoints", "c")
    assert fast_rows(out) == {1: "yes", 2: "yes"}
    assert out.count("\tbreakpoint already hit 1 time") == 2 and OWN in out


def test_parked_inside_a_rewritten_sequence_steps_out(build):
    """A thread stopped before or after each instruction of the relocated `call` (push,
    mov, jmp) and of `je; test; jle` leaves the pad where the program would be: in tick
    with the original return address pushed, at the je's target or after the covered
    bytes. The run then ends with the program's own results."""
    from tdbg.backend.process import ptrace
    prog = build("fast_branches", *FLAGS)
    link = sites(prog)

    async def go() -> None:
        async with session_for(prog) as (s, rec):
            dbg = s.dbg
            assert (await s.execute(f"break fast_branches.c:{line('call')} if ticks == 40 || ticks == 50 "
                                    "|| ticks == 60 || ticks == 64")).ok
            assert (await s.execute("break *scan+2 if ticks == 40 || ticks == 65 || ticks == 70 "
                                    "|| ticks == 80")).ok
            await s.run()
            bias = await s._call(lambda: dbg.program.main.bias)
            tick, scan = symbol(prog, "tick") + bias, symbol(prog, "scan") + bias
            call = link["call"] + bias
            assert fast_rows((await s.execute("info fast-conditions")).text) == {1: "yes", 2: "yes"}

            def park_and_settle(steps: int) -> tuple[int, int, int, int, bool]:
                """From the stop at a site: into the stub's relocated copy as a resume
                goes, `steps` raw single steps there, then the pads' settle. (site,
                pc, top of stack, rsp change, whether it was still inside the pad)"""
                inf, tid = dbg.inf, dbg.tid
                regs = inf.regs(tid)
                site, sp = regs.rip, regs.rsp
                stub = dbg.bps.sites[site].stub
                assert stub is not None
                inf.set_pc(tid, stub.addr + stub.resume)
                for _ in range(steps):
                    inf.flush_regs(tid)
                    ptrace.call(ptrace.SINGLESTEP, tid, 0, 0)
                    st = ptrace.waitpid(tid)
                    inf.threads[tid].regs = None
                    assert st.stopped and st.stop_sig == signal.SIGTRAP
                inside = dbg.bps.fast.in_pad(inf.regs(tid).rip)
                assert dbg.ctl.pads.settle()
                regs = inf.regs(tid)
                top = int.from_bytes(inf.read(regs.rsp, 8), "little")
                return site, regs.rip, top, sp - regs.rsp, inside

            call_steps, scan_steps = iter((0, 1, 2, 0)), iter((1, 0, 2, 3))
            seen = []
            for _ in range(8):
                ticks = int((await s.execute("p ticks")).text.split("=")[-1])
                site = await s._call(lambda: dbg.inf.regs(dbg.tid).rip)
                steps = next(call_steps if site == call else scan_steps)
                site, pc, top, pushed, inside = await s._call(lambda steps=steps: park_and_settle(steps))
                assert inside, (ticks, steps)
                if site == call:
                    assert (pc, top, pushed) == (tick, call + 5, 8), (ticks, steps, hex(pc), hex(top))
                else:
                    assert site == scan + 2
                    after = scan + 0x27 if (ticks - 1) % 64 == 0 else scan + 8   # je taken: want == v[0]
                    assert (pc, pushed) == (after, 0), (ticks, steps, hex(pc))
                seen.append((ticks, "call" if site == call else "scan"))
                await s.cont()
            assert seen == [(40, "scan"), (40, "call"), (50, "call"), (60, "call"), (64, "call"),
                            (65, "scan"), (70, "scan"), (80, "scan")]
            await rec.wait_output(OWN.encode(), timeout=30)
    asyncio.run(go())

