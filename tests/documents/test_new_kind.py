"""A new kind of document from this module alone: one object and a template, no edit to docgen.

The kind here, a närvarolista, goes to the association's folder ``narvaro/``
and, for information, to every member's package; its template is written
below with python-docx into the association's own template folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from docgen.distribution.isolation import addressed_kinds
from docgen.documents import context as ctx
from docgen.documents.contract import check_templates
from docgen.documents.kinds import PROPOSAL, DocumentKind, PlannedDocument, register, unregister
from docgen.documents.kinds.base import FOR_INFORMATION, Context
from docgen.documents.plan import outputs, packages, plan
from docgen.documents.templates import Templates
from docgen.input.validate import load_case
from docgen.model.case import ALL_MEMBERS, Case
from docgen.pipeline.run import build
from docgen.review.page import PAGE, ReviewPage
from support import SEED_MEETING, docx_text, pdf_text, squash

SLUG = "2026-03-26-direktionen"


class AttendanceList(DocumentKind):
    id = "narvarolista"
    label = "Närvarolista"
    template = "narvarolista.docx"
    folder = "narvaro"
    section = FOR_INFORMATION  # before the extracts sent for information: it has no paragraph

    def plan(self, case: Case) -> list[PlannedDocument]:
        meeting = case.meeting
        return [PlannedDocument("narvarolista", self, f"Närvarolista {meeting.body} {meeting.date.isoformat()}",
                                f"narvarolista-{meeting.slug}", (ALL_MEMBERS,))]

    def context(self, case: Case, document: PlannedDocument, pages: dict[int, str]) -> Context:
        context = ctx.common(case, "Närvarolista")
        context["närvarande"] = [person.name for person in case.meeting.attendance.everyone]
        return context


ATTENDANCE = AttendanceList()


def _template(path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Närvarolista {{ möte.organ }} {{ möte.datum }}", style="Title")
    doc.add_paragraph("{%p for namn in närvarande %}")
    doc.add_paragraph("Närvarande: {{ namn }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("Justerare: {{ justering.justerare }}")
    doc.save(path)


@pytest.fixture
def meeting(tmp_path: Path):
    decisions = tmp_path / "decisions"
    shutil.copytree(SEED_MEETING.parent, decisions)
    association = decisions / "forbund.yaml"
    association.write_text(association.read_text(encoding="utf-8") + "mallar: mallar\n", encoding="utf-8")
    (decisions / "mallar").mkdir()
    _template(decisions / "mallar" / ATTENDANCE.template)
    register(ATTENDANCE)
    yield decisions / SEED_MEETING.name
    unregister(ATTENDANCE)


@pytest.mark.libreoffice
def test_a_kind_registered_from_outside_is_planned_rendered_converted_listed_and_reviewed(meeting, tmp_path):
    case = load_case(meeting)
    documents = plan(case)
    ours = next(d for d in documents if d.kind is ATTENDANCE)
    assert [o.path for o in outputs(ours)][:2] == [f"narvaro/narvarolista-{SLUG}",
                                                    f"medlemmar/boxholm/5-narvarolista-{SLUG}"]
    ydre = dict((m.id, parts) for m, parts in packages(case, documents))["ydre"]
    assert [d.kind.id for d in ydre] == ["hemstallan", "forslag-till-beslut", "protokollsutdrag", "regressavtal",
                                         "narvarolista", "protokollsutdrag"]
    assert check_templates(case, documents, Templates(case.templates_folder)) == []

    folder = build(meeting, tmp_path / "out", addition=ReviewPage(tmp_path / "out")).folder
    names = [person.name for person in case.meeting.attendance.everyone]
    docx, pdf = (folder / f"narvaro/narvarolista-{SLUG}{suffix}" for suffix in (".docx", ".pdf"))
    assert f"Närvarande: {names[0]}" in docx_text(docx).splitlines()
    text = squash(pdf_text(pdf))
    assert all(squash(name) in text for name in names)
    assert PdfReader(pdf).metadata.title == f"Närvarolista Direktionen {case.meeting.date.isoformat()}"
    assert (folder / "medlemmar/ydre/6-protokollsutdrag-paragraf-16.pdf").is_file()
    package = PdfReader(folder / "medlemmar/ydre/ydre-samtliga-handlingar.pdf")
    bookmarks = [entry.title for entry in package.outline if not isinstance(entry, list)]
    assert bookmarks[4] == ours.title

    manifest = {e["fil"]: e for e in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["filer"]}
    assert manifest[f"narvaro/narvarolista-{SLUG}.pdf"]["dokumenttyp"] == "narvarolista"
    assert manifest[f"narvaro/narvarolista-{SLUG}.pdf"]["mottagare"] == [ALL_MEMBERS]
    assert manifest[f"medlemmar/ydre/5-narvarolista-{SLUG}.docx"]["mottagare"] == ["ydre"]

    page = (folder / PAGE).read_text(encoding="utf-8")
    assert f'href="../narvaro/narvarolista-{SLUG}.pdf"' in page
    assert f'href="../medlemmar/ydre/5-narvarolista-{SLUG}.pdf"' in page
    assert "5. Närvarolista" in page


class Receipt(DocumentKind):
    id = "mottagningskvitto"
    label = "Mottagningskvitto"
    addressed = True


def test_the_isolation_check_takes_the_addressed_kinds_by_id_from_the_kinds(monkeypatch):
    monkeypatch.setattr(PROPOSAL, "label", "Beslutsförslag")  # a new label changes nothing in the check
    assert {"hemstallan", "forslag-till-beslut", "paminnelse", "medlemspaket"} == addressed_kinds()
    receipt = register(Receipt())
    try:
        assert "mottagningskvitto" in addressed_kinds()
    finally:
        unregister(receipt)
    assert "mottagningskvitto" not in addressed_kinds()
