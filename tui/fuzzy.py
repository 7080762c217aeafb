"""A linear-time fuzzy score for filtering long lists (process command lines).

textual's Matcher explores every alignment and can take seconds on long
strings with repeated letters; a filter runs on every keystroke, so this one is
greedy: substring hits rank first, then in-order subsequences by how tight they are.
"""
from __future__ import annotations


def score(query: str, text: str) -> float:
    """0 when query does not match text; higher is better."""
    q, t = query.lower(), text.lower()
    if not q:
        return 1.0
    at = t.find(q)
    if at >= 0:
        word_start = at == 0 or not t[at - 1].isalnum()
        return 1000.0 - at / (len(t) + 1) + (100.0 if word_start else 0.0)
    pos, gaps, last = 0, 0, -1
    for ch in q:
        i = t.find(ch, pos)
        if i < 0:
            return 0.0
        if last >= 0:
            gaps += i - last - 1
        last, pos = i, i + 1
    return 100.0 / (1.0 + gaps)
