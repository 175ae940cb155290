"""``docgen serve``: the review page on 127.0.0.1, rebuilt on every save of the YAML or a template.

The main thread watches the files (watchfiles) and builds; LibreOffice is
kept warm between builds (one :class:`~docgen.pdf.office.Office` for the
whole session). A stdlib HTTP server in a thread serves the meeting folder;
the page asks ``/_docgen/tillstand.json`` a few times a second and reloads
when a build has finished. When the input is wrong the page shows the error
with file and line instead of the previous documents. Ctrl-C or SIGTERM
ends the watcher, the server and every LibreOffice it started.
"""

from __future__ import annotations

import errno
import json
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from docgen.errors import DocgenError, InputError
from docgen.review import templating
from docgen.review.changes import REVIEW_FOLDER
from docgen.review.page import PAGE

STATE = "/_docgen/tillstand.json"
WATCHED_SUFFIXES = {".yaml", ".yml", ".docx", ".pdf"}
"""The YAML, templates and underlag files; editors' lock and backup files are ignored."""
QUIET_MS = 40
"""A save is taken once no further change came for this long (editors write in several steps)."""


@dataclass
class State:
    """What the server shows; changed only under :attr:`lock`."""

    folder: Path | None = None
    """The meeting folder of the last good build."""
    error: str | None = None
    """The last build's error message (shown instead of the documents), None: it succeeded."""
    build: int = 0
    """Counts finished builds, good or failed: the page reloads when it changes."""
    building: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> tuple[Path | None, str | None, int, bool]:
        with self.lock:
            return self.folder, self.error, self.build, self.building


class _Handler(SimpleHTTPRequestHandler):
    state: State

    def __init__(self, *args, state: State, **kwargs) -> None:
        self.state = state
        folder = state.snapshot()[0]
        super().__init__(*args, directory=str(folder) if folder else "/nonexistent-docgen", **kwargs)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        folder, error, build, building = self.state.snapshot()
        if path == STATE:
            self._reply(200, "application/json", json.dumps(
                {"bygge": build, "bygger": building, "fel": error}, ensure_ascii=False).encode())
        elif path in ("/", "/index.html"):
            self.send_response(302)
            self.send_header("Location", f"/{REVIEW_FOLDER}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path in (f"/{REVIEW_FOLDER}/", f"/{PAGE}"):
            if error is not None:
                self._reply(200, "text/html; charset=utf-8", error_page(error, build).encode())
            elif folder is None or not (folder / PAGE).is_file():
                self._reply(200, "text/html; charset=utf-8", waiting_page(build).encode())
            else:
                page = (folder / PAGE).read_text(encoding="utf-8")
                self._reply(200, "text/html; charset=utf-8", mark_build(page, build).encode())
        elif folder is None:
            self.send_error(404, "Inget bygge ännu")
        else:
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        self.send_error(405)

    def _reply(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *_args: object) -> None:  # the secretary's terminal shows builds, not requests
        pass


def mark_build(page: str, build: int) -> str:
    """The page as served: its ``<html>`` carries the build number the page's script compares."""
    return page.replace('<html lang="sv">', f'<html lang="sv" data-bygge="{build}">', 1)


def error_page(message: str, build: int) -> str:
    return templating.render("serve.html.j2", title="Fel i indata – docgen serve", message=message, build=build)


def waiting_page(build: int) -> str:
    return templating.render("serve.html.j2", title="Bygger – docgen serve", build=build)


class ReviewServer:
    """The HTTP server in a thread of its own."""

    def __init__(self, port: int, state: State) -> None:
        self.state = state
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, state=state))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       name="docgen-serve-http", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/{REVIEW_FOLDER}/"

    def __enter__(self) -> ReviewServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


Say = Callable[[str], None]


