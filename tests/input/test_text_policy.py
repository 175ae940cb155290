"""The one text policy of the input stage: what invisible characters become, and what is refused.

Word's soft line break (U+000B), LINE SEPARATOR (U+2028), PARAGRAPH
SEPARATOR (U+2029) and carriage returns become newlines; other control
characters, bidi embeddings/overrides/isolates, lone surrogates and
noncharacters are refused with the file, line and column where they stand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.errors import InputError, Problem
from docgen.input.load import load_yaml
from docgen.input.validate import load_case
from docgen.model.case import Case
from support import SEED_MEETING, copy_decisions

HEADING = "    rubrik: Årsbokslut 2025"
HEADING_LINE = 40  # in the seed meeting


def _meeting(tmp_path: Path, edit) -> Path:
    meeting = copy_decisions(tmp_path)
    text = meeting.read_text(encoding="utf-8")
    edited = edit(text)
    assert edited != text
    meeting.write_bytes(edited.encode("utf-8", "surrogatepass"))
    return meeting


def _replace(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


def _load(tmp_path: Path, old: str, new: str) -> Case:
    return load_case(_meeting(tmp_path, _replace(old, new)))


def _problems(tmp_path: Path, old: str, new: str) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        _load(tmp_path, old, new)
    return caught.value.problems


def _line(text: str, anchor: str) -> int:
    # Lines as the editor counts them: str.splitlines() would also split at U+000B and U+2028.
    return next(n for n, line in enumerate(text.split("\n"), 1) if anchor in line)


def test_the_seed_heading_is_where_the_tests_expect_it():
    assert SEED_MEETING.read_text(encoding="utf-8").splitlines()[HEADING_LINE - 1] == HEADING


def _loaded_heading(tmp_path: Path, new: str) -> str:
    """The seed's first heading as the loader reads it: a heading is one line, so the model would refuse it."""
    return load_yaml(_meeting(tmp_path, _replace(HEADING, new))).value(("paragrafer", 0, "rubrik"))


@pytest.mark.parametrize("separator", ["\v", "\u2028", "\u2029"], ids=["U+000B", "U+2028", "U+2029"])
def test_a_pasted_soft_line_break_in_a_heading_becomes_a_newline(separator: str, tmp_path: Path):
    assert _loaded_heading(tmp_path, f"    rubrik: Årsbokslut{separator}2025") == "Årsbokslut\n2025"


def test_escaped_line_breaks_and_carriage_returns_become_newlines(tmp_path: Path):
    heading = _loaded_heading(tmp_path, r'    rubrik: "Års\vbok\Lslut\r\n20\r25\P!"')
    assert heading == "Års\nbok\nslut\n20\n25\n!"


def test_a_file_with_windows_line_endings_loads_without_carriage_returns(tmp_path: Path):
    meeting = _meeting(tmp_path, lambda text: text.replace("\n", "\r\n"))
    case = load_case(meeting)
    assert "\r" not in case.meeting.items[0].description
    assert case.meeting.items[0].description.startswith("Ärendet föredras av Malin Vikström, ekonomiansvarig.\n\n")


def test_a_soft_line_break_in_a_block_does_not_shift_the_lines_of_later_errors(tmp_path: Path):
    old = "Syftet med processen är att skapa"
    meeting = _meeting(tmp_path, lambda text: text.replace(old, "Syftet med\v processen\u2028är att skapa", 1)
                       .replace("i cirka sex månader", "i cirka xx månader", 1))
    with pytest.raises(InputError) as caught:
        load_case(meeting)
    text = meeting.read_text(encoding="utf-8")
    [problem] = caught.value.problems
    assert "ifyllnadsmarkering" in problem.message
    assert problem.line == _line(text, "i cirka xx månader")


def test_a_raw_control_character_is_refused_at_its_line_and_column(tmp_path: Path):
    [problem] = _problems(tmp_path, HEADING, "    rubrik: Årsbokslut\x1b 2025")
    assert (Path(problem.file).name, problem.line, problem.column) == (SEED_MEETING.name, HEADING_LINE, 23)
    assert problem.field == "paragrafer[0].rubrik"
    assert problem.message == ("osynligt styrtecken U+001B i texten; ta bort det "
                               "(det kommer ofta med vid inklistring)")


