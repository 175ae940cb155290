"""Word content a context holds as plain data, for the renderer to build and the render cache to key on.

A context builder never makes Word objects: where a template shows more
than a line of text it puts one of these markers. They are frozen plain
data, so the digest of a context (:func:`digest_material`) covers all a
filled-in template shows, and :mod:`docgen.documents.render` turns each into
a docxtpl sub-document or a line-broken text when it fills the template.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from docgen.model.placeholders import Segment


@dataclass(frozen=True)
class Lines:
    """Lines of text in one template cell, each on its own line."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Markdown:
    """The secretary's Markdown (a decision, a description), as Word paragraphs, lists and tables."""

    text: str


@dataclass(frozen=True)
class Styled:
    """One paragraph in a named style of the template."""

    text: str
    style: str


@dataclass(frozen=True)
class AttClause:
    """One att-clause: ``att`` and its text, fill-in fields dotted, a * if the member fills something in."""

    segments: tuple[Segment, ...]
    starred: bool


@dataclass(frozen=True)
class Rich:
    """A sub-document: Markdown, styled paragraphs and att-clauses in order."""

    blocks: tuple[Markdown | Styled | AttClause, ...]


def digest_material(value: Any) -> bytes:
    """``value`` (a context, its markers included) as canonical bytes: equal bytes, equal document."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=_tagged).encode("utf-8")


def _tagged(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"$": type(value).__name__, **{f.name: getattr(value, f.name) for f in dataclasses.fields(value)}}
    raise TypeError(f"a context holds plain data and markers, not {type(value).__name__}")
