"""docgen's JSON Schemas accept docgen's own YAML as the secretary's editor reads it, and refuse a misspelt key.

VS Code's YAML extension reads a file as YAML 1.2 (core schema: a date or a
time is a string, only ``true``/``false`` are booleans) and validates it
against the schema its ``# yaml-language-server: $schema=…`` line names with
a draft 2020-12 validator that checks formats. So do these tests, with
``jsonschema``'s Draft202012Validator and its FormatChecker, over the seed
meeting, the association, the second association, and every YAML example in
README.md. A test that used docgen's own loader would prove nothing about
the editor; a test that read YAML 1.1 would see dates where the editor sees
strings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

from docgen.input.load import load_yaml
from docgen.input.schema import SCHEMA_DIR, SCHEMAS
from support import ROOT, SEED_MEETING

SYDOST = ROOT / "tests" / "data" / "sydost"
FILES = [
    (SEED_MEETING, "sammantrade.schema.json"),
    (ROOT / "decisions" / "forbund.yaml", "forbund.schema.json"),
    (SYDOST / "2026-10-15-forbundsstyrelsen.yaml", "sammantrade.schema.json"),
    (SYDOST / "forbund.yaml", "forbund.schema.json"),
]
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=\S*/([^/\s]+)$", re.MULTILINE)


def read_as_the_editor_does(text: str) -> Any:
    """YAML 1.2's core schema, as VS Code's YAML extension reads a file.

    ruamel.yaml reads YAML 1.2 by default; its one addition to the core
    schema is the timestamp (``2026-03-26`` as a date), which the editor
    leaves a string, and so does this loader.
    """
    yaml = YAML(typ="safe", pure=True)
    yaml.constructor.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)
    return yaml.load(text)


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def errors(instance: Any, against: dict[str, Any]) -> list[str]:
    Draft202012Validator.check_schema(against)
    validator = Draft202012Validator(against, format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def readme_examples() -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```$", (ROOT / "README.md").read_text(encoding="utf-8"),
                      re.MULTILINE | re.DOTALL)


def fragment_schemas(example: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each top-level key of a README snippet with the sub-schema of the one definition that has that key.

    A snippet without a schema line shows part of a file (``att_satser:`` of
    a hemställan, ``beslutsunderlag:`` of a paragraph): each value is
    validated against the schema of that key where it stands, which must be
    exactly one definition in all of docgen's schemas, so the snippet means
    one thing.
    """
    found: dict[str, dict[str, Any]] = {}
    for key in example:
        owners = [(whole, definition) for whole in map(schema, SCHEMAS)
                  for definition in [whole, *whole.get("$defs", {}).values()]
                  if key in definition.get("properties", {})]
        assert len(owners) == 1, f"README: {key}: found in {len(owners)} schemas' definitions; say which is meant"
        whole, definition = owners[0]
        found[key] = {"$defs": whole.get("$defs", {}), **definition["properties"][key]}
    return found


def test_the_loader_reads_dates_and_times_as_strings_as_the_editor_does():
    seed = read_as_the_editor_does(SEED_MEETING.read_text(encoding="utf-8"))
    assert seed["datum"] == "2026-03-26" and seed["tid"] == "10:00"
    assert read_as_the_editor_does("tid: 10:00\nja: yes\n") == {"tid": "10:00", "ja": "yes"}  # YAML 1.1 differs


@pytest.mark.parametrize(("path", "name"), FILES, ids=[f"{p.parent.name}/{p.name}" for p, _ in FILES])
def test_docgens_own_files_are_valid_against_their_schema(path: Path, name: str):
    assert errors(read_as_the_editor_does(path.read_text(encoding="utf-8")), schema(name)) == []


def test_every_yaml_example_in_the_readme_is_valid():
    examples = readme_examples()
    assert len(examples) >= 5
    for text in examples:
        data = read_as_the_editor_does(text)
        named = SCHEMA_LINE.search(text)
        if named:  # a whole file: validated as the editor would, against the schema its first line names
            assert text.startswith(named.group(0)), text
            assert errors(data, schema(named.group(1))) == [], text
        else:
            for key, part in fragment_schemas(data).items():
                assert errors(data[key], part) == [], text