def test_an_escaped_control_character_is_refused_at_its_escape(tmp_path: Path):
    [problem] = _problems(tmp_path, HEADING, r'    rubrik: "Årsbokslut\x7f 2025"')
    assert (problem.line, problem.column, problem.field) == (HEADING_LINE, 24, "paragrafer[0].rubrik")
    assert "U+007F" in problem.message


def test_a_control_character_in_a_block_is_refused_on_its_line_inside_the_block(tmp_path: Path):
    anchor = "Utredningsfasen bedöms pågå"
    meeting = _meeting(tmp_path, _replace(anchor, "Utredningsfasen\x08 bedöms pågå"))
    with pytest.raises(InputError) as caught:
        load_case(meeting)
    [problem] = caught.value.problems
    line = _line(meeting.read_text(encoding="utf-8"), "Utredningsfasen")
    assert (problem.line, problem.column, problem.field) == (line, 22, "paragrafer[1].beskrivning")
    assert "U+0008" in problem.message


def test_a_control_character_in_a_key_is_refused(tmp_path: Path):
    [problem] = _problems(tmp_path, HEADING, "    rub\x1frik: Årsbokslut 2025")
    assert (problem.line, problem.column) == (HEADING_LINE, 8)
    assert "U+001F i nyckeln" in problem.message


def test_a_control_character_in_a_comment_is_refused_too(tmp_path: Path):
    [problem] = _problems(tmp_path, "# Direktionens sammanträde", "# Direktionens\x1b sammanträde")
    assert (problem.line, problem.column) == (3, 15)
    assert "U+001B" in problem.message


@pytest.mark.parametrize("character", ["\x85", "\x00", "\x1b", "\x7f", "\x9b"])
def test_c0_and_c1_controls_are_refused_raw_and_escaped(character: str, tmp_path: Path):
    code = f"U+{ord(character):04X}"
    [raw] = _problems(tmp_path / "raw", HEADING, f"    rubrik: Års{character}bokslut 2025")
    [escaped] = _problems(tmp_path / "escaped", HEADING, f'    rubrik: "Års\\x{ord(character):02x}bokslut 2025"')
    assert code in raw.message and code in escaped.message
    assert raw.line == escaped.line == HEADING_LINE


@pytest.mark.parametrize("code", [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069])
def test_bidi_embeddings_overrides_and_isolates_are_refused(code: int, tmp_path: Path):
    [problem] = _problems(tmp_path, HEADING, f"    rubrik: Års{chr(code)}bokslut 2025")
    assert f"U+{code:04X}" in problem.message
    assert (problem.line, problem.column) == (HEADING_LINE, 16)


@pytest.mark.parametrize("escape, code", [(r"\ud800", "U+D800"), (r"\udfff", "U+DFFF"), (r"\ufffe", "U+FFFE"),
                                          (r"\uffff", "U+FFFF"), (r"\ufdd0", "U+FDD0"), (r"\U0010ffff", "U+10FFFF")])
def test_lone_surrogates_and_noncharacters_are_refused(escape: str, code: str, tmp_path: Path):
    [problem] = _problems(tmp_path, HEADING, f'    rubrik: "Års{escape}bokslut 2025"')
    assert code in problem.message
    assert (problem.line, problem.column) == (HEADING_LINE, 17)


def test_marks_that_belong_in_text_are_kept(tmp_path: Path):
    # LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK, soft hyphen, zero-width joiner and space, private use.
    heading = "Års\u200ebok\u200fslut\u00ad 2025 \u200d\u200b\ue0ff slut"
    case = _load(tmp_path, HEADING, f"    rubrik: {heading}")
    assert case.meeting.items[0].heading == heading


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path):
    meeting = _meeting(tmp_path, lambda text: text.replace(HEADING, "    rubrik: Års\x1bbokslut", 1)
                       .replace("plats: Itsam", "plats: It\u202esam", 1))
    with pytest.raises(InputError) as caught:
        load_case(meeting)
    assert [(p.field, p.line) for p in caught.value.problems] == [("plats", 11), ("paragrafer[0].rubrik", 40)]
