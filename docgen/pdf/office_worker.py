"""A long-lived LibreOffice that converts DOCX to PDF on request (runs under the system Python).

LibreOffice's Python bridge (Debian's python3-uno) only exists for the
system interpreter, not for the project's venv, so this file uses nothing
but the standard library and ``uno``; :mod:`docgen.pdf.office` starts it as a
subprocess and talks to it in JSON lines on stdin/stdout:

    → {"docx": "/abs/a.docx", "pdf": "/abs/a.pdf", "options": {...}, "pages": null}
    ← {"ok": true, "pages": null}

With ``"pages": {"single": "{first}", "range": "{first}–{last}", "pattern": "^§\\s*(\\d+)$",
"marker": "‹{n}›"}`` the worker also reads on which page each heading
matching ``pattern`` starts, writes each §'s page range into the table
cells that hold ``marker`` (the protocol's ärendelista), lays out again
and only then exports: the protocol needs one load, not two conversions.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

START_TIMEOUT = 60.0


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start_office(soffice: str, profile_url: str) -> tuple[subprocess.Popen, object]:
    pipe = f"docgen{os.getpid()}"
    process = subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile_url}", "--headless", "--invisible", "--nologo",
         "--norestore", "--nolockcheck", "--nodefault",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("LibreOffice startade inte") from None
            time.sleep(0.05)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    return process, desktop


def heading_pages(doc, pattern: re.Pattern) -> tuple[dict[int, int], int]:
    """Page on which each matching level-1 heading starts, and the page count.

    One regex search in LibreOffice finds the candidates; walking every
    paragraph from Python would cross the UNO bridge hundreds of times.
    """
    cursor = doc.getCurrentController().getViewCursor()
    search = doc.createSearchDescriptor()
    search.SearchString = "^§[ \\u00A0]*[0-9]+$"
    search.SearchRegularExpression = True
    found = doc.findAll(search)
    starts: dict[int, int] = {}
    for index in range(found.getCount()):
        text_range = found.getByIndex(index)
        match = pattern.match(text_range.getString().replace("\u00a0", " ").strip())
        if match and text_range.getPropertyValue("OutlineLevel") == 1:
            cursor.gotoRange(text_range.getStart(), False)
            starts[int(match.group(1))] = cursor.getPage()
    cursor.jumpToLastPage()
    return starts, cursor.getPage()


def page_texts(starts: dict[int, int], total: int, spec: dict) -> dict[int, str]:
    ordered = sorted(starts.items(), key=lambda pair: pair[1])
    texts = {}
    for index, (number, first) in enumerate(ordered):
        last = ordered[index + 1][1] - 1 if index + 1 < len(ordered) else total
        last = max(first, last)
        template = spec["single"] if first == last else spec["range"]
        texts[number] = template.format(first=first, last=last)
    return texts


def marked_cells(doc, marker: str) -> dict[int, object]:
    """The table cells holding the page-range marker of each §."""
    pattern = re.compile("^" + re.escape(marker).replace(re.escape("{n}"), r"(\d+)") + "$")
    cells = {}
    tables = doc.getTextTables()
    for t in range(tables.getCount()):
        table = tables.getByIndex(t)
        for name in table.getCellNames():
            cell = table.getCellByName(name)
            match = pattern.match(cell.getString().strip())
            if match:
                cells[int(match.group(1))] = cell
    return cells


def fill_pages(doc, spec: dict) -> dict[int, str]:
    pattern = re.compile(spec["pattern"])
    cells = marked_cells(doc, spec["marker"])
    texts: dict[int, str] = {}
    for _attempt in range(3):
        starts, total = heading_pages(doc, pattern)
        new = page_texts(starts, total, spec)
        if new == texts:
            break
        texts = new
        for number, cell in cells.items():
            cell.setString(texts.get(number, ""))
    return texts


def convert(desktop, request: dict) -> dict:
    url = uno.systemPathToFileUrl(request["docx"])
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        raise RuntimeError("kunde inte öppna dokumentet")
    try:
        pages = fill_pages(doc, request["pages"]) if request.get("pages") else None
        options = tuple(prop(k, v) for k, v in request["options"].items())
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", options)
        doc.storeToURL(uno.systemPathToFileUrl(request["pdf"]),
                       (prop("FilterName", "writer_pdf_Export"), prop("FilterData", filter_data)))
    finally:
        doc.close(True)
    return {"ok": True, "pages": {str(k): v for k, v in pages.items()} if pages is not None else None}


def main() -> int:
    soffice, profile_url = sys.argv[1], sys.argv[2]
    process, desktop = start_office(soffice, profile_url)
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                reply = convert(desktop, request)
            except Exception as exc:  # reported to the caller, which names the document
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(reply, ensure_ascii=False), flush=True)
    finally:
        with contextlib.suppress(Exception):  # it may be gone already; we only want it gone
            desktop.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
