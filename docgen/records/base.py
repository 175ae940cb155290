"""What the records share: a strict model and a Swedish reason when one fails to read."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from docgen.input.load import dotted

OWN_ERROR = "docgen"
"""The error type of a record's own checks (e.g. a discriminator's), whose message is already Swedish."""


class Record(BaseModel):
    """Keys as written on disk are the Swedish aliases; code builds a record by its English field names.

    Reading passes ``by_name=False``: a file must use the Swedish keys, and no other key.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True,
                              serialize_by_alias=True)


def reason(error: ValidationError, tags: Collection[str] = ()) -> str:
    """The first thing wrong, in Swedish, e.g. ``filer[3].sha256 saknas``.

    ``tags`` are the discriminator values pydantic puts into a location (``skickar``), left out here.
    """
    first: dict[str, Any] = dict(error.errors()[0])
    kind = first["type"]
    where = dotted(tuple(part for part in first["loc"] if part not in tags))
    if kind == OWN_ERROR:
        return str(first["msg"])
    if kind == "json_invalid":
        return "ingen giltig JSON"
    if kind == "missing":
        return f"{where} saknas"
    if kind == "extra_forbidden":
        return f"okänd nyckel {where}"
    if not where:
        return "ska vara ett JSON-objekt"
    return f"{where} har fel värde {_shown(first.get('input'))}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
