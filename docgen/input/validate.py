"""Turn the loaded YAML into a valid :class:`~docgen.model.Case`, or say everything wrong with it.

Every problem is collected, then reported once, each with ``file:line:col``,
the dotted field and a Swedish message saying what is expected.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from docgen.errors import InputError, Problem
from docgen.input import markdown_limits
from docgen.input.load import Path_, Source, load_yaml
from docgen.model import calendar, fillins, placeholders
from docgen.model import formatting as fmt
from docgen.model.addresses import SINGLE_LINE
from docgen.model.case import ALL_MEMBERS, ASSOCIATION_FILE, FILE, Association, Attachment, Case, Meeting
from docgen.model.clauses import clause_values


def load_case(meeting_file: Path) -> Case:
    """Load, validate and cross-check a meeting and its association."""
    meeting_src = load_yaml(meeting_file)
    association_name = ASSOCIATION_FILE
    if isinstance(meeting_src.data, dict) and isinstance(meeting_src.data.get("förbund"), str):
        association_name = meeting_src.data["förbund"]
    association_path = meeting_file.parent / association_name
    association_src = load_yaml(association_path)

    problems: list[Problem] = []
    association = _model(Association, association_src, problems)
    meeting = _model(Meeting, meeting_src, problems)
    if association is None or meeting is None:
        raise InputError(_named(problems, association_src, meeting_src))
    case = Case(association=association, meeting=meeting, sources=(meeting_file, association_path),
                templates_folder=_templates_folder(association, association_path, association_src, problems))
    problems += check_rules(case, association_src, meeting_src)
    if problems:
        raise InputError(_named(problems, association_src, meeting_src))
    return case


def _named(problems: list[Problem], association_src: Source, meeting_src: Source) -> list[Problem]:
    """Fields as the secretary knows them: ``Vimmerby kommun (medlemmar[1]).uppgifter``, ``§ 18 (paragrafer[2]).dnr``.

    An index alone misleads: medlemmar[1] is the second member, not the first.
    """
    labels: dict[tuple[str, str], str] = {}
    for index, member in enumerate(_entries(association_src.data, "medlemmar")):
        if isinstance(member.get("namn"), str) and len(member["namn"].splitlines()) == 1:
            labels[(association_src.file, f"medlemmar[{index}]")] = f"{member['namn']} (medlemmar[{index}])"
    for index, item in enumerate(_entries(meeting_src.data, "paragrafer")):
        if isinstance(item.get("nummer"), int) and not isinstance(item.get("nummer"), bool):
            labels[(meeting_src.file, f"paragrafer[{index}]")] = f"§ {item['nummer']} (paragrafer[{index}])"
    named = []
    for problem in problems:
        head, dot, rest = problem.field.partition(".")
        label = labels.get((problem.file, head))
        named.append(dataclasses.replace(problem, field=label + dot + rest) if label else problem)
    return named


def _entries(data: Any, key: str) -> list[dict[str, Any]]:
    entries = data.get(key) if isinstance(data, dict) else None
    return [e if isinstance(e, dict) else {} for e in entries] if isinstance(entries, list) else []


def _templates_folder(association: Association, association_path: Path, source: Source,
                      problems: list[Problem]) -> Path | None:
    """The association's own template folder (``mallar:``), relative to its YAML file."""
    if association.templates is None:
        return None
    folder = association_path.parent / association.templates
    if not folder.is_dir():
        problems.append(source.problem(("mallar",), f"mappen {str(folder)!r} finns inte"))
        return None
    return folder


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
        if _has(node, part):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and not _is_type_tag(part):
            path.append(part)  # a missing key: its parent has the position, the path names the key
            break
    return tuple(path)


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and part < len(node)


def _is_type_tag(part: str) -> bool:
    """Pydantic inserts type tags (``date``, ``str``, ``function-before[...]``) into locations."""
    return part in {"date", "str", "int", "none", "bool", "decimal"} or "[" in part


