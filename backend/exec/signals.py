"""gdb's signal table: `handle SIG [no]stop [no]print [no]pass`, `info signals [SIG]`.

The rows, their order, names and descriptions are gdb's (its signals.def), so
`info signals` prints what gdb prints, including signals Linux does not have.
Policies are kept per gdb signal; the controller looks them up by host signal
number (``SignalTable.get``) for every signal the tracee receives. The table
lives on the Debugger, so `handle` before `run` holds for every run.
"""
from __future__ import annotations

from collections.abc import Callable

from .. import events as ev
from ..errors import CommandError, TdbgError
from ..process.signames import DESCRIPTION, HOST, ROWS, gdb_signal_description, gdb_signal_name
from ..program.target import Target
from .control import Controller
from .signal_policy import SignalPolicy
from .thread_events import ThreadEvents

# gdb's defaults (infrun.c): everything stops, prints and passes, except these.
_ROUTINE = {"SIGALRM", "SIGURG", "SIGIO", "SIGPOLL", "SIGVTALRM", "SIGPROF", "SIGCHLD",
            "SIGWINCH", "SIGPRIO", "SIGWAITING", "SIGLWP", "SIGCANCEL", "SIGLIBRT"}
_DEBUGGER_OWNED = ("SIGTRAP", "SIGINT")
_THREAD_SIGNALS = ("SIG32", "SIG33")   # glibc's SIGCANCEL/SIGSETXID: quiet once a program runs


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

    def info(self, arg: str, evaluate: Callable[[str], int]) -> str:
        arg = arg.strip()
        if not arg:
            rows = "\n".join(self.row(name) for name, _ in ROWS)
            return f"{self.HEADER}\n\n{rows}\n\nUse the \"handle\" command to change these tables."
        try:
            name = arg if arg in self.policy else _from_command(evaluate(arg))
        except TdbgError as e:                 # gdb has printed the header by then
            raise CommandError(f"{self.HEADER}\n{e}") from None
        return f"{self.HEADER}\n{self.row(name)}"

    def handle(self, words: list[str], confirm: Callable[[str], tuple[bool, str]]
               ) -> tuple[list[str], list[str]]:
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


def attach(table: SignalTable, ctl: Controller, target: Target, events: ThreadEvents) -> None:
    """A new process: the controller decides with our table and reports printed signals."""
    table.program_started()
    ctl.signals = table
    ctl.on_signal_print = lambda tid, sig: target.publish(ev.Message(received_text(events, tid, sig)))


def received_text(events: ThreadEvents, tid: int, sig: int) -> str:
    """The line gdb prints for a signal that prints but does not stop."""
    text = f"\nProgram received signal {gdb_signal_name(sig)}, {gdb_signal_description(sig)}."
    return events.stop_text(text, tid, tid)
