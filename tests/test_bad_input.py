"""Bad input ends in one clear line and a non-zero exit, never a traceback or a hang."""
from __future__ import annotations

import shutil
import subprocess
import sys


def tdbg_batch(*argv: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tdbg.tui.cli", "--batch", *argv],
                          capture_output=True, text=True, timeout=timeout)


def _one_line_error(r: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_missing_program(tmp_path):
    r = tdbg_batch("-ex", "run", str(tmp_path / "nope"))
    assert r.returncode != 0
    assert "No such file or directory" in _one_line_error(r)


def test_directory(tmp_path):
    r = tdbg_batch("-ex", "run", str(tmp_path))
    assert r.returncode != 0 and "Is a directory" in _one_line_error(r)


def test_text_file_and_script(tmp_path):
    txt = tmp_path / "notelf.txt"
    txt.write_text("hello\n")
    r = tdbg_batch(str(txt))
    assert r.returncode != 0 and "not in executable format" in _one_line_error(r)
    sh = tmp_path / "script.sh"
    sh.write_text("#!/bin/sh\necho hi\n")
    sh.chmod(0o755)
    r = tdbg_batch(str(sh))
    line = _one_line_error(r)
    assert r.returncode != 0 and "script" in line and "/bin/sh" in line


def test_not_executable(build, tmp_path):
    prog = tmp_path / "noexec"
    shutil.copy(build("demo"), prog)
    prog.chmod(0o644)
    r = tdbg_batch("-ex", "run", str(prog))
    assert "not executable" in r.stderr and "Traceback" not in r.stderr


def test_aarch64_elf(build, tmp_path):
    prog = tmp_path / "arm"
    data = bytearray(build("demo").read_bytes())
    data[18:20] = (183).to_bytes(2, "little")      # e_machine = EM_AARCH64
    prog.write_bytes(bytes(data))
    prog.chmod(0o755)
    r = tdbg_batch(str(prog))
    assert r.returncode != 0 and "AArch64" in _one_line_error(r)


def test_bad_commands_keep_the_session(build):
    prog = str(build("demo"))
    r = tdbg_batch("-ex", "frobnicate", "-ex", "break nosuchfn", "-ex", "break demo.c:99999",
                   "-ex", "x/8xb 0", "-ex", "print 1 +", "-ex", "print nosuchvar",
                   "-ex", "break main", "-ex", "run", "-ex", "x/8xb 0", "-ex", "print *(int*)0",
                   "-ex", "print 1/0", "-ex", "x/100000000xb $sp", "-ex", "bt", prog)
    assert "Traceback" not in r.stderr
    err = r.stderr
    assert 'Undefined command: "frobnicate"' in err
    assert 'Function "nosuchfn" not defined.' in err
    assert "No line 99999 in file" in err
    assert "Cannot access memory at address 0x0" in err
    assert 'No symbol "nosuchvar" in current context.' in err
    assert "Division by zero" in err
    assert "refusing" in err or "limit" in err
    assert "Breakpoint 1, main" in r.stdout and "#0  main" in r.stdout


def test_attach_errors():
    r = tdbg_batch("-p", "999999")
    assert r.returncode != 0 and "No such process" in _one_line_error(r)
    zombie = subprocess.Popen(["true"])       # never waited for: a zombie
    try:
        import time
        for _ in range(100):
            if open(f"/proc/{zombie.pid}/stat").read().split()[2] == "Z":
                break
            time.sleep(0.02)
        r = tdbg_batch("-p", str(zombie.pid))
        assert r.returncode != 0 and "zombie" in _one_line_error(r)
    finally:
        zombie.wait()
