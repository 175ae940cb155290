"""Read the councils' answers (``<möte>-svar.yaml`` beside the meeting) and check them against the case.

The file is read with the same position-tracking loader and reported in the
same Swedish ``file:line:col: field: message`` form as the meeting itself.
A meeting with no answers yet has no file; that is not an error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ValidationError

from docgen.errors import InputError, Problem
from docgen.input.load import Path_, Source, load_yaml
from docgen.input.validate import _model
from docgen.model.answers import Answer, Answers, PerParagraph, names_paragraph, paragraph_number
from docgen.model.case import Case, Item
from docgen.model.filenames import ANSWERS_SUFFIX


def answers_file(meeting_file: Path) -> Path:
    """Where the answers to ``meeting_file`` are recorded: beside it, ``<möte>-svar.yaml``."""
    return meeting_file.with_name(meeting_file.stem + ANSWERS_SUFFIX)


def load_answers(path: Path, case: Case, today: dt.date | None = None) -> Answers:
    """The answers in ``path`` (none if it does not exist), validated; raises :class:`InputError` with file:line.

    Every problem at once: the answers that are valid by themselves are
    checked against the case even when others are not.
    """
    if not path.exists():
        return Answers()
    source = load_yaml(path)
    if source.data is None:  # an empty file or only comments: nothing recorded yet
        return Answers()
    problems: list[Problem] = []
    answers = _model(Answers, source, problems)
    problems += _check(answers or _valid_part(source), case, source, today or dt.date.today())
    if problems:
        raise InputError(problems)
    assert answers is not None
    return answers


def _valid_part(source: Source) -> Answers:
    """The answers of a file that did not validate as a whole that do by themselves, for the other checks."""
    given = source.data.get("svar") if isinstance(source.data, dict) else None
    if not isinstance(given, dict):
        return Answers()
    kept: dict[str, Answer | PerParagraph] = {}
    for member_id, answer in given.items():
        try:
            kept[member_id] = Answers.model_validate({"svar": {member_id: answer}}).answers[member_id]
        except ValidationError:
            if isinstance(answer, dict) and any(names_paragraph(key) for key in answer):
                kept[member_id] = {key: one for key, one in _valid_answers(answer)}
    return Answers.model_construct(answers=kept)


def _valid_answers(by_paragraph: dict[str, object]):
    for key, answer in by_paragraph.items():
        try:
            yield key, Answer.model_validate(answer)
        except ValidationError:
            continue


def _check(answers: Answers, case: Case, source: Source, today: dt.date) -> list[Problem]:
    """What the model cannot see: known members, the meeting's requests, dates after it and not after today,
    a regressavtal at all and signed after the decision."""
    asked = case.request_items
    problems: list[Problem] = []
    if not asked and answers.answers:
        problems.append(source.problem(("svar",), "sammanträdet har ingen hemställan till medlemmarna att svara på"))
    members = [m.id for m in case.association.members]
    given = source.data.get("svar") if isinstance(source.data, dict) else None
    for member_id in given if isinstance(given, dict) else ():
        if member_id not in members:
            problems.append(source.problem(("svar", member_id),
                                           f"okänd medlem {member_id!r}; känd är: {', '.join(members)}"))
    for member_id, answer in answers.answers.items():
        where = ("svar", member_id)
        if member_id not in members or not asked:
            continue
        if isinstance(answer, Answer):
            problems += _check_one_answer(answer, case, where, source, today)
        else:
            problems += _check_per_paragraph(answer, case, where, source, today)
    return problems


def _ref(number: int) -> str:
    # A plain space: the secretary may copy it into the file.
    return f"§ {number}"


def _answerable(case: Case) -> str:
    return ", ".join(_ref(item.number) for item in case.request_items)


def _check_one_answer(answer: Answer, case: Case, where: Path_, source: Source, today: dt.date) -> list[Problem]:
    """An answer right under the member's id: right only when the meeting has one request."""
    asked = case.request_items
    if len(asked) == 1:
        return _check_answer(answer, asked[0], case.meeting.date, today, where, source)
    first = _ref(asked[0].number)
    return [source.problem(where, f"sammanträdet har {len(asked)} hemställanden ({_answerable(case)}); skriv "
                                  f"kommunens svar under den paragraf det gäller, t.ex. \"{first}:\" med datum, "
                                  "kf_paragraf och beslut indragna under")]


def _check_per_paragraph(given: PerParagraph, case: Case, where: Path_, source: Source,
                         today: dt.date) -> list[Problem]:
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
        problems += _check_answer(answer, found, case.meeting.date, today, at, source)
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


def _check_answer(answer: Answer, item: Item, meeting_day: dt.date, today: dt.date, where: Path_,
                  source: Source) -> list[Problem]:
    """One answer to the request in ``item``: dated between the meeting and today, a regressavtal only to a
    guarantee, signed no earlier than the council decided."""
    problems: list[Problem] = []
    if answer.date < meeting_day:
        problems.append(source.problem((*where, "datum"), f"{answer.date} är före sammanträdet "
                                                          f"{meeting_day}; ange dagen fullmäktige beslutade"))
    elif answer.date > today:
        problems.append(source.problem((*where, "datum"), f"{answer.date} har inte varit än (i dag är det {today}); "
                                                          "ange dagen fullmäktige beslutade"))
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
    elif signed < answer.date:
        problems.append(source.problem(at, f"{signed} är före fullmäktiges beslut {answer.date}; kommunen "
                                           "undertecknar det nya regressavtalet efter beslutet – ange den dagen"))
    elif signed > today:
        problems.append(source.problem(at, f"{signed} har inte varit än (i dag är det {today}); ange dagen "
                                           "regressavtalet undertecknades"))
    return problems
