"""The Session's grouped API (backend/api/) on real tracees, and the rules it keeps:
the command language goes through the Session only, and settings are written on the
ptrace worker thread."""
from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest

from tdbg.backend import events as ev
from tests.helpers import session_for

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "backend"


@pytest.fixture(scope="module")
def core(build):
    return build("core_main", extra_sources=("core_asm",))


async def test_breakpoints_frames_and_data(core):
    async with session_for(core, "calls") as (s, rec):
        bp = await s.breakpoints.break_at("hit_me")
        assert await s.breakpoints.condition(bp.id, "i == 3") == []
        assert [b.id for b in s.breakpoints.info()] == [bp.id]
        await s.run()
        assert s.state == "stopped" and rec.last_stop.reason == ev.StopReason.BREAKPOINT

        frames = await s.frames.backtrace()
        assert [f.function for f in frames] == ["hit_me", "main"]
        assert (await s.frames.backtrace_text()).startswith("#0  hit_me (i=3)")
        regs = await s.frames.registers()
        assert regs["rip"] == s.stop_pc == frames[0].pc

        assert await s.data.evaluate("i") == "3"
        assert await s.data.print_text("i * 2") == "$1 = 6"
        addr = await s.data.evaluate_address("&calls")
        before = int(await s.data.evaluate("calls"))
        raw = await s.data.read_memory(addr, 8)
        assert int.from_bytes(raw, "little") == before == 3
        await s.data.write_memory(addr, (41).to_bytes(8, "little"))
        assert await s.data.evaluate("calls") == "41"
        text, last = await s.data.examine("/2xg &calls")
        assert text.startswith(f"{addr:#x} <calls>:\t0x0000000000000029") and last[2] == addr + 16
        insns = await s.data.disassemble(s.stop_pc, 2)
        assert insns[0].addr == s.stop_pc and insns[0].is_pc

        main = await s.frames.select_frame(1)
        assert main.function == "main"
        assert {"mode", "sum"} <= {v.name for v in await s.data.locals()}
        assert (await s.frames.frame_text()).startswith("#1  ")

        threads = await s.frames.threads()
        assert len(threads) == 1 and threads[0].current
        assert (await s.frames.select_thread(threads[0].num)).tid == threads[0].tid
        assert "hit_me at " in await s.breakpoints.table_text()

        await s.breakpoints.delete_many(None)
        assert s.breakpoints.info() == ()
        await s.cont()
        assert rec.of(ev.Exited)[-1].code == 0


async def test_setting_changes_reach_the_next_run(core):
    async with session_for(core, "calls") as (s, rec):
        await s.settings.set_args(["signal"])
        assert s.settings.args == ["signal"]
        notes, rows = await s.settings.handle(["SIGUSR1", "nostop", "noprint"], lambda q: (True, ""))
        assert notes == [] and rows[0].startswith("Signal") and rows[1].startswith("SIGUSR1       No\tNo\tYes")
        await s.run()
        assert s.state == "exited"
        assert rec.of(ev.Exited)[-1].code == 0 and not rec.of(ev.Stopped)
        assert b"handled=20" in await rec.wait_output(b"handled=")


class _WriteSpy:
    """Swaps an object's class for one that records the thread of every attribute write."""

    def __init__(self, obj: object) -> None:
        threads: list[threading.Thread] = []
        self.threads = threads
        base = type(obj)

        def __setattr__(self: object, name: str, value: object) -> None:
            threads.append(threading.current_thread())
            base.__setattr__(self, name, value)
        spy = type(f"Spied{base.__name__}", (base,), {"__setattr__": __setattr__,
                                                       **({"__slots__": ()} if hasattr(base, "__slots__") else {})})
        obj.__class__ = spy


async def test_set_commands_write_settings_on_the_worker(core):
    async with session_for(core, "calls") as (s, rec):
        settings, solib = _WriteSpy(s.dbg.target.settings), _WriteSpy(s.dbg.solib)
        for line in ("set args a 'b c'", "set disable-randomization off", "set inferior-tty /dev/null",
                     "tty /dev/null", "set inferior-tty", "set breakpoint pending on"):
            assert (await s.execute(line)).ok, line
        assert len(settings.threads) == 5 and len(solib.threads) == 1
        assert set(settings.threads + solib.threads) == {s.worker}
        assert s.settings.args == ["a", "b c"] and s.settings.tty is None
        assert s.dbg.target.settings.aslr and s.dbg.solib.pending_mode == "on"


# ---- the command language reaches the program only through the Session -------------------------
_FORBIDDEN = ("debugger", "inspect", "breaks", "exec", "program")


def _backend_module(node: ast.ImportFrom) -> str:
    """The backend module an import in backend/commands/ names ("" for others)."""
    if node.level == 1:
        return f"commands.{node.module or ''}"
    if node.level >= 2:
        return node.module or ""
    name = node.module or ""
    return name.removeprefix("tdbg.backend.") if name.startswith("tdbg.backend.") else ""


def test_commands_use_only_the_session():
    for path in sorted((BACKEND / "commands").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr != "dbg", f"{path.name}:{node.lineno}: reaches the Debugger"
            if isinstance(node, ast.ImportFrom):
                top = _backend_module(node).split(".")[0]
                assert top not in _FORBIDDEN, f"{path.name}:{node.lineno}: imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.removeprefix("tdbg.backend.").split(".")[0]
                    assert top not in _FORBIDDEN, f"{path.name}:{node.lineno}: imports {alias.name}"


def test_session_and_its_apis_stay_small():
    for path in [BACKEND / "session.py", *sorted((BACKEND / "api").glob("*.py"))]:
        text = path.read_text()
        assert text.count("\n") <= 500, path.name
        for cls in (n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.ClassDef)):
            methods = [f for f in cls.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
            assert len(methods) <= 40, f"{path.name}: {cls.name} has {len(methods)} methods"
