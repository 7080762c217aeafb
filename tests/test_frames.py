"""The CFI unwinder against gdb's `bt` on the same stopped processes (gcore'd).

Each test stops a real program with gdb, writes a core, and asks gdb for its
backtrace and `info frame` in that very state; our Unwinder then walks the same
registers and memory with ObjectCFI for every mapped object (program, libc,
ld.so). Frames are compared by pc, CFA and (in the program) function name.
"""
from __future__ import annotations

import io
import re
import subprocess
import time

import pytest
from conftest import needs_gdb
from corestate import CoreState, ProgramDwarf, unwinder_for
from elftools.elf.elffile import ELFFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tdbg.backend.errors import BadAddress
from tdbg.backend.symbols.dwarf.cfi import ObjectCFI
from tdbg.backend.symbols.frames import MAX_DEPTH, Unwinder

pytestmark = needs_gdb

O2_FLAGS = ("-O2", "-fomit-frame-pointer")
FLAG_SETS = [("-O0",), O2_FLAGS]
# The program's CFI then lives in .debug_frame only (crt files keep .eh_frame).
DEBUG_FRAME = ("-O2", "-fomit-frame-pointer", "-fno-asynchronous-unwind-tables")
BT_LINE = re.compile(r"^#(\d+)\s+(?:(0x[0-9a-f]+) in )?(\S+)")
FRAME_AT = re.compile(r"^Stack level (\d+), frame at (0x[0-9a-f]+)")
MARK = "@@frames@@"
REGS = "rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip".split()
REG_LINE = re.compile(r"^(\w+)\s+(0x[0-9a-f]+|<not saved>)")
ORACLE = ("bt", f"echo {MARK}\\n", "frame apply all -q info frame", f"echo {MARK}\\n",
          "frame apply all -q info registers " + " ".join(REGS))


def gdb_view(text: str):
    """Frames as (pc or None, function name), {level: CFA} and [{reg: value}]
    per frame, from the oracle output.

    gdb's tail-call frames are dropped (levels renumbered): gdb makes them up from
    DW_TAG_call_site for a function that jumped to its callee and so has no frame
    on the stack; CFI cannot see them, a symbol layer may add them later."""
    bt, info, regtext = text.split(MARK + "\n")
    frames = []
    for line in bt.splitlines():
        m = BT_LINE.match(line)
        if m:
            name = "<signal>" if "<signal handler called>" in line else m.group(3)
            frames.append((int(m.group(2), 16) if m.group(2) else None, name))
    cfas, tail = {}, set()
    level = -1
    for line in info.splitlines():
        m = FRAME_AT.match(line)
        if m:
            level = int(m.group(1))
            cfas[level] = int(m.group(2), 16)
        elif "tail call frame" in line:
            tail.add(level)
    regs: list[dict[str, int | None]] = []
    for line in regtext.splitlines():
        m = REG_LINE.match(line)
        if m and m.group(1) in REGS:
            if m.group(1) == REGS[0]:
                regs.append({})
            v = m.group(2)
            regs[-1][m.group(1)] = None if v == "<not saved>" else int(v, 16)
    keep = [i for i in range(len(frames)) if i not in tail]
    return ([frames[i] for i in keep],
            {new: cfas[old] for new, old in enumerate(keep) if old in cfas},
            [regs[i] for i in keep if i < len(regs)])


def capture(build, tmp_path_factory, name, flags, cmds):
    binary = build(name, *flags)
    tmp = tmp_path_factory.mktemp("core")
    cs, out = CoreState.capture_with(binary, cmds, tmp, oracle_cmds=ORACLE)
    frames, cfas, regs = gdb_view(out)
    return cs, (frames, cfas), regs


def our_view(cs: CoreState, frames):
    """Our frames as (pc, name); names from DWARF in the program, like gdb's,
    cut after main (gdb stops there: backtrace past-main is off)."""
    dwarf = ProgramDwarf(cs.binary)
    bias = cs.bias_of(str(cs.binary))
    out = []
    try:
        for f in frames:
            die = dwarf.function_at(f.lookup_pc - bias)
            name = dwarf.name(die) if die is not None else "?"
            out.append((f.pc, "<signal>" if f.signal_frame else name))
            if name == "main":
                break
    finally:
        dwarf.close()
    return out


