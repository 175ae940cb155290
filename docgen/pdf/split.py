"""One PDF of joined members' documents (:mod:`docgen.documents.joined`) split into each member's own.

Each part becomes a PDF of its own pages with what a document of its own
has: the structure tree's elements on those pages (LibreOffice tags page by
page, each element on the pages of one part), their entries in the parent
tree, the outline items that point there, its own title, subject and author
in Info (:func:`docgen.pdf.normalise.normalise_pdf` then writes them into
XMP), and an open action on its first page. What no longer belongs to any
kept page is not written: qpdf writes only what is reachable. Fonts are
shared by the parts, so each part keeps the subset LibreOffice made for all
(a few kB more than a document converted alone).

Hand-written on pikepdf: no library splits a tagged PDF with its structure tree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Name

from docgen.errors import ToolError
from docgen.files import write_atomically


@dataclass(frozen=True)
class Part:
    """Pages ``first`` to ``last`` (from 0) of the joined PDF, written to ``dest`` with these properties."""

    first: int
    last: int
    dest: Path
    title: str
    subject: str
    author: str


def split(joined: Path, parts: list[Part]) -> None:
    """Write every part of ``joined``; a ToolError naming the file if it cannot be read or split so."""
    try:
        with pikepdf.open(joined) as pdf:
            count = len(pdf.pages)
        expected = parts[-1].last + 1 if parts else 0
        if count != expected or any(p.first > p.last or p.first < 0 for p in parts):
            raise ToolError(f"PDF:en {joined.name} från LibreOffice har {count} sidor, delarna {expected}: "
                            "den går inte att dela per medlem")
        for part in parts:
            write_atomically(part.dest, _part(joined, part))
    except (pikepdf.PdfError, ValueError, KeyError, AttributeError) as exc:
        raise ToolError(f"PDF:en {joined.name} från LibreOffice gick inte att dela per medlem: "
                        f"{exc or type(exc).__name__}") from None


def _part(joined: Path, part: Part) -> bytes:
    with pikepdf.open(joined) as pdf:
        kept_pages = [page for index, page in enumerate(pdf.pages) if part.first <= index <= part.last]
        kept = {page.objgen for page in kept_pages}
        _prune_structure(pdf, kept_pages, kept)
        _prune_outline(pdf, kept)
        for index in reversed(range(len(pdf.pages))):
            if pdf.pages[index].objgen not in kept:
                del pdf.pages[index]
        if Name.OpenAction in pdf.Root:
            pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, Name.XYZ, None, None, 0])
        pdf.docinfo[Name.Title] = part.title
        pdf.docinfo[Name.Subject] = part.subject
        pdf.docinfo[Name.Author] = part.author
        output = io.BytesIO()
        pdf.save(output, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.preserve,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none, compress_streams=False,
                 recompress_flate=False, linearize=False, fix_metadata_version=False)
        return output.getvalue()


def _pages_of(element: object, found: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pages a structure element (and what it holds) has content on."""
    if isinstance(element, pikepdf.Dictionary):
        if Name.Pg in element:
            found.add(element.Pg.objgen)
        kids = element.get(Name.K)
        if kids is not None:
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                _pages_of(kid, found)
    return found


def _prune_structure(pdf: pikepdf.Pdf, kept_pages: list[pikepdf.Page], kept: set[tuple[int, int]]) -> None:
    root = pdf.Root.get(Name.StructTreeRoot)
    if root is None:
        return
    tops = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
    for top in tops:
        kids = top.get(Name.K)
        if kids is None:
            continue
        kids = kids if isinstance(kids, pikepdf.Array) else [kids]
        top.K = pikepdf.Array([kid for kid in kids if (on := _pages_of(kid, set())) and on <= kept])
        if Name.Pg in top and top.Pg.objgen not in kept:  # the whole file's /Document names its first page
            top.Pg = kept_pages[0].obj
    keys = {int(page.StructParents) for page in kept_pages if Name.StructParents in page}
    for page in kept_pages:
        for annotation in page.get(Name.Annots, []):
            if Name.StructParent in annotation:
                keys.add(int(annotation.StructParent))
    tree = root.get(Name.ParentTree)
    if tree is not None and Name.Nums in tree:
        nums = tree.Nums
        tree.Nums = pikepdf.Array([item for index in range(0, len(nums), 2) if int(nums[index]) in keys
                                   for item in (nums[index], nums[index + 1])])


def _prune_outline(pdf: pikepdf.Pdf, kept: set[tuple[int, int]]) -> None:
    if Name.Outlines not in pdf.Root:
        return
    with pdf.open_outline() as outline:
        outline.root[:] = [item for item in outline.root if _target(item) in kept]


def _target(item: pikepdf.OutlineItem) -> tuple[int, int] | None:
    destination = item.destination
    if destination is None and item.action is not None and item.action.get(Name.S) == Name.GoTo:
        destination = item.action.get(Name.D)
    if isinstance(destination, pikepdf.Array) and len(destination) and isinstance(destination[0],
                                                                                    pikepdf.Dictionary):
        return destination[0].objgen
    return None
