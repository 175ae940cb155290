"""The output tree of the seed meeting and the five member packages."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from ruamel.yaml import YAML

from docgen.model import formatting as fmt
from support import MEMBERS, SEED_MEETING, docx_text, pdf_text, squash

pytestmark = pytest.mark.libreoffice

# The request first (letter, proposal, its extract, the regressavtal), then § 16, sent to every member
# for information.
PACKAGE_FILES = ("1-hemstallan-{id}", "2-forslag-till-beslut-{id}",
                 "3-protokollsutdrag-paragraf-18", "4-regressavtal", "5-protokollsutdrag-paragraf-16")

# Leftover fill-ins and template syntax that must never reach a recipient.
FORBIDDEN = [re.compile(p) for p in (r"\{\{", r"\{%", r"ÅÅÅÅ", r"(?<!\w)[xX]{2}(?!\w)", r'"datum"',
                                     r"[“”]datum[“”]")]


def test_tree_holds_protocol_notice_and_extracts_of_paragraphs_sent_to_members(seed_build):
    folder = seed_build.folder
    assert folder.name == "2026-03-26-direktionen"
    for stem in ("protokoll/protokoll-2026-03-26-direktionen", "anslag/anslag-2026-03-26-direktionen",
                 "utdrag/protokollsutdrag-2026-03-26-direktionen-paragraf-16",
                 "utdrag/protokollsutdrag-2026-03-26-direktionen-paragraf-18"):
        for suffix in (".docx", ".pdf"):
            assert (folder / (stem + suffix)).stat().st_size > 5000, stem + suffix
    # §§ 17, 19 and 20 go only to Akt: no extracts for them.
    assert sorted(p.name for p in (folder / "utdrag").glob("*.pdf")) == [
        "protokollsutdrag-2026-03-26-direktionen-paragraf-16.pdf",
        "protokollsutdrag-2026-03-26-direktionen-paragraf-18.pdf"]


@pytest.mark.parametrize("member", MEMBERS)
def test_each_member_folder_has_its_set_and_a_bookmarked_package(seed_build, member):
    folder = seed_build.folder / "medlemmar" / member
    for pattern in PACKAGE_FILES:
        for suffix in (".docx", ".pdf"):
            assert (folder / (pattern.format(id=member) + suffix)).is_file()
    package = PdfReader(folder / f"{member}-samtliga-handlingar.pdf")
    parts = [PdfReader(folder / (p.format(id=member) + ".pdf")) for p in PACKAGE_FILES]
    assert len(package.pages) == sum(len(p.pages) for p in parts)
    top = [item for item in package.outline if not isinstance(item, list)]
    assert [item.title.split(" ")[0] for item in top] == [
        "Hemställan", "Förslag", "Protokollsutdrag", "Regressavtal", "Protokollsutdrag"]
    starts = [package.get_destination_page_number(item) for item in top]
    expected, page = [], 0
    for part in parts:
        expected.append(page)
        page += len(part.pages)
    assert starts == expected
    assert package.trailer["/Root"]["/Lang"] == "sv-SE"
    assert seed_build.case.association.member(member).name in package.metadata.title


def _member_values(case, member_id):
    member = case.association.member(member_id)
    share = case.shares(case.request_items[0])[member_id]
    return {
        "council": f"Kommunfullmäktige i {member.name}",
        "percent": fmt.percent(share.percent),
        "kronor": fmt.integer(share.kronor),
    }


@pytest.mark.parametrize("member", MEMBERS)
def test_proposal_names_its_member_with_its_values_and_no_other_members(seed_build, member):
    case = seed_build.case
    folder = seed_build.folder / "medlemmar" / member
    stem = f"2-forslag-till-beslut-{member}"
    for text in (squash(pdf_text(folder / f"{stem}.pdf")), squash(docx_text(folder / f"{stem}.docx"))):
        for value in _member_values(case, member).values():
            assert squash(value) in text
        for other in MEMBERS:
            if other == member:
                continue
            for value in _member_values(case, other).values():
                assert squash(value) not in text, (member, other, value)


def test_proposal_carries_facts_the_yaml_gives_and_none_of_another_members(tmp_path):
    """With each member's own regressavtal date and earlier KF decision filled in."""
    from docgen.documents.plan import plan
    from docgen.documents.render import render_docx
    from docgen.documents.templates import Templates
    from docgen.input.validate import load_case

    yaml = YAML()
    facts = {m: {"regressavtal_datum": f"2019-0{i + 1}-1{i}", "tidigare_kf_beslut": f"KF 2019 § {40 + i}"}
             for i, m in enumerate(MEMBERS)}
    association = yaml.load((SEED_MEETING.parent / "forbund.yaml").read_text(encoding="utf-8"))
    for entry in association["medlemmar"]:
        for key, value in facts[entry["id"]].items():
            entry["uppgifter"][key] = value
    with (tmp_path / "forbund.yaml").open("w", encoding="utf-8") as handle:
        yaml.dump(association, handle)
    meeting = tmp_path / SEED_MEETING.name
    meeting.write_text(SEED_MEETING.read_text(encoding="utf-8"), encoding="utf-8")
    case = load_case(meeting)
    documents = {d.key: d for d in plan(case)}
    long_dates = {m: fmt.long_date(__import__("datetime").date.fromisoformat(f["regressavtal_datum"]))
                  for m, f in facts.items()}
    for member in MEMBERS:
        render_docx(documents[f"forslag-{member}"], case, tmp_path / f"{member}.docx", Templates())
        text = docx_text(tmp_path / f"{member}.docx")
        assert f"regressavtal beslutat {long_dates[member]} upphör" in text
        assert f"tidigare fattade beslut {facts[member]['tidigare_kf_beslut']} samt" in text
        assert "*" not in text and "[" not in text
        for other in MEMBERS:
            if other != member:
                assert long_dates[other] not in text
                assert facts[other]["tidigare_kf_beslut"] not in text


