"""Out-of-line execution of the instruction under a breakpoint (displaced stepping).

Resuming from a breakpoint normally costs a whole extra stop: lift the INT3,
single-step, re-insert. For a breakpoint whose condition is false, or that is
being ignored, that second stop dominates the hit rate. Instead each site gets a
slot in a scratch page mapped into the tracee: a copy of the original
instruction followed by `jmp site+len`. The thread resumes at the slot and never
traps. Slots are per site and written once, so threads may run them
concurrently. RIP-relative operands are re-encoded for the slot; relative
branches, calls, returns and interrupts are not relocated (the caller falls back
to the single-step), nor is anything when the page is beyond +-2 GiB.
"""
from __future__ import annotations

import signal
import struct

import capstone

from ..process import ptrace
from ..process.inferior import Inferior
from ..process.ptrace import WaitStatus

SLOT = 32
PAGE = 4096
_cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
_cs.detail = True
_NO_RELOCATE = {capstone.CS_GRP_JUMP, capstone.CS_GRP_CALL, capstone.CS_GRP_RET,
                capstone.CS_GRP_INT, capstone.CS_GRP_IRET, capstone.CS_GRP_BRANCH_RELATIVE}


class Displaced:
    def __init__(self, inferior: Inferior, entry: int) -> None:
        self.inf = inferior
        self.entry = entry            # an address whose 2 bytes we may borrow (program entry)
        self.page: int | None = None
        self.failed = False
        self.slots: dict[int, tuple[int, int] | None] = {}   # site -> (slot addr, insn len)
        self.stolen: WaitStatus | None = None   # a status our injected step received, not ours
        self.owed_signal = 0          # a signal that interrupted our injected step, to deliver
        self._next = 0

    def contains(self, pc: int) -> bool:
        return self.page is not None and self.page <= pc < self.page + PAGE

    def original_pc(self, pc: int) -> int:
        """A thread stopped inside a slot: where it is in the program's own terms."""
        for site, slot in self.slots.items():
            if slot and slot[0] <= pc < slot[0] + SLOT:
                return site if pc == slot[0] else site + slot[1]
        return pc

    def cached_slot(self, site: int) -> int | None:
        hit = self.slots.get(site)
        return hit[0] if hit else None

    def slot_for(self, tid: int, site: int, orig: bytes) -> int | None:
        """The slot that runs `orig` (the bytes at site) then jumps back; None = not relocatable."""
        if site in self.slots:
            hit = self.slots[site]
            return hit[0] if hit else None
        insn = next(_cs.disasm(orig, site, 1), None)
        if insn is None or set(insn.groups) & _NO_RELOCATE or self.failed:
            self.slots[site] = None
            return None
        page = self.page
        if page is None:
            page = self._map_page(tid, site)
            if page is None:
                return None             # (retried later unless mapping failed for good)
        self.slots[site] = None
        if self._next + SLOT > PAGE:
            return None
        slot = page + self._next
        code = bytearray(insn.bytes)
        if "rip" in insn.op_str:
            if not insn.disp_size == 4:
                return None
            disp = insn.disp + (site - slot)
            if not -(1 << 31) <= disp < (1 << 31):
                return None
            struct.pack_into("<i", code, insn.disp_offset, disp)
        back = site + insn.size - (slot + len(code) + 5)
        if not -(1 << 31) <= back < (1 << 31):
            return None
        code += b"\xe9" + struct.pack("<i", back)
        self.inf.write(slot, bytes(code))
        self._next += SLOT
        self.slots[site] = (slot, insn.size)
        return slot

    def _map_page(self, tid: int, near: int) -> int | None:
        """mmap an RWX page in the tracee by running one `syscall` at the entry point;
        the page's address, None when it could not be mapped."""
        inf = self.inf
        saved = ptrace.UserRegs.from_buffer_copy(inf.regs(tid))
        try:
            code = inf.read(self.entry, 2)
            regs = ptrace.UserRegs.from_buffer_copy(saved)
            hint = max(0x10000, (near & ~(PAGE - 1)) - (1 << 24))
            regs.rax, regs.rdi, regs.rsi, regs.rdx = 9, hint, PAGE, 7       # mmap, RWX
            regs.r10, regs.r8, regs.r9, regs.rip = 0x22, (1 << 64) - 1, 0, self.entry
            regs.orig_rax = (1 << 64) - 1
            inf.write(self.entry, b"\x0f\x05")
            try:
                inf.set_regs(tid, regs)
                ptrace.call(ptrace.SINGLESTEP, tid, 0, 0)
                st = ptrace.waitpid(tid)
                if st.stopped and not st.event and st.stop_sig != 5:
                    # A signal came first: the syscall did not run. The controller
                    # delivers the signal at the next resume; we try again later.
                    # Our own parking SIGSTOP (allstop.py) is swallowed instead:
                    # delivered, it would stop the whole process.
                    th = inf.threads[tid]
                    if st.stop_sig == signal.SIGSTOP and th.expect_sigstop:
                        th.expect_sigstop = False
                    else:
                        self.owed_signal = st.stop_sig
                    return None
                if not st.stopped or st.stop_sig != 5 or st.event:
                    # Killed meanwhile, or an event stop: the controller must see it.
                    self.stolen = st
                    self.failed = True
                    return None
                inf.threads[tid].regs = None
                result = inf.regs(tid).rax
            finally:
                inf.write(self.entry, code)
                inf.set_regs(tid, saved)
        except Exception:
            self.failed = True
            return None
        if result >= (1 << 64) - 4096:          # -errno
            self.failed = True
            return None
        self.page = result
        return result
