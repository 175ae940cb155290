"""Tests for docgen.richtext: Markdown case descriptions as real Word content.

Everything is checked twice where it matters: built straight into a
python-docx Document, and built into a docxtpl Subdoc that is rendered into a
tiny template, saved and re-opened (the way the protocol is produced).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from docgen.documents.richtext import RichTextStyles, add_markdown, is_swedish_number, markdown_plain_lines

NBSP = "\u00a0"
EN_DASH = "\u2013"

SEED = """
Förbundet redovisar för 2025 ett negativt resultat om – 3 808 Tkr.

# Resultaträkning

| Belopp i Tkr | 2025-12-31 | 2024-12-31 | Budget 2025 |
|---|--:|--:|--:|
| Verksamhetens intäkter | 110 633 | 114 966 | 108 541 |
| Verksamhetens kostnader | -85 607 | -90 883 | -78 240 |

- Ny förbundsdirektör tillträder 1 april.
- En supporttekniker i linje 2 lämnar.
"""

SEED_TABLE = [
    ["Belopp i Tkr", "2025-12-31", "2024-12-31", "Budget 2025"],
    ["Verksamhetens intäkter", "110 633", "114 966", "108 541"],
    ["Verksamhetens kostnader", "-85 607", "-90 883", "-78 240"],
]

# docxtpl's Subdoc imports docxcompose (the "subdoc" extra of docxtpl).
HAS_DOCXCOMPOSE = importlib.util.find_spec("docxcompose") is not None

Builder = Callable[[str], docx.document.Document]


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #


def build_document(text: str, styles: RichTextStyles | None = None) -> docx.document.Document:
    """Build straight into a python-docx Document, save and re-open it."""
    document = docx.Document()
    add_markdown(document, text, styles or RichTextStyles())
    return _roundtrip(document)


def _roundtrip(document: docx.document.Document) -> docx.document.Document:
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    return docx.Document(buffer)


def make_template(path: Path, drop_styles: tuple[str, ...] = ()) -> Path:
    """A tiny template: a heading, the subdoc placeholder paragraph and a closing line."""
    document = docx.Document()
    document.add_paragraph("Före")
    document.add_paragraph("{{p body }}")
    document.add_paragraph("Efter")
    for name in drop_styles:
        element = document.styles[name].element
        element.getparent().remove(element)
    document.save(path)
    return path


def build_subdoc(
    tmp_path: Path,
    text: str,
    styles: RichTextStyles | None = None,
    drop_styles: tuple[str, ...] = (),
) -> docx.document.Document:
    """Build into a docxtpl Subdoc, render it into the template, save and re-open."""
    if not HAS_DOCXCOMPOSE:
        pytest.skip("docxtpl Subdoc needs docxcompose (docxtpl[subdoc]), which is not installed")
    from docxtpl import DocxTemplate

    template = make_template(tmp_path / "mall.docx", drop_styles)
    tpl = DocxTemplate(template)
    subdoc = tpl.new_subdoc()
    add_markdown(subdoc, text, styles or RichTextStyles())
    tpl.render({"body": subdoc}, autoescape=True)
    out = tmp_path / "ut.docx"
    tpl.save(out)
    return docx.Document(out)


@pytest.fixture(params=["document", "subdoc"])
def build(request: pytest.FixtureRequest, tmp_path: Path) -> Builder:
    """Either way of building; subdoc output is stripped of the template's own lines."""
    if request.param == "document":
        return build_document

    def via_subdoc(text: str) -> docx.document.Document:
        return build_subdoc(tmp_path, text)

    return via_subdoc


def body_paragraphs(document: docx.document.Document) -> list[docx.text.paragraph.Paragraph]:
    """The paragraphs that came from Markdown (the template's "Före"/"Efter" removed)."""
    return [p for p in document.paragraphs if p.text not in ("Före", "Efter")]


def texts_and_styles(document: docx.document.Document) -> list[tuple[str, str]]:
    return [(p.text, p.style.name) for p in body_paragraphs(document)]


