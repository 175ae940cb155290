"""One PDF of joined members' documents (:mod:`docgen.documents.joined`) split into each member's own.

Each part becomes a PDF of its own pages with what a document of its own
has: the structure tree's elements on those pages (LibreOffice tags page by
page, each element on the pages of one part), their entries in the parent
tree, the outline items that point there, its own title, subject and author
in Info and XMP, and an open action on its first page; it is written as
:func:`docgen.pdf.normalise.normalise_pdf` writes a PDF, in the same pass. What no longer belongs to any
kept page is not written: qpdf writes only what is reachable. Fonts are
shared by the parts, so each part keeps the subset LibreOffice made for all
(a few kB more than a document converted alone).

Hand-written on pikepdf: no library splits a tagged PDF with its structure tree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Name

from docgen.errors import ToolError
from docgen.files import write_atomically
from docgen.pdf import normalise


@dataclass(frozen=True)
class Part:
    """Pages ``first`` to ``last`` (from 0) of the joined PDF, written to ``dest`` with these properties."""

    first: int
    last: int
    dest: Path
    title: str
    subject: str
    author: str


def split(joined: Path, parts: list[Part], stamp: dt.datetime) -> None:
    """Write every part of ``joined``, normalised with ``stamp`` (:func:`docgen.pdf.normalise.normalised`);
    a ToolError naming the file if it cannot be read or split so."""
    try:
        with pikepdf.open(joined) as pdf:
            count = len(pdf.pages)
            layout = _Layout.of(pdf)
        expected = parts[-1].last + 1 if parts else 0
        if count != expected or any(p.first > p.last or p.first < 0 for p in parts):
            raise ToolError(f"PDF:en {joined.name} från LibreOffice har {count} sidor, delarna {expected}: "
                            "den går inte att dela per medlem")
        for part in parts:
            write_atomically(part.dest, _part(joined, layout, part, stamp), durable=False)
    except (pikepdf.PdfError, ValueError, KeyError, AttributeError) as exc:
        raise ToolError(f"PDF:en {joined.name} från LibreOffice gick inte att dela per medlem: "
                        f"{exc or type(exc).__name__}") from None


@dataclass(frozen=True)
class _Layout:
    """Where things lie in the joined PDF, by page index: read once, used for every part."""

    elements: list[list[frozenset[int]]]
    """For each top structure element (LibreOffice's /Document), the pages of each of its kids."""
    outline: list[int | None]
    """The page each top-level outline item points to."""

    @classmethod
    def of(cls, pdf: pikepdf.Pdf) -> _Layout:
        index = {page.objgen: number for number, page in enumerate(pdf.pages)}
        elements = [[frozenset(index[p] for p in _pages_of(kid, set()) if p in index) for kid in _kids(top)]
                    for top in _tops(pdf)]
        return cls(elements, [index.get(_target(item)) for item in _outline_items(pdf)])


def _part(joined: Path, layout: _Layout, part: Part, stamp: dt.datetime) -> bytes:
    with pikepdf.open(joined) as pdf:
        wanted = range(part.first, part.last + 1)
        kept_pages = [pdf.pages[number] for number in wanted]
        _prune_structure(pdf, layout, kept_pages, wanted)
        _prune_outline(pdf, layout, wanted)
        for index in reversed(range(len(pdf.pages))):
            if index not in wanted:
                del pdf.pages[index]
        if Name.OpenAction in pdf.Root:
            pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, Name.XYZ, None, None, 0])
        pdf.docinfo[Name.Title] = part.title
        pdf.docinfo[Name.Subject] = part.subject
        pdf.docinfo[Name.Author] = part.author
        return normalise.normalised(pdf, stamp, part.dest.name)


def _tops(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    root = pdf.Root.get(Name.StructTreeRoot)
    if root is None or Name.K not in root:
        return []
    return [top for top in (root.K if isinstance(root.K, pikepdf.Array) else [root.K])
            if isinstance(top, pikepdf.Dictionary)]


def _kids(element: pikepdf.Dictionary) -> list[object]:
    kids = element.get(Name.K)
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _pages_of(element: object, found: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pages a structure element (and what it holds) has content on."""
    if isinstance(element, pikepdf.Dictionary):
        if Name.Pg in element:
            found.add(element.Pg.objgen)
        for kid in _kids(element):
            _pages_of(kid, found)
    return found


def _prune_structure(pdf: pikepdf.Pdf, layout: _Layout, kept_pages: list[pikepdf.Page], wanted: range) -> None:
    for top, pages in zip(_tops(pdf), layout.elements):
        kids = _kids(top)
        top.K = pikepdf.Array([kid for kid, on in zip(kids, pages) if on and all(p in wanted for p in on)])
        if Name.Pg in top:  # the whole file's /Document names the file's first page
            top.Pg = kept_pages[0].obj
    root = pdf.Root.get(Name.StructTreeRoot)
    keys = {int(page.StructParents) for page in kept_pages if Name.StructParents in page}
    for page in kept_pages:
        for annotation in page.get(Name.Annots, []):
            if Name.StructParent in annotation:
                keys.add(int(annotation.StructParent))
    tree = root.get(Name.ParentTree) if root is not None else None
    if tree is not None and Name.Nums in tree:
        nums = tree.Nums
        tree.Nums = pikepdf.Array([item for index in range(0, len(nums), 2) if int(nums[index]) in keys
                                   for item in (nums[index], nums[index + 1])])


def _outline_items(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The top-level outline items, following /First and /Next (at most as many as there are objects)."""
    outlines = pdf.Root.get(Name.Outlines)
    items: list[pikepdf.Dictionary] = []
    item = outlines.get(Name.First) if isinstance(outlines, pikepdf.Dictionary) else None
    limit = len(pdf.objects)  # a loop in /Next ends here
    while isinstance(item, pikepdf.Dictionary) and len(items) <= limit:
        items.append(item)
        item = item.get(Name.Next)
    return items


def _prune_outline(pdf: pikepdf.Pdf, layout: _Layout, wanted: range) -> None:
    """Keep the top-level items pointing into the part (with what is under them), linked anew."""
    items = _outline_items(pdf)
    if not items:
        return
    kept = [item for item, page in zip(items, layout.outline) if page is not None and page in wanted]
    outlines = pdf.Root.Outlines
    if not kept:
        del pdf.Root[Name.Outlines]
        return
    for before, after in zip(kept, kept[1:]):
        before.Next, after.Prev = after, before
    for key, item in ((Name.Prev, kept[0]), (Name.Next, kept[-1])):
        if key in item:
            del item[key]
    outlines.First, outlines.Last = kept[0], kept[-1]
    outlines.Count = sum(1 + _open_count(item) for item in kept)


def _open_count(item: pikepdf.Dictionary) -> int:
    """The visible descendants an item adds to its parent's /Count (PDF 32000-1 12.3.3)."""
    count = item.get(Name.Count)
    return int(count) if count is not None and int(count) > 0 else 0


def _target(item: pikepdf.Dictionary) -> tuple[int, int] | None:
    destination = item.get(Name.Dest)
    action = item.get(Name.A)
    if destination is None and isinstance(action, pikepdf.Dictionary) and action.get(Name.S) == Name.GoTo:
        destination = action.get(Name.D)
    if isinstance(destination, pikepdf.Array) and len(destination) and isinstance(destination[0],
                                                                                    pikepdf.Dictionary):
        return destination[0].objgen
    return None
