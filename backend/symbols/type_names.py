"""C type names as gdb 13's C type printer writes them.

Canonical base names come from dwarf_types.py; here: `int * const`, `char (*)[4]`,
`int (*)(int, int)`, declarations with a variable name, and `ptype`'s struct,
union and enum bodies one level deep.
"""
from __future__ import annotations

from .types import AGGREGATES, QUALIFIERS, VOID, Type


def type_name(t: Type, varname: str = "") -> str:
    """`struct node *`, `int [10]`, `char (*)[4]`, `int (*)(int)`; with `varname`,
    a declaration (`int (*op)(int, int)`)."""
    return _print(t, varname, show=-1, level=0)


def ptype_text(t: Type) -> str:
    """gdb's `ptype`: typedefs at the top resolved, struct/union/enum bodies shown."""
    return _print(t, "", show=1, level=0)


def whatis_text(t: Type, named: bool = False) -> str:
    """gdb's `whatis`: the type's name; for a typedef name typed by the user
    (`whatis point_t`), what it stands for, one level down."""
    return type_name(t.target if named and t.kind == "typedef" and t.target else t)


def _print(t: Type, varname: str, show: int, level: int) -> str:
    if show > 0:
        # ptype resolves typedefs at the top, keeping qualifiers written on them.
        quals = t.quals()
        t = t.unqualified()
        while t.kind == "typedef" and t.target is not None:
            t = t.target
        for q in reversed(quals):
            t = _qualified(t, q)
    base = _base_text(t, show, level)
    core = t.unqualified()
    need_space = bool(varname) or (
        (show > 0 or core.name is None) and core.kind in ("pointer", "func", "array", "ref", "rvref"))
    prefix = _prefix(t, False, bool(varname))
    suffix = _suffix(t, False)
    return base + (" " if need_space else "") + prefix + varname + suffix


_qual_cache: dict[tuple[int, str], Type] = {}


def _qualified(t: Type, q: str) -> Type:
    kind = next(k for k, v in QUALIFIERS.items() if v == q)
    key = (id(t), kind)
    if key not in _qual_cache:
        _qual_cache[key] = Type(kind, None, None, t)
    return _qual_cache[key]


def _modifiers(t: Type) -> str:
    return "".join(q + " " for q in t.quals())


def _base_text(t: Type, show: int, level: int) -> str:
    mods = _modifiers(t)
    t = t.unqualified()
    if show <= 0 and t.name is not None and t.kind not in ("pointer", "array", "func"):
        tag = t.kind + " " if t.kind in ("struct", "union", "enum", "class") and not t.cplus else ""
        return mods + tag + t.name
    if t.kind in ("pointer", "array", "func", "ref", "rvref"):
        # Qualifiers of a pointer print after its star (`int * const`), not here.
        return _base_text(t.target or VOID, show, level)
    if t.kind in AGGREGATES:
        return mods + _aggregate_text(t, show, level)
    if t.kind == "enum":
        out = mods + "enum "
        if t.name is not None:
            out += t.name + (" " if show > 0 else "")
        if show < 0:
            return out + ("{...}" if t.name is None else "")
        parts: list[str] = []
        last = 0
        for name, value in t.enumerators:
            parts.append(name if value == last else f"{name} = {value}")
            last = value + 1
        return out + "{" + ", ".join(parts) + "}"
    if t.kind == "typedef":
        # ptype unrolls typedefs under pointers and arrays too (`record_ptr`: the struct's body)
        if show > 0 or t.name is None:
            return mods + _base_text(t.target or VOID, show, level)
        return mods + t.name
    return mods + (t.name or "?")


def _aggregate_text(t: Type, show: int, level: int) -> str:
    out = t.kind + " "
    if t.name is not None:
        out += t.name + (" " if show > 0 else "")
    if show < 0:
        return out + ("{...}" if t.name is None else "")
    if show == 0 and t.name is not None:
        return out.rstrip()
    lines = [out + "{"]
    members = t.members
    if not members:
        note = "<incomplete type>" if t.declaration else "<no data fields>"
        lines.append(" " * (level + 4) + note)
    # C++ classes show access labels, each time the access changes (gdb's rule).
    default = "private" if t.kind == "class" else "public"
    labels = t.cplus and any((m.access or default) != "public" for m in members) or \
        t.cplus and t.kind == "class"
    section: str | None = None
    for m in members:
        access = m.access or default
        if labels and access != section:
            lines.append(" " * (level + 2) + access + ":")
            section = access
        decl = _print(m.type, m.name or "", show - 1, level + 4)
        if m.bitsize:
            decl += f" : {m.bitsize}"
        lines.append(" " * (level + 4) + decl + ";")
    lines.append(" " * level + "}")
    return "\n".join(lines)


def _prefix(t: Type, passed_ptr: bool, need_post_space: bool) -> str:
    quals = t.quals()
    t = t.unqualified()
    if t.name is not None and t.kind not in ("pointer", "array", "func"):
        return ""
    if t.kind in ("pointer", "ref", "rvref"):
        sym = {"pointer": "*", "ref": "&", "rvref": "&&"}[t.kind]
        out = _prefix(t.target or VOID, True, True) + sym
        if quals:
            out += " " + " ".join(quals) + (" " if need_post_space else "")
        return out
    if t.kind in ("array", "func"):
        return _prefix(t.target or VOID, False, False) + ("(" if passed_ptr else "")
    return ""


def _suffix(t: Type, passed_ptr: bool) -> str:
    t = t.unqualified()
    if t.name is not None and t.kind not in ("pointer", "array", "func"):
        return ""
    if t.kind == "array":
        dim = "" if t.count is None else str(t.count)
        return (")" if passed_ptr else "") + f"[{dim}]" + _suffix(t.target or VOID, False)
    if t.kind in ("pointer", "ref", "rvref"):
        return _suffix(t.target or VOID, True)
    if t.kind == "func":
        return (")" if passed_ptr else "") + _args_text(t) + _suffix(t.target or VOID, passed_ptr)
    return ""


def _args_text(t: Type) -> str:
    parts = [_print(p, "", 0, 0) for p in t.params]
    if parts and t.varargs:
        parts.append("...")
    elif not parts and t.prototyped:
        parts.append("void")
    return "(" + ", ".join(parts) + ")"
