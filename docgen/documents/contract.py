"""The contract a Word template keeps with the pipeline, checked before anything is built.

A template may be restyled freely (fonts, spacing, page furniture), in the
association's own folder or in docgen's. What it must keep: the styles the
pipeline writes generated content in (the § heading the ärendelista's page
numbers are found by, the att-clauses, …), and placeholders that the
context provides. ``docgen check`` reports every breach with the template's
name; ``docgen build`` refuses a template without the styles before it
starts LibreOffice.
"""

from __future__ import annotations

import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

from docx.styles import BabelFish
from lxml import etree

from docgen.documents.kinds import DocumentKind, PlannedDocument, kinds
from docgen.documents.plan import plan
from docgen.documents.render import render_docx
from docgen.documents.templates import TemplateProblem, Templates
from docgen.errors import InputError, Problem
from docgen.input.validate import load_case
from docgen.model.case import Case
from docgen.records import justering

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

def style_names(template: Path) -> set[str]:
    """The paragraph and character style names of a DOCX, as Word's interface shows them."""
    try:
        with zipfile.ZipFile(template) as docx:
            styles = docx.read("word/styles.xml")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise TemplateProblem(template, f"filen går inte att läsa som Word-dokument ({exc})") from None
    return set(_style_names(template, styles))


@lru_cache(maxsize=32)
def _style_names(template: Path, styles: bytes) -> frozenset[str]:
    # Keyed by content: docgen serve checks the same unchanged templates on every rebuild.
    try:
        root = etree.fromstring(styles)
    except etree.XMLSyntaxError as exc:
        raise TemplateProblem(template, f"filen går inte att läsa som Word-dokument ({exc})") from None
    names = set()
    for name in root.iter(f"{_W}name"):
        if name.getparent().tag == f"{_W}style":
            names.add(BabelFish.internal2ui(name.get(f"{_W}val", "")))
    return frozenset(names)


def style_problems(documents: list[PlannedDocument], templates: Templates) -> list[Problem]:
    problems = []
    for kind in _kinds(documents):
        assert kind.template is not None
        path = templates.path(kind.template)
        present = style_names(path)
        missing = [s for s in kind.styles if s not in present]
        if missing:
            problems.append(_problem(path, f"formatmallen {', '.join(repr(s) for s in missing)} saknas; "
                                           "docgen skriver innehåll i den (lägg tillbaka den i Word: "
                                           "Format › Formatmallar)"))
    return problems


def check_styles(documents: list[PlannedDocument], templates: Templates) -> None:
    """Refuse templates that lack a style the pipeline needs (cheap: reads styles.xml only)."""
    problems = style_problems(documents, templates)
    if problems:
        raise InputError(problems)


def check_templates(case: Case, documents: list[PlannedDocument], templates: Templates) -> list[Problem]:
    """Every breach of the contract in the templates this case uses, ``docgen remind``'s too.

    Placeholders are checked by filling each template once for real (one
    document of each kind, in a temporary folder): only that proves every
    ``{{ … }}`` names something the context provides. A kind that a build
    does not make (the reminder) is checked with the kind's own sample.
    """
    planned = {d.kind.id for d in documents}
    documents = [*documents, *(sample for kind in kinds() if kind.id not in planned
                               and (sample := kind.sample(case)) is not None)]
    problems = style_problems(documents, templates)
    with tempfile.TemporaryDirectory(prefix="docgen-mallkontroll-") as folder:
        for kind in _kinds(documents):
            sample = next(d for d in documents if d.kind is kind)
            try:
                render_docx(sample, case, Path(folder) / f"{sample.key}.docx", templates)
            except TemplateProblem as exc:
                problems.append(_problem(exc.template, exc.message))
    return problems


def load_and_check(meeting_file: Path) -> Case:
    """What ``docgen check`` checks: the YAML, then the templates the case would use."""
    case = justering.apply(load_case(meeting_file), meeting_file)
    problems = check_templates(case, plan(case), Templates(case.templates_folder))
    if problems:
        raise InputError(problems)
    return case


def _kinds(documents: list[PlannedDocument]) -> list[DocumentKind]:
    """The kinds filled in from a template (an attached underlag file has none)."""
    return list(dict.fromkeys(d.kind for d in documents if d.kind.template is not None))


def _problem(template: Path, message: str) -> Problem:
    return Problem(str(template), None, None, "", message)
