"""The member councils' answers to a meeting's request, as the secretary records them.

A request to every member's council (a hemställan) holds only when every
council has decided in favour, and a new regressavtal only once every party
has signed it. The secretary writes each answer as it comes in; this model
is what those lines mean. Keys are Swedish, as in the meeting's YAML.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Decision = Literal["bifall", "avslag", "återremiss"]
"""What a council decided: granted, refused, or sent back for more work (it will decide later)."""


def _to_str(value: object) -> object:
    # A council paragraph written as a bare number (45) is meant as text.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=False)


class Answer(_Model):
    """One council's answer."""

    date: dt.date = Field(alias="datum", description="Dagen fullmäktige beslutade, t.ex. 2026-05-12.")
    council_paragraph: Annotated[str, BeforeValidator(_to_str), Field(min_length=1, max_length=100)] = Field(
        alias="kf_paragraf", description="Fullmäktiges paragraf, t.ex. KF 2026 § 45.")
    decision: Decision = Field(alias="beslut", description="bifall, avslag eller återremiss.")
    agreement_signed: dt.date | None = Field(
        None, alias="regressavtal_undertecknat",
        description="Dagen kommunen undertecknade det nya regressavtalet; utelämnat = inte ännu.")

    @property
    def decided(self) -> bool:
        """Whether the council has taken its position (an återremiss means it will decide later)."""
        return self.decision != "återremiss"


class Answers(_Model):
    """Every answer received so far, by member id."""

    answers: dict[str, Answer] = Field(default_factory=dict, alias="svar",
                                       description="Varje kommuns svar under dess id, t.ex. boxholm.")
