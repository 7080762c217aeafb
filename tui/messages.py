"""Textual messages the event bridge posts, one per backend event.

Facts in the past tense. State messages (a stop, a resume, the breakpoint
table) carry only the newest value that matters, so a queue of them collapses
(``can_replace``): holding F10 paints the latest stop, not every stale one.
"""
from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tdbg.backend import events as ev


class _RunState(Message):
    """A stop or resume: any later one makes this one stale."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, _RunState)


@dataclass
class DebuggeeStarted(Message):
    event: ev.Started


@dataclass
class DebuggeeStopped(_RunState):
    event: ev.Stopped


@dataclass
class DebuggeeResumed(_RunState):
    event: ev.Resumed


@dataclass
class DebuggeeExited(Message):
    """The process ended (Exited or Signaled); never dropped."""
    event: ev.Exited | ev.Signaled


@dataclass
class DebuggeeOutput(Message):
    event: ev.Output


@dataclass
class BreakpointsChanged(Message):
    event: ev.BreakpointChanged

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BreakpointsChanged)


@dataclass
class ThreadsChanged(Message):
    event: ev.ThreadsChanged

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ThreadsChanged)


@dataclass
class LibrariesChanged(Message):
    event: ev.LibrariesChanged

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LibrariesChanged)


@dataclass
class BackendError(Message):
    event: ev.Error


@dataclass
class BackendMessage(Message):
    event: ev.Message


@dataclass
class SymbolsLoaded(Message):
    """Session.load() finished (ok=False: it failed; error says why)."""
    ok: bool
    error: str = ""


_BY_EVENT: dict[type, type[Message]] = {
    ev.Started: DebuggeeStarted, ev.Stopped: DebuggeeStopped, ev.Resumed: DebuggeeResumed,
    ev.Exited: DebuggeeExited, ev.Signaled: DebuggeeExited, ev.Output: DebuggeeOutput,
    ev.BreakpointChanged: BreakpointsChanged, ev.ThreadsChanged: ThreadsChanged,
    ev.LibrariesChanged: LibrariesChanged, ev.Error: BackendError, ev.Message: BackendMessage,
}


def from_event(event: object) -> Message | None:
    cls = _BY_EVENT.get(type(event))
    return cls(event) if cls is not None else None    # type: ignore[call-arg]