def assert_same_registers(gdb_regs, frames, n):
    """Every register we claim to know in a frame has gdb's value there. (gdb
    treats unspecified caller-saved registers as unchanged; we leave them out.)"""
    assert len(gdb_regs) >= n
    for level in range(n):
        for name, value in frames[level].regs.items():
            g = gdb_regs[level].get(name)
            if name in REGS and g is not None:
                assert value == g, f"frame {level} {name}: {value:#x} != gdb {g:#x}"
            elif name in REGS:
                raise AssertionError(f"frame {level} {name}: gdb says <not saved>")


def assert_same_backtrace(cs, gdb_frames, gdb_cfas, frames):
    ours = our_view(cs, frames)
    assert len(ours) == len(gdb_frames), (ours, gdb_frames)
    for i, ((pc, name), (gpc, gname)) in enumerate(zip(ours, gdb_frames, strict=True)):
        if gpc is not None:
            assert pc == gpc, f"frame {i}: {pc:#x} != gdb {gpc:#x}"
        if name not in ("?", "<signal>") or gname == "<signal>":
            assert name == gname, f"frame {i}: {name} != gdb {gname}"
    for level, cfa in gdb_cfas.items():
        if level < len(ours) and not frames[level].signal_frame:
            assert frames[level].cfa == cfa, f"frame {level} CFA"


@pytest.mark.parametrize("flags", [*FLAG_SETS, DEBUG_FRAME], ids=lambda f: "".join(f))
@pytest.mark.parametrize("mode,stop", [("deep", "leaf"), ("alloca", "leaf"),
                                       ("regs", "opaque")])
def test_backtrace_matches_gdb(build, tmp_path_factory, flags, mode, stop):
    cs, (gframes, gcfas), gregs = capture(build, tmp_path_factory, "unwind_frames", flags,
                                   (f"break {stop}", f"run {mode}"))
    frames = unwinder_for(cs).frames(cs.regs)
    assert_same_backtrace(cs, gframes, gcfas, frames)
    assert_same_registers(gregs, frames, len(gframes))
    assert not any(f.heuristic for f in frames[:len(gframes)])
    if mode == "deep":                        # leaf + 51 recurse (one a tail call at -O2) + main
        assert len(gframes) == (53 if flags == ("-O0",) else 52)
    if flags == DEBUG_FRAME:
        with open(cs.binary, "rb") as f:
            elf = ELFFile(f)
            assert elf.get_section_by_name(".debug_frame") is not None


@pytest.mark.parametrize("flags", [DEBUG_FRAME + ("-gz=zlib",), ("-O2", "-Wl,--no-eh-frame-hdr")],
                         ids=["debug_frame-gz", "no-eh-frame-hdr"])
def test_cfi_section_variants(build, tmp_path_factory, flags):
    """Compressed .debug_frame; .eh_frame without the .eh_frame_hdr search table."""
    cs, (gframes, gcfas), gregs = capture(build, tmp_path_factory, "unwind_frames", flags,
                                          ("break opaque", "run regs"))
    frames = unwinder_for(cs).frames(cs.regs)
    assert_same_backtrace(cs, gframes, gcfas, frames)
    assert_same_registers(gregs, frames, len(gframes))
    assert not any(f.heuristic for f in frames[:len(gframes)])


@pytest.mark.parametrize("flags", FLAG_SETS, ids=lambda f: "".join(f))
def test_abort_backtrace_needs_pc_minus_one(build, tmp_path_factory, flags):
    """bt from the SIGABRT stop: raise/abort in libc, then die() (noreturn) and
    checker(), whose return addresses can sit just past their function's end."""
    cs, (gframes, gcfas), gregs = capture(build, tmp_path_factory, "unwind_frames", flags,
                                   ("run abort",))
    frames = unwinder_for(cs).frames(cs.regs)
    assert_same_backtrace(cs, gframes, gcfas, frames)
    assert_same_registers(gregs, frames, len(gframes))
    names = [n for _, n in gframes]
    assert names[-3:] == ["die", "checker", "main"]
    if flags == O2_FLAGS:
        # The noreturn call is die()'s last instruction: its return address is
        # the first byte of whatever follows, so only pc-1 names the caller.
        dwarf = ProgramDwarf(cs.binary)
        bias = cs.bias_of(str(cs.binary))
        outside = [f for f in frames[:len(gframes)]
                   if dwarf.function_at(f.pc - bias) is not dwarf.function_at(f.lookup_pc - bias)]
        dwarf.close()
        assert outside, "expected a return address past its caller's end"


