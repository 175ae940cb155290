"""Texts that stand in an e-mail header or an address line are one line, and addresses are ones SMTP carries.

Before, ``namn: "Boxholms kommun\\r\\nBcc: evil@x.se"`` passed check and build,
printed "Bcc: evil@x.se" as an address line in the hemställan and stopped
send with a ValueError; a non-ASCII local part gave a UnicodeEncodeError.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from support import SEED_MEETING

ASSOCIATION = "forbund.yaml"
MEETING = SEED_MEETING.name


def _check(tmp_path: Path, file: str, old: str, new: str):
    decisions = tmp_path / "decisions"
    shutil.copytree(SEED_MEETING.parent, decisions)
    target = decisions / file
    text = target.read_text(encoding="utf-8")
    assert old in text, old
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return CliRunner().invoke(main, ["check", str(decisions / MEETING)])


ONE_LINE = "får inte ha någon radbrytning"

# (file, the seed's line, the line with a break, where the error points, the field named). A raw separator
# stands in a plain text without ": ", which YAML would read as a key after the break.
BREAKS = [
    (ASSOCIATION, "    namn: Boxholms kommun\n", '    namn: "Boxholms kommun\\r\\nBcc: evil@x.se"\n',
     "forbund.yaml:32:11:", "medlemmar[0].namn"),
    (ASSOCIATION, "    namn: Boxholms kommun\n", '    namn: "Boxholms kommun\\nBcc: evil@x.se"\n',
     "forbund.yaml:32:11:", "medlemmar[0].namn"),
    (ASSOCIATION, "    namn: Boxholms kommun\n", "    namn: Boxholms kommun\u2028Boxholm\n",
     "forbund.yaml:32:11:", "medlemmar[0].namn"),
    (ASSOCIATION, "    namn: Boxholms kommun\n", "    namn: Boxholms kommun\u2029Boxholm\n",
     "forbund.yaml:32:11:", "medlemmar[0].namn"),
    (ASSOCIATION, "    namn: Boxholms kommun\n", "    namn: Boxholms kommun\vBoxholm\n",
     "forbund.yaml:32:11:", "medlemmar[0].namn"),
    (ASSOCIATION, "namn: Kommunalförbundet Itsam\n", 'namn: "Kommunalförbundet Itsam\\r\\nBcc: evil@x.se"\n',
     "forbund.yaml:7:7:", "namn"),
    (ASSOCIATION, "  ort: Linköping\n", '  ort: "Link\\röping"\n', "forbund.yaml:13:8:", "postadress.ort"),
    (ASSOCIATION, "      gatuadress: Box 60 ", '      gatuadress: "Box\\L60" ', "forbund.yaml:35:19:",
     "(medlemmar[0]).postadress.gatuadress"),
    (MEETING, "      ämne: Ny solidarisk borgen för Kommunalförbundet Itsam om 130 Mkr\n",
     '      ämne: "Ny solidarisk borgen\\nBcc: evil@x.se"\n', f"{MEETING}:146:13:", "hemställan.ämne"),
    (MEETING, "        namn: Malin Vikström\n", '        namn: "Malin\\r\\nVikström"\n', f"{MEETING}:170:15:",
     "kontaktperson.namn"),
]


@pytest.mark.parametrize(("file", "old", "new", "where", "field"), BREAKS,
                         ids=[f"{b[4]}-{b[2].strip()[:30]!r}" for b in BREAKS])
def test_a_line_break_in_a_header_or_address_text_is_refused_at_check_with_line_and_column(
        tmp_path, file, old, new, where, field):
    result = _check(tmp_path, file, old, new)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = next(row for row in result.output.splitlines() if ONE_LINE in row)
    assert where in line and field in line, result.output


def test_a_non_ascii_local_part_is_refused_at_check_with_its_line(tmp_path):
    result = _check(tmp_path, ASSOCIATION, "kommun@odeshog.se", "kö@odeshog.se")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "forbund.yaml:83:24: Ödeshögs kommun (medlemmar[4]).registrator_epost: delen före @ i 'kö'" in (
        result.output)


def test_an_internationalised_domain_passes_check(tmp_path):
    result = _check(tmp_path, ASSOCIATION, "kommun@atvidaberg.se", "kommun@åtvidaberg-test.se")
    assert result.exit_code == 0, result.output
