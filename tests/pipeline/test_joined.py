"""Members' documents of a kind converted as one LibreOffice load, split again per member (issue 17).

What a member receives must read exactly as if its letter had been converted alone: the same
text page for page, its own page count in "Sida 1 (1)", its own title, lists numbered from 1;
every part passes ``docgen verify``; and a part's bytes never depend on what an earlier build
converted.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.documents import joined
from docgen.documents.wordfile import write_entries
from docgen.pdf import normalise, split
from docgen.pdf import office as convert
from docgen.pdf.verify import verify_tree
from docgen.pipeline import run
from docgen.pipeline.run import build
from support import MEMBERS, SEED_MEETING, copy_decisions

pytestmark = pytest.mark.libreoffice

KINDS = ("1-hemstallan", "2-forslag-till-beslut")
STAMP = dt.datetime(2026, 3, 26, 10, 0)


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def _alone(docx: list[Path], folder: Path) -> dict[Path, Path]:
    """Each of ``docx`` converted on its own, as before issue 17."""
    folder.mkdir()
    made = {}
    with convert.Office(convert.profile_root()) as office:
        futures = {path: office.submit(path, folder / f"{path.parent.name}-{path.stem}.pdf") for path in docx}
        for path, future in futures.items():
            future.result(timeout=convert.REPLY_TIMEOUT)
            made[path] = folder / f"{path.parent.name}-{path.stem}.pdf"
    return made


def test_members_letters_are_one_load_per_kind_and_read_as_if_converted_alone(tmp_path: Path, monkeypatch):
    submitted: list[dict | None] = []
    real = convert.Office.submit
    monkeypatch.setattr(convert.Office, "submit", lambda self, docx, pdf, pages=None, parts=None: (
        submitted.append(parts), real(self, docx, pdf, pages, parts))[1])
    folder = build(SEED_MEETING, tmp_path / "out").folder
    # 15 documents, the 10 letters and proposals in two loads of five: 7 conversions.
    assert sorted(p["count"] for p in submitted if p) == [5, 5]
    assert len(submitted) == 7

    docx = [folder / "medlemmar" / m / f"{kind}-{m}.docx" for m in MEMBERS for kind in KINDS]
    alone = _alone(docx, tmp_path / "ensam")
    for path in docx:
        part, single = path.with_suffix(".pdf"), alone[path]
        assert _pages(part) == _pages(single), part.name
        assert PdfReader(part).metadata.title == PdfReader(single).metadata.title == joined.properties(path)[0]
    ydre = _pages(folder / "medlemmar" / "ydre" / "1-hemstallan-ydre.pdf")
    assert len(ydre) == 1 and "Sida\u00a01\u00a0(1)" in ydre[0] and "Ydre kommun" in ydre[0]
    assert "1. Förslag till beslut" in ydre[0]  # Ydre's list numbered from 1, not on from Vimmerby's
    assert "Boxholm" not in ydre[0]
    reports = verify_tree(folder / "medlemmar")
    assert [r.path.name for r in reports if not r.ok] == []


def test_parts_of_several_pages_count_their_own_pages(seed_build, tmp_path: Path):
    source = seed_build.folder / "medlemmar" / "ydre" / "5-protokollsutdrag-paragraf-16.docx"
    copies = []
    for number in range(3):
        copies.append(tmp_path / f"del-{number}.docx")
        shutil.copyfile(source, copies[-1])
    assert joined.join(copies, tmp_path / "samlad.docx")
    with convert.Office(convert.profile_root()) as office:
        reply = office.submit(tmp_path / "samlad.docx", tmp_path / "samlad.pdf",
                              parts=joined.spec(3)).result(timeout=convert.REPLY_TIMEOUT)
    alone = _pages(source.with_suffix(".pdf"))
    assert len(alone) == 3
    assert reply["parts"] == [[0, 2], [3, 5], [6, 8]]
    normalise.normalise_pdf(tmp_path / "samlad.pdf", STAMP)
    split.split(tmp_path / "samlad.pdf", [split.Part(first, last, tmp_path / f"del-{n}.pdf", "Titel", "Ämne", "Itsam")
                                          for n, (first, last) in enumerate(reply["parts"])], STAMP)
    for number in range(3):
        pages = _pages(tmp_path / f"del-{number}.pdf")
        assert pages == alone
        assert [f"Sida\u00a0{n}\u00a0(3)" in text for n, text in enumerate(pages, start=1)] == [True] * 3


def test_documents_whose_styles_differ_are_not_joined(seed_build, tmp_path: Path):
    """A part whose styles (or numbering, or relationships) differ would be shown in the first part's: declined."""
    ydre = seed_build.folder / "medlemmar" / "ydre" / "1-hemstallan-ydre.docx"
    other = tmp_path / "annan.docx"
    with zipfile.ZipFile(ydre) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    entries["word/styles.xml"] = entries["word/styles.xml"].replace(b'w:val="Normal"', 'w:val="Brödtext"'.encode(), 1)
    write_entries(other, entries)
    assert joined.join([ydre, ydre], tmp_path / "lika.docx")
    assert not joined.join([ydre, other], tmp_path / "samlad.docx")
    assert not (tmp_path / "samlad.docx").exists()


def test_a_document_with_sections_of_its_own_is_not_joined(seed_build, tmp_path: Path):
    """Its inner sections' headers would count the pages of the whole joined file."""
    ydre = seed_build.folder / "medlemmar" / "ydre" / "1-hemstallan-ydre.docx"
    sectioned = tmp_path / "avsnitt.docx"
    with zipfile.ZipFile(ydre) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        b"<w:body>", b"<w:body><w:p><w:pPr><w:sectPr/></w:pPr></w:p>", 1)
    write_entries(sectioned, entries)
    assert not joined.join([ydre, sectioned], tmp_path / "samlad.docx")


def test_split_refuses_parts_that_do_not_add_up_to_the_pages(seed_build, tmp_path: Path):
    pdf = seed_build.folder / "medlemmar" / "ydre" / "4-regressavtal.pdf"
    with pytest.raises(Exception, match="har 2 sidor, delarna 3"):
        split.split(pdf, [split.Part(0, 2, tmp_path / "a.pdf", "T", "Ä", "F")], STAMP)
    assert not (tmp_path / "a.pdf").exists()


def test_an_edit_for_one_member_gives_the_bytes_a_fresh_build_gives(tmp_path: Path, monkeypatch):
    """The cache keeps a part with the parts it was converted with: a part converted again alone, or with
    other neighbours, would carry other font subsets, and the build's bytes would depend on its history."""
    monkeypatch.setattr(run, "JOIN_AT", 2)  # groups of two: Ydre's edit reconverts its group only
    meeting = copy_decisions(tmp_path, "d")
    build(meeting, tmp_path / "igen")
    association = meeting.parent / "forbund.yaml"
    text = association.read_text(encoding="utf-8")
    ydre = "gatuadress: Box 1             # EXEMPEL\n      postnummer: 573 74"
    assert text.count(ydre) == 1  # Ydre's address: in its letter, nobody else's
    association.write_text(text.replace(ydre, ydre.replace("Box 1", "Box 2")), encoding="utf-8")
    again = build(meeting, tmp_path / "igen")
    fresh = build(meeting, tmp_path / "ny")
    assert again.conversions == 2  # Ydre's letter and its neighbour in its group of two
    assert fresh.conversions == 15

    def pdfs(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in (folder / "medlemmar").rglob("*.pdf")}

    rebuilt, made = pdfs(again.folder), pdfs(fresh.folder)
    assert sorted(rebuilt) == sorted(made)
    assert [name for name in made if rebuilt[name] != made[name]] == []