def texts_styles_and_indents(document: docx.document.Document) -> list[tuple[str, str, bool]]:
    """Each paragraph's text, style, and whether it has a left indent of its own."""
    return [(p.text, p.style.name, (p.paragraph_format.left_indent or 0) > 0) for p in body_paragraphs(document)]


def num_id(paragraph: docx.text.paragraph.Paragraph) -> int | None:
    ppr = paragraph._p.pPr
    if ppr is None or ppr.numPr is None or ppr.numPr.numId is None:
        return None
    return int(ppr.numPr.numId.val)


def start_override(document: docx.document.Document, num: int) -> int | None:
    numbering = document.part.numbering_part.element
    found = numbering.xpath(
        f'./w:num[@w:numId="{num}"]/w:lvlOverride[@w:ilvl="0"]/w:startOverride/@w:val'
    )
    return int(found[0]) if found else None


def document_lines(document: docx.document.Document) -> list[str]:
    """Paragraph texts and table rows (cells joined by a tab) in body order."""
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            text = docx.text.paragraph.Paragraph(element, document).text
            if text not in ("Före", "Efter"):
                lines.append(text)
        elif element.tag == qn("w:tbl"):
            table = docx.table.Table(element, document)
            lines.extend("\t".join(cell.text for cell in row.cells) for row in table.rows)
    return lines


# --------------------------------------------------------------------------- #
# paragraphs and inline formatting
# --------------------------------------------------------------------------- #


def test_paragraphs_read_back_exactly(build: Builder) -> None:
    text = (
        f"Första stycket med{NBSP}hårt mellanslag och tankstreck {EN_DASH} här.\n"
        "Fortsätter på samma rad.\n\n"
        "Andra stycket: åäö ÅÄÖ é."
    )
    document = build(text)
    assert texts_and_styles(document) == [
        (
            (
                f"Första stycket med{NBSP}hårt mellanslag och tankstreck {EN_DASH} här. "
                "Fortsätter på samma rad."
            ),
            "Normal",
        ),
        ("Andra stycket: åäö ÅÄÖ é.", "Normal"),
    ]


def test_inline_formatting(build: Builder) -> None:
    document = build("Det är **viktigt** och *betonat*, med `kod` och [länk](https://ex.se).")
    (paragraph,) = body_paragraphs(document)
    assert paragraph.text == "Det är viktigt och betonat, med kod och länk (https://ex.se)."
    bold = [run.text for run in paragraph.runs if run.bold]
    italic = [run.text for run in paragraph.runs if run.italic]
    assert bold == ["viktigt"]
    assert italic == ["betonat"]


def test_link_equal_to_url_is_not_repeated() -> None:
    assert markdown_plain_lines("Se <https://ex.se> och <info@ex.se>.") == [
        "Se https://ex.se och info@ex.se."
    ]


def test_hard_break_is_a_word_line_break(build: Builder) -> None:
    document = build("Rad ett  \nRad två\\\nRad tre")
    (paragraph,) = body_paragraphs(document)
    assert paragraph.text == "Rad ett\nRad två\nRad tre"
    assert len(paragraph._p.xpath(".//w:br")) == 2


def test_empty_text_adds_nothing(build: Builder) -> None:
    document = build("   \n\n  ")
    assert body_paragraphs(document) == []
    assert document.tables == []


def test_surrounding_whitespace_is_ignored() -> None:
    assert markdown_plain_lines("\n\n   Hej\n\n\n") == ["Hej"]


# --------------------------------------------------------------------------- #
# headings and lists
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(("markdown", "expected"), [
    pytest.param("# Ett\n\n## Två\n\n### Tre\n\n###### Sex",
                 [("Ett", "Heading 4"), ("Två", "Heading 5"), ("Tre", "Heading 6"),
                  ("Sex", "Heading 9")],  # 6 + 3 clamps at 9
                 id="heading levels"),
    pytest.param("- Ett\n  - Ett a\n    - Ett a i\n- Två\n",
                 [("Ett", "List Bullet"), ("Ett a", "List Bullet 2"), ("Ett a i", "List Bullet 3"),
                  ("Två", "List Bullet")],
                 id="bullet list with nesting"),
    pytest.param("```\nif a < b && c:\n    **inte fet**\n```\n\n    indragen kod",
                 [("if a < b && c:", "Normal"), ("    **inte fet**", "Normal"), ("indragen kod", "Normal")],
                 id="code is literal body text"),
])
def test_blocks_become_paragraphs_in_their_styles(build: Builder, markdown: str,
                                                   expected: list[tuple[str, str]]) -> None:
    assert texts_and_styles(build(markdown)) == expected


