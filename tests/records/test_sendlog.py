"""The send log's lines: written as before, read back typed, and a damaged line a Swedish error with its number."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import main
from docgen.distribution.sendlog import SendLog, log_file
from docgen.errors import InputError
from docgen.records.sendlog import Failed, LoggedAttachment, Sending, Sent, append, read
from support import SEED_MEETING, write_send_log

WHEN = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
TO = {"member": "ydre", "address": "ydre.kommun@ydre.se", "message_id": "<a@itsam.se>"}
PDF = LoggedAttachment(file="medlemmar/ydre/ydre-samtliga-handlingar.pdf", name="ydre-samtliga-handlingar.pdf",
                       sha256="a" * 64, size=1234)
# Each kind of line as send.py wrote it as a dict, before the models: the on-disk format they keep.
EARLIER = [
    {"händelse": "skickar", "medlem": "ydre", "adress": "ydre.kommun@ydre.se", "message_id": "<a@itsam.se>",
     "syfte": "hemställan", "tid": "2026-04-01T10:00:00+02:00", "paket": "d" * 64, "ersätter": None,
     "bilagor": [{"fil": PDF.file, "namn": PDF.name, "sha256": "a" * 64, "byte": 1234}]},
    {"händelse": "misslyckades", "medlem": "ydre", "adress": "ydre.kommun@ydre.se", "message_id": "<a@itsam.se>",
     "tid": "2026-04-01T10:00:00+02:00", "svar": "554 5.7.1 Nej"},
    {"händelse": "skickat", "medlem": "ydre", "adress": "ydre.kommun@ydre.se", "message_id": "<a@itsam.se>",
     "tid": "2026-04-01T10:00:00+02:00", "svar": "250 2.0.0 Ok"},
]
LINES = [Sending(**TO, purpose="hemställan", time=WHEN, package="d" * 64, attachments=(PDF,)),
         Failed(**TO, time=WHEN, reply="554 5.7.1 Nej"),
         Sent(**TO, time=WHEN, reply="250 2.0.0 Ok")]


def _log(tmp_path: Path, *lines: bytes) -> Path:
    path = tmp_path / "möte.utskick.jsonl"
    write_send_log(path, b"".join(line + b"\n" for line in lines))
    return path


def test_each_line_is_written_as_the_dicts_were_and_an_earlier_log_reads_back_typed(tmp_path: Path):
    path = tmp_path / "möte.utskick.jsonl"
    for line in LINES:
        append(path, line)
    assert path.read_bytes() == b"".join(json.dumps(d, ensure_ascii=False).encode() + b"\n" for d in EARLIER)
    assert read(path).records() == LINES
    assert read(path).records()[0].attachments[0].name == "ydre-samtliga-handlingar.pdf"


def test_a_time_in_utc_is_written_with_its_offset_as_isoformat_writes_it(tmp_path: Path):
    path = tmp_path / "möte.utskick.jsonl"
    append(path, Sent(**TO, time=dt.datetime(2026, 4, 1, 8, 0, 0, 5, tzinfo=dt.UTC), reply="250 Ok"))
    assert json.loads(path.read_text(encoding="utf-8"))["tid"] == "2026-04-01T08:00:00.000005+00:00"


EVENTS = "händelse ska vara skickar, skickat, misslyckades, kom fram eller skicka kopia"


def _without(key: str, record: dict) -> dict:
    return {k: v for k, v in record.items() if k != key}


@pytest.mark.parametrize(("line", "reason"), [
    (b'{"h\xc3\xa4ndelse": "skickar"}', "medlem saknas"),
    (json.dumps(_without("paket", EARLIER[0])).encode(), "paket saknas"),
    (json.dumps({**EARLIER[0], "bilagor": [{"fil": "a.pdf"}]}).encode(), "bilagor[0].namn saknas"),
    (json.dumps({**EARLIER[2], "händelse": "levererat"}).encode(), EVENTS),
    (json.dumps(_without("händelse", EARLIER[2])).encode(), EVENTS),
    (json.dumps({**EARLIER[0], "syfte": "hemställam"}).encode(), "syfte har fel värde 'hemställam'"),
    (json.dumps({**EARLIER[2], "tid": "2026-04-01T10:00:00"}).encode(), "tid har fel värde"),  # no offset
    (json.dumps({**EARLIER[2], "extra": 1}).encode(), "okänd nyckel extra"),
    (json.dumps({**EARLIER[0], "paket": "kort"}).encode(), "paket har fel värde 'kort'"),
    (b'{"h\xe4ndelse": "skickat"}', "inte sparad som UTF-8"),
    (b"[1, 2]", EVENTS),
    (b"inte json", "ingen giltig JSON"),
])
def test_a_line_that_does_not_read_is_a_swedish_error_with_the_log_and_its_line(tmp_path: Path, line: bytes,
                                                                                  reason: str):
    path = _log(tmp_path, json.dumps(EARLIER[0], ensure_ascii=False).encode(), line,
                json.dumps(EARLIER[2], ensure_ascii=False).encode())
    with pytest.raises(InputError) as refused:
        SendLog(path).histories(["ydre"])
    (problem,) = refused.value.problems
    assert (Path(problem.file).name, problem.line) == ("möte.utskick.jsonl", 2)
    assert problem.message.startswith(f"raden i utskicksloggen går inte att läsa ({reason}")
    assert problem.message.endswith("återställ den och dess kontrollfil från säkerhetskopian")


def test_a_last_line_torn_inside_a_character_is_reported_with_its_number(tmp_path: Path):
    path = _log(tmp_path, json.dumps(EARLIER[0], ensure_ascii=False).encode())
    with path.open("ab") as file:
        file.write('{"händelse": "skickat", "medlem": "y'.encode()[:3])  # a kill half-way through "ä"
    reading = read(path)
    assert reading.records() == LINES[:1]
    assert [(d.line, d.reason) for d in reading.damaged] == [(2, "raden är avbruten mitt i")]
    assert SendLog(path).state(["ydre"]).unsettled() == {"ydre": list(reading.damaged)}


def test_every_damaged_line_is_named_not_only_the_first(tmp_path: Path):
    torn = json.dumps(EARLIER[2], ensure_ascii=False).encode()[:40]
    path = _log(tmp_path, json.dumps(EARLIER[0], ensure_ascii=False).encode(), torn, b'{"h\xe4ndelse": 1}',
                json.dumps(EARLIER[2], ensure_ascii=False).encode())
    with pytest.raises(InputError) as refused:
        SendLog(path).histories(["ydre"])
    assert [(p.line, p.message.split(";")[0]) for p in refused.value.problems] == [
        (2, "raden i utskicksloggen går inte att läsa (raden är avbruten mitt i)"),
        (3, "raden i utskicksloggen går inte att läsa (inte sparad som UTF-8)")]


def test_an_outcome_without_its_skickar_and_a_line_about_an_unknown_member_prove_nothing(tmp_path: Path):
    other = {**EARLIER[0], "medlem": "ydrf"}  # a bit flipped in the member's id
    path = _log(tmp_path, json.dumps(EARLIER[2], ensure_ascii=False).encode(),
                json.dumps(other, ensure_ascii=False).encode())
    state = SendLog(path).state(["ydre", "boxholm"])
    assert [(d.line, d.reason, d.members) for d in state.damaged] == [
        (1, "skickat utan skickar före", frozenset({"ydre"})), (2, "okänd medlem 'ydrf'", frozenset())]
    assert state.unsettled() == {"ydre": state.damaged, "boxholm": state.damaged[1:]}


def test_docgen_status_names_the_damaged_line_and_shows_no_traceback(tmp_path: Path):
    meeting = tmp_path / SEED_MEETING.name
    for source in SEED_MEETING.parent.glob("*.yaml"):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    write_send_log(log_file(meeting), b'{"h\xc3\xa4ndelse": "skickar"}\n')
    result = CliRunner().invoke(main, ["status", str(meeting)])
    assert result.exit_code == 1, result.output
    assert "2026-03-26-direktionen.utskick.jsonl:1: raden i utskicksloggen går inte att läsa (medlem saknas)" \
        in result.output
    assert isinstance(result.exception, SystemExit)  # a Swedish message and exit 1, not a traceback
