"""The values an att-clause's placeholders take, for the general text or one member.

The validator renders every clause with these values to find unknown
placeholders; the documents render them into the decision and each
member's proposal. Both must see exactly the same values, so they live here,
below both. Every function is about one paragraph's request: a meeting may
ask the councils for several things.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from docgen.model import formatting as fmt
from docgen.model import placeholders
from docgen.model.case import Case, Clause, Item, Member
from docgen.model.placeholders import FillIn


def clause_values(case: Case, item: Item, member: Member | None) -> dict[str, Any]:
    """Values for the placeholders in ``item``'s att-clauses; ``member=None`` is the general text."""
    association = case.association
    values: dict[str, Any] = {
        "medlemmarna": fmt.join_list([m.name for m in association.members], "samt"),
        "förbundet": association.name,
    }
    request = item.request
    if request is None:
        return values
    if request.guarantee:
        values["borgensbelopp"] = fmt.integer(request.guarantee.amount)
    for key, fact in request.member_facts.items():
        value = member.facts.get(key) if member else None
        if value is None:
            values[key] = FillIn(fact.description)
        elif fact.kind == "datum":
            values[key] = _long_date_or_text(value)
        else:
            values[key] = value
    return values


def _long_date_or_text(value: object) -> str:
    # An invalid date is reported by validation; here it only must not crash.
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return fmt.long_date(day)


def open_fields(case: Case, item: Item, member: Member) -> list[str]:
    """What this member still has to fill in itself, as its clauses of ``item`` show it."""
    values = clause_values(case, item, member)
    labels: list[str] = []
    for clause in member_clauses(item, member):
        for segment in placeholders.render(clause.text, values, clause.member_specific):
            if segment.fill_in and segment.text not in labels:
                labels.append(segment.text)
    return labels


def member_clauses(item: Item, member: Member) -> list[Clause]:
    """The att-clauses of ``item``'s request that ``member``'s own proposal carries."""
    if item.request is None:
        return []
    return [clause for clause in item.request.clauses if clause.applies_to(member)]


def clause_numbers(item: Item, member: Member) -> list[int]:
    """1-based numbers, in ``item``'s request, of the clauses ``member`` gets."""
    if item.request is None:
        return []
    return [number for number, clause in enumerate(item.request.clauses, start=1) if clause.applies_to(member)]
