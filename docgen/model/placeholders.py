"""Placeholders in the secretary's clause texts, rendered safely.

Att-clauses are written with readable placeholders (``{{ borgensbelopp }}``,
``{{ regressavtal_datum }}``). They are rendered in Jinja's sandbox with
StrictUndefined: an unknown name is an error the validator reports with its
line, and nothing written in YAML can reach Python internals.

A value a member has not given yet is a :class:`FillIn`: it renders as a
marked span that the Word renderer shows as a visible fill-in field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError

from docgen.model import fillins
from docgen.model.sandbox import Sandbox

# Unicode noncharacters: the input stage refuses them in the secretary's text, so a clause can
# never fake a fill-in field (private-use characters can arrive pasted from Word's symbol fonts).
OPEN = "\ufdd0"
CLOSE = "\ufdd1"

_ENV = Sandbox(autoescape=False)
"""A clause is plain text: the Word renderer escapes it where it lands."""


@dataclass(frozen=True)
class FillIn:
    """A value the member itself fills in; shown as ``[description]``."""

    description: str

    def __str__(self) -> str:
        return f"{OPEN}{self.description}{CLOSE}"


@dataclass(frozen=True)
class Segment:
    text: str
    fill_in: bool = False


class PlaceholderError(ValueError):
    """A clause's placeholders could not be rendered; the message is Swedish."""


def render(text: str, values: dict[str, Any], member_clause: bool = False) -> list[Segment]:
    """Render ``text`` with ``values``; fill-ins come back as their own segments.

    Only plain ``{{ name }}`` placeholders are allowed: no filters, attributes,
    calls or statements. In a member's own clause (``member_clause``) the
    fill-in marks of :mod:`docgen.fillins` become visible fields.
    """
    if fillins.stray_template_syntax(text):
        raise PlaceholderError("bara platshållare av formen {{ namn }} är tillåtna "
                               "(inga filter, punkter, anrop eller {% %})")
    if member_clause:
        text = fillins.as_fields(text, OPEN, CLOSE)
    try:
        rendered = _ENV.from_string(text).render(values)
    except TemplateError as exc:
        raise PlaceholderError(_swedish(exc)) from None
    return _split(rendered)


def _split(rendered: str) -> list[Segment]:
    segments: list[Segment] = []
    rest = rendered
    while OPEN in rest:
        before, _, after = rest.partition(OPEN)
        inside, _, rest = after.partition(CLOSE)
        if before:
            segments.append(Segment(before))
        segments.append(Segment(inside, fill_in=True))
    if rest:
        segments.append(Segment(rest))
    return segments


def _swedish(exc: TemplateError) -> str:
    message = str(exc)
    if "is undefined" in message:
        name = message.split("'")[1] if "'" in message else message
        return f"okänd platshållare {{{{ {name} }}}}"
    if "unsafe" in message or "access to attribute" in message:
        return "platshållaren försöker nå något otillåtet; använd bara namn som {{ borgensbelopp }}"
    return f"platshållarna går inte att tolka ({message})"
