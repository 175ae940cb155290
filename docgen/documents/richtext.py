"""Markdown case descriptions as real Word content.

The secretary writes "Beskrivning av ärendet" as Markdown inside the YAML.
:func:`add_markdown` turns it into genuine Word structure appended to a
python-docx container: body paragraphs, paragraphs in Word heading styles,
list paragraphs in Word list styles (ordered lists restart at their own start
number), and Word tables with a repeating header row.

The container is anything with python-docx's ``add_paragraph(text, style)``
and ``add_table(rows, cols)``: a :class:`docx.document.Document`, a table
cell, or a docxtpl ``Subdoc`` (which forwards attribute access to its own
Document whose part is the *template's* document part, so styles and the
numbering part are the template's). Styles are referred to by name only; a
style the document lacks falls back to the body style instead of failing.

Parsing is CommonMark plus GFM tables via markdown-it-py with raw HTML
disabled, so ``<b>x</b>`` arrives as literal text and is never injected as
markup. The work is done in two steps: the Markdown is first reduced to a
small block model (:class:`_Para`, :class:`_Table`), which both
:func:`add_markdown` and :func:`markdown_plain_lines` consume, so the plain
lines always match the paragraph texts that end up in Word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Length, Pt
from docx.styles import BabelFish
from markdown_it.tree import SyntaxTreeNode

from docgen.input.markdown_limits import markdown_parser

__all__ = ["RichTextStyles", "add_markdown", "is_swedish_number", "markdown_plain_lines", "style_index"]


@dataclass(frozen=True)
class RichTextStyles:
    """Names of the Word styles used for the generated content.

    Nested list levels use the base name followed by the level number
    ("List Bullet 2", "List Number 3"), as in Word's built-in styles.
    """

    body: str = "Normal"
    heading_offset: int = 3  # "#" -> "Heading 4", "##" -> "Heading 5"; clamped at "Heading 9"
    bullet: str = "List Bullet"
    number: str = "List Number"
    table: str = "Table Grid"


# --------------------------------------------------------------------------- #
# Block model
# --------------------------------------------------------------------------- #

Alignment = Literal["left", "center", "right"]
ParaKind = Literal["body", "heading", "bullet", "number", "continuation"]
ListKind = Literal["bullet", "number"]


@dataclass(frozen=True)
class _Span:
    """A piece of inline text with its formatting; ``is_break`` is a line break."""

    text: str
    bold: bool = False
    italic: bool = False
    is_break: bool = False


@dataclass
class _ListRef:
    """One Markdown list (a run of items that numbers from ``start``)."""

    kind: ListKind
    level: int
    start: int = 1


@dataclass
class _Para:
    """One Word paragraph to be.

    ``kind`` decides the style: body, heading (``level`` = Markdown level),
    bullet/number (first paragraph of a list item of ``list_ref``) or
    continuation (a further paragraph inside a list item, in body style and
    indented like the list's text). ``quote_depth`` adds blockquote indent.
    """

    kind: ParaKind
    spans: list[_Span]
    level: int = 0
    list_ref: _ListRef | None = None
    quote_depth: int = 0

    @property
    def text(self) -> str:
        return _spans_text(self.spans)


@dataclass
class _Table:
    """A GFM table: the header row, the body rows and each column's explicit alignment."""

    header: list[list[_Span]]
    rows: list[list[list[_Span]]]
    alignments: list[Alignment | None]


_Block = _Para | _Table


@dataclass
class _Context:
    """Where in the Markdown tree a block sits."""

    quote_depth: int = 0
    list_depth: int = 0
    # The list item that encloses this block, if any: its blocks become continuations.
    enclosing: _ListRef | None = None


# --------------------------------------------------------------------------- #
# Markdown -> block model
# --------------------------------------------------------------------------- #

# Characters XML 1.0 forbids (python-docx/lxml would raise) and that docxtpl's
# post-processing would reinterpret (\a as a new paragraph, \f as a page break).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_ALIGN_STYLE = re.compile(r"text-align\s*:\s*(left|center|right)")


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _spans_text(spans: list[_Span]) -> str:
    return "".join("\n" if span.is_break else span.text for span in spans)


def _inline_spans(
    node: SyntaxTreeNode | None, bold: bool = False, italic: bool = False
) -> list[_Span]:
    """Flatten the children of an inline node into formatted spans."""
    spans: list[_Span] = []
    if node is None:
        return spans
    for child in node.children:
        kind = child.type
        if kind in ("text", "code_inline", "html_inline"):
            spans.append(_Span(_clean(child.content), bold, italic))
        elif kind == "softbreak":
            spans.append(_Span(" ", bold, italic))
        elif kind == "hardbreak":
            spans.append(_Span("", bold, italic, is_break=True))
        elif kind == "strong":
            spans.extend(_inline_spans(child, True, italic))
        elif kind == "em":
            spans.extend(_inline_spans(child, bold, True))
        elif kind in ("link", "image"):
            target = str(child.attrs.get("href" if kind == "link" else "src", ""))
            inner = _inline_spans(child, bold, italic)
            if not inner and child.content:
                inner = [_Span(_clean(child.content), bold, italic)]
            label = _spans_text(inner)
            spans.extend(inner)
            if target and label not in (target, target.removeprefix("mailto:")):
                prefix = " " if label else ""
                spans.append(_Span(f"{prefix}({_clean(target)})", bold, italic))
        elif child.children:
            # Unknown container (a future plugin): keep its text.
            spans.extend(_inline_spans(child, bold, italic))
        elif child.content:
            spans.append(_Span(_clean(child.content), bold, italic))
    return _merge_spans(spans)


def _merge_spans(spans: list[_Span]) -> list[_Span]:
    """Join neighbouring spans of equal formatting so Word gets few runs."""
    merged: list[_Span] = []
    for span in spans:
        if not span.is_break and not span.text:
            continue
        last = merged[-1] if merged else None
        if (
            last is not None
            and not span.is_break
            and not last.is_break
            and (last.bold, last.italic) == (span.bold, span.italic)
        ):
            merged[-1] = _Span(last.text + span.text, last.bold, last.italic)
        else:
            merged.append(span)
    return merged


def _inline_child(node: SyntaxTreeNode) -> SyntaxTreeNode | None:
    for child in node.children:
        if child.type == "inline":
            return child
    return None


def _body_para(spans: list[_Span], ctx: _Context) -> _Para:
    """A body paragraph, or a continuation paragraph when inside a list item."""
    if ctx.enclosing is not None:
        return _Para("continuation", spans, ctx.enclosing.level, ctx.enclosing, ctx.quote_depth)
    return _Para("body", spans, quote_depth=ctx.quote_depth)


def _literal_lines(content: str, ctx: _Context) -> list[_Para]:
    """Code or raw HTML: one paragraph per line, text exactly as written."""
    lines = _clean(content).rstrip("\n").split("\n")
    return [_body_para([_Span(line)] if line else [], ctx) for line in lines]


def _column_alignment(cell: SyntaxTreeNode) -> Alignment | None:
    match = _ALIGN_STYLE.search(str(cell.attrs.get("style", "")))
    return match.group(1) if match else None  # type: ignore[return-value]


def _table_block(node: SyntaxTreeNode) -> _Table:
    header: list[list[_Span]] = []
    rows: list[list[list[_Span]]] = []
    alignments: list[Alignment | None] = []
    for section in node.children:
        for tr in section.children:
            cells = [_inline_spans(_inline_child(cell)) for cell in tr.children]
            if section.type == "thead":
                header = cells
                alignments = [_column_alignment(cell) for cell in tr.children]
            else:
                rows.append(cells)
    return _Table(header, rows, alignments)


def _list_blocks(node: SyntaxTreeNode, ctx: _Context) -> list[_Block]:
    kind: ListKind = "number" if node.type == "ordered_list" else "bullet"
    start = 1
    if kind == "number":
        try:
            start = int(str(node.attrs.get("start", 1)))
        except ValueError:
            start = 1
    ref = _ListRef(kind, ctx.list_depth + 1, start)
    inner = _Context(ctx.quote_depth, ctx.list_depth + 1, ref)
    blocks: list[_Block] = []
    for item in node.children:
        has_item_para = False
        for child in item.children:
            if not has_item_para:
                has_item_para = True
                if child.type in ("paragraph", "heading"):
                    spans = _inline_spans(_inline_child(child))
                    blocks.append(_Para(kind, spans, ref.level, ref, ctx.quote_depth))
                    continue
                # An item that starts with a nested list, code, a table...:
                # an empty numbered/bulleted paragraph keeps the item visible.
                blocks.append(_Para(kind, [], ref.level, ref, ctx.quote_depth))
            blocks.extend(_blocks(child, inner))
        if not has_item_para:
            blocks.append(_Para(kind, [], ref.level, ref, ctx.quote_depth))
    return blocks


def _blocks(node: SyntaxTreeNode, ctx: _Context) -> list[_Block]:
    """The block model of one Markdown block node."""
    kind = node.type
    if kind == "paragraph":
        return [_body_para(_inline_spans(_inline_child(node)), ctx)]
    if kind == "heading":
        spans = _inline_spans(_inline_child(node))
        if ctx.enclosing is not None:
            return [_body_para(_inline_spans(_inline_child(node), bold=True), ctx)]
        return [_Para("heading", spans, int(node.tag[1:]), quote_depth=ctx.quote_depth)]
    if kind in ("bullet_list", "ordered_list"):
        return _list_blocks(node, ctx)
    if kind == "blockquote":
        quoted = _Context(ctx.quote_depth + 1, ctx.list_depth, ctx.enclosing)
        return [block for child in node.children for block in _blocks(child, quoted)]
    if kind == "table":
        return [_table_block(node)]
    if kind in ("code_block", "fence", "html_block"):
        return _literal_lines(node.content, ctx)
    if kind == "hr":
        return []
    # Anything unexpected: keep its children's text rather than lose it.
    blocks: list[_Block] = []
    for child in node.children:
        if child.type == "inline":
            blocks.append(_body_para(_inline_spans(child), ctx))
        else:
            blocks.extend(_blocks(child, ctx))
    return blocks


def _parse_blocks(text: str) -> list[_Block]:
    source = (text or "").strip()
    if not source:
        return []
    root = SyntaxTreeNode(markdown_parser().parse(source))
    return _tables_kept_apart([block for child in root.children for block in _blocks(child, _Context())])


def _tables_kept_apart(blocks: list[_Block]) -> list[_Block]:
    """An empty paragraph between two tables that follow each other.

    Word and LibreOffice join adjacent tables into one, so the second would
    lose its own header row and repeat the first one's on a continuation page.
    """
    kept: list[_Block] = []
    for block in blocks:
        if isinstance(block, _Table) and kept and isinstance(kept[-1], _Table):
            kept.append(_Para("body", []))
        kept.append(block)
    return kept


def markdown_plain_lines(text: str) -> list[str]:
    """The plain text of each block of ``text``, in document order.

    One entry per paragraph, heading, list item paragraph and code line, and
    one per table row (cells joined by a tab). Inline formatting is dropped,
    links read "text (URL)" and a hard line break is ``"\\n"``, so each entry
    equals the text python-docx reads back from the paragraph or row that
    :func:`add_markdown` writes.
    """
    lines: list[str] = []
    for block in _parse_blocks(text):
        if isinstance(block, _Table):
            for row in [block.header, *block.rows]:
                lines.append("\t".join(_spans_text(cell) for cell in row))
        else:
            lines.append(block.text)
    return lines


# --------------------------------------------------------------------------- #
# Block model -> Word
# --------------------------------------------------------------------------- #

# Indent of one blockquote level, and the list text indent assumed when
# neither the list style nor its numbering says.
_QUOTE_INDENT = Cm(1)
_DEFAULT_LIST_INDENT = Emu(228600)  # 0.25 in, Word's built-in list step
_DEFAULT_TEXT_WIDTH = Cm(16)

_NUMBER_SEP = "[ \u00a0\u202f\u2009]"
_SWEDISH_NUMBER = re.compile(
    rf"[+\-\u2013\u2212]?{_NUMBER_SEP}*"
    rf"(?:\d{{1,3}}(?:{_NUMBER_SEP}\d{{3}})+|\d+)"
    rf"(?:,\d+)?"
    rf"(?:{_NUMBER_SEP}*%)?"
)

_ALIGN_MAP = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def is_swedish_number(text: str) -> bool:
    """Whether ``text`` is a whole number in Swedish notation.

    Digits grouped by (no-break or thin) spaces, an optional decimal comma,
    an optional sign (hyphen, en dash or minus, possibly followed by a space)
    and an optional percent sign: "110 633", "-85 607", "– 3 808", "4,53 %".
    """
    return bool(_SWEDISH_NUMBER.fullmatch(text.strip()))


def _document(container: Any) -> Any:
    """The python-docx Document behind ``container`` (a docxtpl Subdoc's own one)."""
    return getattr(container, "subdocx", container)


def style_index(styles: Any) -> dict[tuple[str, WD_STYLE_TYPE], str]:
    """(name, type) → style id, read once: python-docx's name lookup scans every style each time."""
    element = getattr(styles, "element", None)
    if element is None:
        return {}
    kinds = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
             "table": WD_STYLE_TYPE.TABLE, "numbering": WD_STYLE_TYPE.LIST}
    index: dict[tuple[str, WD_STYLE_TYPE], str] = {}
    for style in element.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        kind = kinds.get(style.get(qn("w:type"), "paragraph"))
        if name is not None and kind is not None and style.get(qn("w:styleId")):
            # python-docx maps Word's lower-case built-in names ("heading 1") to UI names.
            ui_name = BabelFish.internal2ui(name.get(qn("w:val")))
            index.setdefault((ui_name, kind), style.get(qn("w:styleId")))
    return index


