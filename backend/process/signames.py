"""gdb's names and descriptions of signals, by host signal number.

The rows, their order, names and descriptions are gdb's (its signals.def), so
`info signals` (exec/signals.py) prints what gdb prints, including signals Linux
does not have. They live in the process layer because ptrace.py names the
signals it decodes and must not import the layers above it.
"""
from __future__ import annotations

import signal as _signal

_RT = "Real-time event"
# gdb's enum gdb_signal order (GDB_SIGNAL_0, UNKNOWN and DEFAULT are never listed).
_NAMED = (
    ("SIGHUP", "Hangup"), ("SIGINT", "Interrupt"), ("SIGQUIT", "Quit"),
    ("SIGILL", "Illegal instruction"), ("SIGTRAP", "Trace/breakpoint trap"),
    ("SIGABRT", "Aborted"), ("SIGEMT", "Emulation trap"), ("SIGFPE", "Arithmetic exception"),
    ("SIGKILL", "Killed"), ("SIGBUS", "Bus error"), ("SIGSEGV", "Segmentation fault"),
    ("SIGSYS", "Bad system call"), ("SIGPIPE", "Broken pipe"), ("SIGALRM", "Alarm clock"),
    ("SIGTERM", "Terminated"), ("SIGURG", "Urgent I/O condition"),
    ("SIGSTOP", "Stopped (signal)"), ("SIGTSTP", "Stopped (user)"), ("SIGCONT", "Continued"),
    ("SIGCHLD", "Child status changed"), ("SIGTTIN", "Stopped (tty input)"),
    ("SIGTTOU", "Stopped (tty output)"), ("SIGIO", "I/O possible"),
    ("SIGXCPU", "CPU time limit exceeded"), ("SIGXFSZ", "File size limit exceeded"),
    ("SIGVTALRM", "Virtual timer expired"), ("SIGPROF", "Profiling timer expired"),
    ("SIGWINCH", "Window size changed"), ("SIGLOST", "Resource lost"),
    ("SIGUSR1", "User defined signal 1"), ("SIGUSR2", "User defined signal 2"),
    ("SIGPWR", "Power fail/restart"), ("SIGPOLL", "Pollable event occurred"),
    ("SIGWIND", "SIGWIND"), ("SIGPHONE", "SIGPHONE"),
    ("SIGWAITING", "Process's LWPs are blocked"), ("SIGLWP", "Signal LWP"),
    ("SIGDANGER", "Swap space dangerously low"), ("SIGGRANT", "Monitor mode granted"),
    ("SIGRETRACT", "Need to relinquish monitor mode"), ("SIGMSG", "Monitor mode data available"),
    ("SIGSOUND", "Sound completed"), ("SIGSAK", "Secure attention"), ("SIGPRIO", "SIGPRIO"),
)
_TAIL = (
    ("SIGINFO", "Information request"),
    ("EXC_BAD_ACCESS", "Could not access memory"),
    ("EXC_BAD_INSTRUCTION", "Illegal instruction/operand"),
    ("EXC_ARITHMETIC", "Arithmetic exception"), ("EXC_EMULATION", "Emulation instruction"),
    ("EXC_SOFTWARE", "Software generated exception"), ("EXC_BREAKPOINT", "Breakpoint"),
    ("SIGLIBRT", "librt internal signal"),
)
ROWS: tuple[tuple[str, str], ...] = (
    _NAMED + tuple((f"SIG{n}", f"{_RT} {n}") for n in range(33, 64))
    + (("SIGCANCEL", "LWP internal signal"), ("SIG32", f"{_RT} 32"))
    + tuple((f"SIG{n}", f"{_RT} {n}") for n in range(64, 128)) + _TAIL)
DESCRIPTION: dict[str, str] = dict(ROWS)


def _host_number(name: str) -> int | None:
    if name[3:].isdigit():
        n = int(name[3:])
        return n if n <= _signal.SIGRTMAX else None
    if name == "SIGPOLL":                  # SIGIO's number on Linux; gdb calls it SIGIO
        return None
    sig = getattr(_signal, name, None)
    return int(sig) if sig is not None else None


HOST: dict[str, int] = {name: n for name, _ in ROWS if (n := _host_number(name)) is not None}
NAME_OF: dict[int, str] = {n: name for name, n in HOST.items()}


def gdb_signal_name(sig: int) -> str:
    """What gdb calls host signal sig ("SIGIO" for 29, "SIG34" for a real-time one)."""
    return NAME_OF.get(sig, "?")


def gdb_signal_description(sig: int) -> str:
    name = NAME_OF.get(sig)
    return DESCRIPTION[name] if name else "Unknown signal"
