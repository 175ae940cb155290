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
from ruamel.yaml.error import MarkedYAMLError, YAMLError

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

    def position(self, path: Path_) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at ``path``, or of its nearest parent."""
        while True:
            if path in self.positions:
                line, col = self.positions[path]
                return line, col
            if not path:
                return None, None
            path = path[:-1]

    def problem(self, path: Path_, message: str) -> Problem:
        line, col = self.position(path)
        return Problem(self.file, line, col, dotted(path), message)


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
    """Read one YAML file; raise :class:`InputError` with file:line on any syntax problem."""
    name = display_name(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, None, None, "", f"kan inte läsa filen ({exc.strerror})")])
    if len(raw) > MAX_YAML_BYTES:
        raise InputError([Problem(name, None, None, "",
                                  f"filen är {len(raw)} byte; högst {MAX_YAML_BYTES} byte tillåts")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, None, None, "",
                                  f"filen är inte UTF-8 (byte {exc.start}); spara den som UTF-8")])
    yaml = YAML(typ="rt")
    try:
        document = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise InputError([Problem(name, line, col, "", f"YAML-fel: {exc.problem or exc.context}")])
    except YAMLError as exc:
        raise InputError([Problem(name, None, None, "", f"YAML-fel: {exc}")])
    source = Source(name, None)
    source.data = _plain(document, (), source.positions)
    return source


def _plain(node: Any, path: Path_, positions: dict[Path_, tuple[int, int]]) -> Any:
    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            child = (*path, str(key))
            line, col = node.lc.value(key) if value is not None else node.lc.key(key)
            if value is None or not isinstance(value, (CommentedMap, CommentedSeq)):
                positions[child] = (line + 1, col + 1)
            else:
                key_line, key_col = node.lc.key(key)
                positions[child] = (key_line + 1, key_col + 1)
            result[str(key)] = _plain(value, child, positions)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            positions[(*path, index)] = (line + 1, col + 1)
            items.append(_plain(value, (*path, index), positions))
        return items
    if isinstance(node, str):
        return str(node)
    return node