class _Writer:
    """Emits blocks into one container, resolving styles and numbering once."""

    def __init__(self, container: Any, styles: RichTextStyles) -> None:
        self.container = container
        self.config = styles
        self.doc = _document(container)
        self.part = getattr(self.doc, "part", None)
        self.styles = self._find_styles()
        self._style_ids = self._index_styles()
        self.body = styles.body if self._has_style(styles.body, WD_STYLE_TYPE.PARAGRAPH) else None
        self._numbering: Any = None
        self._numbering_looked_up = False
        self._list_nums: dict[int, int | None] = {}
        self._list_counters: dict[int, int] = {}

    # -- styles --------------------------------------------------------------

    def _find_styles(self) -> Any:
        styles = getattr(self.doc, "styles", None)
        if styles is None and self.part is not None:
            styles = getattr(self.part, "styles", None)
        return styles

    def _index_styles(self) -> dict[tuple[str, WD_STYLE_TYPE], str]:
        return style_index(self.styles)

    def _has_style(self, name: str, style_type: WD_STYLE_TYPE) -> bool:
        return bool(name) and (name, style_type) in self._style_ids

    def _apply_style(self, paragraph: Any, name: str | None) -> None:
        if name is not None:
            paragraph._p.get_or_add_pPr().style = self._style_ids[(name, WD_STYLE_TYPE.PARAGRAPH)]

    def _paragraph_style(self, name: str) -> str | None:
        """``name`` when the document has it as a paragraph style, else the body style."""
        return name if self._has_style(name, WD_STYLE_TYPE.PARAGRAPH) else self.body

    def _list_style(self, kind: ListKind, level: int) -> str | None:
        """The list style for ``level``, the nearest shallower level the document has, or None."""
        base = self.config.number if kind == "number" else self.config.bullet
        for candidate in range(level, 0, -1):
            name = base if candidate == 1 else f"{base} {candidate}"
            if self._has_style(name, WD_STYLE_TYPE.PARAGRAPH):
                return name
        return None

    def _style_numbering(self, name: str) -> tuple[int, int] | None:
        """(numId, ilvl) that the style ``name`` (or a style it is based on) numbers with."""
        style = self.styles[name]
        seen = 0
        while style is not None and seen < 20:
            ppr = style.element.pPr
            numpr = ppr.numPr if ppr is not None else None
            if numpr is not None and numpr.numId is not None:
                num_id = int(numpr.numId.val)
                ilvl = int(numpr.ilvl.val) if numpr.ilvl is not None else 0
                return (num_id, ilvl) if num_id > 0 else None
            style = style.base_style
            seen += 1
        return None

    # -- numbering -----------------------------------------------------------

    def _numbering_element(self) -> Any:
        """The ``w:numbering`` element of the document, without creating one."""
        if not self._numbering_looked_up:
            self._numbering_looked_up = True
            host = getattr(self.container, "docx", None)
            if host is not None and getattr(host, "part", None) is not self.part:
                # A Subdoc made from a file keeps its own parts; new numbering
                # definitions there would not reach the template.
                return None
            try:
                self._numbering = self.part.part_related_by(RT.NUMBERING).element
            except (AttributeError, KeyError):
                self._numbering = None
        return self._numbering

    def _abstract_num_id(self, num_id: int) -> str | None:
        numbering = self._numbering_element()
        if numbering is None:
            return None
        found = numbering.xpath(f'./w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')
        return str(found[0]) if found else None

    def _restarted_num(self, ref: _ListRef, style_name: str) -> tuple[int, int] | None:
        """A new ``w:num`` for list ``ref``, sharing the style's abstractNum, starting anew."""
        key = id(ref)
        if key not in self._list_nums:
            self._list_nums[key] = None
            style_num = self._style_numbering(style_name)
            abstract = self._abstract_num_id(style_num[0]) if style_num else None
            if style_num is not None and abstract is not None:
                num = self._numbering_element().add_num(int(abstract))
                override = num.add_lvlOverride(ilvl=style_num[1])
                override.add_startOverride(ref.start)
                self._list_nums[key] = int(num.numId)
        num_id = self._list_nums[key]
        if num_id is None:
            return None
        style_num = self._style_numbering(style_name)
        return num_id, style_num[1] if style_num else 0

    def _list_indent(self, ref: _ListRef) -> Length:
        """Left indent of the text of a list paragraph at ``ref``'s level."""
        name = self._list_style(ref.kind, ref.level)
        if name is not None:
            style = self.styles[name]
            seen = 0
            while style is not None and seen < 20:
                indent = style.paragraph_format.left_indent
                if indent is not None:
                    return indent
                style = style.base_style
                seen += 1
            style_num = self._style_numbering(name)
            numbering = self._numbering_element()
            abstract = self._abstract_num_id(style_num[0]) if style_num else None
            if style_num is not None and abstract is not None:
                found = numbering.xpath(
                    f'./w:abstractNum[@w:abstractNumId="{abstract}"]'
                    f'/w:lvl[@w:ilvl="{style_num[1]}"]/w:pPr/w:ind'
                )
                if found:
                    value = found[0].get(qn("w:left")) or found[0].get(qn("w:start"))
                    if value and value.lstrip("-").isdigit():
                        return Emu(int(value) * 635)  # twips -> EMU
        return Emu(_DEFAULT_LIST_INDENT * ref.level)

    # -- paragraphs ----------------------------------------------------------

    def write(self, blocks: list[_Block]) -> None:
        for block in blocks:
            if isinstance(block, _Table):
                self._write_table(block)
            else:
                self._write_para(block)

    def _new_paragraph(self, style: str | None) -> Any:
        paragraph = self.container.add_paragraph("")
        self._apply_style(paragraph, style)
        return paragraph

    @staticmethod
    def _add_runs(paragraph: Any, spans: list[_Span], force_bold: bool = False) -> None:
        for span in spans:
            if span.is_break:
                paragraph.add_run().add_break()
                continue
            run = paragraph.add_run(span.text)
            if span.bold or force_bold:
                run.bold = True
            if span.italic:
                run.italic = True

    def _write_para(self, block: _Para) -> None:
        indent = Emu(_QUOTE_INDENT * block.quote_depth)
        prefix = ""
        force_bold = False
        if block.kind == "heading":
            level = min(block.level + self.config.heading_offset, 9)
            wanted = f"Heading {max(level, 1)}"
            style = self._paragraph_style(wanted)
            force_bold = style != wanted
        elif block.kind in ("bullet", "number") and block.list_ref is not None:
            style = self._list_style(block.list_ref.kind, block.list_ref.level)
            if style is None:
                # No list style at all: keep the list readable in body text.
                style = self.body
                prefix = self._manual_marker(block.list_ref)
                indent = Emu(indent + _DEFAULT_LIST_INDENT * (block.list_ref.level - 1))
        elif block.kind == "continuation" and block.list_ref is not None:
            style = self.body
            indent = Emu(indent + self._list_indent(block.list_ref))
        else:
            style = self.body

        paragraph = self._new_paragraph(style)
        if prefix:
            paragraph.add_run(prefix)
        self._add_runs(paragraph, block.spans, force_bold)
        if indent > 0:
            paragraph.paragraph_format.left_indent = indent
        if block.kind == "number" and block.list_ref is not None and style and not prefix:
            numbering = self._restarted_num(block.list_ref, style)
            if numbering is not None:
                numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                numpr.get_or_add_ilvl().val = numbering[1]
                numpr.get_or_add_numId().val = numbering[0]

    def _manual_marker(self, ref: _ListRef) -> str:
        if ref.kind == "bullet":
            return "\u2022\t"
        key = id(ref)
        number = self._list_counters.get(key, ref.start)
        self._list_counters[key] = number + 1
        return f"{number}.\t"

    # -- tables --------------------------------------------------------------

    def _text_width(self) -> int:
        """Usable text width in EMU: of the template for a Subdoc, else of the document."""
        for host in (getattr(self.container, "docx", None), self.doc):
            sections = getattr(host, "sections", None)
            try:
                section = sections[-1]  # type: ignore[index]
                width = section.page_width - section.left_margin - section.right_margin
            except (TypeError, IndexError, AttributeError):
                continue
            if width and width > 0:
                return int(width)
        width = getattr(self.container, "width", None)
        return int(width) if width else int(_DEFAULT_TEXT_WIDTH)

    def _write_table(self, block: _Table) -> None:
        columns = max([len(block.header), *(len(row) for row in block.rows)], default=0)
        if columns == 0:
            return
        all_rows = [block.header, *block.rows]
        table = self.container.add_table(len(all_rows), columns)
        if self._has_style(self.config.table, WD_STYLE_TYPE.TABLE):
            table.style = self.config.table
        else:
            _add_borders(table)

        table.autofit = True
        tbl_pr = table._tbl.tblPr
        for tbl_w in tbl_pr.findall(qn("w:tblW")):
            tbl_w.set(qn("w:type"), "pct")
            tbl_w.set(qn("w:w"), "5000")

        widths = _column_widths(all_rows, columns, self._text_width())
        for index, column in enumerate(table.columns):
            column.width = Emu(widths[index])

        for row_index, (row, cells) in enumerate(zip(table.rows, all_rows)):
            is_header = row_index == 0
            if is_header:
                row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            for col_index, cell in enumerate(row.cells):
                spans = cells[col_index] if col_index < len(cells) else []
                cell.width = Emu(widths[col_index])
                paragraph = cell.paragraphs[0]
                self._apply_style(paragraph, self.body)
                self._add_runs(paragraph, spans, force_bold=is_header)
                explicit = (
                    block.alignments[col_index] if col_index < len(block.alignments) else None
                )
                if explicit is not None:
                    paragraph.alignment = _ALIGN_MAP[explicit]
                elif is_swedish_number(_spans_text(spans)):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


