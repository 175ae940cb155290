"""Bootstrap docgen's shipped Word templates (docgen/templates/) with python-docx.

The committed .docx files are the source of truth: docgen reads nothing
else. This script is how an engineer changes the shipped house style in
code review rather than in Word; tests/documents/test_templates.py fails
when its output and the committed files differ, so the two cannot drift.
An association restyles its own copies in its `mallar:` folder instead,
which no run of this script touches.

Run: ``.venv/bin/python scripts/make_templates.py [FOLDER]`` (default: docgen/templates).
"""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from docgen.documents.kinds import kind
from docgen.documents.templates import SHIPPED
from docgen.documents.wordfile import write_docx

TEMPLATES = SHIPPED

BODY_FONT = "Times New Roman"  # LibreOffice uses the metric-compatible Liberation Serif
HEADING_FONT = "Arial"  # ... and Liberation Sans here
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
TEMPLATE_DATE = datetime.datetime(2026, 1, 1)
"""Fixed, so that running the script twice gives the same bytes (a test compares them with the committed files)."""


# --- house style --------------------------------------------------------------

def new_document() -> Document:
    doc = Document()
    _set_language(doc, "sv-SE")
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.5)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    _define_styles(doc)
    _real_bullets(doc)
    props = doc.core_properties
    # Each document's title comes from the plan (docgen/documents/plan.py); docxtpl renders the Jinja here.
    props.title = ""
    props.subject = ""  # subject and author, like the title, are set per document by docgen
    props.author = ""
    props.language = "sv-SE"
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.created = props.modified = TEMPLATE_DATE
    return doc


def _real_bullets(doc: Document) -> None:
    """Bullets as U+2022 in the body font, not Word's U+F0B7 in Symbol.

    U+F0B7 is a private-use character: PDF text and screen readers get no
    bullet from it. The body font (Liberation Serif in LibreOffice) has U+2022.
    """
    numbering = doc.part.numbering_part.element
    for level in numbering.iter(qn("w:lvl")):
        kind = level.find(qn("w:numFmt"))
        if kind is None or kind.get(qn("w:val")) != "bullet":
            continue
        level.find(qn("w:lvlText")).set(qn("w:val"), "\u2022")
        fonts = level.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
                if fonts.get(qn(attribute)) is not None:
                    fonts.set(qn(attribute), BODY_FONT)


def _set_language(doc: Document, lang: str) -> None:
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in rpr_default.findall(qn("w:lang")):
        rpr_default.remove(old)
    el = OxmlElement("w:lang")
    el.set(qn("w:val"), lang)
    el.set(qn("w:eastAsia"), lang)
    el.set(qn("w:bidi"), "ar-SA")
    rpr_default.append(el)
    settings = doc.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), lang)


def _font(style, name: str, size: float, bold: bool = False, italic: bool = False,
          color: RGBColor | None = None) -> None:
    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = color or RGBColor(0, 0, 0)


