"""Check a breakpoint condition against the scope of a location, as gdb does.

gdb parses `break LOC if COND` in the block of each location: a name unknown
there is an error (`No symbol "x" in current context.`) before any breakpoint
exists, not a surprise at the first hit. Only names and type names are
checked here, from the DWARF scope at the address; values are read at hits.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ..errors import ExpressionError, TdbgError
from ..program.target import Target
from ..symbols import cexpr

if TYPE_CHECKING:
    from ..symbols.cexpr.env import EvalEnv
    from ..symbols.cexpr.parse import Node
    from ..symbols.frame_env import FrameEnv
    from ..symbols.types import Type


def _no_memory(addr: int, n: int) -> bytes:
    raise ExpressionError("no memory to read while checking a condition")


class _StaticScope:
    """What cexpr's parser and resolve_type ask of an environment, from DWARF only."""

    def __init__(self, target: Target, addr: int) -> None:
        from ..symbols.frame_env import FrameEnv
        from .frame_env import _FileContext, _static_scope
        o = target.prog.objfile_for(addr)
        self.env: FrameEnv | None = None
        if o is not None and o.debug is not None:
            sc, link, cu_off, _fb, scope_off, _addrx = _static_scope(o, addr)
            # Only names and types are asked of it: the file's context is never read.
            self.env = FrameEnv(sc, _FileContext(o), link, cu_off, scope_off, read=_no_memory)
        self.convenience = target.convenience

    def known(self, name: str) -> bool:
        env = self.env
        if env is None:
            return False
        return name in env._visible() or env.scopes.lookup_global(name, env.cu_offset) is not None

    def lookup(self, name: str, scope: str | None = None) -> bool | None:
        return True if self.known(name) else None      # the parser only asks "is it a variable?"

    def lookup_type(self, name: str) -> Type | None:
        return self.env.lookup_type(name) if self.env is not None else None


def validate(target: Target, text: str, addr: int) -> None:
    """Raise ExpressionError with gdb's message when `text` names something unknown at addr."""
    scope = _StaticScope(target, addr)
    if scope.env is None:
        return                  # no debug info here: registers and numbers only, checked at hits
    try:
        tree = cexpr.parse(text, lambda n: not scope.known(n) and scope.lookup_type(n) is not None)
    except ExpressionError:
        raise
    except TdbgError as e:
        raise ExpressionError(str(e)) from None
    _walk(tree, scope)


def _walk(node: Node, scope: _StaticScope) -> None:
    kind = node[0]
    if kind == "name":
        _, name, qualifier = node
        if qualifier is None and not scope.known(name):
            raise ExpressionError(f'No symbol "{name}" in current context.')
        return
    if kind in ("cast", "brace", "sizeof_type"):
        cexpr.resolve_type(node[1], cast("EvalEnv", scope))    # it only asks lookup_type
    for child in node[1:]:
        if isinstance(child, tuple) and child and isinstance(child[0], str) \
                and child[0] in _NODE_KINDS:
            _walk(child, scope)


_NODE_KINDS = frozenset(("num", "name", "reg", "unary", "binary", "cond", "assign", "postinc",
                         "cast", "brace", "sizeof_type", "sizeof", "member", "index", "call"))