# Rough width of one character of body text and the left+right cell margins,
# used only to share the table width out between the columns.
_CHAR_WIDTH = Pt(6)
_CELL_PADDING = Cm(0.38)
_WANTED_CHARS_CAP = 60
_WORD_BREAKS = re.compile(r"[ \t\n]+")  # not NBSP: it is there to keep things together


def _column_widths(rows: list[list[list[_Span]]], columns: int, total: int) -> list[int]:
    """Column widths in EMU that fill ``total``, shared out by content.

    Each column should fit its longest unbreakable piece (a word, or a whole
    number, which must not wrap) and would like to fit its longest text on one
    line. Word autofits anyway; LibreOffice lays out by the grid, so a sensible
    grid keeps a long label column from squeezing short numbers and dates.
    """
    least = [2.0] * columns
    wanted = [2.0] * columns
    for row_index, row in enumerate(rows):
        factor = 1.1 if row_index == 0 else 1.0  # the header row is bold
        for index, cell in enumerate(row[:columns]):
            text = _spans_text(cell).strip()
            if is_swedish_number(text):
                unbreakable = len(text)
            else:
                unbreakable = max((len(word) for word in _WORD_BREAKS.split(text)), default=0)
            least[index] = max(least[index], unbreakable * factor)
            wanted[index] = max(wanted[index], min(len(text), _WANTED_CHARS_CAP) * factor)

    least_emu = [chars * _CHAR_WIDTH + _CELL_PADDING for chars in least]
    wanted_emu = [
        max(chars * _CHAR_WIDTH + _CELL_PADDING, low) for chars, low in zip(wanted, least_emu)
    ]
    if sum(wanted_emu) <= total:
        scale = total / sum(wanted_emu)
        widths = [width * scale for width in wanted_emu]
    elif sum(least_emu) <= total:
        room = total - sum(least_emu)
        extra = [want - low for want, low in zip(wanted_emu, least_emu)]
        spread = sum(extra) or 1.0
        widths = [low + room * more / spread for low, more in zip(least_emu, extra)]
    else:
        scale = total / sum(least_emu)
        widths = [width * scale for width in least_emu]
    result = [int(width) for width in widths]
    result[-1] += total - sum(result)
    return result


def _add_borders(table: Any) -> None:
    """Single-line borders, for when the wanted table style is missing."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(
            f"w:{edge}",
            {qn("w:val"): "single", qn("w:sz"): "4", qn("w:space"): "0", qn("w:color"): "auto"},
        )
        borders.append(line)
    successors = (
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
        "w:tblCaption",
        "w:tblDescription",
        "w:tblPrChange",
    )
    for tag in successors:
        found = tbl_pr.find(qn(tag))
        if found is not None:
            found.addprevious(borders)
            return
    tbl_pr.append(borders)


def add_markdown(container: Any, text: str, styles: RichTextStyles = RichTextStyles()) -> None:
    """Append ``text`` (Markdown) to ``container`` as Word paragraphs, lists and tables.

    ``container`` is a python-docx Document, a table cell or a docxtpl Subdoc.
    Leading and trailing whitespace is ignored; empty text adds nothing.
    """
    blocks = _parse_blocks(text)
    if blocks:
        _Writer(container, styles).write(blocks)
