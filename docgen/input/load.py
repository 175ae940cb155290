"""Read the secretary's YAML and remember where every value stands.

ruamel.yaml's round-trip loader keeps the line and column of each key and
item; we flatten the document to plain Python values and keep a map from
the path of each value (``("paragrafer", 2, "dnr")``) to its position, so
that validation can say ``decisions/möte.yaml:57:10``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, DocumentStartEvent
from ruamel.yaml.scalarstring import LiteralScalarString

from docgen.errors import InputError, Problem

MAX_YAML_BYTES = 1_000_000
"""A meeting is a few hundred lines; a megabyte means a mistake or an attack."""

Path_ = tuple[str | int, ...]


@dataclass
class Source:
    """A loaded YAML file: its plain data and where each value stands."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    literal_blocks: set[Path_] = field(default_factory=set)
    """Values written as ``|`` blocks: their text starts on the line after the position."""

    def position(self, path: Path_) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at ``path``, or of its nearest parent."""
        while True:
            if path in self.positions:
                line, col = self.positions[path]
                return line, col
            if not path:
                return None, None
            path = path[:-1]

    def problem(self, path: Path_, message: str, offset: int | None = None) -> Problem:
        """A problem at ``path``; ``offset`` points into the value's text, for ``|`` blocks."""
        line, col = self.position(path)
        if offset is not None and line is not None and path in self.literal_blocks:
            text = self.value(path)
            line += 1 + text[:offset].count("\n")
            col = None
        return Problem(self.file, line, col, dotted(path), message)

    def value(self, path: Path_) -> Any:
        node = self.data
        for part in path:
            node = node[part]
        return node


def dotted(path: Path_) -> str:
    """``("paragrafer", 2, "dnr")`` → ``paragrafer[2].dnr``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def display_name(path: Path) -> str:
    """The path as the user should see it: relative to the working directory if possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_yaml(path: Path) -> Source:
    """Read one YAML file; raise :class:`InputError` with file:line on any syntax problem.

    Refused although YAML allows them: duplicate keys, anchors and aliases (an
    alias bomb expands exponentially, and a secretary never needs them),
    several documents in one file, keys that are not text, and files larger
    than :data:`MAX_YAML_BYTES`.
    """
    name = display_name(path)

    def fail(message: str, line: int | None = None, col: int | None = None) -> InputError:
        return InputError([Problem(name, line, col, "", message)])

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("filen finns inte") from None
    except OSError as exc:
        raise fail(f"kan inte läsa filen ({exc.strerror})") from None
    if len(raw) > MAX_YAML_BYTES:
        raise fail(f"filen är {len(raw)} byte; högst {MAX_YAML_BYTES} byte tillåts – "
                   "dela upp den eller ta bort det som inte hör dit", 1, 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail("filen är inte sparad som UTF-8; spara den som UTF-8 i redigeraren",
                   line, column) from None
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextDatesConstructor
    try:
        _refuse_anchors_and_documents(yaml, text, fail)
        document = yaml.load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = (exc.problem or "").split('"')[1] if '"' in (exc.problem or "") else ""
        raise fail(f"nyckeln {key!r} finns två gånger i samma mappning; ta bort den ena",
                   mark.line + 1, mark.column + 1) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise fail(f"YAML-fel: {exc.problem or exc.context}; kontrollera indrag, kolon och citattecken",
                   mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except (YAMLError, ValueError, TypeError) as exc:
        raise fail(f"YAML-fel: {exc}") from None
    source = Source(name, None)
    problems: list[Problem] = []
    source.data = _plain(document, (), source.positions, source, problems)
    if problems:
        raise InputError(problems)
    return source


class _TextDatesConstructor(RoundTripConstructor):
    """Leaves dates as text, so that pydantic parses them and 2026-02-30 is a field error with a line."""


_TextDatesConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda constructor, node: constructor.construct_scalar(node))


def _refuse_anchors_and_documents(yaml: YAML, text: str, fail) -> None:
    documents = 0
    for event in yaml.parse(text):
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise fail("ankare och alias (&namn, *namn) används inte här; skriv ut värdet",
                       mark.line + 1, mark.column + 1)
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                mark = event.start_mark
                raise fail("filen får bara innehålla ett YAML-dokument (ta bort ---)",
                           mark.line + 1, mark.column + 1)


def _plain(node: Any, path: Path_, positions: dict[Path_, tuple[int, int]],
           source: Source, problems: list[Problem]) -> Any:
    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            key_line, key_col = node.lc.key(key)
            if not isinstance(key, str):
                problems.append(Problem(source.file, key_line + 1, key_col + 1, dotted(path),
                                        f"nyckeln {key!r} ska vara text; skriv den inom citattecken"))
                continue
            child = (*path, key)
            if value is None or not isinstance(value, (CommentedMap, CommentedSeq)):
                line, col = node.lc.value(key) if value is not None else (key_line, key_col)
                positions[child] = (line + 1, col + 1)
            else:
                positions[child] = (key_line + 1, key_col + 1)
            result[key] = _plain(value, child, positions, source, problems)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            positions[(*path, index)] = (line + 1, col + 1)
            items.append(_plain(value, (*path, index), positions, source, problems))
        return items
    if isinstance(node, LiteralScalarString):
        source.literal_blocks.add(path)
    if isinstance(node, str):
        return str(node)
    return node
