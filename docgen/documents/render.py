"""Fill the Word templates (docxtpl): one planned document in, one DOCX out.

:func:`render_docx` picks the context builder for the document's kind, fills
the template the association's :class:`~docgen.documents.templates.Templates`
resolve, and writes the DOCX with fixed zip times. The plan of what to
render is :mod:`docgen.documents.plan`.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_UNDERLINE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docxtpl import DocxTemplate, Listing
from docxtpl.subdoc import Subdoc
from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from docgen.documents import context as ctx
from docgen.documents.plan import Kind, PlannedDocument
from docgen.documents.richtext import add_markdown, style_index
from docgen.documents.templates import TemplateProblem, Templates, describe_template_error
from docgen.documents.wordfile import write_docx
from docgen.errors import RenderError
from docgen.model import formatting as fmt
from docgen.model import placeholders
from docgen.model.case import Case, Item, Member
from docgen.model.clauses import clause_values, member_clauses

ContextBuilder = Callable[[DocxTemplate, Case, PlannedDocument, dict[int, str]], dict[str, Any]]


# --- contexts -------------------------------------------------------------------------

def common_context(case: Case, subject: str, item: Item | None = None) -> dict[str, Any]:
    context = ctx.common(case, item)
    context["dokument"]["ämne"] = subject
    meeting = context["möte"]
    for key in ("ledamöter", "tjänstgörande_ersättare", "ersättare", "övriga_närvarande"):
        meeting[key] = Listing("\n".join(meeting[key]))
    context["justering"]["justerare"] = Listing("\n".join(context["justering"]["justerare"]))
    return context


def item_context(tpl: DocxTemplate, case: Case, item: Item, pages: str = "") -> dict[str, Any]:
    context = ctx.item(case, item, pages)
    context["beslut"] = decision_subdoc(tpl, case, item)
    context["beskrivning"] = markdown_subdoc(tpl, item.description) if item.description.strip() else ""
    return context


def protocol_context(tpl: DocxTemplate, case: Case, _doc: PlannedDocument, pages: dict[int, str]) -> dict[str, Any]:
    context = common_context(case, f"Protokoll från {case.meeting.body_genitive.lower()} sammanträde "
                                   f"{fmt.long_date(case.meeting.date)}")
    context["paragrafer"] = [item_context(tpl, case, item, pages.get(item.number, "…"))
                             for item in case.meeting.items]
    return context


def notice_context(_tpl: DocxTemplate, case: Case, _doc: PlannedDocument, _pages: dict[int, str]) -> dict[str, Any]:
    return common_context(case, "Anslag om justerat protokoll")


def extract_context(tpl: DocxTemplate, case: Case, doc: PlannedDocument, _pages: dict[int, str]) -> dict[str, Any]:
    item = _item(case, doc)
    context = common_context(case, f"{fmt.paragraph(item.number)} {item.heading}")
    context["p"] = item_context(tpl, case, item)
    return context


def letter_context(_tpl: DocxTemplate, case: Case, doc: PlannedDocument, _pages: dict[int, str]) -> dict[str, Any]:
    item = _item(case, doc)
    context = common_context(case, _request_subject(item), item)
    context.update(ctx.request(case, item, _member(case, doc)))
    return context


def proposal_context(tpl: DocxTemplate, case: Case, doc: PlannedDocument, pages: dict[int, str]) -> dict[str, Any]:
    context = letter_context(tpl, case, doc, pages)
    sub = new_subdoc(tpl)
    _add_clauses(sub, case, _item(case, doc), _member(case, doc))
    context["att_satser"] = sub
    return context


def agreement_context(_tpl: DocxTemplate, case: Case, doc: PlannedDocument, _pages: dict[int, str]) -> dict[str, Any]:
    item = _item(case, doc)
    context = common_context(case, f"Regressavtal: {_request_subject(item)}", item)
    context.update(ctx.agreement(case, item))
    return context


CONTEXTS: dict[Kind, ContextBuilder] = {
    Kind.PROTOCOL: protocol_context,
    Kind.NOTICE: notice_context,
    Kind.EXTRACT: extract_context,
    Kind.LETTER: letter_context,
    Kind.PROPOSAL: proposal_context,
    Kind.AGREEMENT: agreement_context,
}


_WITHOUT_TEXTS = (Kind.LETTER, Kind.PROPOSAL, Kind.AGREEMENT)
"""Kinds that show a paragraph's heading, dnr and request but not its decision or description."""


