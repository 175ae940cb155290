"""Same input, same bytes: fixed timestamps in DOCX zips and LibreOffice's PDFs.

A checksum then proves what was sent. LibreOffice stamps each PDF with the
current time (Info /CreationDate, XMP xmp:CreateDate) and a random /ID; we
overwrite those in place with values of the same length, so the
cross-reference offsets stay valid, and derive the /ID from the content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

_PDF_DATE = re.compile(rb"/CreationDate\(D:(\d{14})")
_PDF_MOD_DATE = re.compile(rb"/ModDate\(D:(\d{14})")
_XMP_DATE = re.compile(rb"<xmp:(?:CreateDate|ModifyDate|MetadataDate)>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)")
_DOC_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]{32})")
_ICC_STREAM = re.compile(rb"(\d+) 0 obj\n<</N 3/Length (\d+) 0 R/Filter/FlateDecode>>\nstream\n")
_PDF_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]")


def source_date(default: dt.datetime) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` if set (reproducible-builds.org), else ``default`` (taken as UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return default.replace(tzinfo=None)


def normalise_pdf(path: Path, stamp: dt.datetime) -> None:
    """Replace LibreOffice's creation time and random /ID with ``stamp`` and a content digest."""
    data = _stamp_icc_profile(path.read_bytes(), stamp)
    digits = stamp.strftime("%Y%m%d%H%M%S").encode()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%S").encode()
    # LibreOffice 7.4 writes "D:20260326100000Z'", which strict readers refuse; "Z) " keeps the length.
    data = _PDF_DATE.sub(lambda m: m.group(0).replace(m.group(1), digits), data).replace(b"Z')", b"Z) ")
    data = _PDF_MOD_DATE.sub(lambda m: m.group(0).replace(m.group(1), digits), data)
    data = _XMP_DATE.sub(lambda m: m.group(0).replace(m.group(1), iso), data)
    blank = _PDF_ID.sub(lambda m: m.group(0).replace(m.group(1), b"0" * 32).replace(m.group(2), b"0" * 32),
                        data)
    blank = _DOC_CHECKSUM.sub(lambda m: m.group(0).replace(m.group(1), b"0" * 32), blank)
    digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
    data = _PDF_ID.sub(lambda m: m.group(0).replace(m.group(1), digest).replace(m.group(2), digest), blank)
    data = _DOC_CHECKSUM.sub(lambda m: m.group(0).replace(m.group(1), digest), data)
    path.write_bytes(data)


def _stamp_icc_profile(data: bytes, stamp: dt.datetime) -> bytes:
    """Set the creation time in the header of the output intent's ICC profile.

    LibreOffice generates the sRGB profile on every export, dated now (ICC
    header bytes 24–35). The stream is recompressed, so its length changes:
    the /Length object and every later cross-reference offset move with it.
    """
    match = _ICC_STREAM.search(data)
    if match is None:
        return data
    start = match.end()
    end = data.index(b"\nendstream", start)
    profile = bytearray(zlib.decompress(data[start:end]))
    if len(profile) < 128 or profile[36:40] != b"acsp":
        return data
    profile[24:36] = struct.pack(">6H", stamp.year, stamp.month, stamp.day,
                                 stamp.hour, stamp.minute, stamp.second)
    stream = zlib.compress(bytes(profile), 9)
    edits = [(start, end, stream)]
    length = re.search(rb"\n%d 0 obj\n(\d+)\nendobj" % int(match.group(2)), data)
    if length is None:
        return data
    edits.append((length.start(1), length.end(1), str(len(stream)).encode()))
    return _splice(data, edits)


def _splice(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply byte replacements and move the classic xref table's offsets to match."""
    edits.sort()
    shifts: list[tuple[int, int]] = []
    out, last, delta = bytearray(), 0, 0
    for begin, finish, replacement in edits:
        out += data[last:begin] + replacement
        last = finish
        delta += len(replacement) - (finish - begin)
        shifts.append((finish, delta))
    out += data[last:]

    def moved(offset: int) -> int:
        return offset + next((d for pos, d in reversed(shifts) if offset >= pos), 0)

    text = bytes(out)
    xref = text.rindex(b"\nxref\n") + 1
    head = re.compile(rb"xref\n(\d+) (\d+)\n").match(text, xref)
    if head is None:
        raise ValueError("no classic xref table")
    entries = bytearray(text[head.end():head.end() + 20 * int(head.group(2))])
    for i in range(0, len(entries), 20):
        if entries[i + 17:i + 18] == b"n":
            entries[i:i + 10] = b"%010d" % moved(int(entries[i:i + 10]))
    text = text[:head.end()] + bytes(entries) + text[head.end() + len(entries):]
    startxref = re.compile(rb"startxref\n(\d+)").search(text, xref)
    if startxref is None:
        raise ValueError("no startxref")
    return text[:startxref.start(1)] + str(xref).encode() + text[startxref.end(1):]


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip entry can carry; the same for every build."""


def normalise_docx(path: Path, data: bytes | None = None) -> None:
    """Write the DOCX zip (``data``, or the file) with fixed entry times and order ([Content_Types].xml first)."""
    with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as source:
        entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    names = sorted(entries, key=lambda name: (name != "[Content_Types].xml", name))
    temporary = path.with_suffix(".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compresslevel=6)
    os.replace(temporary, path)
