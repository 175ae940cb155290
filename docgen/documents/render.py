"""Fill the Word templates (docxtpl): one planned document in, one DOCX out.

:func:`fill` asks the document's kind for its context (plain data with the
markers of :mod:`docgen.documents.content`); :func:`render_docx` builds the
markers as Word content, fills the template the association's
:class:`~docgen.documents.templates.Templates` resolve, and writes the DOCX
with fixed zip times. The plan of what to render is :mod:`docgen.documents.plan`.
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docxtpl import DocxTemplate, Listing
from docxtpl.subdoc import Subdoc
from jinja2 import TemplateError

from docgen.documents.content import AttClause, Lines, Markdown, Rich, Styled, digest_material
from docgen.documents.kinds import Context, PlannedDocument
from docgen.documents.richtext import add_markdown, style_index
from docgen.documents.templates import TemplateProblem, Templates, describe_template_error
from docgen.documents.wordfile import package_entries, write_entries
from docgen.errors import RenderError
from docgen.model import placeholders
from docgen.model.case import Case
from docgen.model.sandbox import Sandbox


@dataclass(frozen=True)
class Filling:
    """What a filled-in template is made of, its template and timestamp aside: plain data throughout."""

    context: Context
    properties: dict[str, str]
    """The Word file's title, subject and author."""

    def material(self) -> bytes:
        """All of it as bytes: a cache of filled-in templates keys on this (with template and timestamp), so
        that an edit to § 18's description fills in the protocol and the § 18 extract again, not the letters."""
        return digest_material({"context": self.context, "properties": self.properties})


def fill(doc: PlannedDocument, case: Case, pages: dict[int, str] | None = None) -> Filling:
    """The context the kind of ``doc`` builds, and the Word file's properties."""
    try:
        context = doc.kind.context(case, doc, pages or {})
    except placeholders.PlaceholderError as exc:
        raise RenderError(f"{doc.title}: {exc}") from None
    return Filling(context, {"title": doc.title, "subject": context["dokument"]["ämne"],
                             "author": case.association.name})


# --- Word content built in code ---------------------------------------------------------

class _Subdoc(Subdoc):
    """docxtpl's sub-document on an empty body of the template's own part.

    docxtpl's parses python-docx's default document for every sub-document
    only to replace its part with the template's; an empty body is all that
    is used of it.
    """

    def __init__(self, tpl: DocxTemplate) -> None:
        self.tpl = tpl
        self.docx = tpl.get_docx()
        element = parse_xml(f"<w:document {nsdecls('w', 'r')}><w:body/></w:document>")
        # The template's section, so that tables get the template's text width; not rendered.
        element.body.append(copy.deepcopy(self.docx.element.body.sectPr))
        self.subdocx = WordDocument(element, self.docx.part)
        self.style_ids = style_index(self.docx.styles)


def new_subdoc(tpl: DocxTemplate) -> Any:
    return _Subdoc(tpl)


def styled_paragraph(sub: Any, text: str, style: str) -> Any:
    """A paragraph in the template's style ``style``, found by id (python-docx's lookup by name is slow)."""
    paragraph = sub.add_paragraph(text)
    paragraph._p.get_or_add_pPr().style = sub.style_ids[(style, WD_STYLE_TYPE.PARAGRAPH)]
    return paragraph


class _BuiltRich:
    """Rich text already built as Word XML for a template: docxtpl inserts it as it inserts a Subdoc."""

    def __init__(self, xml: str) -> None:
        self.xml = xml

    def __html__(self) -> str:
        return self.xml

    __str__ = __html__


_BUILT: collections.OrderedDict[tuple[Any, Rich], str] = collections.OrderedDict()
"""Rich text built once per template and text (the same § 18 description in 290 members' letters)."""
BUILT_KEPT = 256


def _word(tpl: DocxTemplate, value: Any, template: Any = None) -> Any:
    """``value`` with its markers built as Word content of the template ``tpl``, in the order they stand.

    ``template`` names the template's bytes (path and stat): rich text built for it before is reused.
    """
    if isinstance(value, dict):
        return {key: _word(tpl, inner, template) for key, inner in value.items()}
    if isinstance(value, list):
        return [_word(tpl, inner, template) for inner in value]
    if isinstance(value, Lines):
        return Listing("\n".join(value.lines))
    if isinstance(value, Rich):
        return _rich(tpl, value, template)
    return value


