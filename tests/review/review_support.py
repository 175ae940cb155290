"""Shared by the review page's tests: the seed built with the page, and the system browser.

Plain functions (a second conftest.py would clash with tests/conftest.py); each test module
wraps them in its fixtures.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import pytest

from support import ROOT, SEED_MEETING

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="Debians chromium saknas (/usr/bin/chromium): kör make test som root")


def build_reviewed(built_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed built with the review page, from the PDF cache of ``built_out`` (no LibreOffice)."""
    from docgen.pipeline.run import build
    from docgen.review.page import write_review

    out = tmp_path_factory.mktemp("granskad") / "out"
    shutil.copytree(built_out / ".cache", out / ".cache")
    result = build(SEED_MEETING, out, addition=write_review)
    assert result.conversions == 0
    return result.folder


@contextlib.contextmanager
def chromium():
    """Debian's chromium through Playwright (never a downloaded browser), with a fresh profile."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="docgen-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1366, "height": 768}, locale="sv-SE")
        try:
            yield context
        finally:
            context.close()
