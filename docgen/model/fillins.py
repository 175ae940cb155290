"""Leftover fill-ins: the marks a Word template leaves for a value nobody gave.

The seed protocol went out with ``"datum"`` and ``KF ÅÅÅÅ § xx`` in its
§ 18. Such a mark is refused in any text of the YAML, except in an
att-clause marked as the member's own to complete (``medlemmens_uppgift``),
where it becomes a visible fill-in field instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Mark:
    pattern: re.Pattern[str]
    what: str
    """How the error names it."""
    field: str | None
    """The label of the visible field it becomes in a member's clause; None: never allowed."""


MARKS = (
    Mark(re.compile(r"ÅÅÅÅ(-MM-DD)?|ÅÅ-MM-DD"), "ÅÅÅÅ", "år"),
    Mark(re.compile(r"(?<![\w])[xX]{2,3}(?![\w])"), "xx", "nr"),
    Mark(re.compile(r"[\"“”']datum[\"“”']"), '"datum"', "datum"),
    Mark(re.compile(r"\bTODO\b|\bFIXME\b"), "TODO", None),
    Mark(re.compile(r"\[\s*(…|\.\.\.)?\s*\]"), "[…]", "fylls i"),
    Mark(re.compile(r"_{3,}"), "___", "fylls i"),
)

TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
PLACEHOLDER = re.compile(r"\{\{\s*([^\W\d]\w*)\s*\}\}")
"""The only template syntax a clause may hold: ``{{ name }}``."""


def find(text: str) -> list[tuple[str, int]]:
    """The fill-in marks in ``text`` with where they start, named as the errors name them."""
    found = [(mark.what, match.start()) for mark in MARKS if (match := mark.pattern.search(text))]
    return sorted(found, key=lambda pair: pair[1])


def as_fields(text: str, open_mark: str, close_mark: str) -> str:
    """Turn the fill-in marks of a member's own clause into delimited field labels."""
    for mark in MARKS:
        if mark.field is not None:
            text = mark.pattern.sub(f"{open_mark}{mark.field}{close_mark}", text)
    return text


def stray_template_syntax(text: str) -> bool:
    """True if ``text`` has template syntax other than plain ``{{ name }}`` placeholders."""
    return bool(TEMPLATE_SYNTAX.search(PLACEHOLDER.sub("", text)))


def placeholder_names(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)