def test_heading_offset_is_configurable() -> None:
    document = build_document("# Ett\n\n## Två", RichTextStyles(heading_offset=0))
    assert texts_and_styles(document) == [("Ett", "Heading 1"), ("Två", "Heading 2")]


def test_two_ordered_lists_restart_numbering(build: Builder) -> None:
    document = build("1. Första\n2. Andra\n\nMellanliggande stycke.\n\n1. Ny första\n2. Ny andra\n")
    paragraphs = body_paragraphs(document)
    assert texts_and_styles(document) == [("Första", "List Number"), ("Andra", "List Number"),
                                          ("Mellanliggande stycke.", "Normal"),
                                          ("Ny första", "List Number"), ("Ny andra", "List Number")]
    first, second = num_id(paragraphs[0]), num_id(paragraphs[3])
    assert first is not None and second is not None
    assert num_id(paragraphs[1]) == first
    assert num_id(paragraphs[4]) == second
    assert first != second
    assert start_override(document, first) == 1
    assert start_override(document, second) == 1
    # Both restart instances share the abstract definition of the style's numbering.
    numbering = document.part.numbering_part.element
    abstract = {numbering.num_having_numId(n).abstractNumId.val for n in (first, second)}
    assert len(abstract) == 1


SEVERAL_PARAGRAPHS = "1. Punkt ett\n\n   Mer om punkt ett.\n2. Punkt två\n"


def test_ordered_list_start_number_is_kept() -> None:
    document = build_document("3. Tre\n4. Fyra\n")
    paragraphs = body_paragraphs(document)
    assert start_override(document, num_id(paragraphs[0])) == 3


@pytest.mark.parametrize(("markdown", "expected"), [
    pytest.param(SEVERAL_PARAGRAPHS, [("Punkt ett", "List Number", False), ("Mer om punkt ett.", "Normal", True),
                                      ("Punkt två", "List Number", False)], id="list item with several paragraphs"),
    pytest.param("> Citat **här**\n\nEfter citatet.\n\n---\n\nSlut.",
                 [("Citat här", "Normal", True), ("Efter citatet.", "Normal", False), ("Slut.", "Normal", False)],
                 id="blockquote is indented body text"),
])
def test_indented_paragraphs(markdown: str, expected: list[tuple[str, str, bool]]) -> None:
    assert texts_styles_and_indents(build_document(markdown)) == expected


def test_a_list_item_with_several_paragraphs_keeps_one_numbering() -> None:
    first, _more, second = body_paragraphs(build_document(SEVERAL_PARAGRAPHS))
    assert num_id(first) == num_id(second)


# --------------------------------------------------------------------------- #
# tables
# --------------------------------------------------------------------------- #


def test_seed_example(build: Builder) -> None:
    document = build(SEED)
    assert texts_and_styles(document) == [
        ("Förbundet redovisar för 2025 ett negativt resultat om – 3 808 Tkr.", "Normal"),
        ("Resultaträkning", "Heading 4"),
        ("Ny förbundsdirektör tillträder 1 april.", "List Bullet"),
        ("En supporttekniker i linje 2 lämnar.", "List Bullet"),
    ]
    (table,) = document.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == SEED_TABLE
    assert table.style.name == "Table Grid"

    header = table.rows[0]
    assert header._tr.trPr is not None
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert all(table.rows[i]._tr.xpath("./w:trPr/w:tblHeader") == [] for i in (1, 2))

    for row in table.rows[1:]:
        assert row.cells[0].paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.LEFT)
        for cell in row.cells[1:]:
            assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT

    # Full text width, autofit.
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    assert (tbl_w.get(qn("w:type")), tbl_w.get(qn("w:w"))) == ("pct", "5000")
    assert table.autofit is True

    # The block order survives, and the plain lines match what Word holds.
    assert document_lines(document) == markdown_plain_lines(SEED)


