"""DOCX to PDF through LibreOffice headless: one soffice process per batch.

Starting LibreOffice costs seconds; converting a document costs a fraction
of that. So every document of a build goes to one ``soffice --convert-to``
call, with a profile directory of its own (``-env:UserInstallation``) so
that a LibreOffice the secretary has open is never touched and two builds
never share a profile.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from docgen.errors import ToolError

PDF_OPTIONS = {
    # PDF/A-2b for the archive, tagged and marked PDF/UA for the anslagstavla
    # (lag 2018:1937); LibreOffice 7.4+ reads these as JSON filter options.
    "SelectPdfVersion": {"type": "long", "value": "2"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "PDFUACompliance": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},
}

TIMEOUT_SECONDS = 900

INSTALL_HINT = ("LibreOffice saknas. Kör `make packages` (installerar det), eller som root: "
                "apt-get update && apt-get install -y libreoffice-writer-nogui fonts-liberation2")


def soffice() -> str:
    """The soffice executable, or a Swedish error saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ToolError(INSTALL_HINT)
    return found


def to_pdf(documents: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Convert ``documents`` to PDF in ``outdir`` with one LibreOffice process.

    Returns the PDFs in the same order. Names must be unique by stem, since
    LibreOffice names each PDF after its source.
    """
    if not documents:
        return []
    stems = [d.stem for d in documents]
    if len(set(stems)) != len(stems):
        raise ValueError("documents in one batch must have unique names")
    outdir.mkdir(parents=True, exist_ok=True)
    profile.mkdir(parents=True, exist_ok=True)
    command = [
        soffice(), f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
        "--convert-to", "pdf:writer_pdf_Export:" + json.dumps(PDF_OPTIONS, separators=(",", ":")),
        "--outdir", str(outdir), *(str(d) for d in documents),
    ]
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                env=env, check=False)
    except subprocess.TimeoutExpired:
        raise ToolError(f"LibreOffice svarade inte inom {TIMEOUT_SECONDS} s") from None
    pdfs = [outdir / f"{d.stem}.pdf" for d in documents]
    missing = [d.name for d, pdf in zip(documents, pdfs) if not pdf.is_file() or pdf.stat().st_size == 0]
    if result.returncode != 0 or missing:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ToolError("LibreOffice kunde inte göra PDF av "
                        + (", ".join(missing) or "dokumenten")
                        + (f" (slutkod {result.returncode})" if result.returncode else "")
                        + (": " + " / ".join(detail) if detail else ""))
    return pdfs
