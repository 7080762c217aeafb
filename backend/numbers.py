"""Number parsing shared by the command language and location specs."""
from __future__ import annotations

from .errors import CommandError


def parse_int(text: str) -> int:
    t = text.strip()
    try:
        return int(t, 0)
    except ValueError:
        raise CommandError(f'Invalid number "{t}".') from None
