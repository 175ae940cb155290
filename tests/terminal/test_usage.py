"""click's usage errors said in Swedish, for the group and its commands, with exit code 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from docgen.cli import main

ENGLISH = ("Usage:", "Error:", "Invalid value", "No such", "requires an argument", "does not take",
           "Got unexpected", "is not in the range", "Try '")


@pytest.mark.parametrize(("args", "said"), [
    (["remind", "--dagar", "-1"], "docgen: ogiltigt värde för --dagar: -1 ligger utanför det tillåtna: minst 0"),
    (["remind", "--dagar", "tre"], "docgen: ogiltigt värde för --dagar: 'tre' är inget heltal"),
    (["remind", "--dagar"], "docgen: --dagar kräver ett värde"),
    (["remind", "--dag", "3"], "docgen: okänt alternativ --dag; menade du --dagar?"),
    (["send", "--okänd"], "docgen: okänt alternativ --okänd"),
    (["send", "--skicka=ja"], "docgen: --skicka tar inget värde"),
    (["serve", "--port", "70000"], "docgen: ogiltigt värde för --port: 70000 ligger utanför det tillåtna: "
                                   "från 0 till 65535"),
    (["check", "a.yaml", "b.yaml"], "docgen: oväntat argument: b.yaml"),
    (["sen"], "docgen: okänt kommando sen; menade du send?"),
    (["--okänd"], "docgen: okänt alternativ --okänd"),
])
def test_usage_errors_are_swedish_with_exit_code_2(args, said):
    result = CliRunner().invoke(main, args, prog_name="docgen")
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert "Användning: docgen" in result.stderr and "--help' för hjälp." in result.stderr
    assert not [word for word in ENGLISH if word in result.output]
