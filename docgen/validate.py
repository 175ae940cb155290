"""Turn the loaded YAML into a valid :class:`~docgen.model.Case`, or say everything wrong with it.

Every problem is collected, then reported once, each with ``file:line:col``,
the dotted field and a Swedish message saying what is expected.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from docgen import placeholders
from docgen.errors import InputError, Problem
from docgen.load import Path_, Source, load_yaml
from docgen.model import ALL_MEMBERS, FILE, Association, Case, Meeting
from docgen.context import clause_values

DEFAULT_MEETING = Path("decisions/2026-03-26-direktionen.yaml")


def load_case(meeting_file: Path) -> Case:
    """Load, validate and cross-check a meeting and its association."""
    meeting_src = load_yaml(meeting_file)
    association_name = "forbund.yaml"
    if isinstance(meeting_src.data, dict) and isinstance(meeting_src.data.get("förbund"), str):
        association_name = meeting_src.data["förbund"]
    association_src = load_yaml(meeting_file.parent / association_name)

    problems: list[Problem] = []
    association = _model(Association, association_src, problems)
    meeting = _model(Meeting, meeting_src, problems)
    if association is None or meeting is None:
        raise InputError(problems)
    case = Case(association=association, meeting=meeting)
    problems += check_rules(case, association_src, meeting_src)
    if problems:
        raise InputError(problems)
    return case


def _model(model: type[BaseModel], source: Source, problems: list[Problem]) -> Any:
    if not isinstance(source.data, dict):
        problems.append(source.problem((), "filen ska vara en mappning med nycklar och värden"))
        return None
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        for error in exc.errors():
            path = _data_path(source.data, error["loc"])
            problems.append(source.problem(path, _message(error)))
        return None


def _data_path(data: Any, loc: tuple[Any, ...]) -> Path_:
    """The part of pydantic's location that exists in the data (drops union tags)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not path_has_tag(part):
            path.append(part)  # a missing key: point at its parent, name the key
            break
        else:
            continue
        path.append(part)
    return tuple(path)


def path_has_tag(part: str) -> bool:
    """Pydantic inserts type tags (``date``, ``str``, ``function-before[...]``) into locations."""
    return part in {"date", "str", "int", "none", "bool"} or "[" in part


_MESSAGES = {
    "missing": "saknas; ange ett värde",
    "extra_forbidden": "okänd nyckel; kontrollera stavningen",
    "date_from_datetime_parsing": "ogiltigt datum {input!r} – skriv ÅÅÅÅ-MM-DD",
    "date_parsing": "ogiltigt datum {input!r} – skriv ÅÅÅÅ-MM-DD",
    "date_type": "ogiltigt datum {input!r} – skriv ÅÅÅÅ-MM-DD",
    "time_parsing": "ogiltig tid {input!r} – skriv TT:MM, t.ex. \"10:00\"",
    "time_type": "ogiltig tid {input!r} – skriv TT:MM, t.ex. \"10:00\"",
    "int_parsing": "{input!r} är inte ett heltal",
    "int_type": "{input!r} är inte ett heltal",
    "int_from_float": "{input!r} är inte ett heltal",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "string_type": "ska vara text",
    "string_too_short": "får inte vara tom",
    "too_short": "får inte vara tom",
    "list_type": "ska vara en lista (rader som börjar med \"- \")",
    "dict_type": "ska vara en mappning (nyckel: värde)",
    "model_type": "ska vara en mappning (nyckel: värde)",
    "model_attributes_type": "ska vara en mappning (nyckel: värde)",
    "greater_than": "ska vara större än {gt}",
    "literal_error": "ska vara ett av: {expected}",
    "string_pattern_mismatch": "har fel form {input!r}; förväntat mönster {pattern}",
}

_PATTERN_HINTS = {
    r"^\d{4}/\d+$": "ÅÅÅÅ/nummer, t.ex. 2026/14",
    r"^[a-z0-9][a-z0-9-]*$": "små bokstäver a–z, siffror och bindestreck, t.ex. boxholm",
}


def _message(error: dict[str, Any]) -> str:
    template = _MESSAGES.get(error["type"])
    if template is None:
        return f"ogiltigt värde ({error['msg']})"
    ctx = dict(error.get("ctx") or {})
    pattern = ctx.get("pattern")
    if pattern is not None:
        ctx["pattern"] = _PATTERN_HINTS.get(pattern, pattern)
        if "@" in pattern:
            return f"ogiltig e-postadress {error.get('input')!r}"
    ctx.setdefault("expected", "")
    return template.format(input=error.get("input"), **ctx)


