"""Writing a DOCX so that the same content gives the same bytes, atomically.

python-docx and docxtpl stamp every zip entry with the current time and
keep the template's entry order; fixed times and a fixed order make a
checksum prove what was sent. The file is written to a temporary name in
the same folder, flushed to disk and renamed, so a crash never leaves half
a document under the final name.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx.opc.package import OpcPackage as Package
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter

from docgen.files import write_atomically

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip entry can carry; the same for every build."""


FAST = 1
"""zlib level for the documents a build writes: one pass, about a third of level 6's time, files a little larger."""


def write_docx(path: Path, data: bytes | None = None, parts: dict[str, bytes] | None = None,
               level: int = 6) -> None:
    """Write the DOCX zip (``data``, or the file itself) with fixed entry times and order.

    ``parts`` replace the parts of the same name. ``[Content_Types].xml`` comes
    first, as Word itself writes it.
    """
    with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as source:
        entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    entries.update(parts or {})
    write_entries(path, entries, level)


def package_entries(package: Package) -> dict[str, bytes]:
    """The zip entries python-docx would write for ``package``, without zipping them.

    python-docx's own save zips the package, only for :func:`write_entries` to read it back and zip
    it again with fixed times; this takes its serialised parts (python-docx's ``PackageWriter`` steps) instead.
    """
    entries: dict[str, bytes] = {}

    class _Collector:
        @staticmethod
        def write(uri: PackURI, blob: bytes) -> None:
            entries[uri.membername] = blob

    for part in package.parts:
        part.before_marshal()
    PackageWriter._write_content_types_stream(_Collector, package.parts)
    PackageWriter._write_pkg_rels(_Collector, package.rels)
    PackageWriter._write_parts(_Collector, package.parts)
    return entries


def write_entries(path: Path, entries: dict[str, bytes], level: int = FAST) -> None:
    """Zip ``entries`` (name → bytes) into the DOCX at ``path``: fixed times, fixed order, atomically."""
    names = sorted(entries, key=lambda name: (name != "[Content_Types].xml", name))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compresslevel=level)
    write_atomically(path, buffer.getvalue())
