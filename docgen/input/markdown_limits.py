"""What a Word page can show of the secretary's Markdown, checked where it is written.

Word has nine list levels; deeper items would be dropped or flattened. A
table wider than :data:`MAX_TABLE_COLUMNS` columns does not fit the text
width of an A4 page (at 500 columns it renders as a black bar). Both are
input errors with the line inside the text, found by ``docgen check``
before a build would write a wrong document.

:func:`markdown_parser` is the one reading of that Markdown: these checks and
:mod:`docgen.documents.richtext`, which writes it into Word, both parse with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from markdown_it import MarkdownIt

MAX_LIST_LEVELS = 9
MAX_TABLE_COLUMNS = 10



def markdown_parser() -> MarkdownIt:
    """CommonMark plus GFM tables, raw HTML off (``<b>x</b>`` stays literal text)."""
    return MarkdownIt("commonmark", {"html": False}).enable("table")


_PARSER = markdown_parser()


def problems(text: str) -> Iterator[tuple[str, int]]:
    """(Swedish message, offset in ``text`` of the line it is about) for each limit ``text`` exceeds."""
    line_starts = [0]
    for index, character in enumerate(text):
        if character == "\n":
            line_starts.append(index + 1)

    def offset(token_map: list[int] | None) -> int:
        line = token_map[0] if token_map else 0
        return line_starts[min(line, len(line_starts) - 1)]

    depth = 0
    reported_depth = False
    columns = 0
    for token in _PARSER.parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth > MAX_LIST_LEVELS and not reported_depth:
                reported_depth = True
                yield (f"listan har {depth} nivåer; Word visar högst {MAX_LIST_LEVELS} – "
                       "gör en flatare lista", offset(token.map))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "table_open":
            columns, table_map = 0, token.map
        elif token.type == "th_open":
            columns += 1
        elif token.type == "thead_close" and columns > MAX_TABLE_COLUMNS:
            yield (f"tabellen har {columns} kolumner; högst {MAX_TABLE_COLUMNS} får plats på en A4-sida – "
                   "dela upp den", offset(table_map))
