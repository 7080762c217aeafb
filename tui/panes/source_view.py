"""The source text itself: a Line API widget that renders only visible lines.

A 100k-line file costs nothing until a line scrolls into view: highlighting is
done per chunk of lines on demand (with some lines of lead-in so a comment or
string opened just above still colours right), and rendered strips are cached.
The gutter (breakpoint mark, pc arrow, line number) stays put when the code
scrolls sideways; a click on it asks for a breakpoint toggle.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .. import keymap
from ..lexers import lexer_for

if TYPE_CHECKING:
    from pygments.lexer import Lexer

CHUNK = 256            # lines highlighted together
LEAD_IN = 64           # lines lexed before a chunk for multi-line tokens
MAX_COLS = 4000        # a minified 100 kB line is cut, not laid out
MARKS = {"enabled": "●", "disabled": "○", "cond": "◆"}


@lru_cache(maxsize=16)
def _pygments_style(style_name: str):
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound as NoStyle
    try:
        return get_style_by_name(style_name)
    except NoStyle:
        return get_style_by_name("monokai")


def _clean(line: str) -> str:
    line = line.expandtabs(8)
    if len(line) > MAX_COLS:
        line = line[:MAX_COLS] + "…"
    # control characters would break the cell grid
    return "".join(c if c.isprintable() else "\ufffd" for c in line) if not line.isprintable() else line


@dataclass
class Highlighter:
    """Lexes chunks lazily; maps tokens to foreground-only styles."""
    lines: list[str]
    lexer: Lexer
    style_name: str

    def __post_init__(self) -> None:
        self._chunks: dict[int, list[list[tuple[str, Style]]]] = {}
        self._styles: dict[object, Style] = {}

    def _style(self, ttype: object) -> Style:
        s = self._styles.get(ttype)
        if s is None:
            # only what the style sets for the token: no background (the pane's CSS owns
            # it) and no default text colour (the theme's foreground is the default)
            d = _pygments_style(self.style_name).style_for_token(ttype)
            s = self._styles[ttype] = Style(color=f"#{d['color']}" if d["color"] else None,
                                            bold=d["bold"] or None, italic=d["italic"] or None,
                                            underline=d["underline"] or None)
        return s

    def line(self, index: int) -> list[tuple[str, Style]]:
        c = index // CHUNK
        if c not in self._chunks:
            self._chunks[c] = self._lex_chunk(c)
        return self._chunks[c][index - c * CHUNK]

    def _lex_chunk(self, c: int) -> list[list[tuple[str, Style]]]:
        start, end = c * CHUNK, min((c + 1) * CHUNK, len(self.lines))
        lead = max(0, start - LEAD_IN)
        text = "\n".join(self.lines[lead:end]) + "\n"
        out: list[list[tuple[str, Style]]] = [[]]
        try:
            tokens = self.lexer.get_tokens(text)
            for ttype, value in tokens:
                style = self._style(ttype)
                parts = value.split("\n")
                for i, part in enumerate(parts):
                    if i:
                        out.append([])
                    if part:
                        out[-1].append((part, style))
        except Exception:       # a lexer bug shows plain text, never an error
            out = [[(ln, Style())] for ln in self.lines[lead:end]]
        out = out[start - lead:end - lead]
        while len(out) < end - start:
            out.append([])
        return out


class SourceView(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {
        "source--gutter", "source--gutter-bp", "source--gutter-bp-disabled",
        "source--gutter-bp-cond", "source--pc-arrow", "source--pc-line",
        "source--frame-arrow", "source--frame-line",
        "source--cursor-line", "source--match", "source--lineno-cursor",
    }
    BINDINGS = [*keymap.SOURCE]

    cursor: reactive[int] = reactive(1, init=False)     # 1-based line

    @dataclass
    class GutterClicked(Message):
        """The user clicked the gutter of ``line`` (1-based) in ``path``."""
        view: SourceView
        path: str
        line: int

        @property
        def control(self) -> SourceView:
            return self.view

    @dataclass
    class SearchRequested(Message):
        view: SourceView

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.path: str | None = None
        self.lines: list[str] = []
        self.pc_line: int | None = None
        self.frame_line: int | None = None    # a selected caller's line (▷), frame 0's is pc_line
        self.marks: dict[int, str] = {}
        self.search: str | None = None
        self._hl: Highlighter | None = None
        self._cache: dict[tuple, Strip] = {}
        self._style_name = "monokai"
        self._pending_scroll: tuple[int, bool] | None = None

    # -- content -----------------------------------------------------------
    def show_file(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = [_clean(ln) for ln in lines]
        self._hl = Highlighter(self.lines, lexer_for(path), self._style_name)
        self._cache.clear()
        width = max((len(ln) for ln in self.lines[:20000]), default=0)
        self.virtual_size = Size(self.gutter_width + width + 1, len(self.lines))
        self.set_reactive(SourceView.cursor, min(max(1, self.cursor), max(1, len(self.lines))))
        self.refresh()

    def clear_file(self) -> None:
        self.path, self.lines, self._hl = None, [], None
        self.virtual_size = Size(0, 0)
        self._cache.clear()
        self.refresh()

    def set_syntax_style(self, name: str) -> None:
        if name != self._style_name:
            self._style_name = name
            if self._hl is not None:
                self._hl = Highlighter(self.lines, self._hl.lexer, name)
        self._cache.clear()
        self.refresh()

    # Line state (pc, cursor, mark) is part of the strip cache key, so a step
    # repaints just the two lines whose state changed (the first paint stays cheap).
    def _refresh_line_numbers(self, *lines: int | None) -> None:
        for line in lines:
            if line is not None:
                self.refresh_line(line - 1)

    def set_pc(self, line: int | None) -> None:
        if line != self.pc_line:
            old, self.pc_line = self.pc_line, line
            self._refresh_line_numbers(old, line)

    def set_frame_line(self, line: int | None) -> None:
        if line != self.frame_line:
            old, self.frame_line = self.frame_line, line
            self._refresh_line_numbers(old, line)

    def set_marks(self, marks: dict[int, str]) -> None:
        if marks != self.marks:
            changed = {k for k in set(marks) | set(self.marks) if marks.get(k) != self.marks.get(k)}
            self.marks = marks
            self._refresh_line_numbers(*changed)

    def set_search(self, text: str | None) -> None:
        self.search = text or None
        self._cache.clear()
        self.refresh()

    @property
    def gutter_width(self) -> int:
        return 2 + len(str(max(1, len(self.lines)))) + 1

    # -- movement ------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_line_numbers(old, new)
        self.scroll_line_visible(new)

    def scroll_line_visible(self, line: int, *, center: bool = False) -> None:
        """Minimal scroll for the cursor; for the pc (center) re-centre when it nears an edge."""
        height = self.scrollable_content_region.height
        if height <= 0:
            self._pending_scroll = (line, center)     # not laid out yet: do it on resize
            return
        top, row = int(self.scroll_y), line - 1
        edge = 2 if height > 10 else 0
        if center:
            if top + edge <= row < top + height - edge:
                return
            y = row - height // 3
        elif row < top:
            y = row
        elif row >= top + height:
            y = row - height + 1
        else:
            return
        self.scroll_to(y=max(0, y), animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        if self._pending_scroll is not None:
            line, center = self._pending_scroll
            self._pending_scroll = None
            self.call_after_refresh(self.scroll_line_visible, line, center=center)

    def goto(self, line: int, *, center: bool = True) -> None:
        line = min(max(1, line), max(1, len(self.lines)))
        old = self.cursor
        self.set_reactive(SourceView.cursor, line)
        self._refresh_line_numbers(old, line)
        self.scroll_line_visible(line, center=center)

    def action_cursor(self, delta: int) -> None:
        self.cursor = min(max(1, self.cursor + delta), max(1, len(self.lines)))

    def action_cursor_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.size.height - 2))

    def action_cursor_home(self) -> None:
        self.cursor = 1

    def action_cursor_end(self) -> None:
        self.cursor = max(1, len(self.lines))

    def action_show_pc(self) -> None:
        line = self.frame_line or self.pc_line      # the selected frame's line first
        if line:
            self.goto(line)

    # -- search --------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `n` means "next match" only while a search is active; else it is "next line"
        if action in ("search_next", "search_previous", "clear_search"):
            return self.search is not None
        return True

    def action_search(self) -> None:
        self.post_message(self.SearchRequested(self))

    def find(self, text: str, start: int, direction: int = 1) -> int | None:
        """Line number of the next line containing text (wrapping), case-insensitive if lower."""
        if not text or not self.lines:
            return None
        fold = text.islower()
        needle = text.lower() if fold else text
        n = len(self.lines)
        for k in range(1, n + 1):
            i = (start - 1 + direction * k) % n
            hay = self.lines[i].lower() if fold else self.lines[i]
            if needle in hay:
                return i + 1
        return None

    def action_search_next(self, direction: int = 1) -> None:
        if self.search:
            hit = self.find(self.search, self.cursor, direction)
            if hit is None:
                self.notify(f"Pattern not found: {self.search}", severity="warning")
            else:
                self.goto(hit, center=False)

    def action_search_previous(self) -> None:
        self.action_search_next(-1)

    def action_clear_search(self) -> None:
        self.set_search(None)

    # -- mouse ---------------------------------------------------------------
    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self.lines:
            return
        line = int(self.scroll_y) + offset.y + 1
        if line > len(self.lines):
            return
        if offset.x < self.gutter_width and self.path:
            event.stop()
            self.post_message(self.GutterClicked(self, self.path, line))
        else:
            self.cursor = line

    def on_focus(self) -> None:
        self._refresh_line_numbers(self.cursor)

    def on_blur(self) -> None:
        self._refresh_line_numbers(self.cursor)

    # -- rendering -------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        if self._pending_scroll is not None and self.scrollable_content_region.height > 0:
            # a goto before the first layout: scroll now, so the very first frame shows it
            line, center = self._pending_scroll
            self._pending_scroll = None
            self.scroll_line_visible(line, center=center)
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        index = scroll_y + y
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        lineno = index + 1
        key = (index, scroll_x, width, lineno == self.pc_line, lineno == self.frame_line,
               lineno == self.cursor, lineno == self.cursor and self.has_focus, self.marks.get(lineno))
        strip = self._cache.get(key)
        if strip is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            strip = self._cache[key] = self._render_strip(index, scroll_x, width)
        return strip

    def _render_strip(self, index: int, scroll_x: int, width: int) -> Strip:
        lineno = index + 1
        base = self.rich_style
        gstyle = self.get_component_rich_style("source--gutter", partial=True)
        if lineno == self.pc_line:
            base = base + self.get_component_rich_style("source--pc-line", partial=True)
        elif lineno == self.frame_line:
            base = base + self.get_component_rich_style("source--frame-line", partial=True)
        elif lineno == self.cursor and self.has_focus:
            base = base + self.get_component_rich_style("source--cursor-line", partial=True)
        mark = self.marks.get(lineno)
        segs: list[Segment] = []
        if mark:
            cls = {"enabled": "source--gutter-bp", "disabled": "source--gutter-bp-disabled",
                   "cond": "source--gutter-bp-cond"}[mark]
            segs.append(Segment(MARKS[mark], base + self.get_component_rich_style(cls, partial=True)))
        else:
            segs.append(Segment(" ", base))
        if lineno == self.pc_line:
            segs.append(Segment("▶", base + self.get_component_rich_style("source--pc-arrow", partial=True)))
        elif lineno == self.frame_line:
            segs.append(Segment("▷", base + self.get_component_rich_style("source--frame-arrow", partial=True)))
        else:
            segs.append(Segment(" ", base))
        num_style = base + gstyle
        if lineno == self.cursor:
            num_style += self.get_component_rich_style("source--lineno-cursor", partial=True)
        digits = self.gutter_width - 3
        segs.append(Segment(f"{lineno:>{digits}} ", num_style))
        gutter = Strip(segs)

        code_width = max(0, width - self.gutter_width)
        code = Strip(self._code_segments(index, base)).crop_extend(scroll_x, scroll_x + code_width, base)
        return Strip.join([gutter, code]).simplify()

    def _code_segments(self, index: int, base: Style) -> list[Segment]:
        assert self._hl is not None
        pieces = self._hl.line(index)
        segs = [Segment(text, base + style) for text, style in pieces]
        search = self.search
        if search:
            segs = self._mark_matches(self.lines[index], segs, search)
        return segs

    def _mark_matches(self, line: str, segs: list[Segment], search: str) -> list[Segment]:
        fold = search.islower()
        hay, needle = (line.lower(), search.lower()) if fold else (line, search)
        spans, i = [], hay.find(needle)
        while i >= 0 and needle:
            spans.append((i, i + len(needle)))
            i = hay.find(needle, i + len(needle))
        if not spans:
            return segs
        match = self.get_component_rich_style("source--match", partial=True)
        strip = Strip(segs)
        out: list[Segment] = []
        pos = 0
        for a, b in spans:
            out += strip.crop(pos, a)._segments
            out += [Segment(s.text, (s.style or Style()) + match) for s in strip.crop(a, b)._segments]
            pos = b
        out += strip.crop(pos, strip.cell_length)._segments
        return out

    def line_region(self, line: int) -> Region:
        return Region(0, line - 1, self.virtual_size.width, 1)
