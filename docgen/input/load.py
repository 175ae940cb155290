"""Read the secretary's YAML and remember where every value stands.

ruamel.yaml's round-trip loader keeps the line and column of each key and
item; we flatten the document to plain Python values and keep a map from
the path of each value (``("paragrafer", 2, "dnr")``) to its position, so
that validation can say ``decisions/möte.yaml:57:10``.

The text policy
---------------

One policy applies to every text of both files, values and keys alike, when
they are loaded, so that ``docgen check`` refuses what Word or PDF could not
hold rather than ``docgen build`` failing on it:

* **Replaced** by a newline, because each means a line break: a carriage
  return (``\\r\\n`` or a lone ``\\r``, also the escape ``"\\r"``); U+000B, Word's
  soft line break (Shift+Enter), which comes along when text is pasted from
  Word; U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR. Written raw in
  the file they do not count as lines, as in the secretary's editor.
* **Refused**, each with the file, line and column where it stands (in a
  ``|`` block its own line inside the block; in a double-quoted text the
  escape that produced it): every other control character (C0, DEL, C1 and
  NUL; tab and newline are text); the bidi embeddings, overrides and
  isolates U+202A–U+202E and U+2066–U+2069, which make a text read
  differently from what it says (the marks U+200E and U+200F are allowed);
  lone surrogates U+D800–U+DFFF (possible only through escapes like
  ``"\\ud800"``; write the character itself, or ``"\\U0001F600"``); and the
  noncharacters U+FDD0–U+FDEF and U+xFFFE/U+xFFFF.

Refused as well, before anything is built from the file: files that are not
regular files (a folder, a named pipe, a device) or larger than
:data:`MAX_YAML_BYTES`, duplicate keys, anchors and aliases, several
documents in one file, YAML tags other than ``!!str``, ``!!seq``, ``!!map``
and ``!!null``, nesting deeper than :data:`MAX_DEPTH` and integers longer
than :data:`MAX_INT_DIGITS` digits. Lengths of the texts are bounded by the
model (:mod:`docgen.model.case`).
"""

from __future__ import annotations

import bisect
import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
)
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.tokens import ScalarToken

from docgen.errors import InputError, Problem
from docgen.model.formatting import message_integer

MAX_YAML_BYTES = 1_000_000
"""A meeting is a few hundred lines; a megabyte means a mistake or an attack."""
MAX_DEPTH = 50
"""Levels of nested lists and mappings; the seed needs six."""
MAX_INT_DIGITS = 30
"""Digits of a YAML integer; an amount in kronor has a dozen."""

Path_ = tuple[str | int, ...]

_LINE_BREAKS = re.compile("\r\n?|[\v\u2028\u2029]")
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
                                           for plane in range(17))
_REFUSED = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff{_NONCHARACTERS}]")
"""What the text policy refuses, once the line breaks are replaced."""
_KNOWN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map", "null")}


def replace_line_breaks(text: str) -> str:
    """The text policy's replacements: carriage returns, U+000B, U+2028 and U+2029 become ``\\n``."""
    return _LINE_BREAKS.sub("\n", text)


def first_refused(text: str) -> int | None:
    """Where the first character the text policy refuses stands in ``text`` (line breaks replaced)."""
    match = _REFUSED.search(text)
    return match.start() if match else None


def refusal(character: str, where: str = "i texten") -> str:
    """The Swedish message for a character the text policy refuses."""
    code = ord(character)
    name = f"U+{code:04X}"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return (f"osynligt riktningstecken {name} {where}; ta bort det (det kan visa texten i en annan "
                "ordning än den står, och kommer ofta med vid inklistring)")
    if 0xD800 <= code <= 0xDFFF:
        return (f"ensamt surrogattecken {name} {where}, en halva av ett tecken; skriv hela tecknet i stället "
                "(t.ex. \\U0001F600, inte \\ud83d\\ude00)")
    if code >= 0xFDD0:
        return f"icke-tecken {name} {where}; ta bort det (det är inget tecken och hör inte hemma i en text)"
    if code == 0:
        return f"nolltecken {name} {where}; ta bort det (filen kan ha skadats eller sparats i fel format)"
    return f"osynligt styrtecken {name} {where}; ta bort det (det kommer ofta med vid inklistring)"


@dataclass(frozen=True)
class Comment:
    """One line of a comment: where its ``#`` stands, its text after the ``#``, and whether a value precedes it."""

    line: int
    column: int
    text: str
    trailing: bool


@dataclass
class Source:
    """A loaded YAML file: its plain data and where each value stands."""

    file: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    literal_blocks: dict[Path_, str] = field(default_factory=dict)
    """Values written as ``|`` blocks, as written (before the replacements): their text starts on the line
    after the position, and a replaced soft line break is no line of the file."""
    comments: list[Comment] = field(default_factory=list)
    """Every comment line, in file order (the marks ``# EXEMPEL`` are comments)."""

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
            line += 1 + self.literal_blocks[path][:offset].count("\n")
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
    except (OSError, ValueError):
        return str(path)


