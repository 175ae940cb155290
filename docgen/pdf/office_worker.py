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

With ``"parts": {"count": 5, "start": "docgen_del_{n}", "end": "docgen_slut_{n}",
"marker": "‹docgen-sidor-{n}›"}`` the document is several members' documents
joined (:mod:`docgen.documents.joined`): the worker writes each part's page
count over its marker and replies with each part's pages in the PDF,
``"parts": [[0, 0], [1, 2], …]``.

The worker never outlives docgen. It ends LibreOffice and exits when its
stdin closes (docgen stopped it, or died), and also when docgen dies while it
is starting LibreOffice or waiting on a conversion that never returns: the
kernel sends it SIGTERM when its parent goes (``PR_SET_PDEATHSIG``), a watch
thread sees the signal even while the main thread is stuck in a UNO call, and
it then kills every process it started and reaps them (it is their
"subreaper", so LibreOffice's own children come back to it too). docgen stops
a worker that hangs the same way: SIGTERM first, then SIGKILL to its group.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

START_TIMEOUT = 60.0
CRASHED = 70
"""Exit status when LibreOffice died under a conversion: docgen then starts a fresh worker."""

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _prctl():
    """Linux's prctl(2), or None elsewhere; looked up once, before any fork."""
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(None, use_errno=True).prctl
    return None


PRCTL = _prctl()


def die_with_parent() -> None:
    """SIGTERM to this process when the thread that started it ends (``preexec_fn`` of LibreOffice)."""
    if PRCTL is not None:
        PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def descendants() -> list[int]:
    """Every process below this one (read from /proc), parents before their children."""
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="utf-8", errors="replace") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # ended while we looked
            children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [os.getpid()]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def end_descendants(seconds: float = 3.0) -> None:
    """Kill every process this worker started (LibreOffice and its children) and reap them."""
    for _round in range(3):  # a process may fork while we look
        pids = descendants()
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # none left, not even a zombie
        if pid == 0:
            time.sleep(0.02)


class Lifeline:
    """Ties the worker to docgen: when docgen goes, or sends SIGTERM, LibreOffice goes with the worker."""

    def __init__(self) -> None:
        self.parent = os.getppid()
        self.lock = threading.Lock()
        if PRCTL is not None:
            PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
            # LibreOffice's processes whose parent dies are reparented to us, so we can reap them.
            PRCTL(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        # The Python-level handler runs only when the main thread returns to Python, which a
        # hung UNO call never does; the wakeup fd lets the watch thread act at once instead.
        self.wakeup, notify = os.pipe()
        os.set_blocking(notify, False)
        signal.set_wakeup_fd(notify, warn_on_full_buffer=False)
        # The handler itself does nothing: it only makes Python write the signal to the wakeup fd.
        # Doing the work in the handler let a second SIGTERM re-enter it and deadlock on the lock.
        signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
        threading.Thread(target=self._watch, name="lifeline", daemon=True).start()
        if os.getppid() != self.parent:  # docgen died before the death signal was set
            self.abandon()

    def _watch(self) -> None:
        while True:
            ready, _, _ = select.select([self.wakeup], [], [], 0.5)
            if ready and signal.SIGTERM in os.read(self.wakeup, 64):
                self.abandon()
            if os.getppid() != self.parent:  # docgen is gone (also where there is no prctl)
                self.abandon()

    def abandon(self) -> None:
        """Kill and reap everything this worker started, then exit at once."""
        if not self.lock.acquire(blocking=False):
            return  # already under way elsewhere; that caller ends the process
        end_descendants()
        # Last, the whole process group, this worker included: LibreOffice's launcher (oosplash) can be
        # forking soffice.bin right now, after the look at our descendants; it stays in our group.
        os.killpg(os.getpgrp(), signal.SIGKILL)


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
        # LibreOffice's complaints go to the worker's stderr, whose last line docgen reports.
        # oosplash ends soffice.bin on SIGTERM: so it gets one if the worker dies (even by SIGKILL).
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, preexec_fn=die_with_parent)
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


def part_pages(doc, spec: dict) -> list[list[int]]:
    """Pages (from 0, in the PDF) of each part of a joined document; each part's page count over its marker.

    Parts lie between the bookmarks ``start`` and ``end`` (``{n}`` their number from 1). The page
    numbers LibreOffice reports count the blank pages it inserts where a part's page numbers start
    again at 1 on an even page; the export leaves those out (IsSkipEmptyPages), so a part's pages in
    the PDF follow the previous part's directly.
    """
    marks = doc.getBookmarks()
    cursor = doc.getCurrentController().getViewCursor()

    def page(name: str) -> int:
        cursor.gotoRange(marks.getByName(name).getAnchor(), False)
        return cursor.getPage()

    ranges, at = [], 0
    for number in range(1, spec["count"] + 1):
        count = page(spec["end"].format(n=number)) - page(spec["start"].format(n=number)) + 1
        replace = doc.createReplaceDescriptor()
        replace.SearchString = spec["marker"].format(n=number)
        replace.ReplaceString = str(count)
        doc.replaceAll(replace)
        ranges.append([at, at + count - 1])
        at += count
    return ranges


def convert(desktop, request: dict) -> dict:
    url = uno.systemPathToFileUrl(request["docx"])
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        raise RuntimeError("kunde inte öppna dokumentet")
    try:
        pages = fill_pages(doc, request["pages"]) if request.get("pages") else None
        parts = part_pages(doc, request["parts"]) if request.get("parts") else None
        options = tuple(prop(k, v) for k, v in request["options"].items())
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", options)
        doc.storeToURL(uno.systemPathToFileUrl(request["pdf"]),
                       (prop("FilterName", "writer_pdf_Export"), prop("FilterData", filter_data)))
    finally:
        doc.close(True)
    return {"ok": True, "pages": {str(k): v for k, v in pages.items()} if pages is not None else None,
            "parts": parts}


def office_died(process: subprocess.Popen, exc: Exception) -> bool:
    """Whether ``exc`` means LibreOffice itself is gone (a crash), not that one document failed."""
    if type(exc).__name__.endswith("DisposedException"):  # the UNO bridge lost LibreOffice mid-call
        return True
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=0.5)
    return process.returncode is not None


def main() -> int:
    soffice, profile_url = sys.argv[1], sys.argv[2]
    Lifeline()
    try:
        return serve(soffice, profile_url)
    finally:
        # On every way out (docgen gone mid-start, a broken pipe, an error): nothing of LibreOffice stays.
        end_descendants()


def serve(soffice: str, profile_url: str) -> int:
    process, desktop = start_office(soffice, profile_url)
    try:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            try:
                reply = convert(desktop, request)
            except Exception as exc:  # reported to the caller, which names the document
                if office_died(process, exc):
                    # No use answering: docgen starts a fresh worker and tries the document again.
                    print(f"LibreOffice avslutades under arbetet: {type(exc).__name__}: {exc}",
                          file=sys.stderr, flush=True)
                    return CRASHED
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(reply, ensure_ascii=False), flush=True)
    finally:
        with contextlib.suppress(Exception):  # it may be gone already; we only want it gone
            desktop.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        end_descendants()  # whatever of LibreOffice did not end by itself
    return 0


if __name__ == "__main__":
    sys.exit(main())
