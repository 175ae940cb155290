"""The next meeting's YAML, started from the previous one: what carries over, and what the secretary fills in.

Carried over as a starting point: the association file, the body, time,
place, attendance and the kind of justering with its adjusters. Paragraph
numbers continue where the previous protocol ended (§ numbers run through a
calendar year; the secretary restarts at 1 in a new year by editing
``första_paragraf``). Every date is left empty (``~``), as are the
paragraphs' texts: ``docgen check`` lists them with their lines until they
are filled in.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from docgen.errors import InputError, Problem
from docgen.files import write_atomically
from docgen.input.load import display_name, load_yaml
from docgen.input.validate import load_case
from docgen.model.filenames import ASSOCIATION_FILE, DRAFT_PREFIX

CARRIED = ("förbund", "organ", "tid", "plats", "närvaro")


def next_meeting_file(previous: Path) -> Path:
    """Where the next meeting of the same body is written by default, beside the previous one."""
    case = load_case(previous)
    return previous.parent / f"{DRAFT_PREFIX}{case.meeting.slug.split('-', 3)[3]}.yaml"


def write_next_meeting(previous: Path, target: Path) -> int:
    """Write the next meeting after ``previous`` to ``target``; returns its first paragraph number."""
    case = load_case(previous)  # only a valid meeting is a starting point
    if target.exists():
        raise InputError([Problem(display_name(target), None, None, "",
                                  "filen finns redan; docgen skriver inte över den – välj ett annat namn")])
    data = load_yaml(previous).data
    first = case.meeting.items[-1].number + 1
    meeting = CommentedMap()
    for key in CARRIED:
        if key in data and not (key == "förbund" and data[key] == ASSOCIATION_FILE):
            meeting[key] = _plain_to_yaml(data[key])
    meeting["datum"] = None
    meeting.yaml_add_eol_comment("fyll i: ÅÅÅÅ-MM-DD", "datum")
    adjustment = CommentedMap()
    adjustment["justerare"] = CommentedSeq(case.meeting.adjustment.adjusters)
    adjustment["datum"] = None
    adjustment.yaml_add_eol_comment("fyll i: senast 14 dagar efter sammanträdet", "datum")
    adjustment["sätt"] = case.meeting.adjustment.manner
    meeting["justering"] = adjustment
    meeting["första_paragraf"] = first
    item = CommentedMap()
    for key in ("nummer", "dnr", "rubrik", "beslut"):
        item[key] = first if key == "nummer" else None
    item["skickas_till"] = CommentedSeq(["Akt"])
    meeting["paragrafer"] = CommentedSeq([item])

    yaml = YAML(typ="rt")
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(meeting, buffer)
    header = _schema_line(previous) + (
        f"# Nästa sammanträde för {case.meeting.body}, påbörjat av docgen new från {previous.name}.\n"
        "# Fyll i datum, justeringens datum och paragraferna; kör sedan docgen check.\n")
    write_atomically(target, (header + buffer.getvalue()).encode("utf-8"))
    return first


def _schema_line(previous: Path) -> str:
    first_line = previous.read_text(encoding="utf-8").split("\n", 1)[0]
    return first_line + "\n" if first_line.startswith("# yaml-language-server:") else ""


def _plain_to_yaml(value: Any) -> Any:
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _plain_to_yaml(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq([_plain_to_yaml(item) for item in value])
    return value
