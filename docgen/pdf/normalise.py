"""Same input, same bytes: LibreOffice's PDFs without its clock and its random /ID.

A checksum in the manifest then proves what was sent, and a rebuild with
nothing changed gives the files it gave before.

LibreOffice 7.4 stamps every PDF it exports (PDF/A-2b, tagged) with the
current time and a random identifier: Info ``/CreationDate``, XMP
``xmp:CreateDate``, the creation time in the header of the sRGB ICC profile
it generates for ``/OutputIntents``, a random trailer ``/ID`` and a
``/DocChecksum`` of all that. :func:`normalise_pdf` rewrites the PDF with
pikepdf (qpdf) so that none of it depends on the clock:

* Info ``/CreationDate`` and ``/ModDate`` and XMP ``xmp:CreateDate``,
  ``xmp:ModifyDate`` and ``xmp:MetadataDate`` become the build's stamp, in
  UTC, so that ``docgen verify`` finds Info and XMP describing the same
  instant. Everything else LibreOffice wrote (Producer, CreatorTool, the
  pdfaid and pdfuaid identification) stays as it was;
* the ICC profile's creation time (header bytes 24-35) becomes the stamp;
* ``/DocChecksum`` (a non-standard digest of the old bytes) is dropped and
  the ``/ID`` is qpdf's deterministic one, a digest of the written file.

Everything else goes through unchanged: streams are copied as LibreOffice
compressed them (only the ICC profile is recompressed, by us), object
streams are kept as they were (LibreOffice writes none), and the file is
neither linearized nor encrypted, which PDF/A forbids anyway. A PDF that
cannot be normalised (not a PDF, damaged or truncated, no output intent
profile, no XMP) is a :class:`~docgen.errors.ToolError`: passing it through
unchanged would break reproducibility without anyone noticing.

The file is replaced atomically: a reader never sees half a PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
import zlib
from pathlib import Path

import pikepdf
from lxml import etree
from pikepdf import Name, String

from docgen.errors import ToolError
from docgen.files import write_atomically
from docgen.pdf import dates

# Write every stream as it is: no qpdf decompression or recompression, whose
# output could change with the zlib underneath. The ICC profile is compressed
# by _stamp_icc_profile itself.
_SAVE_OPTIONS = {
    "deterministic_id": True,
    "object_stream_mode": pikepdf.ObjectStreamMode.preserve,
    "stream_decode_level": pikepdf.StreamDecodeLevel.none,
    "compress_streams": False,
    "recompress_flate": False,
    "normalize_content": False,
    "linearize": False,
    "qdf": False,
    "encryption": False,
    "preserve_pdfa": True,
    "fix_metadata_version": False,
}

_XMP_DATES = ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate")
_ICC_HEADER = 128


class _Unfit(Exception):
    """Why a PDF cannot be normalised, in Swedish."""


def normalise_pdf(path: Path, stamp: dt.datetime) -> None:
    """Rewrite LibreOffice's PDF at ``path`` with ``stamp`` for every date and a content-derived /ID.

    A naive ``stamp`` is taken as UTC. Raises :class:`ToolError` (naming the
    file) for anything it cannot normalise; ``path`` is then left as it was.
    """
    try:
        data = _normalised(path.read_bytes(), stamp)
    except _Unfit as exc:
        raise _error(path, str(exc)) from None
    except OSError as exc:
        raise _error(path, exc.strerror or str(exc)) from exc
    except Exception as exc:  # pikepdf and lxml raise many types for a broken file
        raise _error(path, str(exc) or type(exc).__name__) from exc
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise _error(path, exc.strerror or str(exc)) from exc


def normalised(pdf: pikepdf.Pdf, stamp: dt.datetime, name: str) -> bytes:
    """The bytes :func:`normalise_pdf` would write for ``pdf``, already open (a part being split off).

    ``name`` names the file in an error. The open PDF is changed as it is written.
    """
    try:
        return _rewritten(pdf, dates.utc(stamp))
    except _Unfit as exc:
        raise ToolError(f"PDF:en {name} från LibreOffice gick inte att normalisera: {exc}") from None


def identity() -> bytes:
    """A digest of this module and the dates it writes: a cache of normalised PDFs salts its keys with it."""
    return hashlib.sha256(Path(__file__).read_bytes() + Path(dates.__file__).read_bytes()).digest()


def _error(path: Path, reason: str) -> ToolError:
    return ToolError(f"PDF:en {path.name} från LibreOffice gick inte att normalisera: {reason}")


def _normalised(data: bytes, stamp: dt.datetime) -> bytes:
    if not data.startswith(b"%PDF-"):
        raise _Unfit("det är ingen PDF-fil")
    if b"%%EOF" not in data[-1024:]:
        raise _Unfit("filen är avkortad (%%EOF saknas i slutet)")
    instant = dates.utc(stamp)
    source = io.BytesIO(data)
    try:
        # No recovery: a repaired file is no faithful copy. No page attributes pushed down either:
        # the page tree stays as LibreOffice wrote it.
        with pikepdf.open(source, attempt_recovery=False, inherit_page_attributes=False) as pdf:
            output = _rewritten(pdf, instant)
            # qpdf works round some damage and only warns: that is no faithful copy either.
            warnings = pdf.get_warnings()
    except pikepdf.PasswordError:
        raise _Unfit("filen är krypterad") from None
    except pikepdf.PdfError as exc:
        raise _Unfit(_qpdf_message(str(exc), source) or type(exc).__name__) from None
    if warnings:
        raise _Unfit(f"filen är skadad: {_qpdf_message(str(warnings[0]), source)}")
    return output


def _qpdf_message(message: str, source: io.BytesIO) -> str:
    """qpdf's message without the name it gives the file read, "stream <_io.BytesIO object at …>"."""
    return message.replace(f"stream {source}", "").strip(": ")


