"""JSON Schemas of the two YAML files, generated from the model.

The committed ``*.schema.json`` files next to this module are what the
``# yaml-language-server: $schema=…`` line of every file in decisions/
points at, so VS Code's YAML extension completes the Swedish keys and marks
mistakes while the secretary types. ``docgen schema`` regenerates them; a
test keeps them equal to the model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from docgen.model.case import Association, Meeting

SCHEMA_DIR = Path(__file__).resolve().parent
SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "forbund.schema.json": (Association, "Kommunalförbund och medlemmar (docgen)"),
    "sammantrade.schema.json": (Meeting, "Sammanträde med paragrafer (docgen)"),
}


def schema_text(name: str) -> str:
    model, title = SCHEMAS[name]
    schema: dict[str, Any] = model.model_json_schema(by_alias=True, mode="validation")
    # Class docstrings are English notes for developers; the editor shows
    # only the Swedish field descriptions to the secretary.
    schema.pop("description", None)
    for definition in schema.get("$defs", {}).values():
        definition.pop("description", None)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = directory / name
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written
