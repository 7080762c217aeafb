"""A stripped program (no .symtab, no DWARF): assembly-level debugging still works (docs/hard-cases.md F2)."""
from __future__ import annotations

import re
import subprocess

from elftools.elf.elffile import ELFFile

from tests.test_bad_input import tdbg_batch


def test_stripped_binary_degrades_to_assembly(build, tmp_path):
    src = build("core_main", extra_sources=("core_asm",))
    with open(src, "rb") as f:
        elf = ELFFile(f)
        hit_me = next(s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()
                      if s.name == "hit_me")
    prog = tmp_path / "stripped"
    subprocess.run(["strip", "-o", str(prog), str(src)], check=True)
    addr = 0x555555554000 + hit_me          # ASLR off, as in gdb
    r = tdbg_batch("-ex", "break hit_me", "-ex", f"break *{addr:#x}", "-ex", "run", "-ex", "bt",
                   "-ex", "stepi", "-ex", "x/2i $pc", "-ex", "info registers rip",
                   "-ex", "delete", "-ex", "continue", str(prog), "calls")
    out, err = r.stdout, r.stderr
    assert "Traceback" not in err
    assert out.count("No debugging symbols found") + err.count("No debugging symbols found") == 1
    assert 'Function "hit_me" not defined.' in err
    assert f"Breakpoint 1, {addr:#018x} in ?? ()" in out
    assert f"#0  {addr:#018x} in ?? ()" in out
    # unwound through libc by .eh_frame; named as the dynamic linker names it, like gdb
    assert re.search(r"#\d+  0x[0-9a-f]+ in \S+ \(\) from /\S+/libc\.so\.6\n", out), out
    assert f"rip            {addr + 1:#x}" in out
    assert "calls=1000 sum=999000" in out and "exited normally" in out
