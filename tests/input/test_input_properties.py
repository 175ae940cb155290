"""Any text in any text field of the seed: it loads literally, or it is refused at its line; never a crash.

Each example puts one generated text into one text field of a copy of the
seed meeting, written as a YAML double-quoted scalar (every character raw
but quotes, backslashes, line breaks and surrogates, control characters
included; or every non-ASCII character escaped), and loads the copy. The
text either ends up in the model exactly as written, after the documented
replacements (carriage returns, U+000B, U+2028 and U+2029 become newlines;
pydantic strips the ends), or docgen refuses it with an
:class:`~docgen.errors.InputError` at the field's line. What loads is
rendered into the Word documents that show the field, and found there.
"""

from __future__ import annotations

import string
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from hypothesis import event, given
from hypothesis import strategies as st

from docgen.documents.plan import plan
from docgen.documents.render import render_docx
from docgen.documents.templates import Templates
from docgen.errors import InputError
from docgen.input.validate import load_case
from docgen.model.case import Case
from support import SEED_MEETING, docx_text

MEETING = SEED_MEETING.name
ASSOCIATION = "forbund.yaml"
SEED = {name: (SEED_MEETING.parent / name).read_text(encoding="utf-8") for name in (MEETING, ASSOCIATION)}
TEMPLATES = Templates()

PROTOCOL = "protokoll"
PROPOSAL = "forslag-boxholm"
LETTER = "hemstallan-boxholm"


@dataclass(frozen=True)
class TextField:
    name: str
    file: str
    old: str
    """Its text in the seed, replaced by ``new`` with the value's YAML in place of ``{}``."""
    new: str
    get: Callable[[Case], str | None]
    documents: tuple[str, ...]
    """The planned documents (keys) that show the field."""
    markdown: bool = False

    @property
    def line(self) -> int:
        text = SEED[self.file]
        assert text.count(self.old) == 1, self.old
        return text[:text.index(self.old)].count("\n") + 1


DESCRIPTION_19 = ("    beskrivning: |\n      I anslutning till dagens sammanträde genomförs en utbildning"
                  + SEED[MEETING].split("      I anslutning till dagens sammanträde genomförs en utbildning", 1)[1]
                  .split("\n", 1)[0] + "\n")

FIELDS = [
    TextField("plats", MEETING, "plats: Itsam, Teknikringen 9, Linköping", "plats: {}",
              lambda c: c.meeting.place, (PROTOCOL,)),
    TextField("rubrik", MEETING, "    rubrik: Årsbokslut 2025", "    rubrik: {}",
              lambda c: c.meeting.items[0].heading, (PROTOCOL,)),
    TextField("kort_rubrik", MEETING, "    kort_rubrik: Personal", "    kort_rubrik: {}",
              lambda c: c.meeting.items[4].short_heading, (PROTOCOL,)),
    TextField("beslut", MEETING, "    beslut: Direktionen beslutar att godkänna årsbokslut för 2025.",
              "    beslut: {}", lambda c: c.meeting.items[0].decision, (PROTOCOL,), markdown=True),
    TextField("beskrivning", MEETING, DESCRIPTION_19, "    beskrivning: {}\n",
              lambda c: c.meeting.items[3].description, (PROTOCOL,), markdown=True),
    TextField("beslutsunderlag", MEETING, "      - Tjänsteskrivelse daterad 2026-03-05", "      - {}",
              lambda c: c.meeting.items[1].basis[0], (PROTOCOL,)),
    TextField("att-sats", MEETING, "        - ingen kommunal borgensavgift ska tas ut från Kommunalförbundet Itsam",
              "        - {}", lambda c: c.meeting.items[2].request.clauses[2].text, (PROTOCOL, PROPOSAL)),
    TextField("ämne", MEETING, "      ämne: Ny solidarisk borgen för Kommunalförbundet Itsam om 130 Mkr",
              "      ämne: {}", lambda c: c.meeting.items[2].request.subject, (PROPOSAL,)),
    TextField("kontaktperson", MEETING, "        namn: Malin Vikström", "        namn: {}",
              lambda c: c.meeting.items[2].request.contact.name, (LETTER,)),
    TextField("ledamot", MEETING, "{namn: Jonas Andersson,", "{{namn: {},",
              lambda c: c.meeting.attendance.members[0].name, (PROTOCOL,)),
    TextField("medlem", ASSOCIATION, "    namn: Boxholms kommun", "    namn: {}",
              lambda c: c.association.members[0].name, (PROPOSAL,)),
    TextField("förbund", ASSOCIATION, "namn: Kommunalförbundet Itsam\n", "namn: {}\n",
              lambda c: c.association.name, (PROPOSAL,)),
]

# --- the policy, as the secretary's documentation states it ------------------------------

REPLACED = {"\r\n": "\n", "\r": "\n", "\v": "\n", "\u2028": "\n", "\u2029": "\n"}


def replaced(text: str) -> str:
    for old, new in REPLACED.items():
        text = text.replace(old, new)
    return text


