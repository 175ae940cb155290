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

from docgen.files import write_atomically

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip entry can carry; the same for every build."""


def write_docx(path: Path, data: bytes | None = None, parts: dict[str, bytes] | None = None) -> None:
    """Write the DOCX zip (``data``, or the file itself) with fixed entry times and order.

    ``parts`` replace the parts of the same name. ``[Content_Types].xml`` comes
    first, as Word itself writes it.
    """
    with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as source:
        entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    entries.update(parts or {})
    names = sorted(entries, key=lambda name: (name != "[Content_Types].xml", name))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compresslevel=6)
    write_atomically(path, buffer.getvalue())