def serve(meeting_file: Path, out_root: Path, port: int, say: Say) -> None:
    """Serve the review page of ``meeting_file`` until interrupted (Ctrl-C, SIGTERM)."""
    import watchfiles

    state = State()
    try:
        server = ReviewServer(port, state)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortTaken(f"Porten {port} på 127.0.0.1 används redan; välj en annan med --port.") from None
        raise
    with ExitStack() as stack:
        stack.enter_context(server)
        say(f"Granskningssidan: {server.url}  (Ctrl-C stoppar)")
        builder = _Builder(meeting_file, out_root, state, say, stack)
        builder.run()
        while True:
            paths = builder.watched()
            watch_filter = _SourceFilter(out_root)
            for _changes in watchfiles.watch(*paths, watch_filter=watch_filter, step=QUIET_MS,
                                             debounce=1600, rust_timeout=500, raise_interrupt=True):
                builder.run()
                if builder.watched() != paths:
                    break  # the association file or the templates folder moved: watch the new places


class PortTaken(DocgenError):
    exit_code = 2


class _SourceFilter:
    """YAML, templates and underlag; never editors' lock files, backups or docgen's own output."""

    def __init__(self, out_root: Path) -> None:
        self.out_root = out_root.resolve()

    def __call__(self, _change: object, path: str) -> bool:
        candidate = Path(path)
        name = candidate.name
        if name.startswith((".", "~$", "#")) or name.endswith("~") or candidate.suffix.lower() not in WATCHED_SUFFIXES:
            return False
        return not candidate.resolve().is_relative_to(self.out_root)


class _Builder:
    """Builds with one warm LibreOffice; records each outcome in the server's state."""

    def __init__(self, meeting_file: Path, out_root: Path, state: State, say: Say, stack: ExitStack) -> None:
        self.meeting_file, self.out_root, self.state, self.say, self.stack = meeting_file, out_root, state, say, stack
        self.office = None
        self.sources: tuple[Path, ...] = ()
        self.templates: Path | None = None

    def watched(self) -> list[Path]:
        """Folders to watch: the meeting file's, the association file's and the templates' (existing ones)."""
        from docgen.documents.templates import Templates

        places = {self.meeting_file.resolve().parent}
        places |= {p.resolve().parent for p in self.sources}
        places |= {p.resolve() for p in Templates(self.templates).folders()}
        return sorted(p for p in places if p.is_dir())

    def run(self) -> None:
        from docgen.input.validate import load_case
        from docgen.pipeline.run import build
        from docgen.review.page import ReviewPage

        started = time.monotonic()
        with self.state.lock:
            self.state.building = True
        try:
            if self.office is None:
                case = load_case(self.meeting_file)  # LibreOffice starts only once the input has passed
                self._remember(case)
                self.office = self._start_office()
            result = build(self.meeting_file, self.out_root, office=self.office,
                           addition=ReviewPage(self.out_root))
        except InputError as exc:
            self._failed(str(exc))
            self.say(f"Fel i indata (visas på sidan):\n{exc}")
            return
        except DocgenError as exc:
            self._failed(f"docgen: {exc}")
            self.say(f"docgen: {exc}")
            if self.office is not None:
                self.office.__exit__(type(exc), exc, None)  # a fresh LibreOffice for the next build
                self.office = None
            return
        except BaseException:
            with self.state.lock:
                self.state.building = False
            raise
        self._remember(result.case)
        with self.state.lock:
            self.state.folder, self.state.error = result.folder, None
            self.state.build += 1
            self.state.building = False
        self.say(f"Byggt på {time.monotonic() - started:.1f} s ({result.conversions} PDF-konverteringar); "
                 "sidan uppdateras.")

    def _remember(self, case) -> None:
        self.sources = tuple(case.sources)
        self.templates = case.templates_folder

    def _failed(self, message: str) -> None:
        with self.state.lock:
            self.state.error = message
            self.state.build += 1
            self.state.building = False

    def _start_office(self):
        from docgen.pdf import office as convert

        office = convert.Office(convert.profile_root(), eager=2)  # both warm: the protocol beside the rest
        # Registered before it starts anything, so every exit ends its LibreOffice (at once on Ctrl-C).
        self.stack.push(lambda *exc: office.__exit__(*exc) if self.office is office else None)
        return office.__enter__()
