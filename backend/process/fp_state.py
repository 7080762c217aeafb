"""The x87, SSE and AVX registers of a thread, decoded from its FXSAVE area
(PTRACE_GETFPREGS) and XSAVE area (PTRACE_GETREGSET NT_X86_XSTATE) into gdb's names:
st0-7, fctrl ... fop, xmm0-15, mxcsr, ymm0-15 (with AVX), pkru (with protection keys)."""
from __future__ import annotations

from .tracee import Tracee


def thread_fp_registers(inf: Tracee, tid: int) -> dict[str, int]:
    """inf: an Inferior (process/inferior.py) or a CoreFile, which has no XSAVE area."""
    xstate_of = getattr(inf, "xstate", None)
    return decode_fp(bytes(inf.fpregs(tid)), xstate_of(tid) if xstate_of is not None else None)


_XCR0_AVX, _XCR0_PKRU = 1 << 2, 1 << 9
_YMM_HI = 576               # the AVX component in XSAVE's standard format
# gdb 13 reads PKRU at a fixed offset (Intel's layout with AVX-512 before it), not at
# the offset CPUID gives; its value is gdb's where the two differ (AMD).
_PKRU = 2688


def _u(raw: bytes, at: int, n: int) -> int:
    return int.from_bytes(raw[at:at + n], "little")


def decode_fp(fx: bytes, xstate: bytes | None) -> dict[str, int]:
    """The registers in an FXSAVE area (512 bytes) and, if given, the XSAVE area that
    extends it (PTRACE_GETREGSET NT_X86_XSTATE)."""
    out: dict[str, int] = {}
    for i in range(8):
        out[f"st{i}"] = _u(fx, 32 + 16 * i, 10)
    fstat = _u(fx, 2, 2)
    out.update(fctrl=_u(fx, 0, 2), fstat=fstat, ftag=_full_tag(fx, fstat),
               fiseg=_u(fx, 12, 4), fioff=_u(fx, 8, 4), foseg=_u(fx, 20, 4), fooff=_u(fx, 16, 4),
               fop=_u(fx, 6, 2) & 0x7FF, mxcsr=_u(fx, 24, 4))
    for i in range(16):
        out[f"xmm{i}"] = _u(fx, 160 + 16 * i, 16)
    if xstate is None or len(xstate) < _YMM_HI:
        return out
    xcr0, present = _u(xstate, 464, 8), _u(xstate, 512, 8)   # the kernel's XCR0; XSTATE_BV
    if xcr0 & _XCR0_PKRU:
        out["pkru"] = _u(xstate, _PKRU, 4) if present & _XCR0_PKRU else 0
    if xcr0 & _XCR0_AVX:
        for i in range(16):
            # a component absent from XSTATE_BV is in its initial state: zeros
            hi = _u(xstate, _YMM_HI + 16 * i, 16) if present & _XCR0_AVX else 0
            out[f"ymm{i}"] = hi << 128 | out[f"xmm{i}"]
    return out


def _full_tag(fx: bytes, fstat: int) -> int:
    """gdb's ftag: FXSAVE keeps one bit per register (empty or not); the full word has
    two (valid 0, zero 1, special 2, empty 3), per physical register, read from ST(i)."""
    abridged, top = fx[4], (fstat >> 11) & 7
    tag = 0
    for phys in range(8):
        t = 3
        if abridged >> phys & 1:
            raw = fx[32 + 16 * ((phys - top) & 7):][:10]
            exponent, integer = _u(raw, 8, 2) & 0x7FFF, raw[7] & 0x80
            fraction = _u(raw, 0, 8) & ((1 << 63) - 1)
            if exponent == 0x7FFF:
                t = 2
            elif exponent == 0:
                t = 1 if fraction == 0 and not integer else 2
            else:
                t = 0 if integer else 2
        tag |= t << (2 * phys)
    return tag
