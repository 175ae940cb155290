"""The review page a build writes: thumbnails of every member's documents, the members' values, the changes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pypdfium2
import pytest
import review_support
from PIL import Image, ImageFilter, ImageStat
from pypdf import PdfReader

from docgen.errors import ToolError
from docgen.pipeline.run import build
from docgen.review import page as review_page
from docgen.review import thumbnails
from docgen.review.page import ReviewPage
from support import MEMBERS, SEED_MEETING, copy_decisions, pdf_text

pytestmark = pytest.mark.libreoffice
SLUG = "2026-03-26-direktionen"
PNG = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    """Sections, images, links and table rows of the page, as a browser would find them."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: dict[str, list[dict[str, str]]] = {}
        self.links: list[str] = []
        self.rows: list[list[str]] = []
        self.lang = None
        self._section: str | None = None
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "section":
            self._section = attributes.get("id")
            self.sections[self._section] = []
        elif tag == "img" and self._section:
            self.sections[self._section].append(attributes)
        elif tag == "a":
            self.links.append(attributes.get("href", ""))
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _build(meeting: Path, out: Path):
    # As the CLI builds: thumbnails drawn while LibreOffice converts (the fixture's build draws them at the end).
    return build(meeting, out, addition=ReviewPage(out))


@pytest.fixture(scope="module")
def reviewed(built_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return review_support.build_reviewed(built_out, tmp_path_factory)


def _page(folder: Path) -> _Page:
    return _Page((folder / "granskning" / "index.html").read_text(encoding="utf-8"))


def _package_pdfs(folder: Path, member: str) -> list[Path]:
    return sorted(p for p in (folder / "medlemmar" / member).glob("*.pdf") if "samtliga" not in p.name)


def test_every_member_has_a_section_with_a_thumbnail_of_every_page_of_its_documents(reviewed: Path):
    page = _page(reviewed)
    assert page.lang == "sv"
    for member in MEMBERS:
        images = page.sections[f"medlem-{member}"]
        pdfs = _package_pdfs(reviewed, member)
        assert len(pdfs) >= 4
        assert len(images) == sum(len(PdfReader(pdf).pages) for pdf in pdfs), member
        for image in images:
            path = reviewed / "granskning" / image["src"]
            assert path.read_bytes().startswith(PNG)
            assert (int(image["width"]), int(image["height"])) == thumbnails.png_size(path)
            assert image["alt"].startswith(("Boxholms", "Vimmerby", "Ydre", "Åtvidabergs", "Ödeshögs"))
            assert re.search(r", sida \d av \d$", image["alt"])
        assert len({image["alt"] for image in images}) == len(images)  # each picture told apart
    # The regressavtal is the same PDF for every member: one set of thumbnails, used five times.
    agreement = {img["src"] for m in MEMBERS for img in page.sections[f"medlem-{m}"] if "Regressavtal" in img["alt"]}
    assert len(agreement) == len(PdfReader(reviewed / "medlemmar" / "ydre" / "4-regressavtal.pdf").pages) == 2


def test_every_link_and_picture_points_at_a_file_of_the_build(reviewed: Path):
    page = _page(reviewed)
    targets = [link.split("#")[0] for link in page.links if not link.startswith("#")]
    assert any(t.endswith(".docx") for t in targets) and any(t.endswith("samtliga-handlingar.pdf") for t in targets)
    for target in targets:
        assert (reviewed / "granskning" / target).resolve().is_file(), target
    for member in MEMBERS:
        assert f"../medlemmar/{member}/1-hemstallan-{member}.pdf" in targets
        assert f"../medlemmar/{member}/1-hemstallan-{member}.docx" in targets


def test_the_page_and_its_pictures_are_in_the_manifest_and_need_no_network(reviewed: Path):
    manifest = json.loads((reviewed / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["fil"]: e for e in manifest["filer"] if e["dokumenttyp"] == "granskning"}
    on_disk = {p.relative_to(reviewed).as_posix() for p in (reviewed / "granskning").rglob("*") if p.is_file()}
    assert set(listed) == on_disk and "granskning/index.html" in on_disk
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256((reviewed / name).read_bytes()).hexdigest()
        assert entry["mottagare"] == []
    text = (reviewed / "granskning" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=\"(https?:)?//", text)


def test_the_members_values_table_shows_each_members_own_share_from_its_own_letter(reviewed: Path):
    page = _page(reviewed)
    header = next(row for row in page.rows if row and row[0] == "Medlem")
    rows = [row for row in page.rows if row and row[0].endswith("kommun")]
    assert len(rows) == 5
    share, amount = header.index("Andel (olika)"), header.index("Belopp (kr) (olika)")
    assert "Fylls i av kommunen (lika för alla)" in header
    for member, row in zip(MEMBERS, rows, strict=True):  # the association's order
        letter = pdf_text(reviewed / "medlemmar" / member / f"1-hemstallan-{member}.pdf").replace("\u00a0", " ")
        assert row[0].replace("s kommun", " kommun") in letter or row[0] in letter
        assert f"{row[share]} av borgensåtagandet".replace("\u00a0", " ") in letter
        assert row[amount].replace("\u00a0", " ") in letter
    assert len({row[share] for row in rows}) == 5


def test_a_fact_one_member_has_shows_as_a_difference(built_out: Path, tmp_path: Path):
    shutil.copytree(SEED_MEETING.parent, tmp_path / "d")
    association = tmp_path / "d" / "forbund.yaml"
    text = association.read_text(encoding="utf-8")
    given = re.sub(r"(- id: boxholm\n(?:    .*\n|      .*\n)*?      regressavtal_datum:) ~", r"\1 2019-05-21", text)
    assert given != text
    association.write_text(given, encoding="utf-8")
    out = tmp_path / "out"
    shutil.copytree(built_out / ".cache", out / ".cache")
    folder = _build(tmp_path / "d" / SEED_MEETING.name, out).folder
    page = _page(folder)
    header = next(row for row in page.rows if row and row[0] == "Medlem")
    column = next(i for i, h in enumerate(header) if h.startswith("Datum för kommunens gällande regressavtal"))
    assert header[column].endswith("(olika)")
    rows = {row[0]: row[column] for row in page.rows if row and row[0].endswith("kommun")}
    assert rows["Boxholms kommun"] == "21 maj 2019"
    assert rows["Ydre kommun"] == "fylls i av kommunen"


def test_same_input_same_page_and_pictures_and_drawing_is_deterministic(reviewed: Path, built_out: Path,
                                                                         tmp_path: Path):
    out = tmp_path / "out"
    shutil.copytree(built_out / ".cache", out / ".cache")
    again = _build(SEED_MEETING, out).folder

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in (folder / "granskning").rglob("*")
                if p.is_file()}

    assert files(again) == files(reviewed)
    # Drawn anew (no reuse), PDFium gives the very same bytes.
    pdf = reviewed / "medlemmar" / "ydre" / "4-regressavtal.pdf"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    fresh = thumbnails.draw([thumbnails.Request(pdf, digest, 2)], tmp_path / "bilder")[digest]
    assert [(tmp_path / "bilder" / t.name).read_bytes() for t in fresh] == \
        [(reviewed / "granskning" / "bilder" / t.name).read_bytes() for t in fresh]


def test_a_one_word_change_in_18_is_listed_and_only_changed_pdfs_are_drawn_again(built_out: Path, tmp_path: Path,
                                                                               monkeypatch):
    meeting = copy_decisions(tmp_path, "d")
    out = tmp_path / "out"
    shutil.copytree(built_out / ".cache", out / ".cache")
    first = _build(meeting, out).folder
    text = (first / "granskning" / "index.html").read_text(encoding="utf-8")
    assert "första bygget" in text and "Ändrad sedan förra bygget" not in text
    assert "Inga uppgifter om utskick ännu" in text
    before = _page(first)

    meeting.write_text(meeting.read_text(encoding="utf-8").replace(
        "Malin Vikström, ekonomiansvarig, föredrar ärendet.",
        "Malin Vikström, ekonomiansvarig, föredrar ärendet kort."), encoding="utf-8")
    drawn: list[str] = []
    real = thumbnails._draw_pages
    monkeypatch.setattr(thumbnails, "_draw_pages", lambda request, pages, folder: (
        drawn.extend([request.pdf.name] * len(pages)), real(request, pages, folder)))
    second = _build(meeting, out).folder
    text = (second / "granskning" / "index.html").read_text(encoding="utf-8")
    changed = text.split("<h3>Sedan förra bygget</h3>")[1].split("<h3>")[0].replace("\u00a0", " ")
    assert "Protokollsutdrag Direktionen 2026-03-26 § 18 (i 5 medlemspaket)" in changed
    assert "<li>Ändrade paragrafer: § 18</li>" in changed  # the protocol alone would not say which
    assert "Protokoll Direktionen" in changed
    assert "Hemställan" not in changed and "Regressavtal" not in changed and "§ 16" not in changed
    assert "för 5 medlemmar" in changed
    # The extract's two pages are drawn (once for five packages); every other picture is reused.
    # (Drawn from the build's work copy, utdrag-18.pdf, while LibreOffice converts the protocol.)
    assert drawn == ["utdrag-18.pdf"] * 2
    after = _page(second)
    for member in MEMBERS:
        old = {i["alt"]: i["src"] for i in before.sections[f"medlem-{member}"]}
        new = {i["alt"]: i["src"] for i in after.sections[f"medlem-{member}"]}
        assert [alt for alt in new if new[alt] != old[alt]] == [a for a in new if "Protokollsutdrag §\u00a018" in a]
    assert text.count("Ändrad sedan förra bygget") == 5 + 5 + 2  # extract per member, packages, own copies


def test_beyond_the_limit_only_first_pages_are_drawn(built_out: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(review_page, "ALL_PAGES_UP_TO", 2)
    out = tmp_path / "out"
    shutil.copytree(built_out / ".cache", out / ".cache")
    folder = _build(SEED_MEETING, out).folder
    page = _page(folder)
    assert all(len(page.sections[f"medlem-{m}"]) == len(_package_pdfs(folder, m)) for m in MEMBERS)
    assert all(image["alt"].endswith(", sida 1 av " + image["alt"][-1]) for m in MEMBERS
               for image in page.sections[f"medlem-{m}"])
    assert "… och 1 sida till i PDF:en." in (folder / "granskning" / "index.html").read_text(encoding="utf-8")


def test_a_pdf_that_cannot_be_drawn_stops_the_build_with_a_swedish_message(built_out: Path, tmp_path: Path,
                                                                         monkeypatch):
    def broken(*_args, **_kwargs):
        raise pypdfium2.PdfiumError("Failed to load document (PDFium: Data format error).")

    monkeypatch.setattr(thumbnails.pypdfium2, "PdfDocument", broken)
    out = tmp_path / "out"
    shutil.copytree(built_out / ".cache", out / ".cache")
    with pytest.raises(ToolError, match=r"sidorna i \S+\.pdf kunde inte ritas: Failed to load"):
        _build(SEED_MEETING, out)
    assert not (out / SLUG).exists()  # nothing half-made is put in place


def test_thumbnails_are_as_large_and_as_sharp_as_pdftoppm_drew_them(reviewed: Path, tmp_path: Path):
    """pdftoppm (poppler), which drew them before PDFium, is the yardstick: same size, and at the size the
    page shows them (150 px wide) edges at least as strong (mean of an edge filter; 31.8 against 30.1)."""
    pdf = reviewed / "medlemmar" / "ydre" / "1-hemstallan-ydre.pdf"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    [drawn] = thumbnails.draw([thumbnails.Request(pdf, digest, 1)], tmp_path / "bilder")[digest]
    subprocess.run(["pdftoppm", "-png", "-scale-to-x", "280", "-scale-to-y", "-1", "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(tmp_path / "poppler")], check=True)
    ours, poppler = Image.open(tmp_path / "bilder" / drawn.name), Image.open(tmp_path / "poppler.png")
    assert (drawn.width, drawn.height) == ours.size == poppler.size == (280, 396)

    def edges_as_shown(image: Image.Image) -> float:
        shown = image.convert("L").resize((150, round(image.height * 150 / image.width)), Image.BILINEAR)
        return ImageStat.Stat(shown.filter(ImageFilter.FIND_EDGES)).mean[0]

    assert edges_as_shown(ours) >= edges_as_shown(poppler) > 20  # > 20: a page of text, not a blank


def test_each_documents_number_in_a_member_section_is_its_place_in_that_package(reviewed: Path):
    text = (reviewed / "granskning" / "index.html").read_text(encoding="utf-8")
    section = text[text.index('<section class="medlem" id="medlem-ydre"'):]
    section = section[:section.index("</section>")]
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h3>(.*?)</h3>", section)]
    files = sorted(p.name for p in (reviewed / "medlemmar" / "ydre").glob("[0-9]*.pdf"))
    assert [h.split(". ", 1)[0] for h in headings] == [f.split("-", 1)[0] for f in files] == ["1", "2", "3", "4", "5"]
    assert headings[0].startswith("1. Hemställan") and headings[3].startswith("4. Regressavtal")
