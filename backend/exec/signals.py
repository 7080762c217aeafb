"""gdb's signal table: `handle SIG [no]stop [no]print [no]pass`, `info signals [SIG]`.

The rows, their order, names and descriptions are gdb's (its signals.def), so
`info signals` prints what gdb prints, including signals Linux does not have.
Policies are kept per gdb signal; the controller looks them up by host signal
number (``SignalTable.get``) for every signal the tracee receives. The table
lives on the Debugger, so `handle` before `run` holds for every run.
"""
from __future__ import annotations

import signal as _signal

from .control import SignalPolicy
from ..errors import CommandError, TdbgError

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
DESCRIPTION = dict(ROWS)
# gdb's defaults (infrun.c): everything stops, prints and passes, except these.
_ROUTINE = {"SIGALRM", "SIGURG", "SIGIO", "SIGPOLL", "SIGVTALRM", "SIGPROF", "SIGCHLD",
            "SIGWINCH", "SIGPRIO", "SIGWAITING", "SIGLWP", "SIGCANCEL", "SIGLIBRT"}
_DEBUGGER_OWNED = ("SIGTRAP", "SIGINT")
_THREAD_SIGNALS = ("SIG32", "SIG33")   # glibc's SIGCANCEL/SIGSETXID: quiet once a program runs


def _host_number(name: str) -> int | None:
    if name[3:].isdigit():
        n = int(name[3:])
        return n if n <= _signal.SIGRTMAX else None
    if name == "SIGPOLL":                  # SIGIO's number on Linux; gdb calls it SIGIO
        return None
    sig = getattr(_signal, name, None)
    return int(sig) if sig is not None else None


HOST = {name: n for name, _ in ROWS if (n := _host_number(name)) is not None}
NAME_OF = {n: name for name, n in HOST.items()}


def gdb_signal_name(sig: int) -> str:
    """What gdb calls host signal sig ("SIGIO" for 29, "SIG34" for a real-time one)."""
    return NAME_OF.get(sig, "?")


def gdb_signal_description(sig: int) -> str:
    name = NAME_OF.get(sig)
    return DESCRIPTION[name] if name else "Unknown signal"


class SignalTable:
    def __init__(self) -> None:
        self.policy = {name: SignalPolicy(name not in _ROUTINE, name not in _ROUTINE,
                                          name not in _DEBUGGER_OWNED) for name, _ in ROWS}
        self._by_host = {n: self.policy[name] for name, n in HOST.items()}
        self._thread_signals_done = False

    def get(self, sig: int, default: SignalPolicy | None = None) -> SignalPolicy | None:
        """The controller's lookup, by host signal number."""
        return self._by_host.get(sig, default)

    def program_started(self) -> None:
        """gdb quiets the thread library's own signals when it first meets a program
        that uses them (linux-thread-db's check_thread_signals), once per session."""
        if not self._thread_signals_done:
            self._thread_signals_done = True
            for name in _THREAD_SIGNALS:
                self.policy[name].stop = self.policy[name].print = False

    # ---- the commands' text ------------------------------------------------------------
    HEADER = "Signal        Stop\tPrint\tPass to program\tDescription"

    def row(self, name: str) -> str:
        p = self.policy[name]
        yn = ("No", "Yes")
        return (f"{name}{' ' * max(0, 13 - len(name))} {yn[p.stop]}\t{yn[p.print]}\t"
                f"{yn[p.pass_]}\t\t{DESCRIPTION[name]}")

    def info(self, arg: str, evaluate) -> str:
        arg = arg.strip()
        if not arg:
            rows = "\n".join(self.row(name) for name, _ in ROWS)
            return f"{self.HEADER}\n\n{rows}\n\nUse the \"handle\" command to change these tables."
        try:
            name = arg if arg in self.policy else _from_command(evaluate(arg))
        except TdbgError as e:                 # gdb has printed the header by then
            raise CommandError(f"{self.HEADER}\n{e}") from None
        return f"{self.HEADER}\n{self.row(name)}"

    def handle(self, words: list[str], confirm) -> tuple[list[str], list[str]]:
        """gdb's handle_command: signals and actions in any order, an action applying to
        the signals named before it. Returns (signals changed, notes printed meanwhile);
        ``confirm(question)`` answers gdb's query for SIGTRAP/SIGINT."""
        if not words:
            raise CommandError("Argument required (signal to handle).")
        chosen: list[str] = []
        notes: list[str] = []

        def apply(attr: str, value: bool) -> None:
            for n in chosen:
                setattr(self.policy[n], attr, value)
        for word in words:
            n = len(word)
            names: list[str] = []
            every = False
            if "all".startswith(word):
                every, names = True, [r for r, _ in ROWS]
            elif "stop".startswith(word):
                apply("stop", True)
                apply("print", True)
            elif "ignore".startswith(word):
                apply("pass_", False)
            elif n >= 2 and "print".startswith(word):
                apply("print", True)
            elif n >= 2 and "pass".startswith(word):
                apply("pass_", True)
            elif n >= 3 and "nostop".startswith(word):
                apply("stop", False)
            elif n >= 3 and "noignore".startswith(word):
                apply("pass_", True)
            elif n >= 4 and "noprint".startswith(word):
                apply("print", False)
                apply("stop", False)
            elif n >= 4 and "nopass".startswith(word):
                apply("pass_", False)
            elif word[:1].isdigit():
                lo, _, hi = word.partition("-")
                first = _index(_from_command(int(_digits(lo))))
                last = _index(_from_command(int(_digits(hi)))) if hi else first
                first, last = min(first, last), max(first, last)
                names = [r for r, _ in ROWS[first:last + 1]]
            elif word in self.policy:
                names = [word]
            else:
                raise CommandError(f'Unrecognized or ambiguous flag word: "{word}".')
            for name in names:
                if name in chosen:
                    continue
                if name in _DEBUGGER_OWNED:
                    if every:
                        continue
                    answer, text = confirm(f"{name} is used by the debugger.\n"
                                           "Are you sure you want to change it? ")
                    if text:
                        notes.append(text)
                    if not answer:
                        notes.append("Not confirmed, unchanged.")
                    if not answer:
                        continue
                chosen.append(name)
        order = {name: i for i, (name, _) in enumerate(ROWS)}
        return sorted(chosen, key=order.__getitem__), notes


def _digits(text: str) -> str:
    d = "".join(c for c in text if c.isdigit())
    if not d:
        raise CommandError(f'Unrecognized or ambiguous flag word: "{text}".')
    return d


def _from_command(num: int) -> str:
    """gdb's numeric signals are its own 1..15 (SIGHUP..SIGTERM), not host numbers."""
    if 1 <= num <= 15:
        return ROWS[num - 1][0]
    raise CommandError("Only signals 1-15 are valid as numeric signals.\n"
                       "Use \"info signals\" for a list of symbolic signals.")


def _index(name: str) -> int:
    return next(i for i, (n, _) in enumerate(ROWS) if n == name)


def attach(dbg, ctl) -> None:
    """A new process: the controller decides with our table and reports printed signals."""
    from .. import events as ev
    dbg.signals.program_started()
    ctl.signals = dbg.signals
    ctl.on_signal_print = lambda tid, sig: dbg.publish(ev.Message(received_text(dbg, tid, sig)))


def received_text(dbg, tid: int, sig: int) -> str:
    """The line gdb prints for a signal that prints but does not stop."""
    text = f"\nProgram received signal {gdb_signal_name(sig)}, {gdb_signal_description(sig)}."
    return dbg.thread_events.stop_text(text, tid, tid)
