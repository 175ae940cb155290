"""Rendering the Word templates: escaping, strictness and the values read back from the DOCX."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document

from docgen.documents.plan import plan
from docgen.documents.render import fill, render_docx
from docgen.documents.templates import TemplateProblem, Templates
from docgen.input.validate import load_case
from support import SEED_MEETING, copy_decisions, docx_text


def _case_with(tmp_path: Path, old: str, new: str):
    meeting = copy_decisions(tmp_path, "d")
    text = meeting.read_text(encoding="utf-8")
    assert old in text
    meeting.write_text(text.replace(old, new), encoding="utf-8")
    return load_case(meeting)


def test_markup_characters_come_out_literally(tmp_path: Path):
    case = _case_with(tmp_path, "rubrik: Utökning av borgen", 'rubrik: "Vatten & Avlopp <AB>"')
    documents = {d.key: d for d in plan(case)}
    for key in ("protokoll", "utdrag-18", "forslag-ydre"):
        render_docx(documents[key], case, tmp_path / f"{key}.docx", Templates())
        text = docx_text(tmp_path / f"{key}.docx")  # re-opens: the XML is intact
        assert "Vatten & Avlopp <AB>" in text
        assert "&amp;" not in text and "&lt;" not in text


def test_documents_are_swedish_with_their_own_title_and_no_template_author(tmp_path: Path):
    case = load_case(SEED_MEETING)
    for document in plan(case):
        path = tmp_path / f"{document.key}.docx"
        render_docx(document, case, path, Templates())
        props = Document(str(path)).core_properties
        assert props.title == document.title
        assert props.language == "sv-SE"
        assert props.author == "Kommunalförbundet Itsam"
        assert props.last_modified_by == ""
        with zipfile.ZipFile(path) as archive:
            styles = archive.read("word/styles.xml").decode("utf-8")
        assert '<w:lang w:val="sv-SE"' in styles


def test_unknown_name_in_a_template_is_an_error_not_a_gap(tmp_path: Path):
    own = tmp_path / "mallar"
    own.mkdir()
    doc = Document()
    doc.add_paragraph("Anslag {{ möte.finns_inte }}")
    doc.save(str(own / "anslag.docx"))
    case = load_case(SEED_MEETING)
    notice = next(d for d in plan(case) if d.key == "anslag")
    with pytest.raises(TemplateProblem, match=r"platshållaren \{\{ möte.finns_inte \}\} är okänd") as raised:
        render_docx(notice, case, tmp_path / "ut.docx", Templates(own))
    assert raised.value.template == own / "anslag.docx"
    assert raised.value.exit_code == 1
    assert not (tmp_path / "ut.docx").exists()


def test_seed_style_fill_in_in_a_members_clause_becomes_a_visible_field(tmp_path: Path):
    """The seed's own wording, "datum" and KF ÅÅÅÅ § xx, allowed only in a clause marked as the member's."""
    case = _case_with(tmp_path, "ovan fattade beslut ersätter tidigare fattade beslut {{ tidigare_kf_beslut }} samt",
                      'ovan fattade beslut ersätter tidigare fattade beslut KF ÅÅÅÅ § xx samt')
    proposal = next(d for d in plan(case) if d.key == "forslag-boxholm")
    render_docx(proposal, case, tmp_path / "f.docx", Templates())
    text = docx_text(tmp_path / "f.docx")
    assert "att\tovan fattade beslut ersätter tidigare fattade beslut KF [år] § [nr] samt*" in text
    assert "* Uppgiften är kommunspecifik och fylls i av Boxholms kommun före beslut." in text
    assert "ÅÅÅÅ" not in text and "xx" not in text


@pytest.mark.parametrize(("body", "genitive"), [
    ("Direktionen", "direktionens"), ("Förbundsdirektionen", "förbundsdirektionens"),
    ("Förbundsstyrelsen", "förbundsstyrelsens"), ("Styrelsen", "styrelsens"),
])
def test_the_bodys_own_name_in_definite_and_genitive_form(tmp_path: Path, body: str, genitive: str):
    case = _case_with(tmp_path, "organ: Direktionen", f"organ: {body}")
    documents = {d.key: d for d in plan(case)}
    for key in ("protokoll", "anslag"):
        render_docx(documents[key], case, tmp_path / f"{key}.docx", Templates())
    assert Document(str(tmp_path / "protokoll.docx")).core_properties.subject.startswith(
        f"Protokoll från {genitive} sammanträde")
    notice = docx_text(tmp_path / "anslag.docx")
    assert f"överklaga {genitive} beslut" in notice
    assert "direktionen" not in notice.lower() or body.lower().endswith("direktionen")


def test_the_fill_in_key_is_what_the_document_shows(tmp_path: Path):
    # The render cache keys on fill(): an edit reaches exactly the documents that show the edited text.
    def keys(case) -> dict[str, bytes]:
        return {d.key: fill(d, case).material() for d in plan(case) if d.kind.template is not None}

    seed = keys(load_case(SEED_MEETING))
    described = keys(_case_with(tmp_path / "beskrivning", "föredrar ärendet.", "föredrar ärendet kort."))
    assert sorted(k for k in seed if seed[k] != described[k]) == ["protokoll", "utdrag-18"]
    asked = keys(_case_with(tmp_path / "ämne", "svar_senast: 2026-06-30", "svar_senast: 2026-07-01"))
    assert sorted(k for k in seed if seed[k] != asked[k]) == sorted(
        f"{kind}-{member}" for kind in ("hemstallan", "forslag")
        for member in ("atvidaberg", "boxholm", "odeshog", "vimmerby", "ydre"))
