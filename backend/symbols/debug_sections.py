"""Getting at a file's debug sections: inflating compressed ones (SHF_COMPRESSED
zlib or zstd, legacy .zdebug_*), and where a separate debug file may be
(objcopy --only-keep-debug: by build-id, then by .gnu_debuglink)."""
from __future__ import annotations

import mmap
import os
import struct
import zlib
from collections.abc import Sequence

from .elf_format import ELFCOMPRESS_ZLIB, ELFCOMPRESS_ZSTD, SHF_COMPRESSED, Section

MAX_INFLATE = 64            # a compressed section may not expand beyond 64x the file size


def section_contents(mm: mmap.mmap, file_size: int, sec: Section, name: str, legacy: bool
                     ) -> tuple[mmap.mmap | bytes, int, int]:
    """(buffer, start, size) of `sec`'s contents, inflated when compressed; `legacy`:
    a .zdebug_* section, which starts with "ZLIB" and the big-endian size when it is.
    ValueError (one line) when the contents cannot be had."""
    limit = max(file_size, 1 << 20) * MAX_INFLATE
    if legacy and mm[sec.offset:sec.offset + 4] == b"ZLIB":
        kind, want, start = ELFCOMPRESS_ZLIB, int.from_bytes(mm[sec.offset + 4:sec.offset + 12], "big"), 12
    elif not legacy and sec.flags & SHF_COMPRESSED:
        kind, _, want, _ = struct.unpack_from("<IIQQ", mm, sec.offset)
        start = 24
    else:
        return mm, sec.offset, sec.size
    raw = mm[sec.offset + start:sec.offset + sec.size]
    if want > limit:
        raise ValueError(f"compressed section {name} claims {want} bytes; ignored")
    if kind == ELFCOMPRESS_ZSTD:
        data = _unzstd(raw, want)
    elif kind == ELFCOMPRESS_ZLIB:
        try:
            data = zlib.decompressobj().decompress(raw, want + 1)
        except zlib.error as e:
            raise ValueError(f"compressed section {name} is corrupt ({e}); ignored") from None
    else:
        raise ValueError(f"{name} is compressed with unknown method {kind}; ignored")
    if len(data) != want:
        raise ValueError(f"compressed section {name} expanded to {len(data)} bytes, "
                         f"header says {want}; ignored")
    return data, 0, len(data)


def _unzstd(raw: bytes, want: int) -> bytes:
    try:
        import zstandard  # optional dependency
    except ImportError:
        raise ValueError("debug sections are compressed with zstd, which this Python cannot read; "
                         "rebuild with -gz=zlib or pip install zstandard") from None
    try:
        data: bytes = zstandard.ZstdDecompressor().decompress(raw, max_output_size=want)
        return data
    except zstandard.ZstdError as e:
        raise ValueError(f"zstd-compressed debug section is corrupt ({e}); ignored") from None


def debug_file_candidates(path: str, build_id: str | None, debuglink: bytes | None,
                          dirs: Sequence[str]) -> list[tuple[str, int | None]]:
    """Paths where the debug file of the file at `path` may be, each with the CRC32
    its .gnu_debuglink (the section's bytes) asks for, or None when found by build-id."""
    cands: list[tuple[str, int | None]] = []
    if build_id and len(build_id) > 2:
        cands += [(os.path.join(d, ".build-id", build_id[:2], build_id[2:] + ".debug"), None)
                  for d in dirs]
    if debuglink is not None:
        name = debuglink.split(b"\0", 1)[0].decode("utf-8", "replace")
        crc = int.from_bytes(debuglink[-4:], "little")
        here = os.path.dirname(path)
        if name and "/" not in name:
            cands += [(os.path.join(p, name), crc) for p in
                      (here, os.path.join(here, ".debug"), *(d + here for d in dirs))]
    return cands