def _rich(tpl: DocxTemplate, value: Rich, template: Any) -> Any:
    known = _BUILT.get((template, value)) if template is not None else None
    if known is not None:
        _BUILT.move_to_end((template, value))
        return _BuiltRich(known)
    before = _part_state(tpl)
    sub = new_subdoc(tpl)
    for block in value.blocks:
        _add_block(sub, block)
    # Reusable only when building it left the template's own parts as they were: a list that restarts its
    # numbering adds a numbering instance, a link a relationship, and those must be made in each document.
    if template is not None and _part_state(tpl) == before:
        _BUILT[(template, value)] = str(sub)
        if len(_BUILT) > BUILT_KEPT:
            _BUILT.popitem(last=False)
    return sub


def _part_state(tpl: DocxTemplate) -> tuple[int, int]:
    """What building rich text may add to the template's document part: relationships, numbering instances."""
    part = tpl.get_docx().part
    numbering = next((rel.target_part for rel in part.rels.values() if rel.reltype == RT.NUMBERING), None)
    return len(part.rels), len(numbering.element) if numbering is not None else 0


def _add_block(sub: Any, block: Markdown | Styled | AttClause) -> None:
    if isinstance(block, Markdown):
        add_markdown(sub, block.text)
    elif isinstance(block, Styled):
        styled_paragraph(sub, block.text, block.style)
    else:
        paragraph = styled_paragraph(sub, "", "Att-sats")
        paragraph.add_run("att\t")
        for segment in block.segments:
            if segment.fill_in:
                run = paragraph.add_run(f"[{segment.text}]")
                run.underline = WD_UNDERLINE.DOTTED
            else:
                paragraph.add_run(segment.text)
        if block.starred:
            paragraph.add_run("*")


# --- docxtpl ----------------------------------------------------------------------------

_JINJA = Sandbox(autoescape=True)
"""Autoescaped, so that "Vatten & Avlopp <AB>" stays text in the document XML."""


class _Template(DocxTemplate):
    """docxtpl's template with its XML clean-up done once per distinct source."""

    def patch_xml(self, src_xml: str) -> str:
        return _patched(src_xml)

    def render_properties(self, *_args: Any, **_kwargs: Any) -> None:
        """Nothing: :func:`render_docx` sets the metadata as plain text (docxtpl would XML-escape it)."""


@lru_cache(maxsize=64)
def _patched(src_xml: str) -> str:
    return DocxTemplate.patch_xml(None, src_xml)  # uses nothing of the instance


def render_docx(doc: PlannedDocument, case: Case, dest: Path, templates: Templates,
                timestamp: dt.datetime | None = None, pages: dict[int, str] | None = None,
                filling: Filling | None = None) -> None:
    """Fill the template of ``doc`` and save it at ``dest``, with fixed zip times and order.

    ``pages`` are the texts of the protocol's ärendelista page cells, by § number; ``filling`` is
    :func:`fill`'s, if the caller has it already.
    """
    assert doc.kind.template is not None, doc.key
    filling = filling or fill(doc, case, pages)
    source = templates.path(doc.kind.template)
    tpl = _Template(source)
    stat = source.stat()
    try:
        tpl.render(_word(tpl, filling.context, (str(source), stat.st_mtime_ns, stat.st_size)), jinja_env=_JINJA,
                   autoescape=True)
    except TemplateError as exc:
        raise TemplateProblem(source, describe_template_error(exc, _template_xml(source))) from None
    props = tpl.docx.core_properties
    # Metadata is plain text, set here; docxtpl would render the template's core.xml with the
    # body's XML escaping, and python-docx escape it again ("&amp;amp;", or past 255 characters).
    props.title = _core_property(filling.properties["title"])
    props.subject = _core_property(filling.properties["subject"])
    props.author = _core_property(filling.properties["author"])
    props.language = "sv-SE"
    if timestamp is not None:
        props.created = props.modified = timestamp
    tpl.pre_processing()  # docxtpl's save does this first (media it was asked to replace: none here)
    write_entries(dest, package_entries(tpl.docx.part.package))


CORE_PROPERTY_LIMIT = 255
"""python-docx (and Word) refuse longer core properties."""


def _core_property(text: str) -> str:
    return text if len(text) <= CORE_PROPERTY_LIMIT else text[:CORE_PROPERTY_LIMIT - 1] + "…"


def _template_xml(source: Path) -> str:
    """The text of the template's body, headers and footers, where its placeholders stand."""
    with zipfile.ZipFile(source) as docx:
        return "\n".join(docx.read(name).decode("utf-8", "replace") for name in docx.namelist()
                         if name.startswith("word/") and name.endswith(".xml"))
