"""The static "where" half of the symbol layer, checked against gdb on real binaries.

For each fixture program and flag set, one gdb run answers `break FUNC` for every
function, `break FILE:LINE` and `info line FILE:LINE` for every line, and
`info line *PC` / `info symbol PC` across .text; ours must be identical. Then the
bad-input messages of ElfFile.open, corrupt DWARF, and the on-disk index cache.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest
from conftest import gdb_batch, needs_gdb

from tdbg.backend.errors import BadExecutable, CommandError, NoDebugInfo
from tdbg.backend.symbols.elf import ElfFile
from tdbg.backend.symbols.index.debug_info import DebugInfo

PROGRAMS = {                       # name -> (extra sources, files to probe line by line)
    "demo": ((), ("demo.c",)),
    "where_lines": ((), ("where_lines.c", "where_inline.c", "where_gen.inp")),
    "where_static_a": (("where_static_b",), ("where_static_a.c", "where_static_b.c", "where_inline.c")),
    "where_inline": ((), ("where_inline.c",)),
    "where_names": ((), ("where_names.c",)),
}
FLAGS = [("-O0",), ("-O2",), ("-O0", "-gdwarf-4"), ("-O2", "-gdwarf-4")]
MARK = "@@@"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def open_debug(path) -> tuple[ElfFile, DebugInfo]:
    elf = ElfFile.open(str(path))
    dbg = DebugInfo.load(elf)
    assert dbg is not None and dbg.warnings == []
    return elf, dbg


def gdb_many(binary, commands: list[str]) -> list[str]:
    """Run all commands in one gdb; return each command's stdout."""
    cmds = ["set breakpoint pending off"]
    for c in commands:
        cmds += [f"echo {MARK}\\n", c]
    out = gdb_batch(binary, *cmds)
    return out.split(MARK + "\n")[1:]


BREAK_ONE = re.compile(r"Breakpoint \d+ at (0x[0-9a-f]+): file (.*), line (\d+)\.")
BREAK_LOC = re.compile(r"^\d+\.\d+\s+y\s+(0x[0-9a-f]+) in \S+ at (.*):(\d+)$", re.M)
INFO_LINE = re.compile(r'Line (\d+) of "(.*)" (?:starts at address (0x[0-9a-f]+).*? and ends at '
                       r'(0x[0-9a-f]+)|is at address (0x[0-9a-f]+).*? but contains no code)')
OUT_OF_RANGE = re.compile(r'Line number (\d+) is out of range for "(.*)"')
INFO_SYMBOL = re.compile(r"^(\S+?)(?: \+ (\d+))? in section (\S+)$")


def gdb_break_locations(out: str) -> list[tuple[int, str, int]] | None:
    """Locations from `break X` + `info breakpoints` output (None: gdb refused)."""
    m = BREAK_ONE.search(out)
    if m:
        return [(int(m.group(1), 16), os.path.basename(m.group(2)), int(m.group(3)))]
    locs = sorted((int(a, 16), os.path.basename(f), int(n)) for a, f, n in BREAK_LOC.findall(out))
    return locs or None


def gdb_info_lines(out: str) -> list[tuple]:
    res = []
    for text in out.splitlines():
        m = INFO_LINE.search(text)
        if m:
            start = int(m.group(3) or m.group(5), 16)
            end = int(m.group(4), 16) if m.group(4) else start
            res.append((int(m.group(1)), os.path.basename(m.group(2)), start, end))
        m = OUT_OF_RANGE.search(text)
        if m:
            res.append((int(m.group(1)), os.path.basename(m.group(2)), None, None))
    return sorted(res, key=repr)


def build_case(build, name: str, flags: tuple[str, ...]) -> Path:
    extra, _ = PROGRAMS[name]
    return build(name, *flags, extra_sources=extra)


CASES = [pytest.param(n, f, id=f"{n}{''.join(f)}") for n in PROGRAMS for f in FLAGS]


