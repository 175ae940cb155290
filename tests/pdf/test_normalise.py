"""normalise_pdf on real LibreOffice exports: the same bytes whenever exported, valid, or a Swedish ToolError."""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import struct
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pikepdf
import pytest

from docgen.errors import ToolError
from docgen.pdf.normalise import normalise_pdf
from docgen.pdf.verify import check_pdf
from support import soffice_export, swedish_document

pytestmark = pytest.mark.libreoffice

STAMP = datetime.datetime(2026, 3, 26, 10, 0)  # naive, as the pipeline passes it: UTC
PDF_DATE = "D:20260326100000Z"
XMP_DATE = "2026-03-26T10:00:00Z"
TITLE = "Provhandling för normalisering"

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}


def _make_docx(path: Path) -> None:
    """One page, Swedish text, Swedish as the document language (LibreOffice takes /Lang from the styles)."""
    doc = swedish_document(TITLE)
    doc.add_heading("Beslut om borgen", level=1)
    doc.add_paragraph("Direktionen beslöt att gå vidare med ärendet. Åtvidaberg och Ödeshög är överens.")
    doc.save(str(path))


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two LibreOffice exports of the same DOCX, made at different times. Copy them before changing them."""
    tmp = tmp_path_factory.mktemp("normalise")
    docx = tmp / "handling.docx"
    _make_docx(docx)
    first = soffice_export(docx, tmp / "first", tmp / "profile")
    time.sleep(1.1)  # a later second on the clock, in every date LibreOffice writes
    second = soffice_export(docx, tmp / "second", tmp / "profile")
    return first, second


@pytest.fixture
def normalised(exports, tmp_path: Path) -> Path:
    pdf = tmp_path / "handling.pdf"
    shutil.copy(exports[0], pdf)
    normalise_pdf(pdf, STAMP)
    return pdf


def _icc_profile(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    return pdf.Root.OutputIntents[0].DestOutputProfile


def _xmp(pdf: pikepdf.Pdf) -> ET.Element:
    return ET.fromstring(pdf.Root.Metadata.read_bytes().strip(b"\x00 \t\r\n"))


def _xmp_text(xmp: ET.Element, name: str) -> list[str]:
    """The text of every element ``name`` (e.g. ``xmp:CreateDate``), wherever the packet has it."""
    prefix, local = name.split(":")
    return [element.text or "" for element in xmp.iter(f"{{{NS[prefix]}}}{local}")]


# --- the same bytes ------------------------------------------------------------------------------


def test_the_same_export_and_a_later_export_give_the_same_bytes(exports, tmp_path):
    first, second = exports
    assert first.read_bytes() != second.read_bytes()  # LibreOffice dates every export
    copies = [tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"]
    for source, copy in zip((first, first, second), copies):
        shutil.copy(source, copy)
        normalise_pdf(copy, STAMP)
    data = [copy.read_bytes() for copy in copies]
    assert data[0] == data[1] == data[2]
    assert data[0] != first.read_bytes()


def test_normalising_again_changes_nothing(normalised):
    before = normalised.read_bytes()
    normalise_pdf(normalised, STAMP)
    assert normalised.read_bytes() == before


def test_a_stamp_with_a_time_zone_is_the_same_instant_in_utc(exports, normalised, tmp_path):
    other = tmp_path / "stockholm.pdf"
    shutil.copy(exports[1], other)
    stockholm = datetime.timezone(datetime.timedelta(hours=1))
    normalise_pdf(other, datetime.datetime(2026, 3, 26, 11, 0, 0, 250_000, tzinfo=stockholm))
    assert other.read_bytes() == normalised.read_bytes()


def test_another_stamp_gives_other_bytes_and_another_id(normalised, tmp_path):
    later = tmp_path / "later.pdf"
    shutil.copy(normalised, later)
    normalise_pdf(later, STAMP + datetime.timedelta(seconds=1))
    with pikepdf.open(normalised) as one, pikepdf.open(later) as two:
        assert bytes(one.trailer.ID[0]) != bytes(two.trailer.ID[0])
        assert two.docinfo.CreationDate == "D:20260326100001Z"


# --- what changed, and what did not ---------------------------------------------------------------


def test_info_and_xmp_dates_are_the_stamp(normalised):
    with pikepdf.open(normalised) as pdf:
        assert str(pdf.docinfo.CreationDate) == str(pdf.docinfo.ModDate) == PDF_DATE
        xmp = _xmp(pdf)
    for name in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
        assert _xmp_text(xmp, name) == [XMP_DATE], name


def test_what_libreoffice_wrote_otherwise_stays(exports, normalised):
    with pikepdf.open(exports[0]) as before, pikepdf.open(normalised) as after:
        assert after.pdf_version == before.pdf_version
        for key in ("/Producer", "/Creator", "/Title", "/Author"):
            assert after.docinfo[key] == before.docinfo[key], key
        assert str(after.docinfo.Producer).startswith("LibreOffice")
        xmp, original = _xmp(after), _xmp(before)
        for name in ("pdf:Producer", "xmp:CreatorTool", "pdfaid:part", "pdfaid:conformance", "pdfuaid:part"):
            assert _xmp_text(xmp, name) == _xmp_text(original, name), name
        assert _xmp_text(xmp, "pdfaid:part") == ["2"]
        assert _xmp_text(xmp, "pdfaid:conformance") == ["B"]
        assert "/Filter" not in after.Root.Metadata  # PDF/A-2: the XMP stays uncompressed
        assert len(after.pages) == len(before.pages)
        for page, original_page in zip(after.pages, before.pages):
            # Streams go through as LibreOffice compressed them.
            assert page.Contents.read_raw_bytes() == original_page.Contents.read_raw_bytes()
        assert after.Root.Lang == before.Root.Lang
        assert "/StructTreeRoot" in after.Root and after.Root.MarkInfo.Marked
    assert b"pikepdf" not in normalised.read_bytes()


def test_the_icc_profile_is_dated_the_stamp_and_otherwise_unchanged(exports, normalised):
    with pikepdf.open(exports[0]) as before, pikepdf.open(normalised) as after:
        original, profile = _icc_profile(before).read_bytes(), _icc_profile(after).read_bytes()
        assert _icc_profile(after).Filter == pikepdf.Name.FlateDecode
        assert after.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFA1
    assert profile[36:40] == b"acsp"
    assert struct.unpack(">6H", profile[24:36]) == (2026, 3, 26, 10, 0, 0)
    assert struct.unpack(">6H", original[24:36]) != (2026, 3, 26, 10, 0, 0)
    assert profile[:24] + profile[36:] == original[:24] + original[36:]


def test_a_profile_id_is_computed_anew(exports, tmp_path):
    # ICC v4 profiles carry an MD5 of themselves (header bytes 84-99), which covers the date.
    def profile_id(profile: bytes) -> bytes:
        zeroed = bytearray(profile)
        zeroed[44:48] = zeroed[64:68] = bytes(4)
        zeroed[84:100] = bytes(16)
        return hashlib.md5(zeroed, usedforsecurity=False).digest()

    pdf_path = tmp_path / "v4.pdf"
    with pikepdf.open(exports[0]) as pdf:
        stream = _icc_profile(pdf)
        profile = bytearray(stream.read_bytes())
        profile[84:100] = profile_id(profile)
        stream.write(bytes(profile))
        pdf.save(pdf_path)
    normalise_pdf(pdf_path, STAMP)
    with pikepdf.open(pdf_path) as pdf:
        stamped = _icc_profile(pdf).read_bytes()
    assert stamped[84:100] == profile_id(stamped) != bytes(profile[84:100])


def test_trailer_id_from_the_content_no_doc_checksum_no_encryption(exports, normalised):
    with pikepdf.open(exports[0]) as before:
        assert "/DocChecksum" in before.trailer  # LibreOffice's, of the bytes it wrote
        old_id = bytes(before.trailer.ID[0])
    with pikepdf.open(normalised) as pdf:
        assert "/DocChecksum" not in pdf.trailer
        first, second = (bytes(part) for part in pdf.trailer.ID)
        assert first == second and len(first) == 16 and first != old_id
        assert not pdf.is_encrypted
        assert not pdf.is_linearized


def test_the_normalised_pdf_passes_docgen_verify(normalised):
    report = check_pdf(normalised)
    assert report.ok, report.checks
    assert report.check("PDF/A").detail == "PDF/A-2B, PDF/UA-1"
    assert report.check("metadata").detail.startswith("Info och XMP stämmer")
    assert report.check("titel").detail == TITLE


def test_written_atomically_with_the_usual_file_mode(normalised):
    assert sorted(p.name for p in normalised.parent.iterdir()) == [normalised.name]  # no temporary left
    umask = os.umask(0o022)
    os.umask(umask)
    assert normalised.stat().st_mode & 0o777 == 0o666 & ~umask


# --- what cannot be normalised --------------------------------------------------------------------


def _without_output_intents(source: Path, target: Path) -> None:
    with pikepdf.open(source) as pdf:
        del pdf.Root.OutputIntents
        pdf.save(target)


def _without_xmp(source: Path, target: Path) -> None:
    with pikepdf.open(source) as pdf:
        del pdf.Root.Metadata
        pdf.save(target)


def _with_broken_xmp(source: Path, target: Path) -> None:
    with pikepdf.open(source) as pdf:
        pdf.Root.Metadata.write(pdf.Root.Metadata.read_bytes().replace(b"</x:xmpmeta>", b"</x:xmp>"))
        pdf.save(target, fix_metadata_version=False)  # which would repair the XMP


def _encrypted(user: str):
    def make(source: Path, target: Path) -> None:
        with pikepdf.open(source) as pdf:
            pdf.save(target, encryption=pikepdf.Encryption(owner="ägare", user=user))

    return make


@pytest.mark.parametrize(("make", "reason"), [
    (lambda source, target: target.write_bytes(source.read_bytes()[: source.stat().st_size // 2]),
     "avkortad"),
    (lambda source, target: target.write_bytes(source.read_bytes()[:-200] + b"\n%%EOF\n"), "startxref"),
    (lambda source, target: target.write_text("Det här är ingen PDF.\n", encoding="utf-8"), "ingen PDF-fil"),
    (lambda source, target: target.write_bytes(b""), "ingen PDF-fil"),
    (_without_output_intents, "OutputIntents med ICC-profil saknas"),
    (_without_xmp, "XMP-metadata saknas"),
    (_with_broken_xmp, "XMP-metadata kan inte tolkas"),
    (_encrypted(""), "filen är krypterad"),
    (_encrypted("hemligt"), "filen är krypterad"),
], ids=["truncated", "no-startxref", "text", "empty", "no-output-intents", "no-xmp", "broken-xmp",
        "encrypted", "password"])
def test_what_cannot_be_normalised_is_a_swedish_tool_error_and_left_as_it_was(exports, tmp_path, make, reason):
    pdf = tmp_path / "trasig-handling.pdf"
    make(exports[0], pdf)
    before = pdf.read_bytes()
    with pytest.raises(ToolError) as caught:
        normalise_pdf(pdf, STAMP)
    message = str(caught.value)
    assert message.startswith("PDF:en trasig-handling.pdf från LibreOffice gick inte att normalisera: ")
    assert reason in message
    assert caught.value.exit_code == 3
    assert pdf.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [pdf.name]


def test_a_damaged_cross_reference_is_not_repaired_silently(exports, tmp_path):
    data = exports[0].read_bytes()
    table = data.rindex(b"\nxref\n")
    entry = data.index(b" 00000 n", table) - 10  # the first object's offset
    offset = int(data[entry:entry + 10])
    pdf = tmp_path / "flyttad.pdf"
    pdf.write_bytes(data[:entry] + b"%010d" % (offset + 7) + data[entry + 10:])
    with pytest.raises(ToolError, match=r"^PDF:en flyttad\.pdf från LibreOffice .*: filen är skadad: "):
        normalise_pdf(pdf, STAMP)


def test_a_missing_file_is_a_tool_error(tmp_path):
    with pytest.raises(ToolError, match="saknas.pdf"):
        normalise_pdf(tmp_path / "saknas.pdf", STAMP)
