"""Any association, any meeting: a second association of our own making, built end to end.

Six members, two of which (Mönsterås, Torsås) joined after the last guarantee
decision and lack its facts; the body is Förbundsstyrelsen; two paragraphs ask
the councils for a decision (§ 42 a guarantee, § 43 a new förbundsordning,
its heading with "&"); § 41 goes to every member for information and § 44 to
Mönsterås alone; justering is digital; § 42 attaches a Word file and § 43 a
PDF (untagged, fonts not embedded: as a secretary's PDF may well be).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from docgen.pdf.verify import verify_tree
from docgen.pipeline.run import build
from support import ROOT, pdf_text, squash, write_swedish_docx

pytestmark = pytest.mark.libreoffice

DATA = ROOT / "tests" / "data" / "sydost"
MEETING = "2026-10-15-forbundsstyrelsen.yaml"
SLUG = "2026-10-15-forbundsstyrelsen"
MEMBERS = ("karlskrona", "ronneby", "emmaboda", "kalmar", "monsteras", "torsas")
LATER = ("monsteras", "torsas")
GUARANTEE_SUBJECT = "Ny solidarisk borgen för Räddningstjänstförbundet Sydost & Kust om 60 Mkr"
ORDER_SUBJECT = "Reviderad förbundsordning & reglemente för Räddningstjänstförbundet Sydost & Kust"
PDF_UNDERLAG_TEXT = "Forbundsordning utkast sidan 1"


def _external_pdf(path: Path) -> None:
    """A plain PDF as many tools write it: no tags, no PDF/A, Helvetica not embedded."""
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    content = pdf.make_stream(f"BT /F1 14 Tf 72 720 Td ({PDF_UNDERLAG_TEXT}) Tj ET".encode())
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842], Contents=content,
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)


def _word_underlag(path: Path) -> None:
    write_swedish_docx(path, "tjänsteskrivelse", "Förbundet behöver ersätta fyra höjdfordon under 2027–2029.",
                       heading="Tjänsteskrivelse: borgen för räddningsfordon",
                       author="Räddningstjänstförbundet Sydost & Kust")


@pytest.fixture(scope="module")
def sydost(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("sydost")
    shutil.copytree(DATA, folder, dirs_exist_ok=True)
    (folder / "underlag").mkdir()
    _word_underlag(folder / "underlag" / "tjansteskrivelse-borgen.docx")
    _external_pdf(folder / "underlag" / "forbundsordning-forslag.pdf")
    return build(folder / MEETING, folder / "out")


def _member_file(result, member: str, stem: str) -> Path:
    matches = sorted((result.folder / "medlemmar" / member).glob(f"*-{stem}.pdf"))
    assert len(matches) == 1, f"{member}: {stem}: {matches}"
    return matches[0]


def _outline(path: Path) -> list[str]:
    return [entry.title for entry in PdfReader(path).outline if not isinstance(entry, list)]


@pytest.mark.parametrize("member", LATER)
def test_later_members_get_neither_replace_nor_expire_clause_nor_a_fill_in(sydost, member):
    text = pdf_text(_member_file(sydost, member, f"forslag-till-beslut-paragraf-42-{member}"))
    assert "regressavtal beslutat" not in text
    assert "ersätter tidigare fattade beslut" not in text
    assert "*" not in text and "[" not in text and "kommunspecifik" not in text
    assert "upprätta nytt regressavtal mellan" in text  # the clauses every member gets


def test_the_others_get_their_own_facts(sydost):
    karlskrona = squash(pdf_text(_member_file(sydost, "karlskrona", "forslag-till-beslut-paragraf-42-karlskrona")))
    assert squash("regressavtal beslutat 21 maj 2019 upphör") in karlskrona
    assert squash("tidigare fattade beslut om borgen, KF 2019-04-25 § 51.") in karlskrona
    assert "Ronneby" not in karlskrona.replace(squash("Ronneby kommun,"), "")  # only in the list of parties
    emmaboda = squash(pdf_text(_member_file(sydost, "emmaboda", "forslag-till-beslut-paragraf-42-emmaboda")))
    assert squash("[datum för kommunens gällande regressavtal]") in emmaboda  # ~: Emmaboda fills it in
    assert squash("KF 2019-05-13 § 40") in emmaboda


@pytest.mark.parametrize("member", MEMBERS)
def test_every_package_holds_both_requests_every_extract_sent_to_it_and_the_underlag(sydost, member):
    package = sydost.folder / "medlemmar" / member / f"{member}-samtliga-handlingar.pdf"
    outline = _outline(package)
    name = next(m.name for m in sydost.case.association.members if m.id == member)
    assert f"Hemställan till Kommunfullmäktige i {name}: {GUARANTEE_SUBJECT}" in outline
    assert f"Hemställan till Kommunfullmäktige i {name}: {ORDER_SUBJECT}" in outline
    assert f"Förslag till beslut för Kommunfullmäktige i {name}: {ORDER_SUBJECT}" in outline
    extracts = sorted(title[-4:] for title in outline if title.startswith("Protokollsutdrag"))
    sent = [41, 42, 43, 44] if member == "monsteras" else [41, 42, 43]
    assert extracts == [f"§\u00a0{number}" for number in sent]  # § and its number held together
    assert "Regressavtal avseende borgen för Räddningstjänstförbundet Sydost & Kust" in outline
    assert "Tjänsteskrivelse om borgen för räddningsfordon" in outline
    assert outline[-1] == "Förslag till reviderad förbundsordning"  # underlag after the generated documents
    assert PDF_UNDERLAG_TEXT in pdf_text(package)
    files = sorted(p.name for p in (sydost.folder / "medlemmar" / member).glob("*.pdf"))
    numbers = sorted(int(name.split("-", 1)[0]) for name in files if name[0].isdigit())
    assert numbers == list(range(1, len(numbers) + 1))  # numbered from 1 without gaps


def test_the_letter_lists_the_underlag_under_bilagor(sydost):
    text = pdf_text(_member_file(sydost, "kalmar", "hemstallan-paragraf-43-kalmar"))
    bilagor = text[text.index("Bilagor"):]
    assert "Förslag till reviderad förbundsordning" in bilagor
    assert "Tjänsteskrivelse om borgen" not in bilagor  # § 42's underlag belongs to § 42's letter


def test_verify_passes_on_every_file_and_reports_the_attached_pdf_as_external(sydost):
    reports = verify_tree(sydost.folder)
    assert [r.path.name for r in reports if not r.ok] == []
    external = {r.path.relative_to(sydost.folder).as_posix(): r.check("ursprung").detail
                for r in reports if r.check("ursprung") is not None}
    assert "underlag/underlag-paragraf-43-forbundsordning-forslag.pdf" in external
    assert all(f"medlemmar/{m}/{m}-samtliga-handlingar.pdf" in external for m in MEMBERS)
    assert "inte kontrollerat som PDF/A" in external["underlag/underlag-paragraf-43-forbundsordning-forslag.pdf"]
    # The attached PDF is byte for byte the secretary's; the Word underlag became PDF/A.
    source = sydost.case.sources[0].parent / "underlag" / "forbundsordning-forslag.pdf"
    assert (sydost.folder / "underlag" / "underlag-paragraf-43-forbundsordning-forslag.pdf").read_bytes() == \
        source.read_bytes()
    word = next(r for r in reports if r.path.name == "underlag-paragraf-42-tjansteskrivelse-borgen.pdf")
    assert word.ok and word.check("PDF/A").detail.startswith("PDF/A-2B")


def test_the_body_digital_justering_and_the_ampersand_read_right(sydost):
    protocol = pdf_text(sydost.folder / "protokoll" / f"protokoll-{SLUG}.pdf")
    assert "Revidering av förbundsordning & reglemente" in protocol
    assert "Protokollet justerades digitalt 2026-10-19" in protocol
    assert "signatur" not in protocol.lower()
    notice = squash(pdf_text(sydost.folder / "anslag" / f"anslag-{SLUG}.pdf"))
    assert squash("överklaga förbundsstyrelsens beslut") in notice
    assert "direktion" not in notice.lower()


def test_each_guarantee_is_allocated_in_full(sydost):
    item = next(i for i in sydost.case.request_items if i.request.guarantee)
    shares = sydost.case.shares(item)
    assert sum(s.kronor for s in shares.values()) == 60_000_000
    assert sum((s.percent for s in shares.values()), start=Decimal(0)) == Decimal("100.00")
    assert sydost.case.shares(next(i for i in sydost.case.request_items if not i.request.guarantee)) == {}


def test_a_word_underlag_in_python_docx_defaults_builds_into_pdfs_that_verify(tmp_path: Path):
    from docx import Document

    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    (tmp_path / "underlag").mkdir()
    default = Document()  # en-US and no title, as python-docx and many offices leave a file
    default.add_paragraph("Förbundet behöver ersätta fyra höjdfordon under 2027–2029.")
    default.save(str(tmp_path / "underlag" / "tjansteskrivelse-borgen.docx"))
    _external_pdf(tmp_path / "underlag" / "forbundsordning-forslag.pdf")
    result = build(tmp_path / MEETING, tmp_path / "out")
    failed = {r.path.relative_to(result.folder).as_posix(): [c.detail for c in r.checks if not c.ok]
              for r in verify_tree(result.folder) if not r.ok}
    assert failed == {}
    word = PdfReader(result.folder / "underlag" / "underlag-paragraf-42-tjansteskrivelse-borgen.pdf")
    assert str(word.trailer["/Root"]["/Lang"]) == "sv-SE"
