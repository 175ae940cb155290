"""Verify finished PDFs: PDF/A identification, output intent, fonts, tagging, language, title, metadata.

The engine behind ``docgen verify OUT_DIR``. It reads each PDF and its XMP
packet with pikepdf, the object model the writers (normalise, assemble) use, and
checks what an archive (PDF/A-2b) and the
anslagstavla (tagged, PDF/UA, lag 2018:1937) depend on. It is no full
validator (veraPDF is), but it catches what a broken build or a careless
post-processing step (merging, stamping) typically loses.

The report the user reads is Swedish; identifiers and comments are English.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Stream
from pikepdf.models.metadata import PdfMetadata, decode_pdf_date
from rich.console import Console
from rich.table import Table
from rich.text import Text

from docgen.model.formatting import number_runs
from docgen.pdf import signatures
from docgen.records.manifest import MANIFEST, ORIGIN_EXTERNAL, ORIGIN_OWN, ORIGIN_PARTLY_EXTERNAL, ManifestError, load

__all__ = ["Check", "PdfReport", "check_pdf", "verify_tree", "print_report", "summary_line",
           "parse_pdf_date", "parse_xmp_date"]

# XML namespaces of the XMP properties we read.
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
DC = "http://purl.org/dc/elements/1.1/"
PDF_NS = "http://ns.adobe.com/pdf/1.3/"
XMP_NS = "http://ns.adobe.com/xap/1.0/"

# Column order in the report; a file that cannot be read has only "läsbar".
CHECK_NAMES = ("läsbar", "ursprung", "PDF/A", "utdataprofil", "typsnitt", "taggning", "språk", "titel", "metadata",
               "underskrifter")

TITLE_WIDTH = 40


@dataclass(frozen=True)
class Check:
    name: str  # Swedish short name, one of CHECK_NAMES
    ok: bool
    detail: str  # Swedish, for the reader of the report


@dataclass(frozen=True)
class PdfReport:
    path: Path
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def check(self, name: str) -> Check | None:
        """The check called ``name``, or None if it was not run."""
        return next((c for c in self.checks if c.name == name), None)


# ---------------------------------------------------------------------------
# Small helpers for pikepdf objects (its scalars are Python's: bool, int, None)


def _first_visit(obj: pikepdf.Object, seen: set[tuple[int, int]]) -> bool:
    """Whether ``obj`` is met for the first time. A direct object is reached only through its
    container, so only indirect ones are noted (a direct one's wrapper has no lasting identity)."""
    if not obj.is_indirect:
        return True
    if obj.objgen in seen:
        return False
    seen.add(obj.objgen)
    return True


def _dict(obj: object) -> Dictionary | None:
    return obj if isinstance(obj, Dictionary) else None


def _array(obj: object) -> list:
    if isinstance(obj, Array):
        return list(obj)
    return [] if obj is None else [obj]


def _text(obj: object) -> str | None:
    """A PDF text string (or a name) as str; None for a missing entry."""
    return None if obj is None else str(obj)


def _quote(value: str) -> str:
    return f"”{_shorten(value)}”"


def _shorten(value: str, width: int = TITLE_WIDTH) -> str:
    value = " ".join(value.split())
    return value if len(value) <= width else value[: width - 1].rstrip() + "…"


# ---------------------------------------------------------------------------
# XMP


class Xmp:
    """The XMP packet of a PDF as pikepdf reads it; properties looked up by namespace and name."""

    def __init__(self, metadata: PdfMetadata) -> None:
        self.metadata = metadata

    def first(self, ns: str, name: str) -> str | None:
        """The property's value, an array's first item (rdf:Alt: the x-default one); None if absent."""
        value = self.metadata.get(f"{{{ns}}}{name}")
        if isinstance(value, (set, frozenset)):
            value = sorted(value)
        if isinstance(value, (list, tuple)):
            return str(value[0]) if value else None
        return None if value is None else str(value)


def _read_xmp(pdf: pikepdf.Pdf) -> tuple[Xmp | None, str | None]:
    """The catalog's XMP packet, or None and a Swedish reason."""
    stream = pdf.Root.get("/Metadata")
    if stream is None:
        return None, "XMP-metadata saknas"
    if not isinstance(stream, Stream):
        return None, "/Metadata är ingen ström"
    try:
        # strict: a packet that does not parse is reported, not replaced by an empty one. Never
        # entered as a context, so nothing is written back.
        return Xmp(pdf.open_metadata(strict=True)), None
    except Exception as exc:  # lxml and the stream filters raise many types
        return None, f"XMP-metadata kan inte tolkas ({exc})"


# ---------------------------------------------------------------------------
# Dates

def parse_pdf_date(value: str) -> datetime | None:
    """A PDF date string (``D:20260326100000+01'00'``, ``D:20261127010219Z'``) as datetime.

    Aware if the string names a time zone, naive otherwise; None if it is no date. The
    apostrophe some writers put after ``Z`` (or after the minutes) is tolerated.
    """
    try:
        return decode_pdf_date(value.strip().rstrip("'"))
    except ValueError:
        return None


def parse_xmp_date(value: str) -> datetime | None:
    """An XMP (ISO 8601) date (``2026-11-27T01:02:19Z``, ``…+01:00``) as datetime; fractions dropped."""
    try:
        return datetime.fromisoformat(value.strip()).replace(microsecond=0)
    except ValueError:
        return None


def _same_instant(a: datetime, b: datetime) -> bool:
    if (a.tzinfo is None) != (b.tzinfo is None):
        # One side has no time zone: the best we can do is compare wall-clock times.
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a == b


# ---------------------------------------------------------------------------
# The checks. Each takes the opened document and returns one Check.


@dataclass
class _Doc:
    pdf: pikepdf.Pdf
    catalog: Dictionary
    info: Dictionary | None
    xmp: Xmp | None
    xmp_problem: str | None
    language: str


def _check_pdfa(doc: _Doc) -> Check:
    name = "PDF/A"
    if doc.xmp is None:
        return Check(name, False, doc.xmp_problem or "XMP-metadata saknas")
    part = doc.xmp.first(PDFAID, "part")
    conformance = doc.xmp.first(PDFAID, "conformance")
    if part is None and conformance is None:
        return Check(name, False, "ingen PDF/A-identifiering (pdfaid) i XMP-metadata")
    part, conformance = (part or "").strip(), (conformance or "").strip().upper()
    label = f"PDF/A-{part or '?'}{conformance or '?'}"
    if part not in {"1", "2", "3"} or conformance not in {"A", "B", "U"}:
        return Check(name, False, f"ogiltig PDF/A-identifiering: {label}")
    ua_part = doc.xmp.first(PDFUAID, "part")
    if ua_part:
        label += f", PDF/UA-{ua_part.strip()}"
    return Check(name, True, label)


def _check_output_intent(doc: _Doc) -> Check:
    name = "utdataprofil"
    intents = _array(doc.catalog.get("/OutputIntents"))
    if not intents:
        return Check(name, False, "OutputIntents saknas")
    for intent in intents:
        intent = _dict(intent)
        if intent is None or intent.get("/S") != "/GTS_PDFA1":
            continue
        if not isinstance(intent.get("/DestOutputProfile"), Stream):
            return Check(name, False, "GTS_PDFA1 utan ICC-profil (DestOutputProfile)")
        label = _text(intent.get("/OutputConditionIdentifier")) or _text(intent.get("/Info")) or "ICC-profil"
        return Check(name, True, label)
    return Check(name, False, "ingen OutputIntent av typen GTS_PDFA1")


_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")


def _font_name(font: Dictionary, key: str) -> str:
    base = _text(font.get("/BaseFont"))
    if base:
        return _SUBSET_PREFIX.sub("", base.lstrip("/"))
    return _text(font.get("/Name")) or key.lstrip("/")


def _descriptor_embedded(font: Dictionary | None) -> bool:
    descriptor = _dict(font.get("/FontDescriptor")) if font is not None else None
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _font_embedded(font: Dictionary) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # glyphs are content streams in the font itself
    if subtype == "/Type0":
        descendants = [_dict(d) for d in _array(font.get("/DescendantFonts"))]
        return bool(descendants) and all(_descriptor_embedded(d) for d in descendants)
    return _descriptor_embedded(font)


def _fonts(pdf: pikepdf.Pdf) -> Iterator[tuple[str, bool]]:
    """(name, embedded) for every font reachable from the pages' resources.

    Follows Form XObjects, tiling patterns and annotation appearance streams;
    every font and resource dictionary is visited once.
    """
    seen: set[tuple[int, int]] = set()

    def from_resources(resources) -> Iterator[tuple[str, bool]]:
        resources = _dict(resources)
        if resources is None or not _first_visit(resources, seen):
            return
        fonts = _dict(resources.get("/Font")) or {}
        for key, font in fonts.items():
            font = _dict(font)
            if font is None or not _first_visit(font, seen):
                continue
            yield _font_name(font, key), _font_embedded(font)
        for group in ("/XObject", "/Pattern"):
            for child in (_dict(resources.get(group)) or {}).values():
                yield from from_stream(child)

    def from_stream(stream) -> Iterator[tuple[str, bool]]:
        if isinstance(stream, (Dictionary, Stream)) and "/Resources" in stream:
            yield from from_resources(stream.Resources)

    for page in pdf.pages:
        yield from from_resources(page.obj.get("/Resources"))
        for annotation in _array(page.obj.get("/Annots")):
            appearances = _dict(_dict(annotation).get("/AP")) if _dict(annotation) is not None else None
            for state in (appearances or {}).values():
                if isinstance(state, Stream):
                    yield from from_stream(state)
                elif isinstance(state, Dictionary):  # appearance sub-states (/On, /Off)
                    for sub in state.values():
                        yield from from_stream(sub)


def _check_fonts(doc: _Doc) -> Check:
    name = "typsnitt"
    embedded: set[str] = set()
    missing: set[str] = set()
    for font_name, is_embedded in _fonts(doc.pdf):
        (embedded if is_embedded else missing).add(font_name)
    if missing:
        return Check(name, False, "ej inbäddade: " + ", ".join(sorted(missing)))
    if not embedded:
        return Check(name, True, "inga typsnitt")
    count = len(embedded)
    return Check(name, True, f"{count} typsnitt, " + ("inbäddat" if count == 1 else "alla inbäddade"))


def _number_tree_keys(node: object) -> set[int]:
    """All keys of a number tree; what qpdf cannot read of a broken one is left out."""
    if not isinstance(node, Dictionary):
        return set()
    return set(pikepdf.NumberTree(node, auto_repair=False).keys())


def _check_tagging(doc: _Doc) -> Check:
    name = "taggning"
    mark_info = _dict(doc.catalog.get("/MarkInfo"))
    marked = mark_info is not None and mark_info.get("/Marked") is True
    tree_root = _dict(doc.catalog.get("/StructTreeRoot"))
    if not marked and tree_root is None:
        return Check(name, False, "otaggad (MarkInfo och StructTreeRoot saknas)")
    problems = []
    if not marked:
        problems.append("MarkInfo /Marked är inte true")
    pages = len(doc.pdf.pages)
    if tree_root is None:
        problems.append("StructTreeRoot saknas")
    else:
        keys = _number_tree_keys(tree_root.get("/ParentTree"))
        untagged = []
        for number, page in enumerate(doc.pdf.pages, start=1):
            parents = page.obj.get("/StructParents")
            if isinstance(parents, bool) or not isinstance(parents, int) or parents not in keys:
                untagged.append(number)
        if untagged:
            label = "sida" if len(untagged) == 1 else "sidor"
            problems.append(f"{label} utan taggning: {number_runs(untagged)}")
    if problems:
        return Check(name, False, "; ".join(problems))
    return Check(name, True, "taggad på sidan 1" if pages == 1 else f"taggad på alla {pages} sidor")


def _check_language(doc: _Doc) -> Check:
    name = "språk"
    lang = _text(doc.catalog.get("/Lang"))
    if not lang:
        return Check(name, False, f"/Lang saknas (förväntat {doc.language})")
    # Language tags are case-insensitive (BCP 47): sv-se is sv-SE.
    if lang.strip().lower() != doc.language.lower():
        return Check(name, False, f"{lang} (förväntat {doc.language})")
    return Check(name, True, lang)


def _check_title(doc: _Doc) -> Check:
    name = "titel"
    problems = []
    info_title = _text(doc.info.get("/Title")) if doc.info is not None else None
    xmp_title = doc.xmp.first(DC, "title") if doc.xmp is not None else None
    if not info_title or not info_title.strip():
        problems.append("titel saknas i Info")
    if xmp_title is None:
        problems.append("dc:title saknas i XMP")
    elif info_title and info_title.strip() and xmp_title != info_title:
        problems.append(f"Info {_quote(info_title)} ≠ XMP {_quote(xmp_title)}")
    preferences = _dict(doc.catalog.get("/ViewerPreferences"))
    if preferences is None or preferences.get("/DisplayDocTitle") is not True:
        problems.append("DisplayDocTitle är inte satt")
    if problems:
        return Check(name, False, "; ".join(problems))
    return Check(name, True, _shorten(info_title or ""))


# (Info key, XMP namespace, XMP property, is a date) as PDF/A requires them to agree.
_METADATA_PAIRS = (
    ("/Producer", PDF_NS, "Producer", False),
    ("/CreationDate", XMP_NS, "CreateDate", True),
    ("/ModDate", XMP_NS, "ModifyDate", True),
    ("/Author", DC, "creator", False),
    ("/Creator", XMP_NS, "CreatorTool", False),
    ("/Subject", DC, "description", False),
    ("/Keywords", PDF_NS, "Keywords", False),
)


def _check_metadata(doc: _Doc) -> Check:
    name = "metadata"
    if doc.xmp is None:
        # Nothing to compare; the PDF/A check already reports the missing packet.
        return Check(name, True, "ingen XMP-metadata att jämföra med")
    problems = []
    agreeing = 0
    for key, ns, prop, is_date in _METADATA_PAIRS:
        info_value = _text(doc.info.get(key)) if doc.info is not None else None
        xmp_value = doc.xmp.first(ns, prop)
        field = key.lstrip("/")
        if info_value is None:
            continue  # XMP alone is fine: the Info dictionary is optional
        if xmp_value is None:
            problems.append(f"{field} finns i Info men inte i XMP")
            continue
        if is_date:
            info_date, xmp_date = parse_pdf_date(info_value), parse_xmp_date(xmp_value)
            same = info_date is not None and xmp_date is not None and _same_instant(info_date, xmp_date)
        else:
            same = info_value == xmp_value
        if same:
            agreeing += 1
        else:
            problems.append(f"{field}: Info {_quote(info_value)} ≠ XMP {_quote(xmp_value)}")
    if problems:
        return Check(name, False, "; ".join(problems))
    if not agreeing:
        return Check(name, True, "inga fält att jämföra")
    return Check(name, True, f"Info och XMP stämmer ({agreeing} fält)")


_CHECKS: tuple[tuple[str, Callable[[_Doc], Check]], ...] = (
    ("PDF/A", _check_pdfa),
    ("utdataprofil", _check_output_intent),
    ("typsnitt", _check_fonts),
    ("taggning", _check_tagging),
    ("språk", _check_language),
    ("titel", _check_title),
    ("metadata", _check_metadata),
)


# What a package with an attached PDF in it is still checked for: what the merge itself writes.
_PACKAGE_CHECKS = ("språk", "titel", "metadata")


# ---------------------------------------------------------------------------
# Public API


def check_pdf(path: Path, language: str = "sv-SE", origin: str | None = None, roots: list | None = None) -> PdfReport:
    """Run every check on one PDF. Never raises for a bad file: problems become failed checks.

    A signed file's signatures are validated against ``roots`` (None: trust is not judged).
    ``origin`` is the manifest's word for it: an attached PDF (``extern``) is
    only read, and a package holding one (``delvis extern``) is checked for what
    docgen itself gave it; their own documents are checked one by one anyway.
    """
    path = Path(path)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return PdfReport(path, (Check("läsbar", False, "krypterad (inte tillåtet i PDF/A)"),))
    except Exception as exc:  # pikepdf raises many types for a broken file
        return _unreadable(path, exc)
    with pdf:
        try:
            if pdf.is_encrypted:
                return PdfReport(path, (Check("läsbar", False, "krypterad (inte tillåtet i PDF/A)"),))
            catalog = _dict(pdf.trailer.get("/Root"))
            if catalog is None:
                raise ValueError("dokumentkatalog (/Root) saknas")
            pages = len(pdf.pages)  # the page tree must be walkable
            info = _dict(pdf.trailer.get("/Info"))
        except Exception as exc:  # pikepdf raises many types for a broken file
            return _unreadable(path, exc)
        if origin == ORIGIN_EXTERNAL:
            return PdfReport(path, (Check("läsbar", True, f"{pages} {'sida' if pages == 1 else 'sidor'}"),
                                    Check("ursprung", True, "externt underlag, bifogat som det är; "
                                                            "inte kontrollerat som PDF/A")))
        xmp, xmp_problem = _read_xmp(pdf)
        checks = _run_checks(_Doc(pdf, catalog, info, xmp, xmp_problem, language), origin)
        signed = _has_signatures(catalog)
    if signed:
        checks += (signature_check(path.read_bytes(), roots),)
    return PdfReport(path, checks)


def _has_signatures(catalog: Dictionary) -> bool:
    """Whether the form holds a signature field: only then is pyHanko asked (it is slow to load and to read)."""
    form = _dict(catalog.get("/AcroForm"))
    fields = _array(form.get("/Fields")) if form is not None else []
    return any(_dict(f) is not None and f.get("/FT") == "/Sig" for f in fields)


def signature_check(data: bytes, roots: list | None) -> Check:
    """Who signed and when, intact or broken, whether the last covers the whole file, trusted or not."""
    reading = signatures.read(data, roots)
    parts = [signatures.described(s) for s in reading.signatures]
    if reading.problem:
        parts.append(reading.problem)
    if not reading.signatures and not reading.problem:
        return Check("underskrifter", False, "underskriftsfält utan underskrift")
    return Check("underskrifter", reading.ok, "; ".join(parts))


def _unreadable(path: Path, exc: Exception) -> PdfReport:
    reason = str(exc) or type(exc).__name__
    return PdfReport(path, (Check("läsbar", False, f"kan inte läsas som PDF: {reason}"),))


def _run_checks(doc: _Doc, origin: str | None) -> tuple[Check, ...]:
    checks = []
    if origin == ORIGIN_PARTLY_EXTERNAL:
        checks.append(Check("ursprung", True, "innehåller externt underlag; PDF/A gäller docgens egna "
                                              "handlingar, som kontrolleras var för sig"))
    for name, run in _CHECKS:
        if origin == ORIGIN_PARTLY_EXTERNAL and name not in _PACKAGE_CHECKS:
            continue
        try:
            checks.append(run(doc))
        except Exception as exc:  # a malformed structure in an otherwise readable file
            checks.append(Check(name, False, f"kunde inte kontrolleras: {exc or type(exc).__name__}"))
    return tuple(checks)


def _pdf_files(folder: Path) -> list[Path]:
    """Every *.pdf below ``folder``, hidden folders and files left out, sorted by relative path."""
    found = []
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for file in files:
            if not file.startswith(".") and file.lower().endswith(".pdf"):
                found.append(Path(directory, file))
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def verify_tree(folder: Path, language: str = "sv-SE", roots: list | None = None) -> list[PdfReport]:
    """Check every PDF below ``folder`` (hidden folders skipped), in sorted order; ``folder`` may be one PDF."""
    folder = Path(folder)
    if folder.is_file():
        return [check_pdf(folder, language, None, roots)]
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} är ingen mapp")
    origins = _origins(folder)
    return [check_pdf(path, language, origins.get(path), roots) for path in _pdf_files(folder)]


