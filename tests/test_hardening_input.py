"""Bad input through the real command line (issue 12), the cases tests/test_bad_input.py
does not already drive: other ELF kinds, programs that must work (static, separate or
compressed debug info), attach refusals, odd sources, out-of-range requests. Each ends in
one clear line, or the session works; never a traceback."""
from __future__ import annotations

import asyncio
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import as_nobody
from tests.test_bad_input import _one_line_error, tdbg_batch

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "tests" / "programs" / "hard_loop.c"
TRIED = {"bad inputs": 0}


def batch(*argv: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    TRIED["bad inputs"] += 1
    if env is None:
        return tdbg_batch(*argv, timeout=timeout)
    return subprocess.run([sys.executable, "-m", "tdbg.tui.cli", "--batch", *argv], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **env}, cwd=ROOT)


def no_traceback(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    assert not r.stderr.startswith("tdbg: "), r.stderr     # cli.py's last-resort catch


def body_line() -> int:
    return next(i for i, t in enumerate(SRC.read_text().splitlines(), 1) if "/* hit body */" in t)


RUN_TO_HIT = ("-ex", "break hit", "-ex", "run", "-ex", "bt 1", "-ex", "delete", "-ex", "continue")


def ran_with_source(r: subprocess.CompletedProcess) -> None:
    no_traceback(r)
    assert "Breakpoint 1, hit (i=0) at " in r.stdout, r.stdout + r.stderr
    assert f"{body_line()}\t    total += i;" in r.stdout
    assert "total=1" in r.stdout and "exited normally" in r.stdout


# ---------------------------------------------------------------- the program file

@pytest.mark.parametrize("kind", ["elf32", "shared", "object", "core", "truncated", "empty", "fifo"])
def test_other_files_are_refused_in_one_line(build, tmp_path, kind):
    good = build("hard_loop").read_bytes()
    path = tmp_path / kind
    if kind == "elf32":
        path.write_bytes(good[:4] + b"\x01" + good[5:])
        want = "32-bit ELF not supported"
    elif kind in ("shared", "object"):
        src = tmp_path / "lib.c"
        src.write_text("int f(int x) { return x + 1; }\n")
        flags = ["-shared", "-fPIC"] if kind == "shared" else ["-c"]
        subprocess.run(["gcc", "-g", *flags, str(src), "-o", str(path)], check=True)
        want = "shared library" if kind == "shared" else "relocatable"
    elif kind == "core":
        path.write_bytes(good[:16] + struct.pack("<H", 4) + good[18:])
        want = "core"
    elif kind == "truncated":
        path.write_bytes(good[:3000])
        want = "truncated ELF"
    elif kind == "empty":
        path.write_bytes(b"")
        want = "not in executable format"
    else:
        os.mkfifo(path)
        want = "not in executable format"
    path.chmod(0o755)
    r = batch("-ex", "run", str(path), timeout=30)
    no_traceback(r)
    assert r.returncode == 1 and want in _one_line_error(r), r.stderr


def test_static_program_works(build):
    r = batch(*RUN_TO_HIT, str(build("hard_loop", "-static", "-O0")), "hits", "2")
    ran_with_source(r)


def _split_debug(build, tmp_path: Path) -> tuple[Path, Path]:
    """(stripped program, its debug file), as distributions ship them."""
    full = build("hard_loop")
    debug, stripped = tmp_path / "hard_loop.debug", tmp_path / "hard_loop"
    subprocess.run(["objcopy", "--only-keep-debug", str(full), str(debug)], check=True)
    subprocess.run(["objcopy", "--strip-debug", str(full), str(stripped)], check=True)
    return stripped, debug


@pytest.mark.skipif(shutil.which("objcopy") is None, reason="objcopy not installed")
def test_separate_debug_info_by_debuglink(build, tmp_path):
    stripped, debug = _split_debug(build, tmp_path)
    subprocess.run(["objcopy", f"--add-gnu-debuglink={debug.name}", str(stripped)], check=True, cwd=tmp_path)
    (tmp_path / ".debug").mkdir()
    shutil.move(debug, tmp_path / ".debug" / debug.name)        # gdb's DIR/.debug/NAME
    ran_with_source(batch(*RUN_TO_HIT, str(stripped), "hits", "2"))
    (tmp_path / ".debug" / debug.name).write_bytes(b"\x7fELF not the one")   # CRC differs: ignored
    r = batch(*RUN_TO_HIT, str(stripped), "hits", "2")
    no_traceback(r)
    assert "No debugging symbols found" in r.stdout + r.stderr and "exited normally" in r.stdout


@pytest.mark.skipif(shutil.which("objcopy") is None, reason="objcopy not installed")
def test_separate_debug_info_by_build_id(build, tmp_path):
    stripped, debug = _split_debug(build, tmp_path)
    out = subprocess.run(["readelf", "-n", str(stripped)], capture_output=True, text=True).stdout
    build_id = next(line.split()[-1] for line in out.splitlines() if "Build ID" in line)
    where = tmp_path / "debugroot" / ".build-id" / build_id[:2]
    where.mkdir(parents=True)
    shutil.move(debug, where / f"{build_id[2:]}.debug")
    env = {"TDBG_DEBUG_FILE_DIRECTORY": str(tmp_path / "debugroot")}
    ran_with_source(batch(*RUN_TO_HIT, str(stripped), "hits", "2", env=env))
    r = batch(*RUN_TO_HIT, str(stripped), "hits", "2", env={"TDBG_DEBUG_FILE_DIRECTORY": "/nonexistent"})
    no_traceback(r)
    assert "No debugging symbols found" in r.stdout + r.stderr


@pytest.mark.skipif(shutil.which("objcopy") is None, reason="objcopy not installed")
@pytest.mark.parametrize("how", ["zlib", "zlib-gnu"])
def test_compressed_debug_sections_are_used(build, tmp_path, how):
    packed = tmp_path / f"packed-{how}"
    r = subprocess.run(["objcopy", f"--compress-debug-sections={how}", str(build("hard_loop")), str(packed)],
                       capture_output=True)
    if r.returncode:
        pytest.skip(f"objcopy cannot write {how}")
    ran_with_source(batch(*RUN_TO_HIT, str(packed), "hits", "2"))


# ---------------------------------------------------------------- attach

async def test_attach_to_ourselves_and_bad_pids():
    from tdbg.backend.session import Session
    s = Session(None, [], use_pty=False)
    try:
        for arg, want in ((str(os.getpid()), "I refuse to debug myself!"),
                          ("0", "No such process"), ("-5", "No such process"),
                          ("abc", "Illegal process-id: abc."), ("", "Argument required")):
            TRIED["bad inputs"] += 1
            r = await asyncio.wait_for(s.execute(f"attach {arg}".strip()), 20)
            assert not r.ok and "\n" not in r.text.strip() and want in r.text, (arg, r.text)
        assert s.state == "idle"
    finally:
        await s.close()


def test_attach_not_permitted_explains_why(build):
    """A process of another user (as an unprivileged tracer): EPERM, with the reason."""
    from tdbg.backend.process import inferior

    def attach() -> str:
        inferior.Inferior.attach(victim.pid)
        return "attached?!"
    victim = subprocess.Popen([str(build("hard_loop")), "spin"])
    try:
        text = as_nobody(attach)
        TRIED["bad inputs"] += 1
    finally:
        victim.kill()
        victim.wait()
    assert text.startswith(f"ptrace: Operation not permitted: cannot attach to {victim.pid}: "), text
    assert "belongs to uid 0" in text and "\n" not in text


# ---------------------------------------------------------------- sources

def _compile(tmp_path: Path, name: str, text: bytes) -> Path:
    src = tmp_path / f"{name}.c"
    src.write_bytes(text)
    out = tmp_path / name
    subprocess.run(["gcc", "-g", "-O0", str(src), "-o", str(out)], check=True, cwd=tmp_path)
    return out


PROGRAM = b"int main(void)\n{\n    int x = 1;%s\n    return x - 1;\n}\n"


def test_odd_sources_list_without_traceback(tmp_path):
    odd = {
        "latin1": PROGRAM % b" /* caf\xe9 \xff\xfe\x00 */",
        "longline": PROGRAM % (b" /* " + b"A" * 300_000 + b" */"),
        "huge": b"".join(b"/* filler %d */\n" % i for i in range(200_000)) + PROGRAM % b"",
    }
    for name, text in odd.items():
        prog = _compile(tmp_path, name, text)
        r = batch("-ex", "break main", "-ex", "run", "-ex", "list", "-ex", "next", "-ex", "info source",
                  str(prog))
        no_traceback(r)
        assert "Breakpoint 1, main () at " in r.stdout and "int x = 1;" in r.stdout, (name, r.stdout[:300])
        assert "return x - 1;" in r.stdout and "Contains" in r.stdout
    # the source replaced by binary junk after the build: shown as text, never a crash
    (tmp_path / "latin1.c").write_bytes(bytes(range(256)) * 64)
    r = batch("-ex", "break main", "-ex", "run", "-ex", "list", "-ex", "list 1", str(tmp_path / "latin1"))
    no_traceback(r)
    assert "Breakpoint 1, main () at " in r.stdout


def test_missing_source_says_which_file(tmp_path):
    prog = _compile(tmp_path, "gone", PROGRAM % b"")
    (tmp_path / "gone.c").unlink()
    r = batch("-ex", "break main", "-ex", "run", "-ex", "list", "-ex", "x/2i $pc", "-ex", "next", str(prog))
    no_traceback(r)
    assert "Breakpoint 1, main () at " in r.stdout and "gone.c:3\n" in r.stdout
    assert "\tin " in r.stderr and "gone.c" in r.stderr           # `list`: the file it wanted
    assert "=> 0x" in r.stdout                                   # assembly still there
    assert "4\tin " in r.stdout and r.stdout.rstrip().endswith("gone.c")   # `next` goes on, naming the file


# ---------------------------------------------------------------- commands

def test_out_of_range_requests_are_one_line(build):
    r = batch("-ex", "break hit", "-ex", "run", "-ex", "frame 99", "-ex", "up 99", "-ex", "down",
              "-ex", "x/4xg 8", "-ex", "x/-1xb $sp", "-ex", "x/99999999999999999999xb $sp",
              "-ex", "print $nosuchreg + ", "-ex", "print (", "-ex", "print sizeof(struct nosuch)",
              "-ex", "info frame 99", "-ex", "list 999999", "-ex", "finish 3", "-ex", "bt -99999",
              "-ex", "print total", str(build("hard_loop")), "hits", "3")
    TRIED["bad inputs"] += 14
    no_traceback(r)
    err = r.stderr
    for want in ("No frame at level 99.", "Cannot access memory at address 0x8",
                 "A syntax error in expression", "No struct type named nosuch.",
                 "Line number 999994 out of range;"):
        assert want in err, (want, err)
    assert all(len(line) < 300 for line in err.splitlines())
    assert r.stdout.rstrip().endswith("$1 = 0"), r.stdout[-300:]


def test_zz_report_counts():
    print(f"\nbad inputs tried here: {TRIED['bad inputs']}")