def render_inputs(doc: PlannedDocument, case: Case, pages: dict[int, str] | None = None) -> bytes:
    """All a document's filled-in template is made from (its template aside), as bytes.

    A cache of filled-in templates keys on this, so that an edit to § 18's
    description fills in the protocol and the § 18 extract again, not the
    letters. It mirrors what the context builders above read: the
    association, the meeting without its paragraphs, the paragraph numbers,
    and the document's own paragraph (every paragraph for the protocol). A
    builder that starts reading more must add it here; the tests compare a
    cached rebuild with a fresh one.
    """
    view: dict[str, Any] = {
        "document": [doc.key, doc.kind.name, doc.title, doc.name, list(doc.recipients), doc.item, doc.member],
        "association": case.association.model_dump(mode="json"),
        "meeting": case.meeting.model_dump(mode="json", exclude={"items"}),
        "numbers": [item.number for item in case.meeting.items],
    }
    if doc.kind is Kind.PROTOCOL:
        view["items"] = [item.model_dump(mode="json") for item in case.meeting.items]
        view["pages"] = {str(number): text for number, text in (pages or {}).items()}
    elif doc.item is not None:
        texts = {"description", "decision"} if doc.kind in _WITHOUT_TEXTS else set()
        view["item"] = _item(case, doc).model_dump(mode="json", exclude=texts)
    return json.dumps(view, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def _item(case: Case, doc: PlannedDocument) -> Item:
    return next(item for item in case.meeting.items if item.number == doc.item)


def _member(case: Case, doc: PlannedDocument) -> Member:
    assert doc.member is not None, doc.key
    return case.association.member(doc.member)


def _request_subject(item: Item) -> str:
    return item.request.subject if item.request else ""


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


def markdown_subdoc(tpl: DocxTemplate, text: str) -> Any:
    sub = new_subdoc(tpl)
    add_markdown(sub, text)
    return sub


def decision_subdoc(tpl: DocxTemplate, case: Case, item: Item) -> Any:
    """The decision as written, followed by the request's formula and att-clauses."""
    sub = new_subdoc(tpl)
    add_markdown(sub, item.decision)
    if item.request:
        styled_paragraph(sub, item.request.formula, "Beslutsformel")
        _add_clauses(sub, case, item, None)
    return sub


def _add_clauses(sub: Any, case: Case, item: Item, member: Member | None) -> None:
    """``item``'s att-clauses, member values filled in; what the member must fill in is marked with *."""
    assert item.request is not None
    values = clause_values(case, item, member)
    starred = False
    clauses = item.request.clauses if member is None else member_clauses(item, member)
    for clause in clauses:
        segments = placeholders.render(clause.text, values, clause.member_specific)
        paragraph = styled_paragraph(sub, "", "Att-sats")
        paragraph.add_run("att\t")
        for segment in segments:
            if segment.fill_in:
                run = paragraph.add_run(f"[{segment.text}]")
                run.underline = WD_UNDERLINE.DOTTED
            else:
                paragraph.add_run(segment.text)
        if clause.member_specific and any(s.fill_in for s in segments):
            paragraph.add_run("*")
            starred = True
    if starred:
        who = "respektive kommun" if member is None else member.name
        styled_paragraph(sub, f"* Uppgiften är kommunspecifik och fylls i av {who} före beslut.", "Fotnotstext")


# --- docxtpl ----------------------------------------------------------------------------

class _Environment(SandboxedEnvironment):
    """Compiles each distinct template source once.

    docxtpl hands the environment the whole document XML of a template for
    every document it renders; with 290 members that is the same few
    sources hundreds of times.
    """

    def __init__(self) -> None:
        # Autoescape so that "Vatten & Avlopp <AB>" stays text, StrictUndefined so that a
        # misspelt name in a template is an error rather than an empty gap in a document.
        super().__init__(undefined=StrictUndefined, autoescape=True)
        self._compiled: dict[str, Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            if len(self._compiled) > 256:
                self._compiled.clear()
            self._compiled[source] = super().from_string(source)
        return self._compiled[source]


_JINJA = _Environment()


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
                timestamp: dt.datetime | None = None, pages: dict[int, str] | None = None) -> None:
    """Fill the template of ``doc`` and save it at ``dest``, with fixed zip times and order.

    ``pages`` are the texts of the protocol's ärendelista page cells, by § number.
    """
    source = templates.path(doc.kind.template)
    tpl = _Template(source)
    try:
        context = CONTEXTS[doc.kind](tpl, case, doc, pages or {})
        tpl.render(context, jinja_env=_JINJA, autoescape=True)
    except TemplateError as exc:
        raise TemplateProblem(source, describe_template_error(exc, _template_xml(source))) from None
    except placeholders.PlaceholderError as exc:
        raise RenderError(f"{doc.title}: {exc}") from None
    props = tpl.docx.core_properties
    # Metadata is plain text, set here; docxtpl would render the template's core.xml with the
    # body's XML escaping, and python-docx escape it again ("&amp;amp;", or past 255 characters).
    props.title = _core_property(doc.title)
    props.subject = _core_property(context["dokument"]["ämne"])
    props.author = _core_property(case.association.name)
    props.language = "sv-SE"
    if timestamp is not None:
        props.created = props.modified = timestamp
    buffer = io.BytesIO()
    tpl.save(buffer)
    write_docx(dest, buffer.getvalue())


CORE_PROPERTY_LIMIT = 255
"""python-docx (and Word) refuse longer core properties."""


def _core_property(text: str) -> str:
    return text if len(text) <= CORE_PROPERTY_LIMIT else text[:CORE_PROPERTY_LIMIT - 1] + "…"


def _template_xml(source: Path) -> str:
    """The text of the template's body, headers and footers, where its placeholders stand."""
    with zipfile.ZipFile(source) as docx:
        return "\n".join(docx.read(name).decode("utf-8", "replace") for name in docx.namelist()
                         if name.startswith("word/") and name.endswith(".xml"))