@pytest.mark.parametrize("flags", [("-O0",), ("-O2",), ("-O2", "-static")],
                         ids=lambda f: "".join(f))
@pytest.mark.parametrize("how", ["raise", "timer"])
def test_signal_handler_backtrace(build, tmp_path_factory, flags, how):
    """Through __restore_rt (glibc's 'S' CFI) into the interrupted code: libc's
    raise(), or a busy loop interrupted mid-function (exact pc, no -1)."""
    sig = "SIGUSR1" if how == "raise" else "SIGALRM"
    cs, (gframes, gcfas), gregs = capture(build, tmp_path_factory, "unwind_signal", flags,
                                   ("break in_handler", f"handle {sig} nostop noprint pass",
                                    f"run {how}"))
    frames = unwinder_for(cs).frames(cs.regs)
    assert_same_backtrace(cs, gframes, gcfas, frames)
    assert_same_registers(gregs, frames, len(gframes))
    sig_levels = [i for i, (_, n) in enumerate(gframes) if n == "<signal>"]
    assert sig_levels and frames[sig_levels[0]].signal_frame
    below = frames[sig_levels[0] + 1]
    # The interrupted frame gets every register back from the ucontext.
    assert {"rax", "rcx", "rdx", "rsi", "rdi", "r8", "r11"} <= set(below.regs)
    assert below.lookup_pc == below.pc


def test_hand_written_cfi_rules(build, tmp_path_factory):
    """Return address in a register, CFA by expression, expression/val_expression/
    val_offset/same_value rules, *_sf ops, remember/restore state, advance_loc2/4,
    and a "zPLR" CIE (personality + LSDA from -fexceptions) on one call chain."""
    cs, (gframes, gcfas), gregs = capture(build, tmp_path_factory, "unwind_cfi",
                                          ("-O0", "-fexceptions"), ("break cfi_target", "run"))
    out = subprocess.run(["readelf", "--debug-dump=frames", str(cs.binary)],
                         capture_output=True, text=True).stdout
    assert '"zPLR"' in out and "DW_CFA_advance_loc4" in out and "DW_CFA_register" in out
    frames = unwinder_for(cs).frames(cs.regs)
    assert [n for _, n in gframes] == ["cfi_target", "exotic", "ra_in_reg", "with_cleanup", "main"]
    assert_same_backtrace(cs, gframes, gcfas, frames)
    assert_same_registers(gregs, frames, len(gframes))
    # exotic clobbered r13/r14 after saving them: its caller gets the saved values.
    assert frames[1].regs["r13"] == 0x1111 and frames[1].regs["r14"] == 0x2222
    assert frames[2].regs["r13"] != 0x1111 and frames[2].regs["r14"] != 0x2222


def test_sigreturn_trampoline_without_cfi(build, tmp_path_factory):
    """A libc without CFI for its trampoline (musl, static): the sigreturn
    instruction bytes and the kernel's ucontext layout give the same frames."""
    cs, (gframes, gcfas), gregs = capture(build, tmp_path_factory, "unwind_signal", ("-O0",),
                                   ("break in_handler", "handle SIGALRM nostop noprint pass",
                                    "run timer"))
    frames = unwinder_for(cs, skip=("libc",)).frames(cs.regs)
    assert_same_backtrace(cs, gframes, gcfas, frames)
    assert_same_registers(gregs, frames, len(gframes))


def test_rbp_chain_fallback_without_any_cfi(build, tmp_path_factory):
    """No CFI anywhere: -O0 code keeps frame pointers, so following rbp finds
    the same pcs; every frame past 0 is marked heuristic."""
    cs, (gframes, _), _ = capture(build, tmp_path_factory, "unwind_frames", ("-O0",),
                               ("break leaf", "run deep"))
    frames = unwinder_for(cs, skip=("/",)).frames(cs.regs)
    ours = our_view(cs, frames)
    assert [pc for pc, _ in ours][1:] == [pc for pc, _ in gframes][1:]
    assert all(f.heuristic for f in frames)