@needs_gdb
@pytest.mark.parametrize("name,flags", CASES)
def test_where_matches_gdb(build, name, flags):
    """break FUNC, break FILE:LINE, info line FILE:LINE, info line *PC, info symbol PC."""
    binary = build_case(build, name, flags)
    elf, dbg = open_debug(binary)
    funcs = dbg.all_function_names()
    assert "main" in funcs
    files = PROGRAMS[name][1]
    nlines = {f: _line_count(f) for f in files}
    lo, hi = elf.text_range()
    pcs = list(range(lo, hi, 3))
    cmds: list[str] = []
    for f in funcs:
        cmds += [f"break {f}", "info breakpoints", "delete"]
    for f in files:
        for n in range(0, nlines[f] + 3):
            cmds += [f"break {f}:{n}", "info breakpoints", "delete", f"info line {f}:{n}"]
    for pc in pcs:
        cmds += [f"info line *{pc:#x}", f"info symbol {pc:#x}"]
    outs = iter(gdb_many(binary, cmds))
    problems: list[str] = []

    for f in funcs:
        want = gdb_break_locations(next(outs) + next(outs))
        next(outs)
        got = sorted({(a, os.path.basename(p or ""), ln) for a, p, ln in
                      (dbg.breakpoint_location(fi) for fi in dbg.functions_named(f))})
        if want != got:
            problems.append(f"break {f}: gdb {_hex(want)} ours {_hex(got)}")

    for f in files:
        for n in range(0, nlines[f] + 3):
            want = gdb_break_locations(next(outs) + next(outs))
            next(outs)
            try:
                got = sorted((a, os.path.basename(p or ""), ln) for a, p, ln in dbg.line_locations(f, n))
            except CommandError:
                got = None
            if want != got:
                problems.append(f"break {f}:{n}: gdb {_hex(want)} ours {_hex(got)}")
            want_info = gdb_info_lines(next(outs))
            got_info = sorted(((ln, os.path.basename(p), s, e) for p, ln, s, e in dbg.info_line(f, n)),
                              key=repr)
            if want_info != got_info:
                problems.append(f"info line {f}:{n}: gdb {want_info} ours {got_info}")

    for pc in pcs:
        m = INFO_LINE.search(next(outs))
        want = None
        if m:
            start = int(m.group(3) or m.group(5), 16)
            want = (int(m.group(1)), os.path.basename(m.group(2)), start,
                    int(m.group(4), 16) if m.group(4) else start)
        row = dbg.find_line(pc)
        got = None if row is None else (row.line, os.path.basename(row.file), *dbg.line_range(pc))
        if want != got:
            problems.append(f"info line *{pc:#x}: gdb {want} ours {got}")
        sym = INFO_SYMBOL.match(next(outs).strip())
        found = elf.symbol_at(pc)
        want_sym = (sym.group(1), int(sym.group(2) or 0), sym.group(3)) if sym else None
        got_sym = (_gdb_display(found[0].name), found[1], elf.section_name_at(pc)) if found else None
        if want_sym != got_sym:
            problems.append(f"info symbol {pc:#x}: gdb {want_sym} ours {got_sym}")
    assert not problems, f"{len(problems)} differences from gdb:\n" + "\n".join(problems[:30])


def _gdb_display(name: str) -> str:
    """How gdb prints gcc's clone symbols: lookup.cold as lookup[cold], x.constprop.0 as x.constprop."""
    name = re.sub(r"\.cold$", "[cold]", name)
    return re.sub(r"(\.(?:constprop|isra|part|lto_priv))\.\d+$", r"\1", name)


def _line_count(fname: str) -> int:
    here = Path(__file__).parent
    for folder in (here / "programs", here.parent / "demo"):
        if (folder / fname).exists():
            return len((folder / fname).read_text().splitlines())
    return 110                                  # the #line file of where_lines: lines 100-104


def _hex(locs):
    return locs if not isinstance(locs, list) else [(hex(a), f, n) for a, f, n in locs]


# ----------------------------------------------------------------------------- the API itself