def _define_styles(doc: Document) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _font(normal, BODY_FONT, 11.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for name, size, before, after in (("Heading 1", 16, 12, 8), ("Heading 2", 13, 12, 6),
                                      ("Heading 3", 11.5, 12, 3), ("Heading 4", 11.5, 10, 3),
                                      ("Heading 5", 11, 8, 2)):
        style = styles[name]
        _font(style, HEADING_FONT, size, bold=True, italic=name == "Heading 5",
              color=ACCENT if name in ("Heading 1", "Heading 2") else None)
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.keep_with_next = True
    title = styles["Title"]
    _font(title, HEADING_FONT, 20, bold=True, color=ACCENT)
    title.paragraph_format.space_after = Pt(12)
    # Title has a bottom border in python-docx's default template: keep it plain.
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    for name in ("Header", "Footer"):
        _font(styles[name], HEADING_FONT, 8.5)
        styles[name].paragraph_format.space_after = Pt(0)
    for name in ("List Bullet", "List Bullet 2", "List Number", "List Number 2"):
        styles[name].paragraph_format.space_after = Pt(3)

    label = styles.add_style("Etikett", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = normal
    _font(label, HEADING_FONT, 9, bold=True)
    label.paragraph_format.space_after = Pt(0)

    cell = styles.add_style("Tabelltext", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    cell.paragraph_format.space_after = Pt(0)
    cell.paragraph_format.space_before = Pt(0)

    clause = styles.add_style("Att-sats", WD_STYLE_TYPE.PARAGRAPH)
    clause.base_style = normal
    clause.paragraph_format.left_indent = Cm(1.0)
    clause.paragraph_format.first_line_indent = Cm(-1.0)
    clause.paragraph_format.tab_stops.add_tab_stop(Cm(1.0))

    formula = styles.add_style("Beslutsformel", WD_STYLE_TYPE.PARAGRAPH)
    formula.base_style = normal
    formula.font.bold = True
    formula.paragraph_format.keep_with_next = True
    formula.paragraph_format.space_before = Pt(6)

    note = styles.add_style("Fotnotstext", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(9.5)
    note.font.italic = True

    sign = styles.add_style("Signaturlinje", WD_STYLE_TYPE.PARAGRAPH)
    sign.base_style = normal
    sign.paragraph_format.space_before = Pt(24)
    sign.paragraph_format.space_after = Pt(0)


def add_field(paragraph, instruction: str, placeholder: str) -> None:
    """A simple Word field (PAGE, NUMPAGES) that LibreOffice and Word both update."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def mark_header_row(row) -> None:
    """Repeat the row on every page and tag it as the table's header (accessibility)."""
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    trpr.append(header)


def cant_split(row) -> None:
    """Keep a row (a signature block) on one page."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def looped_table(doc, headers: tuple[str, ...], loop: str, cells: tuple[str, ...]):
    """A table with a header row repeated on every page and a row per item of ``loop`` (docxtpl's ``{%tr %}``)."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell_text(cell, text, bold=True)
    mark_header_row(table.rows[0])
    cell_text(table.rows[1].cells[0], f"{{%tr for {loop} %}}")
    for cell, text in zip(table.rows[2].cells, cells):
        cell_text(cell, text)
    cell_text(table.rows[3].cells[0], "{%tr endfor %}")
    return table


def no_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def set_widths(table, *widths_cm: float) -> None:
    """Fixed column widths, in the grid too: LibreOffice lays tables out from w:tblGrid."""
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def cell_text(cell, text: str, style: str = "Tabelltext", bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    run = paragraph.add_run(text)
    run.bold = bold or None


def letterhead(doc: Document, kind: str, right_lines: list[str]) -> None:
    """Header: association and document type left, date/dnr and 'Sida X (Y)' right."""
    header = doc.sections[0].header
    header.is_linked_to_previous = False
    table = header.add_table(rows=1, cols=2, width=Cm(16))
    no_borders(table)
    set_widths(table, 9.5, 6.5)
    left, right = table.rows[0].cells
    p = left.paragraphs[0]
    p.style = "Header"
    name = p.add_run("{{ förbund.namn }}")
    name.bold = True
    name.font.size = Pt(11)
    name.font.color.rgb = ACCENT
    p2 = left.add_paragraph(style="Header")
    p2.add_run(kind).bold = True
    first = True
    for line in right_lines:
        q = right.paragraphs[0] if first else right.add_paragraph()
        first = False
        q.style = "Header"
        q.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        q.add_run(line)
    q = right.add_paragraph(style="Header")
    q.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    q.add_run("Sida\u00a0")
    add_field(q, "PAGE", "1")
    q.add_run("\u00a0(")
    add_field(q, "NUMPAGES", "1")
    q.add_run(")")
    # python-docx leaves an empty paragraph before the table; use it as spacing.
    header.paragraphs[0].style = "Header"


def protocol_footer(doc: Document) -> None:
    """Footer boxes every protocol page carries when it is signed on paper: justerandes signatur,
    utdragsbestyrkande. A protocol adjusted digitally has none: empty boxes would contradict it."""
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    footer.paragraphs[0].text = "{%p if justering.på_plats %}"
    table = footer.add_table(rows=2, cols=2, width=Cm(16))
    table.style = "Table Grid"
    set_widths(table, 8, 8)
    for i, label in enumerate(("Justerandes signatur", "Utdragsbestyrkande")):
        cell = table.rows[0].cells[i]
        cell.paragraphs[0].style = "Footer"
        cell.paragraphs[0].add_run(label)
        table.rows[1].cells[i].paragraphs[0].style = "Footer"
        table.rows[1].height = Cm(0.9)
    footer.add_paragraph("{%p endif %}")
    footer.add_paragraph(style="Footer")  # a footer ends with a paragraph, boxes or not


def letter_footer(doc: Document) -> None:
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.style = "Footer"
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("{{ förbund.sidfot }}")


def para(doc_or_cell, text: str = "", style: str | None = None, bold: bool = False):
    p = doc_or_cell.add_paragraph(style=style)
    if text:
        p.add_run(text).bold = bold or None
    return p


def tag(doc, text: str):
    """A paragraph holding only a docxtpl block tag ({%p ... %}); docxtpl removes it."""
    return doc.add_paragraph(text)


def label_value_table(doc, rows: list[tuple[str, str]], widths=(5.5, 10.5), group_rows=()):
    table = doc.add_table(rows=0, cols=2)
    no_borders(table)
    for label, value in rows:
        cells = table.add_row().cells
        if label in group_rows:
            cell_text(cells[0], label, style="Etikett")
            cells[0].paragraphs[0].runs[0].font.size = Pt(10)
            cells[0].paragraphs[0].runs[0].font.color.rgb = ACCENT
            cells[1].paragraphs[0].style = "Tabelltext"
            continue
        cell_text(cells[0], label, bold=True)
        cell_text(cells[1], value)
    set_widths(table, *widths)
    return table


# --- shared blocks ----------------------------------------------------------------

def paragraph_section(doc, page_break: bool) -> None:
    """One § of the protocol: used by the protocol (in a loop) and the extract."""
    heading = para(doc, "{{ p.paragraf }}", style="Heading 1")
    heading.paragraph_format.page_break_before = page_break
    para(doc, "Dnr {{ p.dnr }}")
    para(doc, "{{ p.rubrik }}", style="Heading 2")
    para(doc, "{{ möte.organ_genitiv }} beslut", style="Heading 3")
    para(doc, "{{p p.beslut }}")
    tag(doc, "{%p if p.beskrivning %}")
    para(doc, "Beskrivning av ärendet", style="Heading 3")
    para(doc, "{{p p.beskrivning }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if p.beslutsunderlag %}")
    headed_lines(doc, "Beslutsunderlag", "u in p.beslutsunderlag", "{{ u }}")
    tag(doc, "{%p endif %}")
    headed_lines(doc, "Beslutet skickas till", "m in p.skickas_till", "{{ m }}")


def headed_lines(doc, heading: str, loop: str, line: str) -> None:
    """A heading over one tight line per item of ``loop``."""
    para(doc, heading, style="Heading 3")
    tag(doc, f"{{%p for {loop} %}}")
    p = para(doc, line)
    p.paragraph_format.space_after = Pt(0)
    tag(doc, "{%p endfor %}")


def notice_table(doc) -> None:
    """The ANSLAG/BEVIS facts, laid out as on the seed protocol."""
    table = doc.add_table(rows=5, cols=4)
    table.style = "Table Grid"
    rows = [
        ("Organ", "{{ möte.organ }}", None, None),
        ("Sammanträdesdatum", "{{ möte.datum }}", None, None),
        ("Datum då anslaget sätts upp", "{{ anslag.uppsatt }}",
         "Datum då anslaget tas ned", "{{ anslag.nedtaget }}"),
        ("Sista dag för överklagande", "{{ anslag.sista_dag }}", None, None),
        ("Förvaringsplats för protokollet", "{{ förbund.förvaringsplats }}", None, None),
    ]
    for row, (l1, v1, l2, v2) in zip(table.rows, rows):
        cell_text(row.cells[0], l1, bold=True)
        if l2 is None:
            merged = row.cells[1].merge(row.cells[3])
            cell_text(merged, v1)
        else:
            cell_text(row.cells[1], v1)
            cell_text(row.cells[2], l2, bold=True)
            cell_text(row.cells[3], v2)
    set_widths(table, 4.5, 3.5, 4.5, 3.5)


MEETING_LINES = ["{{ möte.organ }}", "Sammanträdesdatum {{ möte.datum }}"]
"""The letterhead's right column in the protocol, its extracts and the anslag."""
LETTER_LINES = ["Datum {{ dokument.datum }}", "Dnr {{ p.diarienummer }}"]
"""The letterhead's right column in what is written to the members."""


def begin(label: str, right_lines: list[str], footer, title: str | None = None,
          title_style: str = "Title") -> Document:
    """A template in the house style: letterhead, footer and, if given, the first heading."""
    doc = new_document()
    letterhead(doc, label, right_lines)
    footer(doc)
    if title is not None:
        first = doc.add_paragraph(style=title_style)
        first.add_run(title)
    return doc


def sign_off(doc) -> None:
    """Who answers questions, and the greeting signed by the secretary: how a letter to a member ends."""
    para(doc, "Frågor om ärendet besvaras av {{ kontakt.namn }}, {{ kontakt.titel }}{{ kontakt.telefon_text }}.")
    p = para(doc, "Med vänlig hälsning")
    p.paragraph_format.space_before = Pt(12)
    para(doc, "{{ förbund.namn }}", bold=True)
    para(doc, "{{ sekreterare.namn }}", style="Signaturlinje")
    para(doc, "{{ sekreterare.titel }}, sekreterare i {{ möte.organ_bestämd_form_liten }}")


# --- the templates ----------------------------------------------------------------

def protocol_page(label: str, title: str, facts: list[tuple[str, str]], group_rows=()) -> Document:
    """The protocol's first page, as its extracts have it too: letterhead, title and the meeting's facts."""
    doc = begin(label, MEETING_LINES, protocol_footer, title)
    label_value_table(doc, facts, group_rows=group_rows)
    return doc


def protocol() -> Document:
    doc = protocol_page("PROTOKOLL", "Protokoll", [
        ("Plats och tid", "{{ möte.plats_och_tid }}"),
        ("Beslutande", ""),
        ("Ledamöter", "{{ möte.ledamöter }}"),
        ("Tjänstgörande ersättare", "{{ möte.tjänstgörande_ersättare }}"),
        ("Övriga närvarande", ""),
        ("Ersättare", "{{ möte.ersättare }}"),
        ("Övriga närvarande ", "{{ möte.övriga_närvarande }}"),
        ("Justering", ""),
        ("Justerare", "{{ justering.justerare }}"),
        ("Justeringens plats och tid", "{{ justering.plats_och_tid }}"),
        ("Paragrafer", "{{ möte.paragrafer }}"),
    ], group_rows=("Beslutande", "Övriga närvarande", "Justering"))
    tag(doc, "{%p if justering.underskrifter %}")
    para(doc, "Underskrifter", style="Heading 3")
    sign = doc.add_table(rows=1, cols=2)
    no_borders(sign)
    row = sign.rows[0]
    cell_text(row.cells[0], "{%tr for s in justering.underskrifter %}")
    sign.add_row()
    r = sign.rows[1]
    cell_text(r.cells[0], "{{ s.roll }}", bold=True)
    c = r.cells[1]
    cell_text(c, "………………………………………………")
    c.add_paragraph("{{ s.namn }}", style="Tabelltext")
    sign.add_row()
    cell_text(sign.rows[2].cells[0], "{%tr endfor %}")
    set_widths(sign, 5.5, 10.5)
    tag(doc, "{%p endif %}")

    para(doc, "ANSLAG/BEVIS", style="Heading 2")
    para(doc, "Protokollet är justerat. Justeringen har tillkännagivits genom anslag på "
              "{{ förbund.anslagstavla }}.")
    notice_table(doc)
    notice_signature(doc)

    agenda = para(doc, "Ärendelista", style="Heading 2")
    agenda.paragraph_format.page_break_before = True
    table = looped_table(doc, ("Paragraf", "Ärende", "Diarienummer", "Sida"), "p in paragrafer",
                         ("{{ p.paragraf }}", "{{ p.kort_rubrik }}", "{{ p.diarienummer }}", "{{ p.sidor }}"))
    table.rows[2].cells[3].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_widths(table, 2.2, 8.3, 3.5, 2.0)

    tag(doc, "{%p for p in paragrafer %}")
    paragraph_section(doc, page_break=True)
    tag(doc, "{%p endfor %}")
    return doc


def extract() -> Document:
    doc = protocol_page("PROTOKOLLSUTDRAG", "Protokollsutdrag", [
        ("Organ", "{{ möte.organ }}"),
        ("Sammanträdesdatum", "{{ möte.datum }}"),
        ("Plats och tid", "{{ möte.plats_och_tid }}"),
        ("Paragraf", "{{ p.paragraf }}"),
    ])
    paragraph_section(doc, page_break=False)
    para(doc, "Justering", style="Heading 3")
    para(doc, "{{ justering.mening }}")
    para(doc, "Protokollet är justerat. Justeringen har tillkännagivits genom anslag på "
              "{{ förbund.anslagstavla }} {{ anslag.uppsatt }}. Anslaget tas ned {{ anslag.nedtaget }}. "
              "Protokollet förvaras hos {{ förbund.förvaringsplats }}.")
    para(doc, "Utdragsbestyrkande", style="Heading 3")
    para(doc, "Utdraget överensstämmer med originalprotokollet.")
    para(doc, "……………………………………………………", style="Signaturlinje")
    para(doc, "{{ sekreterare.namn }}, {{ sekreterare.titel }}")
    return doc


def addressee(doc) -> None:
    """The member's council, for the attention of its registrator, with postal and e-mail address."""
    first = doc.add_paragraph()
    first.paragraph_format.space_after = Pt(0)
    first.add_run("{{ medlem.fullmäktige_i }}")
    for line in ("Att: Registrator", "{{ medlem.namn }}"):
        p = para(doc, line)
        p.paragraph_format.space_after = Pt(0)
    tag(doc, "{%p for rad in medlem.adressrader %}")
    p = para(doc, "{{ rad }}")
    p.paragraph_format.space_after = Pt(0)
    tag(doc, "{%p endfor %}")
    p = para(doc, "{{ medlem.registrator_epost }}")
    p.paragraph_format.space_after = Pt(24)


def letter_to_member(label: str) -> Document:
    """A letter to a member's council: letterhead with date and dnr, footer, addressee."""
    doc = begin(label, LETTER_LINES, letter_footer)
    addressee(doc)
    return doc


def covering_letter() -> Document:
    doc = letter_to_member("HEMSTÄLLAN")
    para(doc, "Hemställan: {{ hemställan.ämne }}", style="Heading 1")
    para(doc, "{{ möte.organ }} för {{ förbund.namn }} beslutade den {{ möte.datum_lång }}, "
              "{{ p.paragraf }}, att hemställa hos respektive medlemskommuns fullmäktige att besluta i "
              "ärendet ”{{ p.rubrik }}”. Beslutet gäller under förutsättning att samtliga "
              "medlemskommuners fullmäktige fattar beslut.")
    para(doc, "{{ förbund.namn }} hemställer därför att {{ medlem.fullmäktige_i }} beslutar i enlighet "
              "med bifogat förslag till beslut.")
    tag(doc, "{%p if andel %}")
    para(doc, "Enligt förslaget till regressavtal svarar {{ medlem.namn }} i förhållande till de övriga "
              "medlemmarna för {{ andel.procent }} av borgensåtagandet om {{ borgen.kronor }} kronor, det vill "
              "säga {{ andel.kronor }} kronor. Fördelningsgrunden är {{ förbund.fördelningsgrund }}.")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if öppna_uppgifter %}")
    para(doc, "Förslaget innehåller uppgifter som bara kommunen själv har och som behöver fyllas i "
              "innan beslut. De är markerade med * i förslaget:")
    tag(doc, "{%p for u in öppna_uppgifter %}")
    para(doc, "{{ u }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, "Vi ber att få ett protokollsutdrag med fullmäktiges beslut senast den "
              "{{ hemställan.svar_senast }}, gärna som e-post till {{ kontakt.epost }}.")
    tag(doc, "{%p for rad in regressavtal %}")
    para(doc, "{{ rad }}")
    tag(doc, "{%p endfor %}")
    sign_off(doc)
    para(doc, "Bilagor", style="Heading 3")
    tag(doc, "{%p for b in bilagor %}")
    para(doc, "{{ b }}", style="List Number")
    tag(doc, "{%p endfor %}")
    return doc


def proposal() -> Document:
    doc = begin("FÖRSLAG TILL BESLUT", LETTER_LINES, letter_footer, "Förslag till beslut: {{ hemställan.ämne }}",
                "Heading 1")
    p = para(doc, "Till {{ medlem.fullmäktige_i }}")
    p.runs[0].bold = True
    para(doc, "Ärendet", style="Heading 2")
    para(doc, "{{ möte.organ }} för {{ förbund.namn }} har den {{ möte.datum_lång }}, "
              "{{ p.paragraf }}, hemställt hos respektive medlemskommuns fullmäktige att besluta i "
              "ärendet ”{{ p.rubrik }}”. Bakgrunden framgår av bifogat protokollsutdrag.")
    para(doc, "Förslag till beslut", style="Heading 2")
    para(doc, "{{ hemställan.beslutsformel_medlem }}", style="Beslutsformel")
    para(doc, "{{p att_satser }}")
    tag(doc, "{%p if andel %}")
    para(doc, "{{ medlem.genitiv }} andel", style="Heading 2")
    para(doc, "Enligt förslaget till regressavtal svarar {{ medlem.namn }} i förhållande till de övriga "
              "medlemmarna för {{ andel.procent }} av borgensåtagandet, motsvarande {{ andel.kronor }} "
              "kronor av {{ borgen.kronor }} kronor ({{ förbund.fördelningsgrund }}).")
    tag(doc, "{%p endif %}")
    return doc


def guarantee_agreement() -> Document:
    doc = begin("REGRESSAVTAL", ["Förslag {{ dokument.datum }}", "Dnr {{ p.diarienummer }}"], letter_footer,
                "Regressavtal avseende borgen för {{ förbund.namn }}", "Heading 1")
    para(doc, "1. Parter", style="Heading 2")
    tag(doc, "{%p for m in medlemmar %}")
    para(doc, "{{ m.namn }}", style="List Bullet")
    tag(doc, "{%p endfor %}")
    para(doc, "nedan gemensamt kallade parterna och var för sig part.")
    para(doc, "2. Bakgrund", style="Heading 2")
    para(doc, "Parterna är medlemmar i {{ förbund.namn }}. Respektive parts kommunfullmäktige har "
              "föreslagits besluta att såsom för egen skuld ingå solidarisk borgen för "
              "{{ förbund.namn_genitiv }} låneförpliktelser upp till ett totalt högsta belopp om "
              "{{ borgen.kronor }} kronor ({{ borgen.i_ord }} kronor), jämte därpå löpande ränta och "
              "kostnader. Borgen är solidarisk: en långivare kan kräva hela beloppet av vilken part som "
              "helst. Detta avtal reglerar hur parterna fördelar ansvaret sinsemellan.")
    para(doc, "3. Fördelning mellan parterna", style="Heading 2")
    para(doc, "Parternas inbördes ansvar för borgensåtagandet fördelas efter "
              "{{ förbund.fördelningsgrund }} enligt följande:")
    table = looped_table(doc, ("Part", "Fördelningstal", "Andel", "Belopp, kronor"), "a in andelar",
                         ("{{ a.namn }}", "{{ a.fördelningstal }}", "{{ a.procent }}", "{{ a.kronor }}"))
    total = table.add_row()
    for cell, text in zip(total.cells, ("Summa", "{{ summa.fördelningstal }}", "{{ summa.procent }}",
                                        "{{ summa.kronor }}")):
        cell_text(cell, text, bold=True)
    for row in (table.rows[0], table.rows[2], total):
        for cell in row.cells[1:]:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_widths(table, 6.5, 3.2, 2.8, 3.5)
    note = para(doc, "Andelarna anges med två decimaler och beloppen i hela kronor. Båda har avrundats med "
              "största-restmetoden, så att andelarna summerar till exakt {{ summa.procent }} och beloppen "
              "till exakt {{ summa.kronor }} kronor.")
    note.paragraph_format.space_before = Pt(6)
    para(doc, "4. Regress", style="Heading 2")
    para(doc, "Om en part infriar borgensåtagandet med ett belopp som överstiger partens andel enligt "
              "punkt 3 har parten rätt att av de övriga parterna återfå det överskjutande beloppet, "
              "fördelat mellan dem i förhållande till deras andelar.")
    para(doc, "5. Giltighet", style="Heading 2")
    para(doc, "Avtalet gäller från och med den dag det har undertecknats av samtliga parter och så länge "
              "borgensåtagandet består. Det ersätter då tidigare regressavtal mellan parterna avseende "
              "borgen för {{ förbund.namn }}. Avtalet gäller under förutsättning att samtliga parters "
              "fullmäktige beslutar om borgen enligt punkt 2.")
    para(doc, "6. Underskrifter", style="Heading 2")
    copies = para(doc, "Avtalet har upprättats i {{ antal_exemplar }} likalydande exemplar, av vilka "
                       "parterna tagit var sitt.")
    copies.paragraph_format.keep_with_next = True
    sign = doc.add_table(rows=3, cols=2)
    no_borders(sign)
    cell_text(sign.rows[0].cells[0], "{%tr for m in medlemmar %}")
    left, right = sign.rows[1].cells
    cell_text(left, "För {{ m.namn }}", bold=True)
    left.add_paragraph("Ort och datum", style="Tabelltext")
    left.add_paragraph("……………………………………", style="Signaturlinje")
    cell_text(right, " ")
    right.add_paragraph("Underskrift och namnförtydligande", style="Tabelltext")
    right.add_paragraph("……………………………………", style="Signaturlinje")
    for row in (sign.rows[1],):
        row.cells[0].paragraphs[-1].paragraph_format.space_after = Pt(18)
        row.cells[1].paragraphs[-1].paragraph_format.space_after = Pt(18)
    cell_text(sign.rows[2].cells[0], "{%tr endfor %}")
    cant_split(sign.rows[1])
    set_widths(sign, 8, 8)
    return doc


def notice() -> Document:
    doc = begin("ANSLAG", MEETING_LINES, letter_footer, "ANSLAG/BEVIS")
    para(doc, "Protokollet är justerat. Justeringen har tillkännagivits genom anslag på "
              "{{ förbund.anslagstavla }}.")
    notice_table(doc)
    items = para(doc, "Paragrafer: {{ möte.paragrafer }}")
    items.paragraph_format.space_before = Pt(6)
    para(doc, "Överklagande", style="Heading 3")
    para(doc, "Den som är medlem i en medlemskommun kan överklaga {{ möte.organ_genitiv_liten }} beslut genom "
              "laglighetsprövning enligt 13 kap. kommunallagen (2017:725). Överklagandet ska ha kommit "
              "in till förvaltningsrätten inom tre veckor från den dag då justeringen tillkännagavs på "
              "anslagstavlan, det vill säga senast den {{ anslag.sista_dag_lång }}.")
    notice_signature(doc)
    return doc


def notice_signature(doc) -> None:
    """Who certifies the anslag: a signature line over the name, as in municipal practice."""
    para(doc, "Underskrift", style="Heading 3")
    para(doc, "……………………………………………………", style="Signaturlinje")
    para(doc, "{{ sekreterare.namn }}, {{ sekreterare.titel }}")


def reminder() -> Document:
    """A short letter reminding a member's council of a request it has not yet answered."""
    doc = letter_to_member("PÅMINNELSE")
    para(doc, "Påminnelse: {{ hemställan.ämne }}", style="Heading 1")
    para(doc, "Den {{ utskick.datum_lång }} skickade {{ förbund.namn }} en hemställan till "
              "{{ medlem.fullmäktige_i }} om att besluta i ärendet ”{{ hemställan.ämne }}” "
              "({{ möte.organ }} {{ möte.datum_lång }}, {{ p.paragraf }}).")
    tag(doc, "{%p if återremiss %}")
    para(doc, "{{ medlem.fullmäktige_i }} beslutade den {{ återremiss.datum_lång }} ({{ återremiss.kf_paragraf }}) "
              "att återremittera ärendet. Vi väntar på fullmäktiges nya beslut. Vet ni när ärendet tas upp "
              "igen vill vi gärna få veta mötesdagen.")
    tag(doc, "{%p if hemställan.nytt_svar_senast %}")
    para(doc, "Vi ber att få ett protokollsutdrag med det nya beslutet senast den "
              "{{ hemställan.nytt_svar_senast }}, gärna som e-post till {{ kontakt.epost }}.")
    tag(doc, "{%p endif %}")
    para(doc, "Beslutet gäller först när samtliga medlemskommuners fullmäktige har beslutat.")
    tag(doc, "{%p else %}")
    tag(doc, "{%p if försenad and hemställan.nytt_svar_senast %}")
    para(doc, "Vi bad att få fullmäktiges beslut senast den {{ hemställan.svar_senast }}. Den dagen har "
              "passerat utan att vi fått beslutet. Vi ber nu att få ett protokollsutdrag senast den "
              "{{ hemställan.nytt_svar_senast }}, gärna som e-post till {{ kontakt.epost }}.")
    tag(doc, "{%p elif försenad %}")
    para(doc, "Vi bad att få fullmäktiges beslut senast den {{ hemställan.svar_senast }} men har ännu inte "
              "fått det. Vi ber att få protokollsutdraget så snart fullmäktige har beslutat, gärna som e-post "
              "till {{ kontakt.epost }}.")
    tag(doc, "{%p else %}")
    para(doc, "Vi har ännu inte fått fullmäktiges beslut och ber att få ett protokollsutdrag senast den "
              "{{ hemställan.svar_senast }}, gärna som e-post till {{ kontakt.epost }}.")
    tag(doc, "{%p endif %}")
    para(doc, "Beslutet gäller först när samtliga medlemskommuners fullmäktige har beslutat. Har ärendet "
              "återremitterats vill vi gärna veta när det tas upp igen.")
    tag(doc, "{%p endif %}")
    sign_off(doc)
    return doc


BUILDERS = {
    "protokoll": protocol,
    "protokollsutdrag": extract,
    "hemstallan": covering_letter,
    "forslag-till-beslut": proposal,
    "regressavtal": guarantee_agreement,
    "anslag": notice,
    "paminnelse": reminder,
}
"""The template of each document kind, by the kind's id (docgen/documents/kinds/ names the file)."""


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><Application>docgen</Application><DocSecurity>0</DocSecurity>"
    "</Properties>"
)


def save(doc: Document, path: Path) -> None:
    """Save with a neutral app.xml (python-docx's says Word for Mac, with a company) and fixed zip times."""
    buffer = io.BytesIO()
    doc.save(buffer)
    write_docx(path, buffer.getvalue(), parts={"docProps/app.xml": APP_XML.encode("utf-8")})


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else TEMPLATES
    folder.mkdir(exist_ok=True)
    for kind_id, builder in BUILDERS.items():
        path = folder / str(kind(kind_id).template)
        save(builder(), path)
        print(f"skrev {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
