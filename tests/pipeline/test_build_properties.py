"""Any text, the whole way to PDF: check and build agree, and every PDF passes docgen verify.

The input suite (tests/input/test_input_properties.py) runs the hypothesis
profile's examples through loading and the Word documents; this one takes a
fiftieth of them, because each goes through LibreOffice (kept warm across
examples), the member packages and ``docgen verify``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from docgen.documents.contract import load_and_check
from docgen.errors import InputError
from docgen.pdf import office
from docgen.pdf.verify import check_pdf
from docgen.pipeline.run import build
from support import SEED_MEETING, examples_through_libreoffice

MEETING = SEED_MEETING.name
SEED = {name: (SEED_MEETING.parent / name).read_text(encoding="utf-8") for name in (MEETING, "forbund.yaml")}
HEADING_18 = "    rubrik: Utökning av borgen"
EXTRACT_18 = "utdrag/protokollsutdrag-2026-03-26-direktionen-paragraf-18.pdf"

pytestmark = pytest.mark.libreoffice

TEXTS = st.text(st.one_of(st.characters(exclude_categories=("Cs",)),
                          st.sampled_from("&<>\"'\\{}%#\v\x1b\u202e\u00a0§–")), min_size=1, max_size=40)


@pytest.fixture(scope="module")
def warm_office():
    with office.Office(office.profile_root(), eager=True) as pool:
        yield pool


@settings(max_examples=examples_through_libreoffice())
@given(heading=TEXTS)
def test_check_and_build_agree_and_every_pdf_verifies(warm_office, heading: str):
    with tempfile.TemporaryDirectory(prefix="docgen-bygge-") as folder:
        root = Path(folder)
        (root / "forbund.yaml").write_text(SEED["forbund.yaml"], encoding="utf-8")
        # A JSON string is a YAML double-quoted scalar: every character arrives as written.
        meeting_text = SEED[MEETING].replace(HEADING_18, f"    rubrik: {json.dumps(heading)}", 1)
        (root / MEETING).write_text(meeting_text, encoding="utf-8")
        try:
            load_and_check(root / MEETING)
            checked = None
        except InputError as exc:
            checked = str(exc)
        try:
            result = build(root / MEETING, root / "out", office=warm_office)
        except InputError as exc:
            assert checked == str(exc)  # refused by build exactly as by check
            return
        assert checked is None, checked
        for path in result.files:
            if path.suffix == ".docx":
                Document(str(path))
            elif path.suffix == ".pdf":
                report = check_pdf(path)
                assert report.ok, (path.name, [c for c in report.checks if not c.ok])
        subject = PdfReader(result.folder / EXTRACT_18).metadata["/Subject"]
        assert subject == f"§\u00a018 {heading.replace(chr(11), chr(10)).strip()}"
