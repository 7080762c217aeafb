"""gdb's `set scheduler-locking`: which threads a resume lets run.

- off, replay: every thread runs (replay matters only to record targets: tdbg has none);
- on: only the current thread, whatever resumes it;
- step: only the current thread while stepping (step, next, stepi, nexti, and until
  without an argument: gdb's stepping_command); continue, finish, until LOCATION and
  advance let all run.

The setting is the target's (program/target.py, set by `set scheduler-locking`); the
controller (control.py) asks ``Controller.locked`` at each resume and holds the other
threads back. Instruction steps park the other threads anyway (single_step.py).

Which command is running is known only to the Stepper (stepping.py) and ProcessControl
(process_control.py), neither of which knows about locking: this service wraps their
resuming entry points, so each records whether it is a stepping command and hands the
current controller the question to ask.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..program.target import Target
from .process_control import ProcessControl
from .stepping import Stepper

_STEPPING = ("step", "next", "stepi", "nexti")
_NOT_STEPPING = ("finish",)


class SchedulerLocking:
    def __init__(self, target: Target, proc: ProcessControl, stepper: Stepper) -> None:
        self.target = target
        self.proc = proc
        self.stepping = False          # the command now running is a stepping command
        for name in _STEPPING:
            self._wrap(stepper, name, lambda *a, **k: True)
        for name in _NOT_STEPPING:
            self._wrap(stepper, name, lambda *a, **k: False)
        # until without a location is a `next` that never goes backwards; with one, a run.
        self._wrap(stepper, "until", lambda location=None, advance=False: location is None)
        for name in ("cont", "launch", "attach"):     # a new process: a new controller
            self._wrap(proc, name, lambda *a, **k: False)

    def locked(self) -> bool:
        """Whether the resume now starting runs the current thread alone."""
        mode = self.target.settings.scheduler_locking
        return mode == "on" or (mode == "step" and self.stepping)

    def _wrap(self, owner: object, name: str, stepping: Callable[..., bool]) -> None:
        inner = getattr(owner, name)

        @functools.wraps(inner)
        def resume(*args: Any, **kwargs: Any) -> Any:
            self.stepping = stepping(*args, **kwargs)
            self._hand_over()
            try:
                return inner(*args, **kwargs)
            finally:
                self.stepping = False
                self._hand_over()         # the controller run or attach made asks too
        setattr(owner, name, resume)

    def _hand_over(self) -> None:
        ctl = self.proc.controller
        if ctl is not None:
            ctl.locked = self.locked
