"""Broken copies of the seed meeting: each is refused with file:line, in Swedish, and out/ untouched."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from support import SEED_MEETING, snapshot

MEETING = SEED_MEETING.name
ASSOCIATION = "forbund.yaml"


@dataclass(frozen=True)
class Broken:
    name: str
    file: str
    old: str
    new: str
    message: str
    """A fragment of the Swedish message."""
    anchor: str | None = None
    """Text on the line the error must point at (default: the first line of ``new``)."""
    edit: Callable[[str], str] | None = None


def _shares(total: str) -> Callable[[str], str]:
    """Replace each fördelningstal by an andel; the last one makes the sum ``total``."""
    shares = iter(["13.08", "37.53", "8.72", "27.84", total])

    def edit(text: str) -> str:
        return re.sub(r"fördelningstal: \d+", lambda _m: f"andel: {next(shares)}", text)

    return edit


BILLION_LAUGHS = "".join(f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}]\n" if i else "l0: &l0 [lol]\n"
                         for i in range(9))

# Fill-in marks left in the meeting's text: (the mark, the seed's text, the text with the mark).
LEFTOVER_MARKS = [
    ("ÅÅÅÅ", "- ingen kommunal borgensavgift ska tas ut", "- ingen kommunal borgensavgift enligt KF ÅÅÅÅ ska tas ut"),
    ("TODO", "beslut: Direktionen beslutar att godkänna årsbokslut för 2025.",
     "beslut: Direktionen beslutar att godkänna årsbokslut för 2025. TODO"),
    ("underscores", "- Tjänsteskrivelse daterad 2026-03-05", "- Tjänsteskrivelse daterad ____"),
    ("[...]", "- Kommundirektörsberedningens protokoll.", "- Kommundirektörsberedningens protokoll [...]"),
]

CASES = [
    Broken("bad date", MEETING, "organ: Direktionen\ndatum: 2026-03-26",
           'organ: Direktionen\ndatum: "datum"', "ogiltigt datum", anchor='datum: "datum"'),
    Broken("impossible date", MEETING, "  datum: 2026-03-26\n\nanslag", "  datum: 2026-02-30\n\nanslag",
           "ogiltigt datum"),
    Broken("bad time", MEETING, 'tid: "10:00"', 'tid: "25:00"', "ogiltig tid"),
    # Swedish 10.00 is a YAML number, which pydantic would read as ten seconds past midnight.
    Broken("time with a point", MEETING, 'tid: "10:00"', "tid: 10.00", 'ogiltig tid "10.0" – skriv TT:MM'),
    Broken("unknown member", MEETING, "medlem: boxholm}", "medlem: boxholn}", "okänd medlem"),
    Broken("duplicate paragraph", MEETING, "- nummer: 17", "- nummer: 16", "finns redan"),
    Broken("paragraphs not consecutive", MEETING, "- nummer: 20", "- nummer: 21", "följer inte"),
    Broken("first paragraph not as announced", MEETING, "organ: Direktionen\n",
           "organ: Direktionen\nförsta_paragraf: 15\n", "första_paragraf", anchor="- nummer: 16"),
    Broken("missing dnr", MEETING, "    dnr: 2026/17\n", "", "saknas", anchor="- nummer: 17"),
    Broken("malformed dnr", MEETING, "dnr: 2026/8\n", "dnr: 26-8\n", "ÅÅÅÅ/nummer"),
    Broken("wrong type", MEETING, "- nummer: 18", "- nummer: arton", "inte ett heltal"),
    Broken("misspelt key", MEETING, "    rubrik: Årsbokslut 2025", "    rubrk: Årsbokslut 2025",
           "okänd nyckel"),
    Broken("unknown recipient", MEETING, "skickas_till: [Akt]\n\n  - nummer: 18",
           "skickas_till: [Akten]\n\n  - nummer: 18", "okänd mottagare", anchor="skickas_till: [Akten]"),
    Broken("adjuster not present", MEETING, "justerare: [Claes Sjökvist]", "justerare: [Claes Sjökvis]",
           "finns inte bland de närvarande"),
    Broken("invalid manner of justering", MEETING, "sätt: digitalt", "sätt: digital", "ska vara ett av"),
    Broken("justering after 14 days", MEETING, "  datum: 2026-03-26\n\nanslag",
           "  datum: 2026-04-10\n\nanslag", "mer än 14 dagar"),
    Broken("justering before meeting", MEETING, "  datum: 2026-03-26\n\nanslag",
           "  datum: 2026-03-25\n\nanslag", "före sammanträdet"),
    Broken("anslag too late", MEETING, "uppsatt: 2026-03-27", "uppsatt: 2026-03-29", "för sent"),
    Broken("anslag taken down too early", MEETING, "nedtaget: 2026-04-17", "nedtaget: 2026-04-16",
           "före överklagandetidens slut"),
    Broken("leftover xx", MEETING, "Utredningsfasen bedöms pågå i cirka sex månader.",
           "Utredningsfasen bedöms pågå i cirka xx månader.", "ifyllnadsmarkering",
           anchor="Utredningsfasen bedöms pågå i cirka xx"),
    *(Broken(f"leftover {mark}", MEETING, old, new, "ifyllnadsmarkering") for mark, old, new in LEFTOVER_MARKS),
    Broken('leftover "datum" in a member fact', ASSOCIATION, "regressavtal_datum: ~\n",
           'regressavtal_datum: "datum"\n', "ogiltigt datum"),
    Broken("leftover KF ÅÅÅÅ § xx in a member fact", ASSOCIATION, "tidigare_kf_beslut: ~\n",
           'tidigare_kf_beslut: "KF ÅÅÅÅ § xx"\n', "ifyllnadsmarkering"),
    Broken("member fact missing", ASSOCIATION, "      tidigare_kf_beslut: ~\n", "", "tidigare_kf_beslut",
           anchor="    uppgifter:"),
    Broken("unknown placeholder", MEETING, "{{ borgensbelopp }} SEK för finansiering",
           "{{ borgensbelop }} SEK för finansiering", "okänd platshållare"),
    Broken("sandbox escape in a clause", MEETING, "{{ borgensbelopp }} SEK för finansiering",
           "{{ ''.__class__ }} SEK för finansiering", "bara platshållare"),
    Broken("template syntax outside clauses", MEETING, "Utredningsfasen bedöms pågå",
           "{{ ''.__class__.__mro__ }} Utredningsfasen bedöms pågå", "mallsyntax"),
    Broken("member fact in an unmarked clause", MEETING, "          medlemmens_uppgift: true\n        - text: ovan",
           "          medlemmens_uppgift: false\n        - text: ovan", "medlemmens_uppgift",
           anchor="- text: regressavtal beslutat"),
    Broken("shares off by 0,01 %", ASSOCIATION, "", "", "99,99", anchor="andel: 12.82",
           edit=_shares("12.82")),
    Broken("share with three decimals", ASSOCIATION, "", "", "decimal", anchor="andel: 12.835",
           edit=_shares("12.835")),
    Broken("shares and weights mixed", ASSOCIATION, "fördelningstal: 15500", "andel: 37.53", "blandning",
           anchor="- id: vimmerby"),
    Broken("bad e-mail", ASSOCIATION, "registrator_epost: kommun@boxholm.se",
           "registrator_epost: kommun.boxholm.se", "e-postadress"),
    Broken("duplicate key", MEETING, "organ: Direktionen\n", "organ: Direktionen\norgan: Styrelsen\n",
           "finns två gånger", anchor="organ: Styrelsen"),
    Broken("non-text key", MEETING, "organ: Direktionen\n", "organ: Direktionen\n1: ett\n",
           "ska vara text", anchor="1: ett"),
    Broken("alias bomb", MEETING, "organ: Direktionen\n", "organ: Direktionen\n" + BILLION_LAUGHS,
           "ankare och alias", anchor="l0: &l0"),
    Broken("YAML syntax", MEETING, "plats: Itsam, Teknikringen 9, Linköping",
           "plats: [Itsam, Teknikringen 9, Linköping", "YAML-fel", anchor="närvaro:"),
    Broken("oversized file", MEETING, "", "", "högst 1000000 byte", anchor="# yaml-language-server",
           edit=lambda text: text + ("# " + "x" * 98 + "\n") * 10_500),
    Broken("two documents", MEETING, "organ: Direktionen\n", "---\norgan: Direktionen\n",
           "ett YAML-dokument", anchor="---", edit=lambda text: text + "---\na: b\n"),
    # The text policy: invisible characters are refused where they stand, naming the character.
    Broken("control character", MEETING, "    rubrik: Årsbokslut 2025", "    rubrik: Årsbokslut\x1b 2025",
           "osynligt styrtecken U+001B"),
    Broken("escaped control character", MEETING, "    rubrik: Årsbokslut 2025",
           '    rubrik: "Årsbokslut\\e 2025"', "osynligt styrtecken U+001B"),
    Broken("bidi override in a block", MEETING, "Utredningsfasen bedöms pågå", "Utredningsfasen \u202ebedöms pågå",
           "U+202E", anchor="Utredningsfasen"),
    Broken("lone surrogate", MEETING, "plats: Itsam, Teknikringen 9, Linköping", 'plats: "Itsam \\ud800"',
           "U+D800"),
    Broken("noncharacter", MEETING, "organ: Direktionen\n", 'organ: "Direktionen\\uffff"\n', "U+FFFF"),
    Broken("NUL byte", MEETING, "plats: Itsam, Teknikringen 9, Linköping", "plats: Itsam,\x00 Teknikringen 9",
           "U+0000"),
    Broken("control character in a key", MEETING, "organ: Direktionen\n", "org\x07an: Direktionen\n", "U+0007"),
    # Lengths where Word or PDF bound them.
    Broken("heading too long", MEETING, "    rubrik: Årsbokslut 2025", "    rubrik: Årsbokslut 2025 " + "å" * 190,
           "är 206 tecken lång; högst 200 tecken"),
    Broken("member name too long", ASSOCIATION, "    namn: Boxholms kommun", "    namn: Boxholms kommun" + "s" * 90,
           "högst 100 tecken"),
    Broken("single-line text too long", MEETING, "plats: Itsam, Teknikringen 9, Linköping", "plats: " + "x" * 1001,
           "högst 1 000 tecken"),
    Broken("description too long", MEETING, "Ärendet föredras av Malin Vikström, ekonomiansvarig.",
           "Ärendet föredras av Malin Vikström, ekonomiansvarig." + " bla" * 25_000, "högst 100 000 tecken",
           anchor="beskrivning: |"),
    # Never a traceback: what YAML can express but docgen has no use for.
    Broken("python tag", MEETING, "plats: Itsam, Teknikringen 9, Linköping",
           'plats: !!python/object/apply:os.system ["x"]', "okänd YAML-tagg !!python/object/apply:os.system"),
    Broken("local tag", MEETING, "    rubrik: Årsbokslut 2025", "    rubrik: !rubrik Årsbokslut 2025",
           "okänd YAML-tagg !rubrik"),
    Broken("deep nesting", MEETING, "plats: Itsam, Teknikringen 9, Linköping", "plats: " + "[" * 500 + "]" * 500,
           "nästlade"),
    Broken(".nan as a number", MEETING, "- nummer: 18", "- nummer: .nan", "ska vara ett tal, inte .nan"),
    Broken(".inf as a share", ASSOCIATION, "fördelningstal: 5400", "andel: .inf", "ska vara ett tal, inte .inf",
           edit=_shares("12.83")),
    Broken(".inf as text", MEETING, "    rubrik: Årsbokslut 2025", "    rubrik: .inf",
           "ska vara text, inte talet .inf"),
    Broken("5 000-digit integer", MEETING, "- nummer: 18", "- nummer: " + "9" * 5000, "talet har 5 000 siffror"),
    # What a Word page cannot show is refused where it is written, not dropped or squeezed.
    Broken("list deeper than Word's nine levels", MEETING,
           "      Ärendet föredras av Malin Vikström, ekonomiansvarig.\n",
           "      Ärendet föredras av Malin Vikström, ekonomiansvarig.\n\n" + "".join(
               "      " + "  " * i + f"- nivå {i + 1}\n" for i in range(10)),
           "listan har 10 nivåer; Word visar högst 9", anchor="- nivå 10"),
    Broken("table wider than an A4 page", MEETING,
           "      Ärendet föredras av Malin Vikström, ekonomiansvarig.\n",
           "      Ärendet föredras av Malin Vikström, ekonomiansvarig.\n\n      |" + "|".join(
               f"k{i}" for i in range(12)) + "|\n      |" + "|".join("-" for _ in range(12)) + "|\n",
           "tabellen har 12 kolumner; högst 10", anchor="|k0|"),
]


def _line_of(text: str, anchor: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if anchor in line:
            return number
    raise AssertionError(f"anchor {anchor!r} not in the broken file")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_copy_is_refused_with_file_line_and_nothing_written(case: Broken, tmp_path: Path):
    decisions = tmp_path / "decisions"
    shutil.copytree(SEED_MEETING.parent, decisions)
    target = decisions / case.file
    text = target.read_text(encoding="utf-8")
    if case.edit:
        broken = case.edit(text.replace(case.old, case.new, 1) if case.old else text)
    else:
        assert text.count(case.old) >= 1, "the case no longer matches the seed"
        broken = text.replace(case.old, case.new, 1)
    assert broken != text
    target.write_text(broken, encoding="utf-8")
    if case.anchor:
        line = _line_of(broken, case.anchor)
    else:  # the first line the replacement wrote
        line = text[:text.index(case.old)].count("\n") + 1

    out = tmp_path / "out"
    (out / "2026-03-26-direktionen" / "protokoll").mkdir(parents=True)
    (out / "2026-03-26-direktionen" / "protokoll" / "protokoll.pdf").write_bytes(b"%PDF earlier build")
    before = snapshot(out)

    result = CliRunner().invoke(main, ["build", str(decisions / MEETING), "--out", str(out)])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert re.search(rf"{re.escape(case.file)}:{line}(:\d+)?: ", result.output), (line, result.output)
    assert case.message in result.output
    assert snapshot(out) == before


def test_there_are_at_least_25_kinds_of_broken_input():
    assert len(CASES) >= 25


def _copy_seed(tmp_path: Path) -> Path:
    decisions = tmp_path / "decisions"
    shutil.copytree(SEED_MEETING.parent, decisions)
    return decisions


def _point_association_at(decisions: Path, target: str) -> None:
    meeting = decisions / MEETING
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("förbund: forbund.yaml", f"förbund: {target}", 1), encoding="utf-8")


@pytest.mark.parametrize("target", ["/dev/zero", "."], ids=["device", "folder"])
def test_an_association_file_that_is_no_regular_file_is_refused_unread(target: str, tmp_path: Path):
    decisions = _copy_seed(tmp_path)
    _point_association_at(decisions, target)

    result = CliRunner().invoke(main, ["check", str(decisions / MEETING)])

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "är ingen vanlig fil" in result.output


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path):
    import os
    import threading

    from docgen.errors import InputError
    from docgen.input.load import load_yaml

    fifo = tmp_path / "möte.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            load_yaml(fifo)
            outcome.append(None)
        except BaseException as exc:  # the test reports whatever happened
            outcome.append(exc)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=5)
    if reader.is_alive():  # blocked in open(): release it, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=5)
        pytest.fail("load_yaml waited for a writer on a named pipe")
    assert isinstance(outcome[0], InputError), outcome
    assert "är ingen vanlig fil" in str(outcome[0])


def test_a_file_that_grows_after_its_size_was_checked_is_read_no_further_than_the_limit(tmp_path: Path,
                                                                                       monkeypatch):
    import os

    from docgen.errors import InputError
    from docgen.input import load

    path = tmp_path / "möte.yaml"
    path.write_text("organ: Direktionen\n", encoding="utf-8")
    real_stat = os.stat

    def stat_then_grow(target, *args, **kwargs):
        result = real_stat(target, *args, **kwargs)
        if Path(target) == path:
            with path.open("ab") as growing:
                growing.write(b"# " + b"x" * (load.MAX_YAML_BYTES + 10) + b"\n")
        return result

    monkeypatch.setattr(load.os, "stat", stat_then_grow)
    with pytest.raises(InputError, match="högst 1000000 byte"):
        load.load_yaml(path)
