"""Planned documents made outside a build: filled in, converted and normalised into one folder.

``docgen remind`` makes its letters so, with the same template contract,
renderer, LibreOffice and normaliser as a build; it has no packages, cache
or staging folder to keep, since each letter is new on the day it is made.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from docgen.documents.contract import check_styles
from docgen.documents.plan import PlannedDocument
from docgen.documents.render import render_docx
from docgen.documents.templates import Templates
from docgen.errors import ToolError
from docgen.model.case import Case


def source_date(default: dt.datetime) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` if set (reproducible-builds.org), else ``default`` (taken as UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return default.replace(tzinfo=None)


def produce(case: Case, documents: list[PlannedDocument], folder: Path, stamp: dt.datetime) -> dict[str, Path]:
    """Each of ``documents`` as ``<name>.docx`` and ``<name>.pdf`` in ``folder``; the PDFs by document key."""
    from docgen.pdf import normalise
    from docgen.pdf import office as convert

    templates = Templates(case.templates_folder)
    check_styles(documents, templates)
    folder.mkdir(parents=True, exist_ok=True)
    made = {document.key: folder / f"{document.name}.docx" for document in documents}
    for document in documents:
        render_docx(document, case, made[document.key], templates, timestamp=stamp)
    with convert.Office(convert.profile_root()) as office:
        futures = {key: office.submit(docx, docx.with_suffix(".pdf")) for key, docx in made.items()}
        for key, future in futures.items():
            try:
                future.result(timeout=convert.REPLY_TIMEOUT)
            except TimeoutError:
                raise ToolError(f"LibreOffice svarade inte inom {convert.REPLY_TIMEOUT:.0f} s "
                                f"för {made[key].name}") from None
    pdfs = {key: docx.with_suffix(".pdf") for key, docx in made.items()}
    for pdf in pdfs.values():
        normalise.normalise_pdf(pdf, stamp)
    return pdfs
