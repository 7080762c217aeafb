"""On-disk cache of the DWARF index, so a big program opens fast the second time.

One file per binary: ``${XDG_CACHE_HOME:-~/.cache}/tdbg/index/<key>.v<FORMAT>``
where key is the GNU build-id, or a hash of path, size and mtime when there is
none. It holds independent parts ("lines": the line-program directory,
"funcs": the function index) written with ``marshal`` (fast, and unlike pickle
it cannot run code from a tampered file), each loaded only when asked for.
A file that is unreadable, corrupt or for another binary is ignored and rewritten.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import struct
import tempfile
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from .elf import ElfFile

# What `marshal` writes (code objects left out: a cache holds data only).
Marshallable: TypeAlias = (None | bool | int | float | complex | str | bytes | tuple[Any, ...]
                           | list[Any] | dict[Any, Any] | set[Any] | frozenset[Any])

FORMAT = 2
MAGIC = b"TDBGIDX\0"
_HEAD = struct.Struct("<8sIQqQ")      # magic, format, file size, file mtime (ns), number of parts
_PART = struct.Struct("<16sQ")        # part name, length


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "tdbg", "index")


class IndexCache:
    """The cache file of one binary. Size and mtime are checked too, because tools
    like objcopy or dwz rewrite DWARF but keep the build-id."""

    def __init__(self, path: str | None, size: int = 0, mtime: int = 0) -> None:
        self.path, self.size, self.mtime = path, size, mtime
        self._parts: dict[str, bytes] | None = None

    @classmethod
    def for_elf(cls, elf: ElfFile) -> IndexCache:
        try:
            st = os.stat(elf.path)
        except OSError:
            return cls(None)
        key = elf.build_id or hashlib.sha1(
            f"{elf.path}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()
        return cls(os.path.join(cache_dir(), f"{key}.v{FORMAT}"), st.st_size, st.st_mtime_ns)

    def _read(self) -> dict[str, bytes]:
        if self._parts is None:
            self._parts = {}
            if self.path is None:
                return self._parts
            try:
                with open(self.path, "rb") as f:
                    data = f.read()
                magic, fmt, size, mtime, n = _HEAD.unpack_from(data, 0)
                if magic != MAGIC or fmt != FORMAT or (size, mtime) != (self.size, self.mtime) or n > 64:
                    return self._parts
                off = _HEAD.size
                parts = {}
                for _ in range(n):
                    name, length = _PART.unpack_from(data, off)
                    off += _PART.size
                    if off + length > len(data):
                        return self._parts
                    parts[name.rstrip(b"\0").decode()] = data[off:off + length]
                    off += length
                self._parts = parts
            except (OSError, struct.error, UnicodeDecodeError):
                pass
        return self._parts

    def has(self, part: str) -> bool:
        return part in self._read()

    def load(self, part: str) -> Any:
        """The cached object for ``part``, or None when absent or unreadable. Any: it is
        whatever the caller stored, in marshal's types (the caller checks its shape)."""
        parts = self._read()
        raw = parts.get(part)
        if raw is None:
            return None
        try:
            return marshal.loads(raw)
        except (ValueError, EOFError, TypeError):
            parts.pop(part, None)
            return None

    def store(self, part: str, obj: Marshallable) -> None:
        """Write ``part`` (keeping the other parts); failures are silent: it is only a cache."""
        if self.path is None:
            return
        parts = self._read()
        try:
            parts[part] = marshal.dumps(obj)
        except ValueError:
            return
        blob = [_HEAD.pack(MAGIC, FORMAT, self.size, self.mtime, len(parts))]
        for name, raw in parts.items():
            blob += [_PART.pack(name.encode()[:16], len(raw)), raw]
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(b"".join(blob))
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass
