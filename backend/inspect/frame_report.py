"""gdb's `info frame`: a frame's addresses, its neighbours, arguments and saved registers.

The text follows gdb 13's info_frame_command_core. Two of its addresses are not the
CFA: "Arglist at" and "Locals at" are the frame base of gdb's amd64 prologue
analyzer (amd64_frame_cache), which reads the function's first instructions:
`push %rbp; mov %rsp,%rbp` done means the base is rbp, otherwise it is derived
from rsp as far as the prologue has run.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import TdbgError
from ..events import args_text
from ..program.units import unit_at
from ..symbols.dwarf.dies import AT_LANGUAGE, C_LANGS, CPP_LANGS
from ..symbols.dwarf.expr import DWARF_REGS
from .frames import ENTRY

if TYPE_CHECKING:
    from .frame_text import FrameText
    from .frames import Frames, VFrame

# gdb's register numbers order the "Saved registers:" list
_GDB_ORDER = ("rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip").split()
_ENDBR64 = b"\xf3\x0f\x1e\xfa"
_MOV_RSP_RBP = (b"\x48\x89\xe5", b"\x48\x8b\xec")
_DW_LANG_ASM = 0x8001


def info_frame_text(frames: Frames, text: FrameText, level: int) -> str:
    stack = frames.unwind(limit=level + 2)
    f = frames.frame(level)
    info = frames.frame_info(f)
    caller = stack[level + 1] if len(stack) > level + 1 else None
    lines = [f"Stack level {level}, frame at {f.cfa:#x}:" if f.cfa is not None else f"Stack level {level}:"]
    rip = f" rip = {f.pc:#x}"
    if f.dummy:
        return _dummy_frame_text(lines, rip, f, caller, stack[level - 1] if level else None)
    if info.function:
        rip += f" in {info.function}"
    loc = info.location
    if loc is not None:
        rip += f" ({text.file_name(loc.file, f.pc, level)}:{loc.line})"
    rip += "; saved rip = " + (f"{caller.pc:#x}" if caller is not None else "<not saved>")
    lines.append(rip)
    # gdb (backtrace past-main off) has no frame above main or the entry point
    if info.function in ("main", ENTRY) and not f.inline:
        caller = None
    links = []
    if caller is not None:
        links.append(f" inlined into frame {level + 1}" if f.inline
                     else f" called by frame at {caller.cfa:#x}" if caller.cfa is not None else "")
    if level > 0:
        inner = stack[level - 1]
        links.append(f" caller of frame at {inner.cfa:#x}" if inner.cfa is not None else "")
    if any(links):
        lines.append(",".join(x for x in links if x))
    lang = _language(frames, f.lookup_pc) if loc is not None else None
    if lang:
        lines.append(f" source language {lang}.")
    base = _frame_base(frames, f)
    if base is None:
        lines.append(" Arglist at unknown address.")
    else:
        args = args_text(info.args)
        lines.append(f" Arglist at {base:#x}, args: {args}")
        sp = f" Previous frame's sp is {f.cfa:#x}" if f.cfa is not None else ""
        lines.append(f" Locals at {base:#x},{sp}")
    saved = _saved_registers(f)
    if saved:
        lines.append(" Saved registers:")
        lines.append(" " + ",".join(f" {name} at {addr:#x}" for name, addr in saved))
    return "\n".join(lines)


def _dummy_frame_text(lines: list[str], rip: str, f: VFrame, caller: VFrame | None,
                      inner: VFrame | None) -> str:
    """gdb's info frame of a `<function called from gdb>` frame: no function, no frame
    base; the previous frame's sp is the one saved before the call."""
    lines.append(rip + "; saved rip = " + (f"{caller.pc:#x}" if caller is not None else "<not saved>"))
    links = []
    if caller is not None and caller.cfa is not None:
        links.append(f" called by frame at {caller.cfa:#x}")
    if inner is not None and inner.cfa is not None:
        links.append(f" caller of frame at {inner.cfa:#x}")
    if links:
        lines.append(",".join(links))
    lines.append(" Arglist at unknown address.")
    sp = caller.regs.get("rsp") if caller is not None else None
    lines.append(" Locals at unknown address," + (f" Previous frame's sp is {sp:#x}" if sp is not None else ""))
    return "\n".join(lines)


def _language(frames: Frames, pc: int) -> str | None:
    found = unit_at(frames.target.prog, pc)
    if found is None:
        return None
    lang = found[1].top.get(AT_LANGUAGE)
    if lang in CPP_LANGS:
        return "c++"
    if lang == _DW_LANG_ASM:
        return "asm"
    return "c" if lang in C_LANGS else None


def _frame_base(frames: Frames, f: VFrame) -> int | None:
    """amd64_frame_cache's base: rbp once the frame is set up, else rsp + how far the
    prologue got (-8 before `push %rbp`, 0 after it)."""
    rsp, rbp = f.regs.get("rsp"), f.regs.get("rbp")
    rng = frames.target.prog.function_range(f.lookup_pc)
    offset = -8
    if rng is not None:
        start = rng[0]
        try:
            code = frames.target.read_memory(start, 8)
        except TdbgError:
            code = b""
        p = 4 if code.startswith(_ENDBR64) else 0
        if f.pc > start + p and code[p:p + 1] == b"\x55":          # push %rbp done
            offset = 0
            if f.pc > start + p + 1 and code[p + 1:p + 4] in _MOV_RSP_RBP:
                return rbp
    return None if rsp is None else (rsp + offset) & 0xFFFFFFFFFFFFFFFF


def _saved_registers(f: VFrame) -> list[tuple[str, int]]:
    """Registers this frame saved in memory (CFI "offset" rules), in gdb's order."""
    row = f.row
    if row is None or f.cfa is None or f.inline:
        return []
    where = {}
    for num, rule in row.rules.items():
        name = "rip" if num == row.ra_reg else DWARF_REGS.get(num)
        if name is not None and rule.kind == "offset" and isinstance(rule.arg, int):
            where[name] = (f.cfa + rule.arg) & 0xFFFFFFFFFFFFFFFF
    return [(n, where[n]) for n in _GDB_ORDER if n in where]
