"""Which pygments lexer colours a source file (imported lazily: pygments costs ~30 ms).

Languages a native debugger meets are looked up by extension, without pygments'
filename search: that search loads plugin entry points and costs ~0.5 s on the
first file. ``warm`` lets the startup thread pay the import off the UI thread.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pygments.lexer import Lexer

_LEXERS = {
    ".c": "CLexer", ".h": "CLexer", ".i": "CLexer",
    ".cc": "CppLexer", ".cpp": "CppLexer", ".cxx": "CppLexer", ".c++": "CppLexer",
    ".hh": "CppLexer", ".hpp": "CppLexer", ".hxx": "CppLexer", ".inl": "CppLexer",
    ".s": "GasLexer", ".S": "GasLexer", ".asm": "NasmLexer", ".rs": "RustLexer",
    ".go": "GoLexer", ".f": "FortranFixedLexer", ".f90": "FortranLexer", ".d": "DLexer",
    ".zig": "ZigLexer", ".m": "ObjectiveCLexer", ".py": "PythonLexer",
}


def lexer_for(path: str) -> Lexer:
    import pygments.lexers as lexers
    from pygments.util import ClassNotFound
    ext = os.path.splitext(path)[1]
    name = _LEXERS.get(ext) or _LEXERS.get(ext.lower())
    try:
        if name:
            return getattr(lexers, name)(stripnl=False, ensurenl=False)
        return lexers.get_lexer_for_filename(path, stripnl=False, ensurenl=False)
    except (ClassNotFound, AttributeError):
        return lexers.TextLexer(stripnl=False, ensurenl=False)


def warm(path: str, style: str | None = None) -> None:
    """Import what colouring `path` will need (any thread; errors are for later)."""
    try:
        lexer_for(path)
        if style:
            from pygments.styles import get_style_by_name
            get_style_by_name(style)
    except Exception:
        pass