def test_table_alignment_from_delimiter_row_and_numbers() -> None:
    text = (
        "| Text | Tal | Mitten | Vänster |\n"
        "|---|---|:-:|:--|\n"
        f"| – 3 808 | 4,53 % | 12 | 1{NBSP}000 |\n"
        "| **fet** |  | x | y |\n"
    )
    document = build_document(text)
    (table,) = document.tables
    rows = [[cell.paragraphs[0].alignment for cell in row.cells] for row in table.rows]
    right, center, left = (
        WD_ALIGN_PARAGRAPH.RIGHT,
        WD_ALIGN_PARAGRAPH.CENTER,
        WD_ALIGN_PARAGRAPH.LEFT,
    )
    assert rows[0] == [None, None, center, left]
    # Numbers right-aligned in default columns; explicit left wins over the number.
    assert rows[1] == [right, right, center, left]
    assert rows[2] == [None, None, center, left]
    assert table.rows[1].cells[3].text == f"1{NBSP}000"
    assert table.rows[2].cells[1].text == ""
    bold_runs = [run.text for run in table.rows[2].cells[0].paragraphs[0].runs if run.bold]
    assert bold_runs == ["fet"]


@pytest.mark.parametrize(
    "text",
    ["110 633", "-85 607", "– 3 808", "4,53 %", f"1{NBSP}234{NBSP}567", "0", "12,5", "−7"],
)
def test_swedish_numbers(text: str) -> None:
    assert is_swedish_number(text)


@pytest.mark.parametrize(
    "text", ["2025-12-31", "Budget 2025", "", "1 23", "12.5.", "–", "3 808 Tkr"]
)
def test_not_swedish_numbers(text: str) -> None:
    assert not is_swedish_number(text)


# --------------------------------------------------------------------------- #
# literal text, never markup
# --------------------------------------------------------------------------- #


def test_special_characters_are_literal(build: Builder) -> None:
    document = build("Vatten & Avlopp <AB> svarar.")
    assert texts_and_styles(document) == [("Vatten & Avlopp <AB> svarar.", "Normal")]


def test_raw_html_is_literal_text(build: Builder) -> None:
    document = build("Inline <b>x</b> här.\n\n<div>\nblock\n</div>\n\n<script>alert(1)</script>")
    texts = [p.text for p in body_paragraphs(document)]
    assert texts == ["Inline <b>x</b> här.", "<div> block </div>", "<script>alert(1)</script>"]
    body_xml = document.element.body.xml
    assert "<b>" not in body_xml and "<div>" not in body_xml
    assert not any(run.bold for p in body_paragraphs(document) for run in p.runs)


def test_entities_are_decoded_once() -> None:
    assert markdown_plain_lines("A &amp; B &lt;C&gt; &nbsp;D") == [f"A & B <C> {NBSP}D"]


def test_control_characters_do_not_break_the_document(build: Builder) -> None:
    document = build("Före\x07kontroll\x0ctecken.")
    assert [p.text for p in body_paragraphs(document)] == ["Förekontrolltecken."]


# --------------------------------------------------------------------------- #
# styles the document lacks
# --------------------------------------------------------------------------- #


def test_missing_styles_fall_back_to_body() -> None:
    document = build_document(
        "# Rubrik\n\n- Punkt\n\n| A |\n|---|\n| 1 |",
        RichTextStyles(heading_offset=3, bullet="Finns Inte", table="Ingen Tabell"),
    )
    assert texts_and_styles(document) == [
        ("Rubrik", "Heading 4"),
        ("\u2022\tPunkt", "Normal"),
    ]
    (table,) = document.tables
    assert table._tbl.tblPr.find(qn("w:tblBorders")) is not None


