"""User breakpoints: set, condition, enable, ignore, delete, and what `info breakpoints` shows.

The Manager (manager.py) owns the INT3 sites and the Breakpoint records; this service
speaks the user's language on top of it: location specs resolved through the program,
conditions checked at each location as gdb does (locations.py), pending breakpoints
for libraries not loaded yet (solib.py), and a BreakpointChanged event after every
change so every front end repaints its list. Worker thread only.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from .. import events as ev
from ..errors import CommandError, ExpressionError, NotFound, PendingQuery, TdbgError
from ..inspect.conditions import validate as validate_condition
from ..inspect.file_names import display_name
from ..program.program import Resolved
from ..program.target import Target
from .info_cache import InfoCache
from .locations import break_warnings, condition_changed, key, numbered, parse, relocate
from .manager import Breakpoint, Manager
from .solib import SharedLibraries
from .table import locations as table_locations

# a breakpoint's addresses, its first location's line and function, its table rows
_Where = tuple[tuple[int, ...], ev.SourceLocation | None, str | None,
               tuple[ev.BreakpointLocation, ...]]

Check = Callable[[int], bool]
DprintfCheck = Callable[[Breakpoint], Check]


class Breakpoints:
    def __init__(self, target: Target, bps: Manager, solib: SharedLibraries,
                 evaluate_address: Callable[[str], int],
                 compile_condition: Callable[[str], Check]) -> None:
        self.target = target
        self.bps = bps
        self.solib = solib
        self._resolved: dict[int, tuple[object, tuple[int, ...]]] = {}    # addresses() while no process
        self._where_kept: dict[int, dict[bool, tuple[tuple[object, ...], _Where]]] = {}
        self._evaluate_address = evaluate_address
        self._compile_condition = compile_condition
        # Catchpoints (catchpoints.py) are breakpoints listed differently: their What.
        self.catch_what: Callable[[int], str | None] = lambda bp_id: None
        # Called after every change (exec/process_control.py: syscall tracing on or off).
        self.on_changed: Callable[[], None] | None = None
        self.dprintf_check: DprintfCheck | None = None     # set by dprintf.py
        # How many inferiors have a copy of each location (gdb's N.L numbers count them);
        # set by the root from exec/inferiors.py
        self.copies: Callable[[], int] = lambda: 1
        self._holding = 0              # > 0: changes are published once, at the end (one_event)
        self._held = False
        self.cache = InfoCache(self.info, bps.user_breakpoints, self._user, self._signature,
                               self._world)

    # ---- (re)resolving against a running image ------------------------------------------
    def insert_user_breakpoints(self) -> None:
        """(Re)resolve every user breakpoint spec against the running image."""
        prog = self.target.require_program()
        self.solib.start()            # before resolving: libraries already loaded (attach) count
        for bp in self.bps.user_breakpoints():
            bp.addrs.clear()
            if bp.kind == "catchpoint":
                continue                  # no location: catchpoints.py decides its stops
            try:
                resolved = prog.resolve(bp.spec, evaluate=self._evaluate_address)
            except TdbgError:
                bp.pending = True
                continue
            bp.pending = False
            relocate(self.target, bp, resolved.addrs)    # per-location states carried over
            for a in resolved.addrs:
                try:
                    self.bps.add_address(bp, a)
                except TdbgError as e:
                    self.target.publish(ev.Message(
                        f"Warning: cannot insert breakpoint {bp.id} at {a:#x}: {e}", "warning"))
        self.changed()

    # ---- setting ---------------------------------------------------------------------------
    def break_at(self, spec: str, condition: str | None = None, temporary: bool = False,
                 current_file: str | None = None, note: bool = False) -> tuple[Breakpoint, str]:
        t = self.target
        prog = t.require_program()
        # only a bare line number is in the current file (program.resolve); asking costs
        # a lookup of main's line when no process runs
        here = t.current_file() if spec.strip().isdigit() else None
        try:
            resolved = prog.resolve(spec, current_file or here, self._evaluate_address)
        except NotFound as e:         # maybe in a library loaded later (solib.py)
            return self.pending_breakpoint(spec, condition, temporary, e)
        exact = resolved.file is not None and resolved.line is not None
        if not exact and spec.isdigit() and current_file is None and here:
            spec = f"{here}:{spec}"
        return self._set_resolved(spec, resolved, condition, temporary, note)

    def _set_resolved(self, spec: str, resolved: Resolved, condition: str | None,
                      temporary: bool, note: bool) -> tuple[Breakpoint, str]:
        """A breakpoint at a location already resolved (break_at, the gutter's toggle)."""
        t = self.target
        if resolved.file is not None and resolved.line is not None:
            spec = f"{resolved.file}:{resolved.line}"
        errors: dict[int, Exception] = {}
        check = self.compile(condition, resolved.addrs, errors) if condition else None
        addrs = resolved.addrs if t.alive else []
        bp = self.bps.set_breakpoint(addrs, temporary=temporary, spec=spec,
                                     condition=condition, check=check,
                                     bad={key(a) for a in errors})
        if not t.alive:
            bp.pending = False
            # where it would be once the program runs: addresses() would resolve it again
            self._resolved[bp.id] = ((bp.spec, self._world()), tuple(resolved.addrs))
        self.changed((bp.id,))
        info = self.cache.get(bp.id) or self.info(bp)
        what = "Temporary breakpoint" if temporary else "Breakpoint"
        msg = f"{what} {bp.id} at {resolved.addrs[0]:#x}" if resolved.addrs else f"{what} {bp.id} (pending)"
        if info.location is not None:
            shown = display_name(t.require_program(), info.location.file, resolved.addrs[0] if resolved.addrs else None)
            msg += f": file {shown}, line {info.location.line}."
        if len(resolved.addrs) > 1:
            msg = f"{what} {bp.id} at {resolved.addrs[0]:#x}: {spec}. ({len(resolved.addrs)} locations)"
        if errors:
            msg = f"{break_warnings(resolved.addrs, errors)}\n{msg}"
        if resolved.note and note:
            msg = f"{resolved.note}\n{msg}"
        return bp, msg

    def pending_breakpoint(self, spec: str, condition: str | None, temporary: bool,
                           err: NotFound) -> tuple[Breakpoint, str]:
        """`break plugin_fn` before the library is loaded: gdb's three answers."""
        if self.solib.pending_mode == "off":
            raise err
        if self.solib.pending_mode == "auto":
            raise PendingQuery(str(err))
        check = self.compile(condition) if condition else None
        bp = self.bps.set_breakpoint([], temporary=temporary, spec=spec, condition=condition,
                                     check=check)
        bp.pending = True
        self.solib.unresolved.add(bp.id)
        self.changed((bp.id,))
        what = "Temporary breakpoint" if temporary else "Breakpoint"
        where = f"{spec} if {condition}" if condition else spec
        return bp, f"{err}\n{what} {bp.id} ({where}) pending."

    def toggle_line(self, file: str, line: int) -> tuple[ev.BreakpointInfo | None, str]:
        """The source gutter's click: remove the breakpoint on that line, or set one.
        The line is resolved once; the breakpoint is set from the resolved spec."""
        prog = self.target.require_program()
        resolved = prog.resolve(f"{file}:{line}")
        addrs = set(resolved.addrs)
        for info in self.infos():
            if addrs & set(info.addresses) or (info.location and info.location.line == line
                                               and _same_file(info.location.file, file)):
                self.delete(info.id)
                return None, f"Deleted breakpoint {info.id}"
        bp, msg = self._set_resolved(f"{file}:{line}", resolved, None, False, note=True)
        return self.cache.get(bp.id) or self.info(bp), msg

    def compile(self, condition: str, addrs: tuple[int, ...] | list[int] = (),
                errors: dict[int, Exception] | None = None) -> Check:
        """errors: filled with address -> ExpressionError where the condition does not parse."""
        check = self._compile_condition(condition)
        errors = {} if errors is None else errors
        for addr in addrs:
            try:
                validate_condition(self.target, condition, addr)
            except ExpressionError as e:
                errors[addr] = e
        if errors and len(errors) == len(set(addrs)):
            raise next(iter(errors.values()))    # gdb: no location can evaluate it, no breakpoint
        return check

    # ---- changing ---------------------------------------------------------------------------
    def set_condition(self, id: int, condition: str | None,
                      notes: list[str] | None = None) -> Breakpoint:
        """notes: gdb's words for locations the condition disables or enables again."""
        bp = self.bps.get(id)
        addrs = self.addresses(bp)
        errors: dict[int, Exception] = {}
        bp.check = self.compile(condition, addrs, errors) if condition else None
        bp.condition = condition or None
        if bp.kind == "dprintf" and self.dprintf_check is not None:
            bp.check = self.dprintf_check(bp)          # it prints, then never stops (dprintf.py)
        said = condition_changed(bp, addrs, errors)
        if notes is not None:
            notes.extend(said)
        self.bps.sync_locations(bp)
        self.changed((id,))
        return bp

    def delete(self, id: int) -> None:
        bp = self.bps.get(id)
        self.bps.delete_breakpoint(bp.id)
        self._where_kept.pop(bp.id, None)
        self._resolved.pop(bp.id, None)
        self.changed((id,))

    def enable(self, id: int, on: bool) -> None:
        self.bps.enable(id, on)
        self.changed((id,))

    def ignore(self, id: int, count: int) -> None:
        self.bps.get(id).ignore_count = max(0, count)
        self.changed((id,))

    def enable_disable(self, arg: str, on: bool) -> str:
        """The `enable` / `disable` commands (N, N-M, N.M, N.M-L like gdb): what they print."""
        said: list[str] = []
        try:
            with self.one_event():
                self._enable_disable(arg, on, said)
        except CommandError as e:
            raise CommandError("\n".join([*said, str(e)])) from None
        return "\n".join(said)

    def _enable_disable(self, arg: str, on: bool, said: list[str]) -> None:
        """`enable`/`disable`'s arguments in turn; said: gdb's words for missing ones."""
        if not arg:
            for bp in self.bps.user_breakpoints():
                self.enable(bp.id, on)
        for token in arg.split():
            (b1, b2), (l1, l2) = parse(token)
            found = self.bps.bps.get(b1)
            user = found is not None and found.registered
            if l1 == l2 and (l1 == 0 or (l1 == 1 and b1 == b2 and not (
                    user and found is not None and len(self._numbered(found)) > 1))):
                for i in range(b1, b2 + 1):
                    b = self.bps.bps.get(i)
                    if b is None or not b.registered:
                        said.append(f"No breakpoint number {i}.")
                    else:
                        self.enable(i, on)
                continue
            if not user or found is None:
                raise CommandError(f"Bad breakpoint number '{b1}'")
            for n in range(l1, l2 + 1):
                self.enable_location(found.id, n, on)

    def enable_location(self, id: int, n: int, on: bool) -> None:
        """`enable|disable ID.N` for one location (gdb's find_location_by_number rules)."""
        bp = self.bps.get(id)
        addrs = self._numbered(bp)
        copies = self.copies()
        if not 1 <= n <= len(addrs) * copies:
            raise CommandError(f"Bad breakpoint location number '{n}'")
        # one state per address: an inferior's copy of a location goes with the others
        a = addrs[(n - 1) // copies]
        k = key(a)
        if on and k in bp.bad:
            raise CommandError(f"Breakpoint {bp.id}'s condition is invalid at location {n}, "
                               "cannot enable.")
        if on:
            bp.off.pop(k, None)
        elif k not in bp.off:
            bp.off[k] = self.target.require_program().function_name(a)
        self.bps.sync_locations(bp)
        self.changed((id,))

    # ---- what front ends see -------------------------------------------------------------------
    def addresses(self, bp: Breakpoint) -> tuple[int, ...]:
        """Where bp is, or would be once the program runs."""
        addrs = tuple(bp.addrs)
        prog = self.target.program
        if not addrs and prog is not None and not self.target.alive and bp.kind != "catchpoint":
            key = (bp.spec, self._world())
            kept = self._resolved.get(bp.id)
            if kept is not None and kept[0] == key:
                return kept[1]
            try:
                addrs = tuple(prog.resolve(bp.spec).addrs)
            except TdbgError:
                addrs = ()
            self._resolved[bp.id] = (key, addrs)
        return addrs

    def _numbered(self, bp: Breakpoint) -> list[int]:
        return numbered(bp, self.addresses(bp))

    def info(self, bp: Breakpoint) -> ev.BreakpointInfo:
        what = self.catch_what(bp.id)
        if what is not None:
            return ev.BreakpointInfo(bp.id, "catchpoint", what, (), bp.enabled, bp.temporary,
                                     bp.condition, bp.ignore_count, bp.hit_count)
        addrs, loc, func, locs = self._where(bp)
        if bp.off or bp.bad:
            locs = tuple(replace(loc_, enabled=key(loc_.address) not in bp.off,
                                 condition_ok=key(loc_.address) not in bp.bad)
                         for loc_ in locs)
        return ev.BreakpointInfo(bp.id, bp.kind, bp.spec, addrs, bp.enabled, bp.temporary,
                                 bp.condition, bp.ignore_count, bp.hit_count, loc, func,
                                 bp.pending, locs)

    def _where(self, bp: Breakpoint) -> _Where:
        """Addresses, line, function and table rows of bp: what takes lookups is kept
        until bp's addresses, the program or its objects change."""
        key = (bp.spec, tuple(bp.addrs), self._world())
        prog = self.target.program
        # one kept per state: the program's comes back when a run ends (no lookups again)
        slots = self._where_kept.setdefault(bp.id, {})
        kept = slots.get(self.target.alive)
        if kept is not None and kept[0] == key:
            return kept[1]
        addrs = self.addresses(bp)
        loc = prog.location(addrs[0]) if addrs and prog else None
        func = prog.symbolize(addrs[0]) if addrs and prog else None
        where = (addrs, loc, func, table_locations(prog, bp.spec, addrs))
        slots[self.target.alive] = (key, where)
        return where

    def _world(self) -> object:
        """What every breakpoint's addresses and lines depend on: the program, its objects
        and where they are loaded (after a run the program keeps its last addresses)."""
        prog = self.target.program
        return (self.target.alive, id(prog),
                tuple((id(o), o.bias) for o in prog.objfiles) if prog is not None else ())

    def _user(self, id: int) -> Breakpoint | None:
        bp = self.bps.bps.get(id)
        return bp if bp is not None and bp.registered else None

    def _signature(self, bp: Breakpoint) -> object:
        """Every field of bp its info shows (info_cache.py rebuilds it when one differs)."""
        return (bp.kind, bp.spec, tuple(bp.addrs), bp.enabled, bp.temporary, bp.condition,
                bp.ignore_count, bp.hit_count, bp.pending, tuple(bp.off) if bp.off else (),
                frozenset(bp.bad) if bp.bad else (), self.catch_what(bp.id))

    def infos(self) -> tuple[ev.BreakpointInfo, ...]:
        """Every user breakpoint's info, each checked against its breakpoint."""
        self.cache.touch_all()
        return self.cache.snapshot()[0]

    def changed(self, ids: Iterable[int] | None = None) -> None:
        """ids: the only breakpoints that changed (a command's own); None: any may have
        (a stop's hit counts, a run, a library): each is checked, none rebuilt for nothing."""
        if ids is None:
            self.cache.touch_all()
        else:
            self.cache.touch(ids)
        if self._holding:
            self._held = True
            return
        if self.on_changed is not None:
            self.on_changed()
        infos, generation, which = self.cache.snapshot()
        self.target.publish(ev.BreakpointChanged(infos, generation, which))

    @contextmanager
    def one_event(self) -> Iterator[None]:
        """One BreakpointChanged for a command changing many breakpoints (`disable`):
        each event is a hop to the event loop."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding and self._held:
                self._held = False
                self.changed(())

    def owners_at(self, pc: int) -> list[Breakpoint]:
        """The breakpoints owning the site at pc (user ones first in number order)."""
        site = self.bps.site_at(pc)
        return [self.bps.bps[o] for o in site.owners if o in self.bps.bps] if site else []

    def user_breakpoint_at(self, pc: int) -> bool:
        return any(b.registered for b in self.owners_at(pc))


def _same_file(a: str, b: str) -> bool:
    return a == b or os.path.basename(a) == os.path.basename(b) and (a.endswith(b) or b.endswith(a))