_MESSAGES = {
    "missing": "saknas; ange ett värde",
    "extra_forbidden": "okänd nyckel; kontrollera stavningen",
    "date_from_datetime_parsing": 'ogiltigt datum "{input}" – skriv ÅÅÅÅ-MM-DD',
    "date_parsing": 'ogiltigt datum "{input}" – skriv ÅÅÅÅ-MM-DD',
    "date_type": 'ogiltigt datum "{input}" – skriv ÅÅÅÅ-MM-DD',
    "time_parsing": 'ogiltig tid "{input}" – skriv TT:MM, t.ex. \"10:00\"',
    "time_type": 'ogiltig tid "{input}" – skriv TT:MM, t.ex. \"10:00\"',
    "int_parsing": '"{input}" är inte ett heltal',
    "int_type": '"{input}" är inte ett heltal',
    "int_from_float": '"{input}" är inte ett heltal',
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "string_type": "ska vara text",
    "string_too_short": "får inte vara tom",
    "string_too_long": "är {length} tecken lång; högst {max_length} tecken",
    "too_short": "får inte vara tom",
    "too_long": "har {actual_length} delar; högst {max_length}",
    "finite_number": "ska vara ett tal, inte {input}",
    "float_type": "ska vara ett tal",
    "float_parsing": '"{input}" är inte ett tal',
    "decimal_type": "ska vara ett tal, t.ex. 13,08",
    "decimal_parsing": '"{input}" är inte ett tal; skriv t.ex. 13,08',
    "decimal_max_places": "högst {decimal_places} decimaler",
    "decimal_max_digits": "högst {max_digits} siffror",
    "greater_than_equal": "ska vara minst {ge}",
    "less_than_equal": "får vara högst {le}",
    "less_than": "ska vara mindre än {lt}",
    "list_type": "ska vara en lista (rader som börjar med \"- \")",
    "dict_type": "ska vara en mappning (nyckel: värde)",
    "model_type": "ska vara en mappning (nyckel: värde)",
    "model_attributes_type": "ska vara en mappning (nyckel: värde)",
    "greater_than": "ska vara större än {gt}",
    "literal_error": "ska vara ett av: {expected}",
    "string_pattern_mismatch": 'har fel form "{input}"; förväntat mönster {pattern}',
    "address_local_part": ("delen före @ i {local!r} har tecken utanför a–z (t.ex. å, ä, ö), som inte alla "
                           "e-postservrar tar emot; ange en adress där delen före @ bara har a–z, siffror och . - _"),
    "address_domain": "domänen {domain!r} går inte att skriva som e-postdomän (IDNA); kontrollera stavningen",
}

_PATTERN_HINTS = {
    r"^\d{4}/\d+$": "ÅÅÅÅ/nummer, t.ex. 2026/14",
    r"^[a-z0-9][a-z0-9-]*$": "små bokstäver a–z, siffror och bindestreck, t.ex. boxholm",
}


def _message(error: ErrorDetails) -> str:
    value = error.get("input")
    if value is None and error["type"].endswith(("_type", "_parsing")):
        return "är tomt; fyll i ett värde"  # a key written with nothing after it, or ~
    template = _MESSAGES.get(error["type"])
    if template is None:
        return f"ogiltigt värde ({error['msg']})"
    if error["type"] == "string_type" and _kind(value):
        return f"ska vara text, inte {_kind(value)}; skriv texten inom citattecken"
    ctx = {key: fmt.message_integer(item) if isinstance(item, int) and not isinstance(item, bool) else item
           for key, item in (error.get("ctx") or {}).items()}
    pattern = ctx.get("pattern")
    if pattern == SINGLE_LINE:
        return ("får inte ha någon radbrytning: texten står på en rad (i ett brevhuvud, en adressrad eller "
                "ett e-postmeddelandes rubrik); skriv den på en rad")
    if pattern is not None:
        ctx["pattern"] = _PATTERN_HINTS.get(pattern, pattern)
        if "@" in pattern:
            return f"ogiltig e-postadress {_shown(value)!r}"
    ctx["expected"] = _in_swedish(str(ctx.get("expected", "")))
    length = fmt.message_integer(len(value.strip())) if isinstance(value, str) else ""
    return template.format(input=_shown(value), length=length, **ctx)