def test_api_shapes_on_demo(build):
    elf, dbg = open_debug(build("demo"))
    assert elf.is_pie and elf.interp and elf.build_id and len(elf.build_id) == 40
    main = elf.symbol("main")
    assert main.kind == "func" and main.size > 0
    assert elf.symbol_at(main.addr + 3) == (main, 3)
    assert elf.section_name_at(main.addr) == ".text"
    assert elf.read_link_addr(main.addr, 4) == elf.read_code(main.addr, 4)
    assert elf.symbol("printf@plt").kind == "func"
    assert elf.symbol("printf") == elf.symbol("printf@plt")          # only defined in libc
    assert elf.plt_name(elf.symbol("printf@plt").addr + 5) == "printf@plt"
    assert "factorial" in elf.symbols_matching("fac")
    assert any(vaddr <= main.addr < vaddr + size for vaddr, size, _ in elf.load_segments())

    (f,) = dbg.functions_named("factorial")
    assert f.name == "factorial" and f.file.endswith("demo/demo.c") and f.line == 51
    assert dbg.function_at(f.low + 1) == f and dbg.function_at(f.high) != f
    assert dbg.cu_offset_for(f.low) == f.cu_offset
    addr = dbg.breakpoint_address(f)
    row = dbg.find_line(addr)
    assert row.line == 53 and row.is_stmt and dbg.is_statement_start(addr)
    start, end = dbg.line_range(addr + 1)
    assert start == addr < end
    assert dbg.inlined_chain(addr) == []
    table = dbg.line_table(addr)
    assert any(r.address == addr and r.line == 53 and r.is_stmt for r in table)
    assert table[-1].end_sequence and [r.address for r in table] == sorted(r.address for r in table)
    assert dbg.line_addresses("demo.c", 53) == (53, [addr])
    assert dbg.line_addresses("demo/demo.c", 50) == (53, [addr])      # blank line moves down
    with pytest.raises(CommandError, match=r"No source file named nosuch\.c\."):
        dbg.line_addresses("nosuch.c", 3)
    with pytest.raises(CommandError, match=r'No line 99999 in file "demo\.c"\.'):
        dbg.line_addresses("demo.c", 99999)
    assert any(p.endswith("demo/demo.c") for p in dbg.source_files())
    assert dbg.dwarf.has_debug_info                   # the pyelftools view is there for others


def test_inlined_chain_and_instances(build):
    _, dbg = open_debug(build("where_lines", "-O2"))
    instances = dbg.inlined_instances("bump")
    assert instances, "bump is inlined at -O2"
    pc, call_file, call_line = instances[0]
    assert call_file.endswith("where_lines.c") and call_line == _line_of("where_lines.c", "    bump(v);")
    chain = dbg.inlined_chain(pc)
    assert chain[0] == ("bump", call_file, call_line)
    assert all(f.inlined for f in dbg.functions_named("bump"))
    assert [f.inlined for f in dbg.functions_named("one_line_static")] == [True]  # only inlined in main


def _line_of(fname: str, text: str) -> int:
    lines = (Path(__file__).parent / "programs" / fname).read_text().splitlines()
    return lines.index(text) + 1


def test_asm_labels_and_cold_parts(build):
    elf, dbg = open_debug(build("where_names", "-O2"))
    assert dbg.functions_named("labelled") == []          # gdb: Function "labelled" not defined
    assert [f.name for f in dbg.functions_named("__GI_labelled")][:1] == ["__GI_labelled"]
    (lookup,) = dbg.functions_named("lookup")
    cold = elf.symbol("lookup.cold")
    assert cold is not None and len(lookup.ranges) == 2 and lookup.ranges[0][0] == lookup.low
    assert dbg.function_at(cold.addr + 1) == lookup


