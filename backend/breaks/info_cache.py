"""The BreakpointInfos front ends see, kept between changes.

Every change publishes a snapshot of every user breakpoint (events.BreakpointChanged), so
the bus may drop an older queued one (LATEST_WINS) without losing anything. Rebuilding
every info at every change made N `break` commands cost O(N^2) lookups (10,000 took
minutes); here an info is rebuilt only when its breakpoint is named as changed, or,
after a change that names nobody (a stop: hit counts; a run: re-resolved addresses),
when its fields differ from those it was built from. The snapshot is then one C-level
copy of the kept infos, in id order.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from ..events import BreakpointInfo
from .manager import Breakpoint


class InfoCache:
    def __init__(self, build: Callable[[Breakpoint], BreakpointInfo],
                 users: Callable[[], Iterable[Breakpoint]],
                 lookup: Callable[[int], Breakpoint | None],
                 signature: Callable[[Breakpoint], object],
                 world: Callable[[], object]) -> None:
        self._build = build              # breakpoints.py's info()
        self._users = users              # every user breakpoint, in id order
        self._lookup = lookup            # a user breakpoint by id (None: gone)
        self._signature = signature      # what an info is built from, besides the world
        self._world = world              # the program, its objects, alive: all infos depend on it
        self._infos: dict[int, BreakpointInfo] = {}
        self._sigs: dict[int, object] = {}
        self._stale: set[int] = set()
        self._verify = True
        self._seen_world: object = None
        self._snapshot: tuple[BreakpointInfo, ...] = ()
        self._fresh = False              # _snapshot is _infos' values
        self.generation = 0
        self.rebuilt = 0                 # infos built so far (tests count the work per command)

    def touch(self, ids: Iterable[int]) -> None:
        self._stale.update(ids)

    def touch_all(self) -> None:
        self._verify = True

    def get(self, id: int) -> BreakpointInfo | None:
        return self._infos.get(id)

    def snapshot(self) -> tuple[tuple[BreakpointInfo, ...], int, frozenset[int] | None]:
        """(every user breakpoint's info, its generation, the ids changed since the previous
        generation: None when that is not known, e.g. the program or its objects changed)."""
        world = self._world()
        which: set[int] | None
        reset = world != self._seen_world
        if reset:
            self._seen_world = world
            self._infos.clear()
            self._sigs.clear()
            self._verify = True
        if self._verify:
            which = self._check_all()
        else:
            which = self._refresh(self._stale)
        if reset:
            which = None
        self._stale.clear()
        if which is None or which:
            self.generation += 1
            self._fresh = False
        if not self._fresh:
            self._snapshot = tuple(self._infos.values())
            self._fresh = True
        return self._snapshot, self.generation, None if which is None else frozenset(which)

    def _make(self, bp: Breakpoint) -> None:
        self._sigs[bp.id] = self._signature(bp)
        self._infos[bp.id] = self._build(bp)
        self.rebuilt += 1

    def _refresh(self, ids: Iterable[int]) -> set[int]:
        which = set()
        reorder = False
        for id in ids:
            which.add(id)
            bp = self._lookup(id)
            if bp is None:
                self._infos.pop(id, None)
                self._sigs.pop(id, None)
                continue
            new = id not in self._infos
            if new and self._infos and id < next(reversed(self._infos)):
                reorder = True          # an id given back (set_breakpoint(id=...)): rare
            self._make(bp)
        if reorder:
            self._infos = dict(sorted(self._infos.items()))
        return which

    def _check_all(self) -> set[int]:
        """Every user breakpoint against what its info was built from."""
        infos: dict[int, BreakpointInfo] = {}
        sigs: dict[int, object] = {}
        which: set[int] = set()
        for bp in self._users():
            sig = self._signature(bp)
            old = self._infos.get(bp.id)
            if old is None or bp.id in self._stale or self._sigs.get(bp.id) != sig:
                old = self._build(bp)
                self.rebuilt += 1
                which.add(bp.id)
            infos[bp.id] = old
            sigs[bp.id] = sig
        which.update(i for i in self._infos if i not in infos)
        self._infos, self._sigs = infos, sigs
        self._verify = False
        return which