def test_smashed_stack_ends_quickly(build, tmp_path_factory):
    """Saved rbp pointing at itself and a wild return address (G2)."""
    cs, (gframes, _), _ = capture(build, tmp_path_factory, "unwind_frames", ("-O0",),
                               ("run smash",))
    u = unwinder_for(cs)
    t = time.perf_counter()
    frames = u.frames(cs.regs, limit=MAX_DEPTH)
    assert time.perf_counter() - t < 1.0
    assert [f.pc for f in frames[:2]] == [cs.regs["rip"], gframes[1][0]] == [cs.regs["rip"], 0x1234]
    assert len(frames) <= 3
    assert "corrupt stack" in u.stop_reason


def test_frame_limit_and_caller_api(build, tmp_path_factory):
    cs, (gframes, _), _ = capture(build, tmp_path_factory, "unwind_frames", O2_FLAGS,
                               ("break leaf", "run deep"))
    u = unwinder_for(cs)
    frames = u.frames(cs.regs, limit=10)
    assert len(frames) == 10 and u.stop_reason == "frame limit reached"
    # caller() walks one step at a time to the same frames.
    f = frames[0]
    for expected in frames[1:]:
        f = u.caller(f)
        assert (f.level, f.pc, f.cfa) == (expected.level, expected.pc, expected.cfa)
    # The walk ends in _start, whose CFI marks rip undefined.
    full = u.frames(cs.regs, limit=MAX_DEPTH)
    assert u.stop_reason == "outermost" and len(full) > len(gframes)


def test_perf_libc_cfi_and_deep_unwind(build, tmp_path_factory):
    cs, _, _ = capture(build, tmp_path_factory, "unwind_frames", O2_FLAGS,
                    ("break leaf", "run deep"))
    libc = next(p for p in cs.objects() if "libc.so" in p)
    t = time.perf_counter()
    with open(libc, "rb") as f:
        cfi = ObjectCFI(ELFFile(f), cs.bias_of(libc))
        build_s = time.perf_counter() - t
        # Every FDE start in the table resolves to a row: the index is sound.
        starts = [s for s, _ in cfi._sections[-1].index[::50]]
        assert all(cfi.rule_row(s + cfi.bias) is not None for s in starts)
    u = unwinder_for(cs)
    t = time.perf_counter()
    frames = u.frames(cs.regs)
    unwind_s = time.perf_counter() - t
    print(f"\nObjectCFI(libc): {build_s * 1e3:.1f} ms; unwind {len(frames)} frames: "
          f"{unwind_s * 1e3:.1f} ms")
    assert build_s < 0.5 and unwind_s < 0.5


# -- every CFI row against readelf's interpretation ------------------------------

READELF_NAMES = {16: "ra", 49: "rflags", 58: "fs.base", 59: "gs.base"}
FDE_LINE = re.compile(r"^[0-9a-f]+ [0-9a-f]+ [0-9a-f]+ FDE .*pc=([0-9a-f]+)\.\.([0-9a-f]+)")


def readelf_rows(path: str):
    """{section: [(fde_start, fde_end, [(loc, {column: rule text})])]} from readelf -wF."""
    text = subprocess.run(["readelf", "-wF", path], capture_output=True, text=True).stdout
    text = re.sub(r"\br(\d+) \(\w+\)", r"r\1", text)        # "r3 (rbx)" -> one column
    out: dict[str, list] = {}
    section, fde, columns = None, None, []
    for line in text.splitlines():
        if line.startswith("Contents of the "):
            section = line.split()[3]
            out[section] = []
        elif m := FDE_LINE.match(line):
            fde = (int(m.group(1), 16), int(m.group(2), 16), [])
            out[section].append(fde)
        elif line.startswith("   LOC"):
            columns = line.split()[1:]
        elif fde is not None and re.match(r"^[0-9a-f]{8,} ", line):
            loc, *cells = line.split()
            fde[2].append((int(loc, 16), dict(zip(columns, cells, strict=False))))
        elif not line.strip():
            fde = None
    return out


def readelf_text(row, column: str) -> str:
    if column == "CFA":
        if row.cfa_expr is not None:
            return "exp"
        from tdbg.backend.symbols.dwarf.expr import DWARF_REGS
        return f"{DWARF_REGS[row.cfa_reg]}{row.cfa_offset:+d}"
    from tdbg.backend.symbols.dwarf.expr import REG_NUMBERS
    num = 16 if column == "ra" else REG_NUMBERS[{"rflags": "eflags"}.get(column, column)]
    rule = row.rules.get(num)
    if rule is None or rule.kind == "undefined":
        return "u"
    return {"same": "s", "offset": f"c{rule.arg:+d}" if isinstance(rule.arg, int) else "",
            "val_offset": f"v{rule.arg:+d}" if isinstance(rule.arg, int) else "",
            "register": f"r{rule.arg}", "expression": "exp",
            "val_expression": "vexp"}[rule.kind]