def test_the_readme_shows_the_answers_file_and_the_mail_settings_with_their_schema_lines():
    named = {match.group(1) for text in readme_examples() if (match := SCHEMA_LINE.search(text))}
    assert named == {"svar.schema.json", "e-post.schema.json"}


def docgen_accepts(name: str, text: str, folder: Path) -> bool:
    """Whether docgen's own loader and the schema's model take ``text`` (the checks across files left out)."""
    path = folder / "fil.yaml"
    path.write_text(text, encoding="utf-8")
    model, _title = SCHEMAS[name]
    try:
        model.model_validate(load_yaml(path).data)
    except ValidationError:
        return False
    return True


SEED_TEXT = SEED_MEETING.read_text(encoding="utf-8")
ASSOCIATION_TEXT = (ROOT / "decisions" / "forbund.yaml").read_text(encoding="utf-8")
ANSWER = "svar:\n  boxholm:\n    datum: 2026-05-12\n    kf_paragraf: KF 2026 § 45\n    beslut: bifall\n"
VARIANTS = [
    ("sammantrade.schema.json", SEED_TEXT.replace('tid: "10:00"', "tid: 10:00"), True),  # YAML 1.2: text
    ("sammantrade.schema.json", SEED_TEXT.replace('tid: "10:00"', 'tid: "10:00:00"'), True),
    ("sammantrade.schema.json", SEED_TEXT.replace('tid: "10:00"', "tid: 10.00"), False),
    ("sammantrade.schema.json", SEED_TEXT.replace('tid: "10:00"', 'tid: "25:00"'), False),
    ("sammantrade.schema.json", SEED_TEXT.replace("\ndatum: 2026-03-26", "\ndatum: 2026-02-30"), False),
    ("forbund.schema.json", ASSOCIATION_TEXT.replace("postnummer: 590 10", "postnummer: 59010"), True),
    ("forbund.schema.json", ASSOCIATION_TEXT.replace("fördelningstal: 5400 ", 'andel: "13,08 %"'), True),
    ("forbund.schema.json", ASSOCIATION_TEXT.replace("fördelningstal: 5400 ", "andel: 13.08"), True),
    ("forbund.schema.json", ASSOCIATION_TEXT.replace("fördelningstal: 5400 ", "andel: 13;08"), False),
    ("forbund.schema.json", ASSOCIATION_TEXT.replace("fördelningstal: 5400 ", "andel: 100.5"), False),
    ("svar.schema.json", ANSWER.replace("KF 2026 § 45", "45"), True),
    ("svar.schema.json", ANSWER.replace("bifall", "bifal"), False),
    ("svar.schema.json", ANSWER.replace("    ", "      ").replace("  boxholm:\n", "  boxholm:\n    § 42:\n"), True),
    ("e-post.schema.json", "server: smtp.itsam.se\nport: 465\nsäkerhet: tls\n", True),
    ("e-post.schema.json", "server: smtp.itsam.se\nport: 70000\n", False),
]


@pytest.mark.parametrize(("name", "text", "accepted"), VARIANTS)
def test_the_schema_and_docgen_agree_on_each_form(name: str, text: str, accepted: bool, tmp_path: Path):
    assert text not in (SEED_TEXT, ASSOCIATION_TEXT, ANSWER)  # the variant changed something
    assert docgen_accepts(name, text, tmp_path) is accepted
    assert (errors(read_as_the_editor_does(text), schema(name)) == []) is accepted


@pytest.mark.parametrize(("name", "text", "where"), [
    ("sammantrade.schema.json", SEED_TEXT.replace("\nplats:", "\nplatts:"), ""),
    ("forbund.schema.json", ASSOCIATION_TEXT.replace("    registrator_epost:", "    registratur_epost:", 1),
     "medlemmar/0"),
    ("svar.schema.json", ANSWER.replace("beslut:", "beslutet:"), "svar/boxholm"),
    ("e-post.schema.json", "server: smtp.itsam.se\navsandare: registrator@itsam.se\n", ""),
])
def test_a_misspelt_key_is_invalid(name: str, text: str, where: str):
    validator = Draft202012Validator(schema(name), format_checker=FormatChecker())
    error = best_match(validator.iter_errors(read_as_the_editor_does(text)))
    assert error is not None, text
    assert "/".join(map(str, error.absolute_path)) == where
    assert error.validator == "additionalProperties", error.message
