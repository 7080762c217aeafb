"""Names in a frame: locals, arguments, file statics and globals (filled in below)."""
from __future__ import annotations


class FrameScope:
    def __init__(self, dbg, tid: int, level: int) -> None:
        self.dbg, self.tid, self.level = dbg, tid, level

    def lookup(self, name: str, scope: str | None = None):
        return None

    def lookup_type(self, name: str):
        return None