def _in_swedish(choices: str) -> str:
    """Pydantic lists a literal's choices as ``'a', 'b' or 'c'``: the last ``or`` is Swedish ``eller``."""
    head, separator, last = choices.rpartition(" or ")
    return f"{head} eller {last}" if separator else choices


def _shown(value: Any) -> str:
    """A value as the secretary wrote it: YAML's .inf and .nan, long texts shortened."""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        if value != value:
            return ".nan"
        if value in (math.inf, -math.inf):
            return ".inf" if value > 0 else "-.inf"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _kind(value: Any) -> str | None:
    """What a YAML value that is not text is, in words."""
    if isinstance(value, bool):
        return f"sanningsvärdet {'true' if value else 'false'}"
    if isinstance(value, int | float | Decimal):
        return f"talet {_shown(value)}"
    return None


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

    problems += _check_calendar(case, meeting_src)
    problems += _check_fill_ins(case, association_src, meeting_src)
    problems += _check_shares(case, association_src)
    if association.agreement_return.manner != "pappersoriginal" and association.agreement_email is None:
        problems.append(association_src.problem(
            ("regressavtal", "sätt"), f"{association.agreement_return.manner} behöver en e-postadress; ange "
                                      "regressavtal.epost eller förbundets epost"))
    if meeting.first_number is not None and numbers[0] != meeting.first_number:
        problems.append(meeting_src.problem(
            ("paragrafer", 0, "nummer"),
            f"första paragrafen är § {numbers[0]} men första_paragraf säger § {meeting.first_number}"))

    known_recipients = {ALL_MEMBERS, FILE, *member_names}
    for index, item in enumerate(meeting.items):
        for key, text in (("beslut", item.decision), ("beskrivning", item.description)):
            for message, offset in markdown_limits.problems(text):
                problems.append(meeting_src.problem(("paragrafer", index, key), message, offset))
        for r_index, recipient in enumerate(item.recipients):
            if recipient not in known_recipients:
                problems.append(meeting_src.problem(
                    ("paragrafer", index, "skickas_till", r_index),
                    f"okänd mottagare {recipient!r}; skriv {ALL_MEMBERS}, {FILE} eller en medlems namn"))
        if item.request:
            problems += _check_request(case, index, association_src, meeting_src)
        problems += _check_attachments(case, index, meeting_src)
    return problems


def _check_request(case: Case, index: int, association_src: Source,
                   meeting_src: Source) -> list[Problem]:
    problems: list[Problem] = []
    item = case.meeting.items[index]
    request = item.request
    assert request is not None
    base = ("paragrafer", index, "hemställan")
    member_ids = {m.id for m in case.association.members}
    for c_index, clause in enumerate(request.clauses):
        where = (*base, "att_satser", c_index)
        for i, member_id in enumerate(clause.members or []):
            if member_id not in member_ids:
                problems.append(meeting_src.problem(
                    (*where, "gäller", i), f"okänd medlem {member_id!r}; känd är: {', '.join(sorted(member_ids))}"))
        if clause.requires is not None and clause.requires not in request.member_facts:
            problems.append(meeting_src.problem(
                (*where, "förutsätter"), f"{clause.requires!r} finns inte under medlemsuppgifter; "
                                        f"känd är: {', '.join(request.member_facts) or 'ingen'}"))
    for m_index, member in enumerate(case.association.members):
        needed = {name for clause in request.clauses if clause.applies_to(member)
                  for name in fillins.placeholder_names(clause.text)}
        for key, fact in request.member_facts.items():
            if key not in member.facts and key in needed:
                problems.append(association_src.problem(
                    ("medlemmar", m_index, "uppgifter"),
                    f"uppgiften {key!r} ({fact.description}) saknas; skriv {key}: ~ om kommunen "
                    "själv fyller i den, eller förutsätter: " + key + " på de att-satser som använder den, "
                    "om den inte gäller kommunen"))
            elif key in member.facts and fact.kind == "datum" and not _is_date(member.facts[key]):
                problems.append(association_src.problem(
                    ("medlemmar", m_index, "uppgifter", key),
                    f"ogiltigt datum \"{member.facts[key]}\" – skriv ÅÅÅÅ-MM-DD"))
    for c_index, clause in enumerate(request.clauses):
        where = (*base, "att_satser", c_index)
        for recipient in (None, *(m for m in case.association.members if clause.applies_to(m))):
            try:
                placeholders.render(clause.text, clause_values(case, item, recipient), clause.member_specific)
            except placeholders.PlaceholderError as exc:
                problems.append(meeting_src.problem(where, str(exc)))
                break
        uses_facts = [n for n in fillins.placeholder_names(clause.text) if n in request.member_facts]
        if uses_facts and not clause.member_specific:
            problems.append(meeting_src.problem(
                where, f"satsen använder kommunens egen uppgift {{{{ {uses_facts[0]} }}}}; "
                       "ange medlemmens_uppgift: true så att den markeras med * när kommunen fyller i"))
    return problems


