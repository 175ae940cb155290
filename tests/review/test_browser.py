"""The review page in a real browser: Debian's chromium driven by Playwright, checked by axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
import review_support
from review_support import AXE, needs_chromium

from support import MEMBERS

pytestmark = [pytest.mark.libreoffice, needs_chromium]


@pytest.fixture(scope="module")
def reviewed(built_out: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return review_support.build_reviewed(built_out, tmp_path_factory)


@pytest.fixture(scope="module")
def browser():
    with review_support.chromium() as context:
        yield context


def _open(browser, url: str):
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"{request.url}: {request.failure}"))
    page.goto(url, wait_until="load")
    return page, problems


def test_five_member_sections_with_loaded_thumbnails_and_no_console_errors(browser, reviewed: Path):
    page, problems = _open(browser, (reviewed / "granskning" / "index.html").as_uri())
    try:
        sections = page.locator("section.medlem")
        assert sections.count() == 5
        for member in MEMBERS:
            images = page.locator(f"#medlem-{member} img")
            assert images.count() >= 4
            loaded = images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth > 0 && i.alt !== '')")
            assert loaded == [True] * images.count(), member
        assert page.evaluate("document.documentElement.lang") == "sv"
        assert problems == []
    finally:
        page.close()


def test_axe_core_finds_no_violations(browser, reviewed: Path):
    if not AXE.is_file():
        pytest.fail(f"{AXE} saknas: kör make browser-test-deps (npm ci)")
    page, problems = _open(browser, (reviewed / "granskning" / "index.html").as_uri())
    try:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert violations == []
        assert result["passes"], "axe ran no checks at all"
        assert problems == []
    finally:
        page.close()


def test_keyboard_reaches_the_skip_link_first_and_every_document_link(browser, reviewed: Path):
    page, _problems = _open(browser, (reviewed / "granskning" / "index.html").as_uri())
    try:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
        assert page.evaluate("getComputedStyle(document.activeElement).position") == "static"  # visible when focused
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "innehall"
        # Every picture is inside a link, so it is reachable with Tab and opens its PDF with Enter.
        unlinked = page.evaluate("[...document.images].filter(i => !i.closest('a[href]')).length")
        assert unlinked == 0
    finally:
        page.close()


def test_printing_leaves_out_navigation_and_keeps_the_thumbnails(browser, reviewed: Path):
    page, _problems = _open(browser, (reviewed / "granskning" / "index.html").as_uri())
    try:
        page.emulate_media(media="print")
        assert page.locator("nav").is_hidden()
        assert page.evaluate("document.querySelector('#medlem-ydre img').getBoundingClientRect().width") == 110
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        page.close()