@pytest.mark.parametrize("which", ["unwind_cfi", "debug_frame", "libc", "ld.so"])
def test_every_cfi_row_matches_readelf(build, which):
    if which == "unwind_cfi":
        path = str(build("unwind_cfi", "-O0", "-fexceptions"))
    elif which == "debug_frame":
        path = str(build("unwind_frames", *DEBUG_FRAME))
    else:
        maps = open("/proc/self/maps").read()
        pat = r"(/\S*libc\.so\.6)" if which == "libc" else r"(/\S*ld-linux-x86-64\.so\.2)"
        path = re.search(pat, maps).group(1)
    with open(path, "rb") as f:
        cfi = ObjectCFI(ELFFile(f), 0)
        sections = readelf_rows(path)
        # .debug_frame wins where both describe a pc, as in ObjectCFI.
        covered = [(s, e) for s, e, _ in sections.get(".debug_frame", [])]
        checked = 0
        for section, fdes in sections.items():
            for start, end, rows in fdes:
                if section == ".eh_frame" and any(s <= start < e for s, e in covered):
                    continue
                for i, (loc, cells) in enumerate(rows):
                    last = (rows[i + 1][0] if i + 1 < len(rows) else end) - 1
                    for pc in {loc, last}:
                        row = cfi.rule_row(pc)
                        assert row is not None, f"{path}: no row at {pc:#x}"
                        for column, want in cells.items():
                            got = readelf_text(row, column)
                            assert got == want, f"{path} {pc:#x} {column}: {got} != {want}"
                    checked += 1
    assert checked > (1000 if which == "libc" else 5)


# -- robustness: corrupt CFI ends in CFIError or a shorter stack, never a crash ----

@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_corrupt_eh_frame_never_crashes_the_unwinder(build, tmp_path_factory, data):
    cs, _, _ = capture(build, tmp_path_factory, "unwind_frames", O2_FLAGS,
                       ("break leaf", "run deep"))
    raw = bytearray(cs.binary.read_bytes())
    elf = ELFFile(io.BytesIO(bytes(raw)))
    lo = elf.get_section_by_name(".eh_frame_hdr")["sh_offset"]
    eh = elf.get_section_by_name(".eh_frame")
    hi = eh["sh_offset"] + eh["sh_size"]
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(lo, hi - 1))] = data.draw(st.integers(0, 255))
    cfi = ObjectCFI(ELFFile(io.BytesIO(bytes(raw))), cs.bias_of(str(cs.binary)))
    lo_map = min(s for s, _e, _o, p in cs.mappings if p == str(cs.binary))
    hi_map = max(e for _s, e, _o, p in cs.mappings if p == str(cs.binary))
    u = Unwinder(lambda pc: cfi if lo_map <= pc < hi_map else None, cs.read)
    frames = u.frames(cs.regs, limit=MAX_DEPTH)
    assert 1 <= len(frames) < 200 and u.stop_reason


def test_core_state_basics(build, tmp_path_factory):
    """The fixture itself: registers, memory from the core and from mapped files."""
    binary = build("unwind_frames", "-O0")
    cs = CoreState.capture(binary, "break leaf", "run deep", tmpdir=tmp_path_factory.mktemp("c"))
    bias = cs.bias_of(str(binary))
    assert bias % 0x1000 == 0 and cs.bias_of("libc.so") % 0x1000 == 0
    with open(binary, "rb") as f:
        elf = ELFFile(f)
        leaf = next(s for s in elf.get_section_by_name(".symtab").iter_symbols()
                    if s.name == "leaf")["st_value"]
        text = elf.get_section_by_name(".text")
        # Text is not in the core: it comes from the file through NT_FILE.
        off = leaf - text["sh_addr"] + text["sh_offset"]
        assert cs.read(bias + leaf, 16) == binary.read_bytes()[off:off + 16]
    assert bias + leaf <= cs.regs["rip"] < bias + leaf + 32
    assert int.from_bytes(cs.read(cs.regs["rsp"], 8), "little") >= 0   # stack is in the core
    with pytest.raises(BadAddress):
        cs.read(0x10, 8)