def check_signed_calendar(case: Case, meeting_file: Path) -> None:
    """The anslag's dates against the justering's day as the signatures gave it: raises :class:`InputError`."""
    meeting_src = load_yaml(meeting_file)
    problems = _check_calendar(case, meeting_src)
    if problems:
        raise InputError(_named(problems, load_yaml(case.sources[1]), meeting_src))


def _check_calendar(case: Case, src: Source) -> list[Problem]:
    """Justering, anslag and appeal period (KL 8:12, 13:5; lag 1930:173)."""
    problems: list[Problem] = []
    meeting = case.meeting
    adjusted = meeting.adjustment.day
    day = fmt.short_date
    # With signatures their day is a fact: a late one cannot be put right in the YAML (status says so); the
    # anslag's dates can.
    planned = meeting.adjustment.signed_on is None
    if planned and adjusted < meeting.date:
        problems.append(src.problem(("justering", "datum"),
                                    f"justeringen {day(adjusted)} är före sammanträdet {day(meeting.date)}"))
    elif planned and adjusted > calendar.latest_adjustment(meeting.date):
        problems.append(src.problem(
            ("justering", "datum"),
            f"justeringen {day(adjusted)} är mer än {calendar.ADJUSTMENT_DAYS} dagar efter sammanträdet; "
            f"senast {day(calendar.latest_adjustment(meeting.date))}"))
    said = f"justeringen {day(adjusted)}" + ("" if planned else " (dagen för den sista underskriften)")
    posted = meeting.posted
    if posted < adjusted:
        problems.append(src.problem(("anslag", "uppsatt"), f"anslaget {day(posted)} sätts upp före {said}"))
    elif posted > calendar.latest_posting(adjusted):
        problems.append(src.problem(
            ("anslag", "uppsatt"),
            f"anslaget sätts upp {day(posted)}, för sent: senast andra dagen efter {said}, "
            f"{day(calendar.latest_posting(adjusted))}"))
    if meeting.removed < meeting.appeal_ends:
        problems.append(src.problem(
            ("anslag", "nedtaget"),
            f"anslaget tas ned {day(meeting.removed)}, före överklagandetidens slut; "
            f"tidigast {day(meeting.appeal_ends)} (tre veckor från {day(posted)})"))
    return problems


def _check_fill_ins(case: Case, association_src: Source, meeting_src: Source) -> list[Problem]:
    """No leftover fill-in or template syntax in any text, except as the clauses allow."""
    problems: list[Problem] = []
    member_clauses: set[Path_] = set()
    clauses: set[Path_] = set()
    for index, item in enumerate(case.meeting.items):
        for c_index, clause in enumerate(item.request.clauses if item.request else []):
            for where in (("paragrafer", index, "hemställan", "att_satser", c_index),
                          ("paragrafer", index, "hemställan", "att_satser", c_index, "text")):
                clauses.add(where)
                if clause.member_specific:
                    member_clauses.add(where)
    for source in (association_src, meeting_src):
        for path, text in _strings(source.data, ()):
            marks = fillins.find(text)
            if path in member_clauses:
                marks = [m for m in marks if m[0] == "TODO"]
            syntax = fillins.TEMPLATE_SYNTAX.search(text)
            if marks:
                what, offset = marks[0]
                problems.append(source.problem(
                    path, f"kvarglömd ifyllnadsmarkering {what!r}; skriv det riktiga värdet, eller "
                          "en platshållare i en att-sats med medlemmens_uppgift: true och ~ för kommunen",
                    offset))
            elif path not in clauses and syntax:
                problems.append(source.problem(
                    path, "mallsyntax ({{ }}, {% %}) får bara stå i att-satser; skriv texten som den ska stå",
                    syntax.start()))
    return problems


