"""What the controller does with a signal the tracee receives: stop, print, pass.

Apart from the controller so that the `handle` table (signals.py) can build
policies without importing it.
"""
from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Protocol


@dataclass(slots=True)
class SignalPolicy:
    stop: bool
    print: bool
    pass_: bool


class PolicyLookup(Protocol):
    """A policy per host signal number: default_signal_table() or signals.SignalTable."""

    def get(self, sig: int, /) -> SignalPolicy | None: ...


# A signal the table does not know stops, prints and passes (never modified).
UNKNOWN_SIGNAL = SignalPolicy(True, True, True)


def default_signal_table() -> dict[int, SignalPolicy]:
    """gdb's defaults: most signals stop, print and pass; a few are routine."""
    table = {s: SignalPolicy(True, True, True) for s in range(1, 65)}
    for s in (signal.SIGALRM, signal.SIGCHLD, signal.SIGWINCH, signal.SIGURG, signal.SIGPROF,
              signal.SIGIO, signal.SIGVTALRM, signal.SIGPWR if hasattr(signal, "SIGPWR") else 30):
        table[s] = SignalPolicy(False, False, True)
    for s in range(34, 65):                       # real-time signals: glibc uses 32/33 for threads
        table[s] = SignalPolicy(True, True, True)
    table[signal.SIGINT] = SignalPolicy(True, True, False)
    table[signal.SIGTRAP] = SignalPolicy(True, True, False)
    return table