def check_rules(case: Case, association_src: Source, meeting_src: Source) -> list[Problem]:
    """Cross-field rules pydantic cannot see: references, numbering, placeholders."""
    problems: list[Problem] = []
    association, meeting = case.association, case.meeting

    ids = Counter(m.id for m in association.members)
    for index, member in enumerate(association.members):
        if ids[member.id] > 1:
            problems.append(association_src.problem(("medlemmar", index, "id"),
                                                    f"medlemmen {member.id!r} finns flera gånger"))
    member_ids = set(ids)
    member_names = {m.name for m in association.members}

    groups = (("ledamöter", meeting.attendance.members),
              ("tjänstgörande_ersättare", meeting.attendance.serving_substitutes),
              ("ersättare", meeting.attendance.substitutes),
              ("övriga_närvarande", meeting.attendance.others))
    for key, people in groups:
        for index, person in enumerate(people):
            if person.member and person.member not in member_ids:
                problems.append(meeting_src.problem(
                    ("närvaro", key, index, "medlem"),
                    f"okänd medlem {person.member!r}; känd är: {', '.join(sorted(member_ids))}"))

    present = {a.name for a in meeting.attendance.everyone}
    for index, name in enumerate(meeting.adjustment.adjusters):
        if name not in present:
            problems.append(meeting_src.problem(("justering", "justerare", index),
                                                f"{name!r} finns inte bland de närvarande"))
    if meeting.person_with_role("sekreterare") is None:
        problems.append(meeting_src.problem(("närvaro",),
                                            "ingen närvarande har roll: sekreterare"))

    numbers = [item.number for item in meeting.items]
    seen: set[int] = set()
    for index, number in enumerate(numbers):
        if number in seen:
            problems.append(meeting_src.problem(("paragrafer", index, "nummer"),
                                                f"§ {number} finns redan"))
        elif index and number != numbers[index - 1] + 1:
            problems.append(meeting_src.problem(
                ("paragrafer", index, "nummer"),
                f"§ {number} följer inte på § {numbers[index - 1]}; paragraferna ska vara i följd"))
        seen.add(number)

    known_recipients = {ALL_MEMBERS, FILE, *member_names}
    for index, item in enumerate(meeting.items):
        for r_index, recipient in enumerate(item.recipients):
            if recipient not in known_recipients:
                problems.append(meeting_src.problem(
                    ("paragrafer", index, "skickas_till", r_index),
                    f"okänd mottagare {recipient!r}; skriv {ALL_MEMBERS}, {FILE} eller en medlems namn"))
        if item.request:
            problems += _check_request(case, index, association_src, meeting_src)
    if sum(1 for item in meeting.items if item.request) > 1:
        problems.append(meeting_src.problem(("paragrafer",),
                                            "högst en paragraf per sammanträde kan ha hemställan"))
    return problems


def _check_request(case: Case, index: int, association_src: Source,
                   meeting_src: Source) -> list[Problem]:
    problems: list[Problem] = []
    item = case.meeting.items[index]
    request = item.request
    assert request is not None
    base = ("paragrafer", index, "hemställan")
    for m_index, member in enumerate(case.association.members):
        for key, fact in request.member_facts.items():
            if key not in member.facts:
                problems.append(association_src.problem(
                    ("medlemmar", m_index, "uppgifter"),
                    f"uppgiften {key!r} ({fact.description}) saknas; skriv {key}: ~ om kommunen "
                    "själv fyller i den"))
            elif fact.kind == "datum" and not _is_date(member.facts[key]):
                problems.append(association_src.problem(
                    ("medlemmar", m_index, "uppgifter", key),
                    f"ogiltigt datum {member.facts[key]!r} – skriv ÅÅÅÅ-MM-DD"))
    for c_index, clause in enumerate(request.clauses):
        for member in (None, *case.association.members):
            try:
                placeholders.render(clause.text, clause_values(case, member))
            except placeholders.PlaceholderError as exc:
                problems.append(meeting_src.problem((*base, "att_satser", c_index), str(exc)))
                break
    return problems


def _is_date(value: object) -> bool:
    """A date, or a quoted ISO date ('2019-05-21'), or absent (the member fills it in)."""
    if value is None or isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True