def test_separate_debug_file_and_compression(build, tmp_path):
    plain = build("demo")
    _, dbg = open_debug(plain)
    want = [dbg.breakpoint_location(f) for f in dbg.functions_named("factorial")]
    debug, stripped = tmp_path / "demo.debug", tmp_path / "demo"
    subprocess.run(["objcopy", "--only-keep-debug", str(plain), str(debug)], check=True)
    subprocess.run(["objcopy", "--strip-debug", f"--add-gnu-debuglink={debug}", str(plain), str(stripped)],
                   check=True, cwd=tmp_path)
    elf = ElfFile.open(str(stripped))
    assert not elf.has_dwarf()
    linked = DebugInfo.load(elf)
    assert [linked.breakpoint_location(f) for f in linked.functions_named("factorial")] == want
    assert linked.dwarf.has_debug_info
    gnu = build("demo", "-O0", "-gz=zlib-gnu")
    _, zdbg = open_debug(gnu)
    assert [zdbg.breakpoint_location(f) for f in zdbg.functions_named("factorial")] == want
    zstd = tmp_path / "zstd"
    if subprocess.run(["objcopy", "--compress-debug-sections=zstd", str(plain), str(zstd)],
                      capture_output=True).returncode == 0:
        if importlib.util.find_spec("zstandard") is None:
            with pytest.raises(NoDebugInfo, match="zstd"):
                DebugInfo.load(ElfFile.open(str(zstd)))


def test_static_functions_in_two_units(build):
    _, dbg = open_debug(build("where_static_a", extra_sources=("where_static_b",)))
    helpers = dbg.functions_named("helper")
    assert sorted(os.path.basename(h.file) for h in helpers) == ["where_static_a.c", "where_static_b.c"]
    assert helpers[0].cu_offset != helpers[1].cu_offset


# ----------------------------------------------------------------------------- bad input

def _run_gcc(*args: str) -> bool:
    return subprocess.run(["gcc", *args], capture_output=True).returncode == 0


def test_open_bad_inputs(tmp_path, build):
    def msg(path, **kw) -> str:
        with pytest.raises(BadExecutable) as e:
            ElfFile.open(str(path), **kw)
        text = str(e.value)
        assert "\n" not in text
        return text

    assert msg(tmp_path / "nope") == f"{tmp_path / 'nope'}: No such file or directory."
    assert msg(tmp_path) == f"{tmp_path}: Is a directory."
    txt = tmp_path / "notes.txt"
    txt.write_text("just some words\n")
    assert "notes.txt" in msg(txt) and "text" in msg(txt)
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    m = msg(script)
    assert "script" in m and "tdbg /bin/sh" in m
    env_script = tmp_path / "tool.py"
    env_script.write_text("#!/usr/bin/env python3\nprint(1)\n")
    assert "tdbg python3" in msg(env_script)

    good = build("demo").read_bytes()
    trunc = tmp_path / "trunc"
    trunc.write_bytes(good[:2000])
    assert "truncated ELF" in msg(trunc)
    tiny = tmp_path / "tiny"
    tiny.write_bytes(good[:40])
    assert "truncated ELF" in msg(tiny)
    start = tmp_path / "start.c"
    start.write_text("void _start(void) { for (;;); }\n")
    real32 = tmp_path / "real32"
    if _run_gcc("-m32", "-nostdlib", "-static", str(start), "-o", str(real32)):
        assert "32-bit ELF not supported" in msg(real32)
    elf32 = tmp_path / "elf32"
    elf32.write_bytes(good[:4] + b"\x01" + good[5:])             # EI_CLASS = ELFCLASS32
    assert "32-bit ELF not supported" in msg(elf32)
    arm = tmp_path / "arm"
    arm.write_bytes(good[:18] + struct.pack("<H", 183) + good[20:])
    assert "ELF for AArch64, tdbg debugs x86-64 only" in msg(arm)
    lib = tmp_path / "libx.so"
    src = tmp_path / "x.c"
    src.write_text("int f(int x) { return x + 1; }\n")
    assert _run_gcc("-g", "-shared", "-fPIC", str(src), "-o", str(lib))
    assert "this is a shared library" in msg(lib)
    assert ElfFile.open(str(lib), as_program=False).symbol("f").kind == "func"
    obj = tmp_path / "x.o"
    assert _run_gcc("-c", str(src), "-o", str(obj))
    assert "relocatable" in msg(obj)


def test_static_pie_and_nopie_are_programs(tmp_path):
    src = tmp_path / "p.c"
    src.write_text("int main(void) { return 0; }\n")
    for flags in (["-no-pie"], ["-static-pie"]):
        out = tmp_path / ("p" + flags[0])
        if _run_gcc("-g", *flags, str(src), "-o", str(out)):
            elf = ElfFile.open(str(out))
            assert elf.is_pie == (flags[0] == "-static-pie")


