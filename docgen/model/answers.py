"""The member councils' answers to a meeting's requests, as the secretary records them.

A request to every member's council (a hemställan) holds only when every
council has decided in favour, and a new regressavtal only once every party
has signed it. A meeting may ask for several decisions, each in its own
paragraph; each holds or fails on its own. The secretary writes each answer
as it comes in; this model is what those lines mean. Keys are Swedish, as in
the meeting's YAML.

With one request a member's answer stands right under its id; with several,
each answer stands under the paragraph it answers (``§ 42:``). The input
stage checks which shape the meeting needs.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, GetJsonSchemaHandler, Tag
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from docgen.model.case import as_text

Decision = Literal["bifall", "avslag", "återremiss"]
"""What a council decided: granted, refused, or sent back for more work (it will decide later)."""

_PARAGRAPH_KEY = re.compile(r"§?\s*(\d+)")


def paragraph_number(key: str) -> int | None:
    """The paragraph a key like ``§ 42`` (or ``§42``) names; None if the key names none."""
    match = _PARAGRAPH_KEY.fullmatch(key.replace("\N{NO-BREAK SPACE}", " ").strip())
    return int(match.group(1)) if match else None


def names_paragraph(key: object) -> bool:
    """Whether a key is meant as a paragraph (``§ 42``, also a misspelt ``§ 4x``) rather than a field."""
    return isinstance(key, str) and (key.strip().startswith("§") or paragraph_number(key) is not None)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=False)


CouncilParagraph = Annotated[str, Field(min_length=1, max_length=100)]


class Answer(_Model):
    """One council's answer to one request."""

    date: dt.date = Field(alias="datum", description="Dagen fullmäktige beslutade, t.ex. 2026-05-12.")
    council_paragraph: Annotated[CouncilParagraph, BeforeValidator(
        as_text, json_schema_input_type=CouncilParagraph | int)] = Field(
        alias="kf_paragraf", description="Fullmäktiges paragraf, t.ex. KF 2026 § 45.")
    decision: Decision = Field(alias="beslut", description="bifall, avslag eller återremiss.")
    agreement_signed: dt.date | None = Field(
        None, alias="regressavtal_undertecknat",
        description="Dagen kommunen undertecknade det nya regressavtalet; utelämnat = inte ännu. "
                    "Bara för en hemställan om borgen.")

    @property
    def decided(self) -> bool:
        """Whether the council has taken its position (an återremiss means it will decide later)."""
        return self.decision != "återremiss"


PerParagraph = dict[str, Answer]
"""A member's answers by paragraph, keyed as the secretary wrote them (``§ 42``)."""

# The tags are bracketed so that the input stage's error locations pass over them like pydantic's own type tags.
_ONE, _BY_PARAGRAPH = "[ett svar]", "[per paragraf]"


def _shape(value: object) -> str:
    if isinstance(value, dict) and any(names_paragraph(key) for key in value):
        return _BY_PARAGRAPH
    return _ONE


class _ShapeInSchema:
    """The JSON Schema chooses between the two shapes as :func:`_shape` does, by the keys.

    With a plain ``oneOf`` an editor reports a misspelt ``beslut`` against
    the shape the secretary did not mean (every key "is no paragraph").
    """

    _NAMES_PARAGRAPH = r"^\s*(§|\d+\s*$)"
    """:func:`names_paragraph` as a JSON Schema pattern (``\\s`` takes a no-break space as well)."""

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        one, by_paragraph = handler(schema)["oneOf"]
        # Only paragraphs once the keys say "per paragraph"; the input stage says which key is none.
        by_paragraph["propertyNames"] = {"pattern": rf"^\s*{_PARAGRAPH_KEY.pattern}\s*$"}
        some_key_names_a_paragraph = {"not": {"propertyNames": {"not": {"pattern": self._NAMES_PARAGRAPH}}}}
        return {"if": some_key_names_a_paragraph, "then": by_paragraph, "else": one}


MemberAnswer = Annotated[Annotated[Answer, Tag(_ONE)] | Annotated[PerParagraph, Tag(_BY_PARAGRAPH)],
                         Discriminator(_shape), _ShapeInSchema()]


class Answers(_Model):
    """Every answer received so far, by member id."""

    answers: dict[str, MemberAnswer] = Field(
        default_factory=dict, alias="svar",
        description="Varje kommuns svar under dess id, t.ex. boxholm. Har sammanträdet en hemställan står "
                    "svaret (datum, kf_paragraf, beslut, regressavtal_undertecknat) direkt under id:t; har det "
                    "flera står varje svar under paragrafen det gäller, t.ex. \"§ 42:\" och \"§ 43:\".")

    def answer(self, member_id: str, number: int) -> Answer | None:
        """The member's answer to the request in § ``number``, if one is recorded.

        An answer written right under the member's id answers the meeting's
        only request (the input stage refuses it when there are several).
        """
        given = self.answers.get(member_id)
        if given is None or isinstance(given, Answer):
            return given
        return next((answer for key, answer in given.items() if paragraph_number(key) == number), None)