def refused(character: str) -> bool:
    code = ord(character)
    return ((unicodedata.category(character) == "Cc" and character not in "\t\n")
            or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069      # bidi embedding, override, isolate
            or 0xD800 <= code <= 0xDFFF                                   # lone surrogates
            or 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE)       # noncharacters


# --- writing a text as a YAML double-quoted scalar -----------------------------------------

def double_quoted(text: str, raw: bool) -> str:
    """``text`` as a YAML double-quoted scalar: raw characters where YAML keeps them as they are, else escapes."""
    parts = ['"']
    for character in text:
        code = ord(character)
        if character in '"\\':
            parts.append("\\" + character)
        elif raw and character not in "\n\r" and not 0xD800 <= code <= 0xDFFF:
            parts.append(character)  # control characters, separators and the like included: the loader decides
        elif 0x20 <= code < 0x7F:
            parts.append(character)
        elif code < 0x100:
            parts.append(f"\\x{code:02x}")
        elif code < 0x10000:
            parts.append(f"\\u{code:04x}")
        else:
            parts.append(f"\\U{code:08x}")
    parts.append('"')
    return "".join(parts)


SPECIAL = ("\t\n\r\v\f\x00\x07\x1b\x7f\x85\x9b\u00a0\u00ad\u200b\u200d\u200e\u200f\u2028\u2029\u202a\u202e"
           "\u2066\u2069\ud800\udbff\udc00\ufeff\ufdd0\ufffe\uffff\ue000\ue001\U0010fffd\U0001f600"
           "\"\\{}#%&<>*_[]`|:-!'@ ")
CHARACTERS = st.one_of(st.characters(exclude_categories=()), st.sampled_from(SPECIAL))
WORDS = st.one_of(st.characters(categories=("L", "N", "Zs")), st.sampled_from("\n\r\v\t\u2028 "))
LENGTHS = st.sampled_from([99, 100, 101, 199, 200, 201, 999, 1000, 1001]) | st.integers(0, 1200)

TEXTS = st.one_of(
    st.text(CHARACTERS, max_size=60),
    st.text(WORDS, max_size=80),
    st.builds(lambda char, length: (char * length)[:length], st.sampled_from(["x", "Å", "ab ", "\u202e", "\v"]),
              LENGTHS),
)


def _written(field: TextField, text: str, raw: bool, folder: Path) -> Path:
    for name, seed in SEED.items():
        if name == field.file:
            seed = seed.replace(field.old, field.new.format(double_quoted(text, raw)), 1)
        (folder / name).write_text(seed, encoding="utf-8")
    return folder / MEETING


def _words(text: str) -> str:
    return " ".join(text.split())


@given(field=st.sampled_from(FIELDS), text=TEXTS, raw=st.booleans())
def test_any_text_in_a_text_field_is_kept_literally_or_refused_at_its_line(field: TextField, text: str,
                                                                           raw: bool):
    expected = replaced(text)
    first_refused = next((c for c in expected if refused(c)), None)
    with tempfile.TemporaryDirectory(prefix="docgen-egenskaper-") as folder:
        meeting = _written(field, text, raw, Path(folder))
        try:
            case = load_case(meeting)
        except InputError as exc:
            problems = exc.problems
            assert problems
            assert {(Path(p.file).name, p.line) for p in problems} == {(field.file, field.line)}, str(exc)
            assert not any("ogiltigt värde (" in p.message for p in problems), str(exc)  # pydantic's English
            if first_refused is not None:
                assert any(f"U+{ord(first_refused):04X}" in p.message for p in problems), str(exc)
            event("refused: " + ("a character" if first_refused else "too long" if "tecken lång" in str(exc)
                                 else "other: " + problems[0].message[:20]))
            return
        event("loaded and rendered")
        assert first_refused is None, f"U+{ord(first_refused):04X} was let through"
        assert field.get(case) == expected.strip()

        documents = {d.key: d for d in plan(case)}
        for key in field.documents:
            path = Path(folder) / f"{key}.docx"
            render_docx(documents[key], case, path, TEMPLATES)
            if field.markdown and any(c in string.punctuation for c in expected):
                continue  # Markdown syntax changes the text; rendering without an error is the point
            assert _words(expected) in _words(docx_text(path)), key


def test_a_subject_of_ampersands_within_the_bound_renders(tmp_path: Path):
    field = next(f for f in FIELDS if f.name == "ämne")
    case = load_case(_written(field, "&" * 200, False, tmp_path))
    documents = {d.key: d for d in plan(case)}
    render_docx(documents[PROPOSAL], case, tmp_path / "förslag.docx", TEMPLATES)
    # Escaped once more for core.xml the subject would read "&amp;…", cut at python-docx's 255 characters.
    assert Document(str(tmp_path / "förslag.docx")).core_properties.subject == "&" * 200
    assert "&" * 200 in docx_text(tmp_path / "förslag.docx")