def test_subdoc_uses_template_styles_and_falls_back(tmp_path: Path) -> None:
    document = build_subdoc(
        tmp_path,
        "# Rubrik\n\n- Ett\n  - Två\n    - Tre\n\n| A |\n|---|\n| 1 |",
        drop_styles=("Heading 4", "List Bullet 3", "Table Grid"),
    )
    assert texts_and_styles(document) == [
        ("Rubrik", "Normal"),
        ("Ett", "List Bullet"),
        ("Två", "List Bullet 2"),
        ("Tre", "List Bullet 2"),  # nearest level the template has
    ]
    heading_runs = body_paragraphs(document)[0].runs
    assert heading_runs and all(run.bold for run in heading_runs)
    (table,) = document.tables
    assert table.cell(1, 0).text == "1"
    # The template's own paragraphs are still around the inserted content.
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Före" and texts[-1] == "Efter"


def test_subdoc_numbering_lives_in_the_template(tmp_path: Path) -> None:
    document = build_subdoc(tmp_path, "1. Ett\n2. Två\n\nText.\n\n1) Igen\n")
    paragraphs = body_paragraphs(document)
    first, second = num_id(paragraphs[0]), num_id(paragraphs[3])
    assert first is not None and second is not None and first != second
    assert start_override(document, first) == 1
    assert start_override(document, second) == 1


def test_plain_lines_of_a_mixed_document() -> None:
    text = (
        "Inledning med **fet** text.\n\n"
        "## Del\n\n"
        "1. Ett\n   - underpunkt\n2. Två\n\n"
        "| A | B |\n|---|---|\n| x |  |\n\n"
        "> citat"
    )
    assert markdown_plain_lines(text) == [
        "Inledning med fet text.",
        "Del",
        "Ett",
        "underpunkt",
        "Två",
        "A\tB",
        "x\t",
        "citat",
    ]
    assert markdown_plain_lines("") == []
    assert document_lines(build_document(text)) == markdown_plain_lines(text)


def test_table_fills_text_width_with_content_based_columns() -> None:
    document = build_document(SEED)
    (table,) = document.tables
    widths = [int(w) for w in table._tbl.xpath("./w:tblGrid/w:gridCol/@w:w")]
    section = document.sections[-1]
    text_width_twips = (section.page_width - section.left_margin - section.right_margin) // 635
    assert abs(sum(widths) - text_width_twips) <= len(widths)
    assert widths[0] == max(widths)  # the label column
    assert min(widths[1:]) > 0.15 * sum(widths)  # dates in the header stay on one line


def test_table_cell_as_container() -> None:
    document = docx.Document()
    cell = document.add_table(1, 1).cell(0, 0)
    add_markdown(cell, "- Ett\n\n| A | B |\n|---|---|\n| 1 | 2 |")
    document = _roundtrip(document)
    outer = document.tables[0].cell(0, 0)
    assert [(p.text, p.style.name) for p in outer.paragraphs if p.text] == [("Ett", "List Bullet")]
    (inner,) = outer.tables
    assert [[c.text for c in row.cells] for row in inner.rows] == [["A", "B"], ["1", "2"]]


def test_two_tables_apart_stay_two_word_tables_each_with_its_own_header_row() -> None:
    text = "| Ekonomiska mål | |\n|---|---|\n| Nollresultat | Uppfyllt |\n\n" \
           "| Verksamhetsmål | |\n|---|---|\n| Driftstabilitet | Uppfyllt |"
    document = build_document(text)
    body = [element.tag for element in document.element.body.iterchildren() if element.tag != qn("w:sectPr")]
    # Word and LibreOffice join two w:tbl with nothing between them into one table.
    assert body == [qn("w:tbl"), qn("w:p"), qn("w:tbl")]
    headers = [[row.cells[0].text for row in table.rows if row._tr.trPr is not None
                and row._tr.trPr.find(qn("w:tblHeader")) is not None] for table in document.tables]
    assert headers == [["Ekonomiska mål"], ["Verksamhetsmål"]]
    assert document_lines(document) == markdown_plain_lines(text)
