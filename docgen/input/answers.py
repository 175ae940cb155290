"""Read the councils' answers (``<möte>-svar.yaml`` beside the meeting) and check them against the case.

The file is read with the same position-tracking loader and reported in the
same Swedish ``file:line:col: field: message`` form as the meeting itself.
A meeting with no answers yet has no file; that is not an error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docgen.errors import InputError, Problem
from docgen.input.load import Path_, Source, load_yaml
from docgen.input.validate import _model
from docgen.model.answers import Answer, Answers, PerParagraph, paragraph_number
from docgen.model.case import Case, Item
from docgen.model.filenames import ANSWERS_SUFFIX


def answers_file(meeting_file: Path) -> Path:
    """Where the answers to ``meeting_file`` are recorded: beside it, ``<möte>-svar.yaml``."""
    return meeting_file.with_name(meeting_file.stem + ANSWERS_SUFFIX)


def load_answers(path: Path, case: Case) -> Answers:
    """The answers in ``path`` (none if it does not exist), validated; raises :class:`InputError` with file:line."""
    if not path.exists():
        return Answers()
    source = load_yaml(path)
    if source.data is None:  # an empty file or only comments: nothing recorded yet
        return Answers()
    problems: list[Problem] = []
    answers = _model(Answers, source, problems)
    if answers is None:
        raise InputError(problems)
    problems += _check(answers, case, source)
    if problems:
        raise InputError(problems)
    return answers


def _check(answers: Answers, case: Case, source: Source) -> list[Problem]:
    """What the model cannot see: known members, the meeting's requests, dates after it, a regressavtal at all."""
    asked = case.request_items
    problems: list[Problem] = []
    if not asked and answers.answers:
        problems.append(source.problem(("svar",), "sammanträdet har ingen hemställan till medlemmarna att svara på"))
    members = [m.id for m in case.association.members]
    for member_id, given in answers.answers.items():
        where = ("svar", member_id)
        if member_id not in members:
            problems.append(source.problem(where, f"okänd medlem {member_id!r}; känd är: {', '.join(members)}"))
        elif asked:
            problems += (_check_one_answer(given, case, where, source) if isinstance(given, Answer)
                         else _check_per_paragraph(given, case, where, source))
    return problems


def _ref(number: int) -> str:
    # A plain space: the secretary may copy it into the file.
    return f"§ {number}"


def _answerable(case: Case) -> str:
    return ", ".join(_ref(item.number) for item in case.request_items)


def _check_one_answer(answer: Answer, case: Case, where: Path_, source: Source) -> list[Problem]:
    """An answer right under the member's id: right only when the meeting has one request."""
    asked = case.request_items
    if len(asked) == 1:
        return _check_answer(answer, asked[0], case.meeting.date, where, source)
    first = _ref(asked[0].number)
    return [source.problem(where, f"sammanträdet har {len(asked)} hemställanden ({_answerable(case)}); skriv "
                                  f"kommunens svar under den paragraf det gäller, t.ex. \"{first}:\" med datum, "
                                  "kf_paragraf och beslut indragna under")]


def _check_per_paragraph(given: PerParagraph, case: Case, where: Path_, source: Source) -> list[Problem]:
    """Answers under ``§ 42:`` and so on: each to a paragraph of the meeting that has a request, once."""
    items = {item.number: item for item in case.meeting.items}
    seen: dict[int, str] = {}
    problems: list[Problem] = []
    for key, answer in given.items():
        at = (*where, key)
        found = _answered_item(key, items, seen, case)
        if isinstance(found, str):
            problems.append(source.problem(at, found))
            continue
        seen[found.number] = key
        problems += _check_answer(answer, found, case.meeting.date, at, source)
    return problems


def _answered_item(key: str, items: dict[int, Item], seen: dict[int, str], case: Case) -> Item | str:
    """The paragraph a key like ``§ 42`` answers, or what is wrong with the key (Swedish)."""
    answerable = f"svar kan ges på {_answerable(case)}"
    number = paragraph_number(key)
    if number is None:
        return f"{key!r} är ingen paragraf; skriv t.ex. \"{_ref(case.request_items[0].number)}:\" ({answerable})"
    if number not in items:
        return f"sammanträdet har ingen {_ref(number)}; {answerable}"
    if items[number].request is None:
        return f"{_ref(number)} har ingen hemställan till medlemmarna; {answerable}"
    if number in seen:
        return f"{_ref(number)} står redan som {seen[number]!r}; ta bort den ena"
    return items[number]


def _check_answer(answer: Answer, item: Item, meeting_day: dt.date, where: Path_, source: Source) -> list[Problem]:
    """One answer to the request in ``item``: dates after the meeting, a regressavtal only to a guarantee."""
    problems: list[Problem] = []
    if answer.date < meeting_day:
        problems.append(source.problem((*where, "datum"), f"{answer.date} är före sammanträdet "
                                                          f"{meeting_day}; ange dagen fullmäktige beslutade"))
    signed = answer.agreement_signed
    if signed is None:
        return problems
    at = (*where, "regressavtal_undertecknat")
    if item.request is None or item.request.guarantee is None:
        problems.append(source.problem(at, f"hemställan i {_ref(item.number)} gäller ingen borgen och har inget "
                                           "regressavtal; ta bort raden"))
    elif answer.decision == "avslag":
        problems.append(source.problem(at, "kommunen har avslagit hemställan och undertecknar då inte "
                                           "regressavtalet; kontrollera beslutet"))
    elif signed < meeting_day:
        problems.append(source.problem(at, f"{signed} är före sammanträdet {meeting_day}; ange dagen det "
                                           "nya regressavtalet undertecknades"))
    return problems
