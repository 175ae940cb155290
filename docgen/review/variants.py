"""What differs between members: the values each member's documents carry, one row per member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docgen.model import clauses
from docgen.model import formatting as fmt
from docgen.model.case import Case, Item, Member
from docgen.model.placeholders import FillIn

FILL_IN = "fylls i av kommunen"


@dataclass(frozen=True)
class Column:
    heading: str
    values: list[str]
    """One per member, in member order."""

    @property
    def same_for_all(self) -> bool:
        return len(set(self.values)) <= 1


@dataclass(frozen=True)
class Table:
    """One request paragraph's member-specific values."""

    item: Item
    members: list[Member]
    columns: list[Column]


def tables(case: Case) -> list[Table]:
    """One table per paragraph that asks the councils for a decision."""
    return [_table(case, item) for item in case.request_items]


def _table(case: Case, item: Item) -> Table:
    members = list(case.association.members)
    request = item.request
    assert request is not None
    columns: list[Column] = []
    shares = case.shares(item)
    if shares:
        columns.append(Column("Andel", [fmt.percent(shares[m.id].percent) if m.id in shares else "–"
                                        for m in members]))
        columns.append(Column("Belopp (kr)", [fmt.integer(shares[m.id].kronor) if m.id in shares else "–"
                                              for m in members]))
    values = [clauses.clause_values(case, item, m) for m in members]
    for key, fact in request.member_facts.items():
        columns.append(Column(fact.description[:1].upper() + fact.description[1:],
                              [_shown(v.get(key)) for v in values]))
    fields = [clauses.open_fields(case, item, m) for m in members]
    columns.append(Column("Fylls i av kommunen", ["; ".join(f) if f else "inget" for f in fields]))
    total = len(request.clauses)
    numbers = [clauses.clause_numbers(item, m) for m in members]
    columns.append(Column(f"Att-satser (av {total})",
                          [f"alla {total}" if len(n) == total else fmt.number_runs(n) for n in numbers]))
    return Table(item, members, columns)


def _shown(value: Any) -> str:
    if value is None or isinstance(value, FillIn):
        return FILL_IN
    return str(value)