def _rewritten(pdf: pikepdf.Pdf, instant: dt.datetime) -> bytes:
    if pdf.is_encrypted:
        raise _Unfit("filen är krypterad")
    _stamp_icc_profiles(pdf, instant)
    _stamp_dates(pdf, instant)
    # Both made anew from the content: qpdf would keep an existing first /ID element.
    for key in ("/ID", "/DocChecksum"):
        if key in pdf.trailer:
            del pdf.trailer[key]
    output = io.BytesIO()
    pdf.save(output, **_SAVE_OPTIONS)
    return output.getvalue()


def _stamp_dates(pdf: pikepdf.Pdf, instant: dt.datetime) -> None:
    """Info and XMP dates, all ``instant``; XMP's title and description as Info has them."""
    if "/Metadata" not in pdf.Root or not isinstance(pdf.Root.Metadata, pikepdf.Stream):
        raise _Unfit("XMP-metadata saknas")
    pdf_date = String(dates.pdf_date(instant))
    pdf.docinfo[Name.CreationDate] = pdf_date
    pdf.docinfo[Name.ModDate] = pdf_date
    # strict: XMP that does not parse is an error, not replaced by an empty packet.
    try:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False, strict=True) as xmp:
            for key in _XMP_DATES:
                xmp[key] = dates.xmp_date(instant)
            # LibreOffice 7.4 escapes title, subject and author twice in XMP ("Atea &amp;amp; Dell"),
            # while Info holds them right: XMP takes them from Info, so both say the same text.
            for info, key in ((Name.Title, "dc:title"), (Name.Subject, "dc:description")):
                if info in pdf.docinfo:
                    xmp[key] = str(pdf.docinfo[info])
            if Name.Author in pdf.docinfo:
                xmp["dc:creator"] = [str(pdf.docinfo[Name.Author])]
    except etree.XMLSyntaxError as exc:
        raise _Unfit(f"XMP-metadata kan inte tolkas ({exc})") from None


def _stamp_icc_profiles(pdf: pikepdf.Pdf, instant: dt.datetime) -> None:
    """Date every output intent's ICC profile ``instant``; there must be one."""
    intents = pdf.Root.get(Name.OutputIntents)
    if isinstance(intents, pikepdf.Dictionary):
        intents = [intents]
    profiles = [intent.get(Name.DestOutputProfile) for intent in intents or []
                if isinstance(intent, pikepdf.Dictionary)]
    profiles = [profile for profile in profiles if isinstance(profile, pikepdf.Stream)]
    if not profiles:
        raise _Unfit("OutputIntents med ICC-profil saknas")
    for profile in profiles:
        profile.write(_stamp_icc_profile(profile.read_bytes(), instant), filter=Name.FlateDecode)


def _stamp_icc_profile(profile: bytes, instant: dt.datetime) -> bytes:
    """The ICC profile dated ``instant`` (header bytes 24-35), Flate-compressed.

    LibreOffice generates its sRGB profile on every export, dated now. A
    profile ID (MD5, header bytes 84-99, ICC v4) covers the date: a non-zero
    one is computed anew.
    """
    if len(profile) < _ICC_HEADER or profile[36:40] != b"acsp":
        raise _Unfit("ICC-profilen i OutputIntents är ogiltig")
    changed = bytearray(profile)
    changed[24:36] = struct.pack(">6H", instant.year, instant.month, instant.day,
                                 instant.hour, instant.minute, instant.second)
    if any(changed[84:100]):
        # ICC.1:2010 7.2.18: the MD5 of the profile with flags, rendering intent and ID zeroed.
        zeroed = bytearray(changed)
        zeroed[44:48] = zeroed[64:68] = bytes(4)
        zeroed[84:100] = bytes(16)
        changed[84:100] = hashlib.md5(zeroed, usedforsecurity=False).digest()
    return zlib.compress(bytes(changed), 9)
