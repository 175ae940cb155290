"""LibreOffice failing: a Swedish error naming the problem, and the meeting's folder left as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docgen.errors import ToolError
from docgen.pipeline.outfolder import staging_prefix
from docgen.pipeline.run import build
from support import SEED_MEETING, list_as_built, snapshot


@pytest.mark.parametrize(("script", "message"), [
    ("echo 'Traceback: ModuleNotFoundError: No module named '\"'uno'\" >&2; exit 1", "python3-uno"),
    ("echo 'RuntimeError: LibreOffice startade inte' >&2; exit 1", "LibreOffice avslutades oväntat"),
    ('echo \'{"ready": true}\'; read line; echo \'{"ok": false, "error": "trasig"}\'',
     "LibreOffice kunde inte göra PDF av"),
])
def test_a_failing_worker_is_reported_and_nothing_is_lost(tmp_path: Path, monkeypatch, script, message):
    fake = tmp_path / "python3"
    fake.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    os.chmod(fake, 0o755)
    monkeypatch.setenv("DOCGEN_UNO_PYTHON", str(fake))
    out = tmp_path / "out"
    earlier = out / "2026-03-26-direktionen" / "protokoll"
    earlier.mkdir(parents=True)
    (earlier / "protokoll-2026-03-26-direktionen.pdf").write_bytes(b"%PDF earlier build")
    # Listed in the earlier build's manifest: docgen made it, so it may replace it (docgen.pipeline.outfolder).
    list_as_built(out / "2026-03-26-direktionen", earlier / "protokoll-2026-03-26-direktionen.pdf")
    before = snapshot(out / "2026-03-26-direktionen")

    with pytest.raises(ToolError, match=message):
        build(SEED_MEETING, out)

    assert snapshot(out / "2026-03-26-direktionen") == before
    assert [p.name for p in out.iterdir() if p.name.startswith(staging_prefix("2026-03-26-direktionen"))] == []