def _strings(node: Any, path: Path_):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))


def _check_shares(case: Case, src: Source) -> list[Problem]:
    """Regressavtal shares: one basis for all members, given shares exactly 100,00 %."""
    if not any(item.request and item.request.guarantee for item in case.request_items):
        return []
    members = case.association.members
    with_share = [i for i, m in enumerate(members) if m.share is not None]
    with_weight = [i for i, m in enumerate(members) if m.weight is not None]
    if len(with_share) == len(members):
        total = sum((m.share for m in members if m.share is not None), Decimal(0))
        if total != 100:
            return [src.problem(("medlemmar", with_share[-1], "andel"),
                                f"andelarna summerar till {fmt.percent(total)}; de ska bli exakt 100,00 %")]
        return []
    if len(with_weight) == len(members) and not with_share:
        return []
    # Point at the first member that breaks the pattern: one with neither, else one with a share.
    neither = [i for i, m in enumerate(members) if m.weight is None and m.share is None]
    where = neither[0] if neither else with_share[0]
    return [src.problem(("medlemmar", where),
                        "ange fördelningstal för alla medlemmar eller andel för alla medlemmar, "
                        "inte en blandning; borgen i hemställan behöver en fördelning")]


ATTACHMENT_LIMIT = 50 * 1024 * 1024
"""An underlag file larger than this is refused: it would not pass a registrator's mail server."""


def _check_attachments(case: Case, index: int, src: Source) -> list[Problem]:
    """Every underlag file named is there, readable, a PDF or Word file, and not too large."""
    problems: list[Problem] = []
    item = case.meeting.items[index]
    for b_index, entry in enumerate(item.basis):
        if not isinstance(entry, Attachment):
            continue
        path = case.attachment_path(entry)
        problem = _attachment_problem(path, entry)
        if problem:
            problems.append(src.problem(("paragrafer", index, "beslutsunderlag", b_index, "fil"), problem))
    return problems


def _attachment_problem(path: Path, entry: Attachment) -> str | None:
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".docx"):
        return f"{entry.file}: bara PDF (.pdf) och Word (.docx) kan bifogas"
    try:
        if not path.is_file():
            return f"filen {entry.file} finns inte (sökt i {path.parent})"
        if path.stat().st_size > ATTACHMENT_LIMIT:
            return f"{entry.file} är större än {ATTACHMENT_LIMIT // (1024 * 1024)} MB"
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as exc:
        return f"{entry.file} kan inte läsas: {exc.strerror or exc}"
    if suffix == ".pdf":
        return _pdf_problem(path, entry) if head == b"%PDF-" else f"{entry.file} är ingen PDF-fil"
    if not _is_word_file(path):
        return f"{entry.file} är ingen Word-fil (.docx)"
    return None


def _pdf_problem(path: Path, entry: Attachment) -> str | None:
    import pikepdf  # only when a meeting attaches a PDF

    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages) == 0:
                return f"{entry.file} har inga sidor"
    except pikepdf.PasswordError:
        return f"{entry.file} är lösenordsskyddad; bifoga en PDF utan lösenord"
    except Exception as exc:  # pikepdf raises many types for a damaged file
        return f"{entry.file} kan inte läsas som PDF: {exc}"
    return None


def _is_word_file(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _is_date(value: object) -> bool:
    """A date, or a quoted ISO date ('2019-05-21'), or absent (the member fills it in)."""
    if value is None or isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True
