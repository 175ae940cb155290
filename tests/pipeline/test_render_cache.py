"""The cache of filled-in templates: an edit fills in only what shows it, and changes no byte of the result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docgen.pipeline import run as pipeline
from docgen.pipeline.run import build
from support import SEED_MEETING, snapshot

pytestmark = pytest.mark.libreoffice

SLUG = "2026-03-26-direktionen"


def _edited_meeting(folder: Path) -> Path:
    shutil.copytree(SEED_MEETING.parent, folder)
    meeting = folder / SEED_MEETING.name
    text = meeting.read_text(encoding="utf-8")
    edited = text.replace("föredrar ärendet.", "föredrar ärendet kort.", 1)
    assert edited != text
    meeting.write_text(edited, encoding="utf-8")
    return meeting


def test_an_edit_to_a_description_fills_in_only_the_protocol_and_that_extract_again(out, tmp_path, monkeypatch):
    meeting = _edited_meeting(tmp_path / "beslut")
    filled: list[str] = []
    real = pipeline.render_docx
    monkeypatch.setattr(pipeline, "render_docx", lambda doc, *a, **k: (filled.append(doc.key), real(doc, *a, **k)))
    # The seed's § 18 description says who "föredrar ärendet"; letters and proposals do not show it.
    cached = build(meeting, out)
    assert sorted(filled) == ["protokoll", "utdrag-18"]

    monkeypatch.setattr(pipeline, "render_docx", real)
    fresh = build(meeting, tmp_path / "ny", use_cache=False)
    assert snapshot(cached.folder) == snapshot(fresh.folder)


def test_a_damaged_cached_docx_is_filled_in_again(out, tmp_path):
    for entry in (out / ".cache" / SLUG).glob("*.docx"):
        entry.write_bytes(b"trasig")
    before = snapshot(out / SLUG)
    result = build(SEED_MEETING, out, use_cache=True)
    assert snapshot(result.folder) == before