def _all_docx_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                         if name.endswith(".xml"))


def test_no_generated_document_carries_a_fill_in_or_template_syntax(seed_build):
    checked = 0
    for path in seed_build.files:
        if path.suffix == ".docx":
            texts = [docx_text(path), re.sub(r"<[^>]+>", "", _all_docx_xml(path))]
        elif path.suffix == ".pdf":
            texts = [pdf_text(path)]
        else:
            continue
        for text in texts:
            for pattern in FORBIDDEN:
                assert not pattern.search(text), (path.name, pattern.pattern)
        checked += 1
    assert checked == len([p for p in seed_build.files if p.suffix in (".docx", ".pdf")]) >= 40


def test_regressavtal_shares_add_up_exactly(seed_build):
    text = squash(pdf_text(seed_build.folder / "medlemmar" / "ydre" / "4-regressavtal.pdf"))
    assert squash("Summa 41 300 100,00 % 130 000 000") in text
    assert squash("130 000 000 kronor (etthundratrettio miljoner kronor)") in text
    total = sum(s.kronor for s in seed_build.case.shares(seed_build.case.request_items[0]).values())
    assert total == 130_000_000


def test_bullets_are_real_bullet_characters_never_private_use(seed_build):
    """Word's default bullet is U+F0B7 in Symbol: PDF text and screen readers get no bullet from it."""
    bullets = 0
    for path in seed_build.files:
        if path.suffix == ".pdf":
            text = pdf_text(path)
            assert not [c for c in text if 0xE000 <= ord(c) <= 0xF8FF], path.name
            bullets += text.count("\u2022")
    assert "\u2022" in pdf_text(seed_build.folder / "protokoll" / "protokoll-2026-03-26-direktionen.pdf")
    assert bullets >= 20


def test_the_letter_gives_the_guarantee_and_the_share_in_one_unit(seed_build):
    for member in MEMBERS:
        text = squash(pdf_text(seed_build.folder / "medlemmar" / member / f"1-hemstallan-{member}.pdf"))
        assert squash("av borgensåtagandet om 130 000 000 kronor, det vill säga") in text, member
        assert "Tkr" not in text, member
