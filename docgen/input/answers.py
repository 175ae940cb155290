"""Read the councils' answers (``<möte>-svar.yaml`` beside the meeting) and check them against the case.

The file is read with the same position-tracking loader and reported in the
same Swedish ``file:line:col: field: message`` form as the meeting itself.
A meeting with no answers yet has no file; that is not an error.
"""

from __future__ import annotations

from pathlib import Path

from docgen.errors import InputError, Problem
from docgen.input.load import Source, load_yaml
from docgen.input.validate import _model
from docgen.model.answers import Answers
from docgen.model.case import Case

SUFFIX = "-svar.yaml"


def answers_file(meeting_file: Path) -> Path:
    """Where the answers to ``meeting_file`` are recorded: beside it, ``<möte>-svar.yaml``."""
    return meeting_file.with_name(meeting_file.stem + SUFFIX)


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
    """What the model cannot see: known members, dates after the meeting, a regressavtal to sign at all."""
    problems: list[Problem] = []
    members = {m.id: m for m in case.association.members}
    meeting_day = case.meeting.date
    has_agreement = any(item.request.guarantee for item in case.meeting.items if item.request)
    for member_id, answer in answers.answers.items():
        where = ("svar", member_id)
        if member_id not in members:
            problems.append(source.problem(where, f"okänd medlem {member_id!r}; känd är: {', '.join(members)}"))
            continue
        if answer.date < meeting_day:
            problems.append(source.problem((*where, "datum"), f"{answer.date} är före sammanträdet "
                                                              f"{meeting_day}; ange dagen fullmäktige beslutade"))
        signed = answer.agreement_signed
        if signed is None:
            continue
        if not has_agreement:
            problems.append(source.problem((*where, "regressavtal_undertecknat"),
                                           "sammanträdets hemställan har inget regressavtal; ta bort raden"))
        elif answer.decision == "avslag":
            problems.append(source.problem((*where, "regressavtal_undertecknat"),
                                           "kommunen har avslagit hemställan och undertecknar då inte "
                                           "regressavtalet; kontrollera beslutet"))
        elif signed < meeting_day:
            problems.append(source.problem((*where, "regressavtal_undertecknat"),
                                           f"{signed} är före sammanträdet {meeting_day}; ange dagen det "
                                           "nya regressavtalet undertecknades"))
    if not any(item.request for item in case.meeting.items) and answers.answers:
        problems.append(source.problem(("svar",), "sammanträdet har ingen hemställan till medlemmarna att svara på"))
    return problems
