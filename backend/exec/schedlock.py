"""gdb's `set scheduler-locking`: which threads a resume lets run.

- off, replay: every thread runs (replay matters only to record targets: tdbg has none);
- on: only the current thread, whatever resumes it;
- step: only the current thread while stepping (step, next, stepi, nexti: gdb's
  stepping_command); continue, finish, until (with or without a location) and advance
  let all run, as gdb 13's do (tests/test_schedlock_commands.py).

The setting is the target's (program/target.py, set by `set scheduler-locking`). The
flow is explicit: the Stepper (stepping.py) runs a stepping command's resumes inside
ProcessControl.stepping_command (process_control.py); every controller it makes asks
ProcessControl.locked at each resume (control.py), which asks this policy whether the
command resuming steps. Instruction steps park the other threads anyway (single_step.py).
"""
from __future__ import annotations

from ..program.target import Target
from .process_control import ProcessControl


class SchedulerLocking:
    def __init__(self, target: Target, proc: ProcessControl) -> None:
        self.target = target
        proc.scheduler_locked = self.locked

    def locked(self, stepping: bool) -> bool:
        """Whether a resume by a stepping (or any other) command runs the current thread alone."""
        mode = self.target.settings.scheduler_locking
        return mode == "on" or (mode == "step" and stepping)
