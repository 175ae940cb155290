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

import hashlib
import html
import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from docgen.documents.plan import PlannedDocument, outputs, package_path, packages
from docgen.files import write_atomically
from docgen.model import formatting as fmt
from docgen.model.case import Case, Member
from docgen.review import changes as diff
from docgen.review import round as sending
from docgen.review import thumbnails, variants
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
        digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
        request = thumbnails.Request(pdf, digest, min(_page_count(pdf), limit))
        if self.out_root is not None:
            previous = self.out_root / case.meeting.slug / REVIEW_FOLDER / IMAGES
            if all((previous / name).is_file() for name in thumbnails.names(digest, request.pages)):
                return  # the page copies them from the previous build
        self.jobs.append(self.pool.submit(thumbnails.draw, [request], folder, (), 1))

    def close(self) -> None:
        """Stop drawing: what has not begun is dropped, what runs is waited for (a page, a fraction of a second)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __call__(self, case: Case, documents: list[PlannedDocument], tree: Path, previous: Path | None) -> list[str]:
        # LibreOffice is done: what the one thread has not begun is drawn below, on every core.
        self.close()
        for job in self.jobs:
            if not job.cancelled():
                job.result()  # a pdftoppm failure surfaces here, with its message
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

def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _page(case: Case, sections: list[tuple[Member, list[_Shown]]], association: list[_Shown],
          since_build: diff.Changes | None, since_send: diff.Changes | None,
          status: list[sending.MemberStatus] | None, whole: dict[str, bool]) -> str:
    meeting = case.meeting
    day = fmt.short_date(meeting.date)
    title = f"Granskning: {meeting.body} {day}"
    nav = [("utskick", "Utskicket"), ("andringar", "Ändringar"), ("skillnader", "Skillnader mellan medlemmarna")]
    nav += [(f"medlem-{m.id}", m.name) for m, _parts in sections]
    nav.append(("forbundet", "Förbundets egna handlingar"))
    out = [
        "<!DOCTYPE html>",
        '<html lang="sv">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<a class="hoppa" href="#innehall">Hoppa till innehållet</a>',
        "<header>",
        f"<h1>Granska innan du skickar: {_e(meeting.body)} {_e(day)}</h1>",
        f"<p>{_e(case.association.name)}. {len(sections)} medlemspaket. Varje bild är en sida; "
        "klicka på den för att öppna PDF:en.</p>",
        '<p id="bygge-status" role="status" aria-live="polite"></p>',
        '<nav aria-label="Innehåll"><h2 class="liten">Innehåll</h2><ul>',
        *[f'<li><a href="#{_e(anchor)}">{_e(label)}</a></li>' for anchor, label in nav],
        "</ul></nav>",
        "</header>",
        '<main id="innehall" tabindex="-1">',
        *_status_section(sections, status),
        *_changes_section(since_build, since_send),
        *_variants_section(case),
    ]
    for index, (member, shown) in enumerate(sections):
        out += _member_section(member, shown, index >= EAGER_SECTIONS, since_build, whole.get(member.id, False))
    out += _association_section(association, since_build)
    out += ["</main>", f"<script>{_SCRIPT}</script>", "</body>", "</html>", ""]
    return "\n".join(out)


def _status_section(sections: list[tuple[Member, list[_Shown]]],
                    status: list[sending.MemberStatus] | None) -> list[str]:
    out = ['<section id="utskick" aria-labelledby="utskick-rubrik">', '<h2 id="utskick-rubrik">Utskicket</h2>']
    if status is None:
        out.append("<p>Inga uppgifter om utskick ännu: inget har skickats härifrån.</p>")
    else:
        names = {m.id: m.name for m, _parts in sections}
        out += ["<table>", "<caption>Skickat och besvarat per medlem</caption>",
                '<thead><tr><th scope="col">Medlem</th><th scope="col">Skickat</th>'
                '<th scope="col">Svar</th></tr></thead>', "<tbody>"]
        for row in status:
            out.append(f'<tr><th scope="row">{_e(names.get(row.member, row.member))}</th>'
                       f"<td>{_e(row.sent or 'inte skickat')}</td><td>{_e(row.answered or 'inget svar')}</td></tr>")
        out += ["</tbody>", "</table>"]
    out.append("</section>")
    return out


def _changes_section(since_build: diff.Changes | None, since_send: diff.Changes | None) -> list[str]:
    out = ['<section id="andringar" aria-labelledby="andringar-rubrik">',
           '<h2 id="andringar-rubrik">Ändringar</h2>', "<h3>Sedan förra bygget</h3>"]
    if since_build is None:
        out.append("<p>Det här är första bygget av sammanträdet (inget tidigare bygge att jämföra med).</p>")
    else:
        out += _change_list(since_build, "Inget har ändrats sedan förra bygget.")
    out.append("<h3>Sedan förra utskicket</h3>")
    if since_send is None:
        out.append("<p>Inget utskick att jämföra med.</p>")
    else:
        out += _change_list(since_send, "Inget har ändrats sedan förra utskicket.")
    out.append("</section>")
    return out


def _change_list(changes: diff.Changes, nothing: str) -> list[str]:
    if changes.empty:
        return [f"<p>{_e(nothing)}</p>"]
    out = ["<ul>"]
    if changes.paragraphs:
        out.append(f"<li>Ändrade paragrafer: {_e(', '.join(fmt.paragraph(n) for n in changes.paragraphs))}</li>")
    for document in changes.documents:
        whose = _whose(document)
        out.append(f"<li>{_e(document.kind.label)}: {_e(document.title)}{_e(whose)}</li>")
    if changes.packages:
        out.append(f"<li>Hela paketet (samtliga handlingar i en PDF) för {len(changes.packages)} "
                   f"{'medlem' if len(changes.packages) == 1 else 'medlemmar'}</li>")
    for name in changes.removed:
        out.append(f"<li>Borttagen: {_e(name)}</li>")
    out.append("</ul>")
    return out


def _whose(document: PlannedDocument) -> str:
    if document.member is not None or len(document.packages) <= 1:
        return ""
    return f" (i {len(document.packages)} medlemspaket)"


def _variants_section(case: Case) -> list[str]:
    out = ['<section id="skillnader" aria-labelledby="skillnader-rubrik">',
           '<h2 id="skillnader-rubrik">Skillnader mellan medlemmarna</h2>']
    tables = variants.tables(case)
    if not tables:
        out.append("<p>Inget ärende på sammanträdet går till kommunfullmäktige; alla får samma handlingar.</p>")
    for table in tables:
        request = table.item.request
        subject = request.subject if request else table.item.heading
        out += ['<div class="rullbar" role="region" tabindex="0" '
                f'aria-label="Värden per medlem, {_e(fmt.paragraph(table.item.number))}">',
                "<table>",
                f"<caption>{_e(fmt.paragraph(table.item.number))} {_e(subject)}: det som skiljer "
                "sig mellan medlemmarnas handlingar. Kolumner märkta ”olika” har mer än ett värde.</caption>",
                "<thead><tr>", '<th scope="col">Medlem</th>']
        for column in table.columns:
            mark = "lika för alla" if column.same_for_all else "olika"
            out.append(f'<th scope="col">{_e(column.heading)} <span class="markering">({mark})</span></th>')
        out += ["</tr></thead>", "<tbody>"]
        for row, member in enumerate(table.members):
            cells = "".join(f"<td{'' if c.same_for_all else OLIKA}>{_e(c.values[row])}</td>"
                            for c in table.columns)
            out.append(f'<tr><th scope="row"><a href="#medlem-{_e(member.id)}">{_e(member.name)}</a></th>'
                       f"{cells}</tr>")
        out += ["</tbody>", "</table>", "</div>"]
    out.append("</section>")
    return out


def _member_section(member: Member, shown: list[_Shown], lazy: bool, since_build: diff.Changes | None,
                    whole: bool) -> list[str]:
    anchor = f"medlem-{member.id}"
    out = [f'<section class="medlem" id="{_e(anchor)}" aria-labelledby="{_e(anchor)}-rubrik">',
           f'<h2 id="{_e(anchor)}-rubrik">{_e(member.name)}</h2>']
    if whole:
        out.append(f'<p><a href="../{_e(package_path(member))}">Hela paketet som en PDF '
                   f"({len(shown)} handlingar)</a>"
                   f"{_badge(since_build is not None and member.id in since_build.packages)}</p>")
    out.append('<ol class="handlingar">')
    for item in shown:
        out += _document(item, f"{member.name}: ", lazy, since_build, member.id)
    out += ["</ol>", "</section>"]
    return out


def _association_section(shown: list[_Shown], since_build: diff.Changes | None) -> list[str]:
    out = ['<section id="forbundet" aria-labelledby="forbundet-rubrik">',
           '<h2 id="forbundet-rubrik">Förbundets egna handlingar</h2>',
           "<p>Protokoll, anslag och protokollsutdrag i förbundets egna mappar.</p>", '<ol class="handlingar">']
    for item in shown:
        out += _document(item, "", False, since_build)
    out += ["</ol>", "</section>"]
    return out


def _document(item: _Shown, context: str, lazy: bool, since_build: diff.Changes | None,
              member: str | None = None) -> list[str]:
    document = item.document
    label = _label(document)
    # In a member's section the number is the document's place in that member's package (its file name).
    heading = f"{document.position(member)}. {label}" if member is not None else label
    changed = since_build is not None and since_build.touches(document)
    out = ['<li class="handling">', f"<h3>{_e(heading)}{_badge(changed)}</h3>",
           f'<p class="titel">{_e(document.title)}</p>']
    if item.thumbnails:
        out.append('<ul class="sidor">')
        for picture in item.thumbnails:
            alt = f"{context}{label}, sida {picture.page} av {item.pages}"
            out.append(f'<li><a href="../{_e(item.path)}.pdf#page={picture.page}">'
                       f'<img src="{IMAGES}/{_e(picture.name)}" alt="{_e(alt)}" width="{picture.width}" '
                       f'height="{picture.height}"{LAZY if lazy else ""}></a></li>')
        out.append("</ul>")
        rest = item.pages - len(item.thumbnails)
        if rest > 0:
            out.append(f"<p>… och {rest} {'sida' if rest == 1 else 'sidor'} till i PDF:en.</p>")
    links = []
    if item.pdf:
        links.append(f'<a href="../{_e(item.path)}.pdf">PDF<span class="dold"> – {_e(context + label)}</span></a>')
    if item.docx:
        links.append(f'<a href="../{_e(item.path)}.docx">Word (DOCX)<span class="dold"> – '
                     f"{_e(context + label)}</span></a>")
    out += [f'<p class="filer">{" · ".join(links)}</p>', "</li>"]
    return out


LAZY = ' loading="lazy"'
OLIKA = ' class="olika"'


def _label(document: PlannedDocument) -> str:
    """The kind of document as the reader names it (an extract with its paragraph: a package may hold two)."""
    return document.kind.label_of(document)


def _badge(changed: bool) -> str:
    return ' <strong class="andrad">Ändrad sedan förra bygget</strong>' if changed else ""


_CSS = """
:root { color-scheme: light; --text: #1b1b1b; --dim: #4a4a4a; --link: #0a4d94; --line: #c9c9c9;
  --mark: #fff1b8; --mark-text: #4d3900; --bg-soft: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 90rem; padding: 1rem 1.5rem 3rem; color: var(--text); background: #fff;
  font: 16px/1.45 "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
a { color: var(--link); }
a:focus-visible, [tabindex]:focus-visible { outline: 3px solid #c2410c; outline-offset: 2px; }
.hoppa { position: absolute; left: -999rem; }
.hoppa:focus { position: static; display: inline-block; padding: .3rem .6rem; background: var(--mark); }
.dold { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h2.liten { font-size: 1rem; border: 0; margin: .8rem 0 .2rem; }
h3 { font-size: 1rem; margin: .2rem 0; }
nav ul { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; padding: 0; margin: 0; list-style: none; }
#bygge-status:empty { display: none; }
#bygge-status { background: var(--mark); color: var(--mark-text); padding: .3rem .6rem; }
.rullbar { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--bg-soft); }
.markering { font-weight: normal; color: var(--dim); }
td.olika { background: var(--mark); color: var(--mark-text); }
.andrad { display: inline-block; margin-left: .5rem; padding: 0 .4rem; font-size: .85rem;
  background: var(--mark); color: var(--mark-text); border: 1px solid #b08a00; }
ol.handlingar { display: flex; flex-wrap: wrap; gap: .8rem; padding: 0; margin: 0; list-style: none; }
li.handling { border: 1px solid var(--line); padding: .6rem; background: var(--bg-soft); max-width: 100%; }
.titel { margin: 0 0 .4rem; color: var(--dim); font-size: .85rem; max-width: 15rem; }
ul.sidor { display: flex; flex-wrap: wrap; gap: .4rem; padding: 0; margin: 0; list-style: none; }
ul.sidor img { display: block; width: 150px; height: auto; border: 1px solid var(--line); background: #fff; }
.filer { margin: .4rem 0 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .hoppa, nav, #bygge-status { display: none; }
  section.medlem { break-before: page; }
  li.handling { break-inside: avoid; background: none; }
  ul.sidor img { width: 110px; }
  a { color: inherit; text-decoration: none; }
  td.olika, .andrad { background: none; border: 1px solid #000; }
}
"""

_SCRIPT = """
(function () {
  // Only under docgen serve, which marks the page with its build number: reload when it changes.
  var own = document.documentElement.getAttribute("data-bygge");
  if (own === null || !window.fetch) { return; }
  var line = document.getElementById("bygge-status");
  function poll() {
    fetch("/_docgen/tillstand.json", {cache: "no-store"}).then(function (reply) {
      return reply.json();
    }).then(function (state) {
      if (String(state.bygge) !== own) { window.location.reload(); return; }
      if (line) { line.textContent = state.bygger ? "Bygger om efter ändringen …" : ""; }
      window.setTimeout(poll, 200);
    }).catch(function () {
      if (line) { line.textContent = "docgen serve svarar inte; sidan visar det senaste bygget."; }
      window.setTimeout(poll, 1000);
    });
  }
  window.setTimeout(poll, 200);
})();
"""