def _origins(folder: Path) -> dict[Path, str]:
    """What the builds' manifests below ``folder`` say of each file's origin, where it is not docgen."""
    origins: dict[Path, str] = {}
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        if MANIFEST not in files:
            continue
        try:
            listed = load(Path(directory)).files
        except ManifestError:
            continue  # no usable manifest: every PDF is checked in full
        origins.update({Path(directory, entry.file): entry.origin for entry in listed if entry.origin != ORIGIN_OWN})
    return origins


def summary_line(reports: list[PdfReport]) -> str:
    """The Swedish one-line verdict, e.g. ``29 PDF-filer kontrollerade: alla godkända.``"""
    total = len(reports)
    failed = sum(not r.ok for r in reports)
    if total == 0:
        return "Inga PDF-filer hittades."
    files = "PDF-fil" if total == 1 else "PDF-filer"
    external = sum(1 for r in reports if r.check("ursprung") is not None)
    note = f" ({external} med externt underlag, som inte kontrolleras som PDF/A)" if external else ""
    if failed == 0:
        if total == 1:
            return f"1 PDF-fil kontrollerad: godkänd{note}."
        return f"{total} {files} kontrollerade: alla godkända{note}."
    return f"{failed} av {total} {files} har fel{note}."


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def print_report(reports: list[PdfReport], console: Console, root: Path) -> None:
    """A table with one row per file and one column per check, then the summary line."""
    root = Path(root)
    present = {check.name for report in reports for check in report.checks}
    columns = [name for name in CHECK_NAMES if name in present]
    columns += sorted(present - set(columns))
    if reports:
        table = Table(title="Kontroll av PDF-filer", show_lines=False, header_style="bold")
        table.add_column("Fil", overflow="fold")
        for name in columns:
            table.add_column(name, overflow="fold")
        for report in reports:
            cells: list[Text | str] = [Text(_relative(report.path, root), style=None if report.ok else "bold")]
            for name in columns:
                check = report.check(name)
                if check is None:
                    cells.append("")
                elif check.ok:
                    cells.append(Text("✓ ", style="green") + Text(check.detail))
                else:
                    cells.append(Text("✗ ", style="bold red") + Text(check.detail, style="red"))
            table.add_row(*cells)
        console.print(table)
    all_ok = all(r.ok for r in reports)
    console.print(Text(summary_line(reports), style="bold green" if all_ok and reports else "bold red"))