def load_yaml(path: Path) -> Source:
    """Read one YAML file; raise :class:`InputError` with file:line on any problem in it.

    Refused although YAML allows them: duplicate keys, anchors and aliases (an
    alias bomb expands exponentially, and a secretary never needs them),
    several documents in one file, keys that are not text, tags, deep nesting,
    and what the text policy of this module refuses.
    """
    name = display_name(path)

    def fail(message: str, line: int | None = None, col: int | None = None) -> InputError:
        return InputError([Problem(name, line, col, "", message)])

    raw = _read(path, fail)
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail("filen är inte sparad som UTF-8; spara den som UTF-8 i redigeraren",
                   line, column) from None
    # A byte order mark is no column; a carriage return is a line break like \n, as in the editor.
    text = _Text(decoded.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextDatesConstructor
    paths: dict[int, Path_] = {}
    try:
        problems = _check_events(yaml, text, name, paths)
        if problems:
            raise InputError(problems)
        document = yaml.load(text.parsed)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = (exc.problem or "").split('"')[1] if '"' in (exc.problem or "") else ""
        raise fail(f"nyckeln {key!r} finns två gånger i samma mappning; ta bort den ena",
                   mark.line + 1, mark.column + 1) from None
    except _Refused as exc:
        field = dotted(paths.get(exc.mark.index, ()))
        raise InputError([Problem(name, exc.mark.line + 1, exc.mark.column + 1, field, exc.message)]) from None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        if text.refused:  # a character that was never meant to be there may well be what YAML trips over
            raise InputError(text.refused_problems(name, set())) from None
        if isinstance(exc, MarkedYAMLError):
            mark = exc.problem_mark or exc.context_mark
            raise fail(f"YAML-fel: {exc.problem or exc.context}; kontrollera indrag, kolon och citattecken",
                       mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
        if isinstance(exc, ReaderError) and isinstance(exc.position, int):
            line, col = text.line_col(exc.position)
            raise fail("YAML-fel: ett tecken här går inte att läsa; ta bort det", line, col) from None
        raise fail(f"YAML-fel: {exc}") from None
    source = Source(name, None, comments=_comments(yaml, text.parsed))
    problems = []
    source.data = _plain(document, (), source.positions, source, problems, text.soft_break)
    if problems:
        raise InputError(problems)
    return source


def _comments(yaml: YAML, parsed: str) -> list[Comment]:
    """The comment lines of a file that parsed: each ``#`` after a blank or at a line's start outside every text.

    The scanner's text tokens say where the texts stand (a ``#`` in a quoted
    text or a ``|`` block is text); its comment tokens carry no reliable line.
    """
    spans = sorted((token.start_mark.index, token.end_mark.index) for token in yaml.scan(parsed)
                   if isinstance(token, ScalarToken))
    starts = [start for start, _ in spans]
    comments = []
    for match in re.finditer(r"(?:^|(?<=[ \t]))#([^\n]*)", parsed, flags=re.M):
        index = match.start()
        inside = bisect.bisect_right(starts, index) - 1
        if inside >= 0 and index < spans[inside][1]:
            continue
        line_start = parsed.rfind("\n", 0, index) + 1
        line = parsed.count("\n", 0, index) + 1
        comments.append(Comment(line, index - line_start + 1, match.group(1).strip(),
                                bool(parsed[line_start:index].strip())))
    return comments


def _read(path: Path, fail) -> bytes:
    """The file's bytes: a regular file only, and never more than :data:`MAX_YAML_BYTES` + 1 of them.

    The size is checked before reading and again by the read itself, which
    stops after the limit: a file that grows meanwhile is not read on.
    """
    def too_large(size: str) -> InputError:
        return fail(f"filen är {size} byte; högst {MAX_YAML_BYTES} byte tillåts – dela upp den eller ta bort "
                    "det som inte hör dit", 1, 1)

    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise fail(_not_regular(info.st_mode))
        if info.st_size > MAX_YAML_BYTES:
            raise too_large(str(info.st_size))
        # Non-blocking, so that a file swapped for a named pipe meanwhile cannot make us wait.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb", closefd=True) as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise fail(_not_regular(mode))
            raw = file.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise fail("filen finns inte") from None
    except OSError as exc:
        raise fail(f"kan inte läsa filen ({_OS_REASONS.get(exc.errno or 0) or exc.strerror})") from None
    except ValueError:  # a NUL in the path
        raise fail("ogiltigt filnamn") from None
    if len(raw) > MAX_YAML_BYTES:
        raise too_large(f"större än {MAX_YAML_BYTES}")
    return raw


_OS_REASONS = {
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.ENAMETOOLONG: "sökvägen är för lång",
    errno.ELOOP: "för många symboliska länkar",
}


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        kind = "en mapp"
    elif stat.S_ISFIFO(mode):
        kind = "en namngiven pipe"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "en enhet"
    elif stat.S_ISSOCK(mode):
        kind = "en socket"
    else:
        kind = "något annat"
    return f"är ingen vanlig fil utan {kind}; ange sökvägen till en YAML-fil"


class _Text:
    """The file's text as ruamel parses it, and where it had characters ruamel must not see.

    Each soft line break (U+000B, U+2028, U+2029) and each character the
    policy refuses is swapped, one for one, for a private-use character that
    occurs nowhere in the file, neither raw nor as an escape: ruamel then
    neither refuses the file nor counts the separators as lines, every line
    and column stays as in the editor, and the flattening turns the soft
    break's stand-in into ``\\n``.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.soft_break, self.stand_in = _unused_characters(text, 2)
        self.refused = {m.start(): m.group() for m in _REFUSED.finditer(text) if m.group() != "\v"}
        table = {ord(c): self.soft_break for c in "\v\u2028\u2029"}
        table.update({ord(c): self.stand_in for c in set(self.refused.values())})
        self.parsed = text.translate(table)
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line_col(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, index)
        return line, index - self._line_starts[line - 1] + 1

    def refused_problems(self, name: str, reported: set[int], limit: int = 20) -> list[Problem]:
        """The refused characters not yet ``reported`` (in comments, or where YAML tripped), one per line."""
        problems: list[Problem] = []
        lines: set[int] = set()
        for index, character in self.refused.items():
            line, col = self.line_col(index)
            if index in reported or line in lines:
                continue
            lines.add(line)
            problems.append(Problem(name, line, col, "", refusal(character, "i filen")))
            if len(problems) == limit:
                break
        return problems


def _unused_characters(text: str, count: int) -> list[str]:
    """Private-use characters of planes 15 and 16 that ``text`` has neither raw nor as a ``\\U`` escape.

    Escaping all 131 068 of them takes more than :data:`MAX_YAML_BYTES`, so enough are always left.
    """
    used = set(text) | {chr(int(digits, 16)) for digits in re.findall(r"\\[uU]([0-9a-fA-F]{8})", text)
                        if int(digits, 16) <= 0x10FFFF}
    candidates = (chr(code) for plane in (0x100000, 0xF0000) for code in range(plane + 0xFFFD, plane - 1, -1))
    return [character for character, _ in zip((c for c in candidates if c not in used), range(count))]


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark, self.message = mark, message


class _TextDatesConstructor(RoundTripConstructor):
    """Leaves dates as text, so that pydantic parses them and 2026-02-30 is a field error with a line.

    Integers longer than :data:`MAX_INT_DIGITS` are refused with their line
    (Python refuses to convert more than 4 300 digits at all).
    """

    def construct_yaml_int(self, node: Any) -> Any:
        digits = sum(c.isalnum() for c in node.value)
        if digits > MAX_INT_DIGITS:
            raise _Refused(node.start_mark, f"talet har {message_integer(digits)} siffror; högst {MAX_INT_DIGITS} – "
                                            "skriv det inom citattecken om det är text")
        return super().construct_yaml_int(node)


_TextDatesConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda constructor, node: constructor.construct_scalar(node))
_TextDatesConstructor.add_constructor("tag:yaml.org,2002:int", _TextDatesConstructor.construct_yaml_int)


@dataclass
class _Collection:
    path: Path_
    mapping: bool
    children: int = 0
    key: str | int = "?"


def _check_events(yaml: YAML, text: _Text, name: str, paths: dict[int, Path_]) -> list[Problem]:
    """Walk the parser's events before anything is constructed.

    Raises at once on what could make construction explode (anchors and
    aliases, several documents, deep nesting); returns the unknown tags and
    every text the policy refuses, each where it stands and with its field.
    Fills ``paths``: the path of the node that starts at each index of the text.
    """
    def fail(message: str, mark: Any, path: Path_ = ()) -> InputError:
        return InputError([Problem(name, mark.line + 1, mark.column + 1, dotted(path), message)])

    problems: list[Problem] = []
    reported: set[int] = set()
    open_collections: list[_Collection] = []
    documents = 0
    for event in yaml.parse(text.parsed):
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            raise fail("ankare och alias (&namn, *namn) används inte här; skriv ut värdet", event.start_mark)
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise fail("filen får bara innehålla ett YAML-dokument (ta bort ---)", event.start_mark)
        if isinstance(event, CollectionEndEvent):
            open_collections.pop()
            continue
        if not isinstance(event, ScalarEvent | CollectionStartEvent):  # the nodes with a tag (aliases refused above)
            continue
        path, is_key = _where(open_collections)
        paths[event.start_mark.index] = path
        if event.tag is not None and event.tag not in _KNOWN_TAGS:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!", 1)
            tag = tag if len(tag) <= 60 else tag[:59] + "…"
            problems.append(Problem(name, event.start_mark.line + 1, event.start_mark.column + 1, dotted(path),
                                    f"okänd YAML-tagg {tag}; skriv värdet som vanlig text"))
        if isinstance(event, ScalarEvent):
            value = replace_line_breaks(event.value.replace(text.soft_break, "\n"))
            if is_key:
                open_collections[-1].key = value
            if text.stand_in in value or first_refused(value) is not None:
                index, character = _locate(event, text)
                reported.update(i for i in range(event.start_mark.index, event.end_mark.index) if i in text.refused)
                line, col = text.line_col(index)
                problems.append(Problem(name, line, col, dotted(path),
                                        refusal(character, "i nyckeln" if is_key else "i texten")))
        elif isinstance(event, CollectionStartEvent):
            open_collections.append(_Collection(path, isinstance(event, MappingStartEvent)))
            if len(open_collections) > MAX_DEPTH:
                raise fail(f"mer än {MAX_DEPTH} nivåer nästlade listor och mappningar; kontrollera "
                           "hakparenteser [ ] och klammerparenteser { }", event.start_mark, path[:2])
    return problems + text.refused_problems(name, reported)


def _where(open_collections: list[_Collection]) -> tuple[Path_, bool]:
    """The path of the node the next event starts, and whether it is a mapping's key."""
    if not open_collections:
        return (), False
    parent = open_collections[-1]
    index = parent.children
    parent.children += 1
    if not parent.mapping:
        return (*parent.path, index), False
    if index % 2 == 0:
        parent.key = "?"  # a key that is no text keeps this; it is reported when flattening
        return parent.path, True
    return (*parent.path, parent.key), False


_ESCAPES = {"0": "\x00", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\x0c",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
            "L": "\u2028", "P": "\u2029"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}


def _locate(event: ScalarEvent, text: _Text) -> tuple[int, str]:
    """Index in the file of the first refused character of a scalar, and the character.

    A raw one is the stand-in; in a double-quoted scalar an escape may have
    produced it, and then the escape's backslash is where it stands.
    """
    start, end = event.start_mark.index, event.end_mark.index
    written = text.parsed[start:end]
    index = 0
    while index < len(written):
        character = written[index]
        if character == text.stand_in:
            return start + index, text.refused[start + index]
        if character == "\\" and event.style == '"':
            kind = written[index + 1:index + 2]
            if kind in _HEX_DIGITS:
                digits = written[index + 2:index + 2 + _HEX_DIGITS[kind]]
                produced = chr(int(digits, 16)) if len(digits) == _HEX_DIGITS[kind] else ""
                step = 2 + _HEX_DIGITS[kind]
            else:
                produced, step = _ESCAPES.get(kind, ""), 2
            if produced and first_refused(replace_line_breaks(produced)) is not None:
                return start + index, produced
            index += step
            continue
        index += 1
    # Not found where it was written (cannot happen): point at the scalar.
    value = replace_line_breaks(event.value)
    offset = first_refused(value)
    return start, value[offset] if offset is not None else text.stand_in


def _plain(node: Any, path: Path_, positions: dict[Path_, tuple[int, int]],
           source: Source, problems: list[Problem], soft_break: str) -> Any:
    if isinstance(node, CommentedMap):
        result = {}
        for key, value in node.items():
            key_line, key_col = node.lc.key(key)
            if not isinstance(key, str):
                problems.append(Problem(source.file, key_line + 1, key_col + 1, dotted(path),
                                        f"nyckeln {key!r} ska vara text; skriv den inom citattecken"))
                continue
            child = (*path, _normalised(key, soft_break))
            if value is None or not isinstance(value, (CommentedMap, CommentedSeq)):
                line, col = node.lc.value(key) if value is not None else (key_line, key_col)
                positions[child] = (line + 1, col + 1)
            else:
                positions[child] = (key_line + 1, key_col + 1)
            result[child[-1]] = _plain(value, child, positions, source, problems, soft_break)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            positions[(*path, index)] = (line + 1, col + 1)
            items.append(_plain(value, (*path, index), positions, source, problems, soft_break))
        return items
    if isinstance(node, LiteralScalarString):
        source.literal_blocks[path] = str(node)
    if isinstance(node, str):
        return _normalised(node, soft_break)
    return node


def _normalised(text: str, soft_break: str) -> str:
    return replace_line_breaks(str(text).replace(soft_break, "\n"))
