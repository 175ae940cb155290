"""``out/<meeting>/granskning/index.html``: the review page every build writes.

:func:`write_review` is the build's :data:`~docgen.pipeline.run.Addition`:
it gets the finished tree before it replaces the old folder, draws page
thumbnails of every document in every member's package (each distinct PDF
once; with many members the first page only; a thumbnail of the same PDF
copied from the previous build; the association's own copies are linked,
not drawn), and writes one self-contained HTML page:
the round's status, what changed since the last build and the last send,
a table of every member-specific value, and a section per member. The page
depends only on the tree and the previous folder, so the same inputs give
the same bytes.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from docgen.documents.plan import PlannedDocument, outputs, package_path, packages
from docgen.files import file_digest, write_atomically
from docgen.model import formatting as fmt
from docgen.model.case import Case, Member
from docgen.review import changes as diff
from docgen.review import round as sending
from docgen.review import templating, thumbnails, variants
from docgen.review.changes import REVIEW_FOLDER

PAGE = f"{REVIEW_FOLDER}/index.html"
IMAGES = "bilder"
ALL_PAGES_UP_TO = 20
"""Up to this many member packages every page (up to :data:`MAX_PAGES`) gets a thumbnail; beyond, the first only."""
MAX_PAGES = 8
EAGER_SECTIONS = 10
"""Thumbnails of the first sections load at once; further down only when scrolled to (290 members)."""


@dataclass(frozen=True)
class _Shown:
    """A planned document as the page shows it: where its files are and its thumbnails."""

    document: PlannedDocument
    path: str
    """Relative to the meeting folder, without suffix."""
    pdf: bool
    docx: bool
    pages: int
    thumbnails: list[thumbnails.Thumbnail]


class ReviewPage:
    """The review page as a build's addition, its thumbnails drawn while LibreOffice converts the rest.

    The build hands over each document's final PDF as soon as it is there
    (:meth:`ready`); its pages are drawn in a thread of their own into the
    build's work folder, which the build removes afterwards. Writing the page
    (:meth:`__call__`) then copies them instead of drawing them. One instance
    serves one build.
    """

    def __init__(self, out_root: Path | None = None) -> None:
        self.out_root = out_root
        """Where the meeting's previous build lies: pictures it has are not drawn early."""
        self.pool: ThreadPoolExecutor | None = None
        self.jobs: list[Future] = []
        self.folders: list[Path] = []

    def ready(self, case: Case, document: PlannedDocument, pdf: Path) -> None:
        if not document.packages or not pdf.is_file():
            return  # only what is in a member's package is drawn
        folder = pdf.parent / f".{REVIEW_FOLDER}-{IMAGES}"
        if folder not in self.folders:
            folder.mkdir(exist_ok=True)
            self.folders.append(folder)
        if self.pool is None:
            # One thread: drawing shares the cores with LibreOffice and the filling-in of templates.
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docgen-granskning")
        limit = MAX_PAGES if len(case.association.members) <= ALL_PAGES_UP_TO else 1
        digest = file_digest(pdf)
        request = thumbnails.Request(pdf, digest, min(_page_count(pdf), limit))
        if self.out_root is not None:
            previous = self.out_root / case.meeting.slug / REVIEW_FOLDER / IMAGES
            if all((previous / name).is_file() for name in thumbnails.names(digest, request.pages)):
                return  # the page copies them from the previous build
        self.jobs.append(self.pool.submit(thumbnails.draw, [request], folder))

    def close(self) -> None:
        """Stop drawing: what has not begun is dropped, what runs is waited for (a page, a fraction of a second)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __call__(self, case: Case, documents: list[PlannedDocument], tree: Path, previous: Path | None) -> list[str]:
        # LibreOffice is done: what the one thread has not begun is drawn below, on every core.
        self.close()
        for job in self.jobs:
            if not job.cancelled():
                job.result()  # a drawing failure surfaces here, with its message
        return write_review(case, documents, tree, previous, also=self.folders)


def write_review(case: Case, documents: list[PlannedDocument], tree: Path, previous: Path | None,
                 also: list[Path] = ()) -> list[str]:
    """Write the review page into ``tree``; returns the files written, relative to ``tree``.

    Thumbnails in ``also`` (drawn earlier in this build) are copied rather than drawn.
    """
    folder = tree / REVIEW_FOLDER
    after = diff.tree_digests(tree)
    member_packages = packages(case, documents)
    limit = MAX_PAGES if len(member_packages) <= ALL_PAGES_UP_TO else 1
    own = [d for d in documents if d.kind.folder is not None]
    in_packages = {d.key: d for _member, parts in member_packages for d in parts}

    requests: dict[str, thumbnails.Request] = {}
    located: dict[str, tuple[str, str | None, int]] = {}
    for document in [*own, *in_packages.values()]:
        if document.key in located:
            continue
        path = outputs(document)[0].path
        digest = after.get(path + ".pdf")
        count = _page_count(tree / (path + ".pdf")) if digest else 0
        located[document.key] = (path, digest, count)
        # The association's own copies (protocol, notice) are linked, not drawn: the protocol changes with
        # every edit, and drawing it would cost each rebuild under docgen serve a page for no member.
        if digest and document.key in in_packages:
            requests[document.key] = thumbnails.Request(tree / (path + ".pdf"), digest, min(count, limit))
    reuse = [*([previous / REVIEW_FOLDER / IMAGES] if previous is not None else []), *also]
    drawn = thumbnails.draw(list(requests.values()), folder / IMAGES, reuse)

    def shown(document: PlannedDocument, path: str) -> _Shown:
        _first, digest, count = located[document.key]
        pictures = drawn.get(digest, []) if digest and document.key in in_packages else []
        return _Shown(document, path, (tree / (path + ".pdf")).is_file(), (tree / (path + ".docx")).is_file(),
                      count, pictures)

    sections = [(member, [shown(d, _copy_in(d, member)) for d in parts]) for member, parts in member_packages]
    association = [shown(d, outputs(d)[0].path) for d in own]
    before = diff.manifest_digests(previous)
    since_build = diff.compare(case, documents, before, after) if before is not None else None
    paragraphs = diff.paragraph_digests(case)
    if since_build is not None:
        since_build.paragraphs = diff.changed_paragraphs(previous, paragraphs)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / diff.PARAGRAPHS, (json.dumps(paragraphs, indent=1, sort_keys=True) + "\n").encode())
    sent = sending.last_sent_digests(case)
    # Only what was sent is compared: a file never sent is no change since the send.
    since_send = (diff.compare(case, documents, sent, {name: digest for name, digest in after.items() if name in sent})
                  if sent is not None else None)
    status = sending.round_status(case)
    text = _page(case, sections, association, since_build, since_send, status,
                 {m.id: (tree / package_path(m)).is_file() for m, _parts in member_packages})
    write_atomically(folder / "index.html", text.encode("utf-8"))
    return sorted(p.relative_to(tree).as_posix() for p in folder.rglob("*") if p.is_file())


def _copy_in(document: PlannedDocument, member: Member) -> str:
    return next(o.path for o in outputs(document) if o.member == member.id)


def _page_count(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as opened:
        return len(opened.pages)


# --- HTML -------------------------------------------------------------------------------------

def _page(case: Case, sections: list[tuple[Member, list[_Shown]]], association: list[_Shown],
          since_build: diff.Changes | None, since_send: diff.Changes | None,
          status: list[sending.MemberStatus] | None, whole: dict[str, bool]) -> str:
    meeting = case.meeting
    day = fmt.short_date(meeting.date)
    nav = [("utskick", "Utskicket"), ("andringar", "Ändringar"), ("skillnader", "Skillnader mellan medlemmarna")]
    nav += [(f"medlem-{m.id}", m.name) for m, _parts in sections]
    nav.append(("forbundet", "Förbundets egna handlingar"))
    return templating.render(
        "granskning.html.j2", title=f"Granskning: {meeting.body} {day}", case=case, day=day, nav=nav,
        sections=sections, association=association, eager_sections=EAGER_SECTIONS, whole=whole,
        status=status, names={m.id: m.name for m, _parts in sections}, tables=variants.tables(case),
        since_build=since_build, changed_since_build=_change_lines(since_build),
        changed_since_send=_change_lines(since_send), images=IMAGES, label=_label, package_path=package_path)


def _change_lines(changes: diff.Changes | None) -> list[str] | None:
    """What changed, one line each as the page lists it; None: nothing to compare with."""
    if changes is None:
        return None
    lines = []
    if changes.paragraphs:
        lines.append(f"Ändrade paragrafer: {', '.join(fmt.paragraph(n) for n in changes.paragraphs)}")
    lines += [f"{document.kind.label}: {document.title}{_whose(document)}" for document in changes.documents]
    if changes.packages:
        lines.append(f"Hela paketet (samtliga handlingar i en PDF) för {len(changes.packages)} "
                     f"{'medlem' if len(changes.packages) == 1 else 'medlemmar'}")
    lines += [f"Borttagen: {name}" for name in changes.removed]
    return lines


def _whose(document: PlannedDocument) -> str:
    if document.member is not None or len(document.packages) <= 1:
        return ""
    return f" (i {len(document.packages)} medlemspaket)"


def _label(document: PlannedDocument) -> str:
    """The kind of document as the reader names it (an extract with its paragraph: a package may hold two)."""
    return document.kind.label_of(document)