# ----------------------------------------------------------------------------- corrupt DWARF

def _section(elf: ElfFile, name: str):
    return elf.section(name)


def _exercise(path: Path) -> list[str]:
    """Open and query a (possibly corrupt) binary; only TdbgErrors may come out."""
    try:
        elf = ElfFile.open(str(path))
    except BadExecutable as e:
        return [str(e)]
    try:
        dbg = DebugInfo.load(elf, use_cache=False)  # copies share the build-id: no stale index
    except NoDebugInfo as e:
        return [str(e)]
    if dbg is None:
        return []
    lo, hi = elf.text_range()
    for pc in range(lo, hi, 97):
        dbg.find_line(pc), dbg.function_at(pc), dbg.line_range(pc), dbg.inlined_chain(pc)
    for name in dbg.all_function_names()[:5] + ["main"]:
        for f in dbg.functions_named(name):
            dbg.breakpoint_address(f)
    for line in (1, 30, 75):
        try:
            dbg.line_addresses("demo.c", line)
            dbg.info_line("demo.c", line)
        except CommandError:
            pass
    dbg.source_files()
    return dbg.warnings


@pytest.mark.parametrize("section", [".debug_info", ".debug_abbrev", ".debug_line", ".debug_aranges",
                                     ".debug_str", ".debug_line_str", ".debug_rnglists"])
def test_corrupt_sections_degrade_with_warnings(build, tmp_path, section):
    good = build("demo", "-O2").read_bytes()
    sec = _section(ElfFile.open(str(build("demo", "-O2"))), section)
    if sec is None:
        pytest.skip(f"no {section} in this build")
    for pattern in (b"\xff", b"\x00", b"\x80"):
        bad = bytearray(good)
        for off in range(sec.offset, sec.offset + sec.size, 7):
            bad[off:off + 1] = pattern
        path = tmp_path / f"bad{pattern.hex()}"
        path.write_bytes(bytes(bad))
        t0 = time.monotonic()
        warnings = _exercise(path)
        assert time.monotonic() - t0 < 10
        assert all("\n" not in w for w in warnings)
    elf = ElfFile.open(str(path))
    assert elf.symbol("main") is not None                  # .symtab survives broken DWARF


def test_corrupt_debug_info_header_names_section_and_offset(build, tmp_path):
    good = bytearray(build("demo").read_bytes())
    sec = ElfFile.open(str(build("demo"))).section(".debug_info")
    good[sec.offset + 4:sec.offset + 6] = b"\xf9\x62"          # version 25337, like gdb's test
    path = tmp_path / "badver"
    path.write_bytes(bytes(good))
    warnings = _exercise(path)
    assert any(".debug_info" in w and "0x0" in w for w in warnings), warnings


def test_hostile_lengths_never_allocate_or_hang(build, tmp_path):
    """Huge unit lengths, abbrev codes and LEB128 runs stay bounded."""
    good = bytearray(build("demo").read_bytes())
    elf = ElfFile.open(str(build("demo")))
    for name in (".debug_info", ".debug_line", ".debug_aranges"):
        sec = elf.section(name)
        bad = bytearray(good)
        bad[sec.offset:sec.offset + 4] = b"\xfe\xff\xff\x7f"
        path = tmp_path / name.strip(".")
        path.write_bytes(bytes(bad))
        t0 = time.monotonic()
        assert all("\n" not in w for w in _exercise(path))
        assert time.monotonic() - t0 < 10


