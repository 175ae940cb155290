"""Fill the Word templates: the plan of documents and the docxtpl stage.

:func:`plan` decides which documents a case needs, who each goes to and
where each lands in ``out/``; :func:`render_docx` fills one template. A
document that is the same for several recipients (the § 18 extract, the
regressavtal) is one job with several output paths: rendered and converted
once, copied to each.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
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
from docgen.documents.richtext import add_markdown, style_index
from docgen.errors import RenderError
from docgen.model import formatting as fmt
from docgen.model import placeholders
from docgen.model.case import Case, Item, Member
from docgen.model.clauses import clause_values
from docgen.pdf.normalise import normalise_docx

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

ContextBuilder = Callable[[DocxTemplate], dict[str, Any]]


@dataclass(frozen=True)
class Job:
    """One document to produce."""

    key: str
    template: str
    title: str
    outputs: tuple[str, ...]
    """Where copies land, relative to the meeting folder, without suffix."""
    build_context: ContextBuilder = field(compare=False, repr=False)
    label: str = ""
    """The document type as the reader names it: Protokoll, Hemställan, …"""
    recipients: tuple[str, ...] = ()
    """Who it goes to: member ids, or the paragraph's "skickas till"."""


def plan(case: Case, pages: dict[int, str] | None = None) -> list[Job]:
    """Every document of the meeting, in the order a reader meets them."""
    meeting = case.meeting
    slug = meeting.slug
    everyone = tuple(m.id for m in case.association.members)
    jobs = [
        Job("protokoll", "protokoll.docx", f"Protokoll {meeting.body} {fmt.short_date(meeting.date)}",
            (f"protokoll/protokoll-{slug}",), lambda tpl: protocol_context(tpl, case, pages or {}),
            "Protokoll", ("Akt",)),
        Job("anslag", "anslag.docx", f"Anslag {meeting.body} {fmt.short_date(meeting.date)}",
            (f"anslag/anslag-{slug}",), lambda tpl: common_context(case, "Anslag om justerat protokoll"),
            "Anslag", (case.association.notice_board,)),
    ]
    request_item = case.request_item
    for item in meeting.items:
        if not item.goes_to_members:
            continue
        outputs = [f"utdrag/protokollsutdrag-{slug}-paragraf-{item.number}"]
        if item is request_item:
            outputs += [f"medlemmar/{m.id}/3-protokollsutdrag-paragraf-{item.number}"
                        for m in case.association.members]
        jobs.append(Job(
            f"utdrag-{item.number}", "protokollsutdrag.docx",
            f"Protokollsutdrag {meeting.body} {fmt.short_date(meeting.date)} {fmt.paragraph(item.number)}",
            tuple(outputs), _bind(extract_context, case, item), "Protokollsutdrag", tuple(item.recipients)))
    if request_item is None or request_item.request is None:
        return jobs
    subject = request_item.request.subject
    for member in case.association.members:
        folder = f"medlemmar/{member.id}"
        jobs.append(Job(f"hemstallan-{member.id}", "hemstallan.docx",
                        f"Hemställan till {member.council} i {member.name}: {subject}",
                        (f"{folder}/1-hemstallan-{member.id}",),
                        _bind(letter_context, case, member), "Hemställan", (member.id,)))
        jobs.append(Job(f"forslag-{member.id}", "forslag-till-beslut.docx",
                        f"Förslag till beslut för {member.council} i {member.name}: {subject}",
                        (f"{folder}/2-forslag-till-beslut-{member.id}",),
                        _bind(proposal_context, case, member), "Förslag till beslut", (member.id,)))
    if request_item.request.guarantee:
        jobs.append(Job("regressavtal", "regressavtal.docx",
                        f"Regressavtal avseende borgen för {case.association.name}",
                        tuple(f"medlemmar/{m.id}/4-regressavtal" for m in case.association.members),
                        lambda tpl: agreement_context(tpl, case), "Regressavtal", everyone))
    return jobs


def _bind(builder: Callable[..., dict[str, Any]], case: Case, target: Any) -> ContextBuilder:
    return lambda tpl: builder(tpl, case, target)


def member_package_name(member: Member) -> str:
    return f"medlemmar/{member.id}/{member.id}-samtliga-handlingar.pdf"


# --- contexts -------------------------------------------------------------------------

def common_context(case: Case, subject: str) -> dict[str, Any]:
    context = ctx.common(case)
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


def protocol_context(tpl: DocxTemplate, case: Case, pages: dict[int, str]) -> dict[str, Any]:
    context = common_context(case, f"Protokoll från {case.meeting.body.lower()}s sammanträde "
                                   f"{fmt.long_date(case.meeting.date)}")
    context["paragrafer"] = [item_context(tpl, case, item, pages.get(item.number, "…"))
                             for item in case.meeting.items]
    return context


def extract_context(tpl: DocxTemplate, case: Case, item: Item) -> dict[str, Any]:
    context = common_context(case, f"{fmt.paragraph(item.number)} {item.heading}")
    context["p"] = item_context(tpl, case, item)
    return context


def letter_context(tpl: DocxTemplate, case: Case, member: Member) -> dict[str, Any]:
    context = common_context(case, _request_subject(case))
    context.update(ctx.request(case, member))
    return context


def proposal_context(tpl: DocxTemplate, case: Case, member: Member) -> dict[str, Any]:
    context = letter_context(tpl, case, member)
    sub = new_subdoc(tpl)
    _add_clauses(sub, case, member)
    context["att_satser"] = sub
    return context


def agreement_context(tpl: DocxTemplate, case: Case) -> dict[str, Any]:
    context = common_context(case, f"Regressavtal: {_request_subject(case)}")
    context.update(ctx.agreement(case))
    return context


def _request_subject(case: Case) -> str:
    item = case.request_item
    return item.request.subject if item and item.request else ""


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
        _add_clauses(sub, case, None)
    return sub


def _add_clauses(sub: Any, case: Case, member: Member | None) -> None:
    """Att-clauses, member values filled in; what the member must fill in is marked with *."""
    item = case.request_item
    assert item is not None and item.request is not None
    values = clause_values(case, member)
    starred = False
    for clause in item.request.clauses:
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


@lru_cache(maxsize=64)
def _patched(src_xml: str) -> str:
    return DocxTemplate.patch_xml(None, src_xml)  # uses nothing of the instance


def render_docx(job: Job, dest: Path, templates: Path = TEMPLATES,
                timestamp: dt.datetime | None = None) -> None:
    """Fill ``job``'s template and save it at ``dest``, with fixed zip times and order."""
    source = templates / job.template
    if not source.is_file():
        raise RenderError(f"mallen {source} saknas")
    tpl = _Template(source)
    try:
        context = job.build_context(tpl)
        tpl.render(context, jinja_env=_JINJA, autoescape=True)
    except TemplateError as exc:
        raise RenderError(f"mallen {job.template} gick inte att fylla i för {job.title}: {exc}") from None
    except placeholders.PlaceholderError as exc:
        raise RenderError(f"{job.title}: {exc}") from None
    props = tpl.docx.core_properties
    props.title = job.title
    props.language = "sv-SE"
    if timestamp is not None:
        props.created = props.modified = timestamp
    buffer = io.BytesIO()
    tpl.save(buffer)
    normalise_docx(dest, buffer.getvalue())
