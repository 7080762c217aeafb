"""Corrupt DWARF read through pyelftools ends in one clear error, never a traceback.

pyelftools raises whatever its parser meets first on damaged bytes (KeyError for an
unknown abbreviation code, construct's MappingError, DWARFError for a reference
outside its unit, IndexError, struct.error ...). The readers that walk DIEs with it
(scopes.py, dwarf_types.py) pass through `guarded`, which turns those into
`CorruptDwarf`: a TdbgError, so a command fails with one line and the session goes on
(tests/test_fuzz_binaries.py).
"""
from __future__ import annotations

import functools
import struct
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from elftools.common.exceptions import DWARFError, ELFError
from elftools.construct.core import ConstructError

from ..errors import NoDebugInfo, TdbgError

P = ParamSpec("P")
T = TypeVar("T")

# What a parser may raise on bytes it cannot make sense of.
PARSE_ERRORS: tuple[type[BaseException], ...] = (
    ELFError, DWARFError, ConstructError, LookupError, ValueError, struct.error, AssertionError,
    UnicodeDecodeError, OverflowError, TypeError, AttributeError, RecursionError)


class CorruptDwarf(NoDebugInfo):
    """The debug information is there but damaged."""


def corrupt(e: BaseException) -> CorruptDwarf:
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    return CorruptDwarf(f"Dwarf Error: corrupt debug information ({text})")


def guarded(fn: Callable[P, T]) -> Callable[P, T]:
    """`fn` with parser exceptions turned into CorruptDwarf (TdbgErrors pass as they are)."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except TdbgError:
            raise
        except PARSE_ERRORS as e:
            raise corrupt(e) from None
    return wrapper