def test_fuzz_random_byte_flips(build, tmp_path):
    pytest.importorskip("hypothesis")
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    good = build("demo").read_bytes()
    elf = ElfFile.open(str(build("demo")))
    spans = [(s.offset, s.size) for s in elf.sections if s.name.startswith(".debug_") and s.size]
    target = tmp_path / "fuzz"

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.integers(0, len(spans) - 1), st.floats(0, 1), st.integers(0, 255)),
                    min_size=1, max_size=12),
           st.integers(0, 3))
    def run(flips, cut):
        data = bytearray(good)
        for which, where, value in flips:
            off, size = spans[which]
            data[off + min(int(where * size), size - 1)] = value
        if cut:
            data = data[:len(data) * (4 - cut) // 4]
        target.write_bytes(bytes(data))
        t0 = time.monotonic()
        _exercise(target)
        assert time.monotonic() - t0 < 10

    run()


def test_no_debug_info_and_stripped(build, tmp_path):
    stripped = tmp_path / "stripped"
    shutil.copy(build("demo"), stripped)
    subprocess.run(["strip", str(stripped)], check=True)
    elf = ElfFile.open(str(stripped))
    assert not elf.has_dwarf() and DebugInfo.load(elf) is None
    assert elf.symbol("main") is None and elf.symbol("printf@plt") is not None


def test_compressed_debug_sections(build, tmp_path):
    plain = build("demo")
    _, dbg = open_debug(plain)
    want = [dbg.breakpoint_location(f) for f in dbg.functions_named("factorial")]
    packed = tmp_path / "zlib"
    if subprocess.run(["objcopy", "--compress-debug-sections=zlib", str(plain), str(packed)]).returncode:
        pytest.skip("objcopy cannot compress")
    _, zdbg = open_debug(packed)
    assert [zdbg.breakpoint_location(f) for f in zdbg.functions_named("factorial")] == want


# ----------------------------------------------------------------------------- laziness and the cache

def test_lazy_loading_touches_few_units(build):
    _, dbg = open_debug(build("where_static_a", extra_sources=("where_static_b",)))
    assert dbg._funcs == {} and dbg._culines == {}
    dbg.line_addresses("where_static_b.c", 12)
    assert len([f for f in dbg._funcs.values() if f]) == 1     # only the unit the line is in


@pytest.mark.parametrize("flags", [("-O0",), ("-O2",)])
def test_symtab_shortcut_equals_full_index(build, flags):
    """`break NAME` on a cold start skips the full scan; it must answer the same."""
    binary = build("where_static_a", *flags, extra_sources=("where_static_b",))
    full = DebugInfo.load(ElfFile.open(str(binary)), use_cache=False)
    names = full.all_function_names()
    for name in names + ["printf", "nosuch"]:
        quick = DebugInfo.load(ElfFile.open(str(binary)), use_cache=False)
        assert quick.functions_named(name) == full.functions_named(name), name
        if name in names and flags == ("-O0",):                # no inlining: no full scan needed
            assert quick._names is None, name


def test_without_aranges_units_come_from_their_dies(build, tmp_path):
    binary = build("where_static_a", "-O2", extra_sources=("where_static_b",))
    bare = tmp_path / "noaranges"
    subprocess.run(["objcopy", "--remove-section=.debug_aranges", str(binary), str(bare)], check=True)
    elf, want = open_debug(binary)
    _, got = open_debug(bare)
    lo, hi = elf.text_range()
    for pc in range(lo, hi, 5):
        assert got.find_line(pc) == want.find_line(pc)
        assert got.function_at(pc) == want.function_at(pc)


def test_index_cache_round_trip_and_corruption(build, tmp_path):
    binary = build("where_static_a", extra_sources=("where_static_b",))
    _, cold = open_debug(binary)
    want = (cold.all_function_names(), [cold.breakpoint_location(f) for f in cold.functions_named("helper")],
            cold.line_addresses("where_inline.c", 8))
    files = list((tmp_path / "xdg" / "tdbg" / "index").iterdir())
    assert len(files) == 1 and files[0].name.endswith(".v2")
    _, warm = open_debug(binary)
    assert warm._cache.has("funcs") and warm._cache.has("lines")
    got = (warm.all_function_names(), [warm.breakpoint_location(f) for f in warm.functions_named("helper")],
           warm.line_addresses("where_inline.c", 8))
    assert got == want
    for junk in (b"", b"TDBGIDX\0garbage", os.urandom(5000), files[0].read_bytes()[:-40]):
        files[0].write_bytes(junk)
        _, again = open_debug(binary)
        assert (again.all_function_names(), again.line_addresses("where_inline.c", 8)) == (want[0], want[2])
