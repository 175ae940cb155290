"""A send log damaged in every way hypothesis finds: no traceback, and nothing sent without the secretary's word.

The decision "what would be sent" (send.plan) is a pure function of the log, so each example reads a damaged
log and plans, without composing or sending; test_send_words.py does the same on a real SMTP server.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.distribution import mail
from docgen.distribution.outgoing import REQUEST, Delivery
from docgen.distribution.send import Words, plan
from docgen.distribution.sendlog import SendLog
from docgen.errors import InputError
from docgen.input.validate import load_case
from docgen.records.sendlog import Arrived, Failed, Sending, Sent, append
from support import MEMBERS, SEED_MEETING, write_send_log

EXAMPLES = int(os.environ.get("DOCGEN_LOG_FUZZ_EXAMPLES", "500"))
"""500 in make test; make test-long sets 10 000."""

SENDER = "registrator@itsam.se"
CASE = load_case(SEED_MEETING)
DELIVERIES = [Delivery(member, REQUEST, ()) for member in CASE.association.members]
WHEN = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC)


def _lines() -> list[bytes]:
    """boxholm and atvidaberg sent, vimmerby in flight when docgen was killed, ydre refused, odeshog not yet."""
    records = []
    for delivery in DELIVERIES:
        member = delivery.member
        to = {"member": member.id, "address": member.registry_email,
              "message_id": mail.message_id(CASE, delivery, SENDER, 0)}
        if member.id == "odeshog":
            continue
        records.append(Sending(**to, purpose=REQUEST, time=WHEN, package=delivery.digest, attachments=()))
        if member.id in ("boxholm", "atvidaberg"):
            records.append(Sent(**to, time=WHEN, reply="250 2.0.0 Ok"))
        elif member.id == "ydre":
            records.append(Failed(**to, time=WHEN, reply="554 5.7.1 Nej"))
    return [json.dumps(r.model_dump(mode="json"), ensure_ascii=False).encode() + b"\n" for r in records]


LINES = _lines()
LOG = b"".join(LINES)
CERTAINLY_NOT_DELIVERED = {"ydre", "odeshog"}


def _sent(data: bytes, path: Path, control: str = "kept") -> set[str] | None:
    """Whom a plain ``send --skicka`` would send to with this log, or None when it refuses.

    The control file is the one docgen wrote for the undamaged log; ``control`` says whether it is still
    there (``kept``), gone (``gone``), or cut in half (``cut``).
    """
    write_send_log(path, LOG)
    path.write_bytes(data)
    anchor = path.with_name(f"{path.stem}.kontroll.json")
    if control == "gone":
        anchor.unlink()
    elif control == "cut":
        anchor.write_bytes(anchor.read_bytes()[:len(anchor.read_bytes()) // 2])
    try:
        steps = plan(CASE, DELIVERIES, SendLog(path).state(MEMBERS), path, SENDER, (), Words())
    except InputError as refusal:
        assert refusal.problems and all(p.file.endswith(".utskick.jsonl") and p.line for p in refusal.problems)
        assert "--kom-fram MEDLEM" in str(refusal)
        return None
    return {step.delivery.member.id for step in steps if step.sends}


def test_the_undamaged_log_sends_only_what_certainly_did_not_arrive(tmp_path: Path):
    assert _sent(LOG, tmp_path / "möte.utskick.jsonl") == CERTAINLY_NOT_DELIVERED


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = LOG
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "utf8", "key", "value", "reorder",
                                                  "tear"]))
        if kind == "truncate":
            data = data[:draw(st.integers(0, len(data)))]
        elif kind == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1:]
        elif kind == "utf8" and data:
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe4", b"\x80\x80", b"\xed\xa0\x80"])) \
                + data[at:]
        elif kind in ("key", "value"):  # a key missing, or one character of a value changed
            lines = data.splitlines(keepends=True)
            number = draw(st.integers(0, len(lines) - 1)) if lines else None
            try:
                record = json.loads(lines[number]) if number is not None else None
            except ValueError:
                record = None
            if isinstance(record, dict) and record:
                key = draw(st.sampled_from(sorted(record)))
                if kind == "key":
                    del record[key]
                elif isinstance(record[key], str) and record[key]:
                    at = draw(st.integers(0, len(record[key]) - 1))
                    record[key] = record[key][:at] + draw(st.sampled_from("aäz0<@ ")) + record[key][at + 1:]
                # surrogatepass: a flipped byte may have made an escaped lone surrogate, itself a damage to keep
                lines[number] = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"
                data = b"".join(lines)
        elif kind == "reorder":
            data = b"".join(draw(st.permutations(data.splitlines(keepends=True))))
        elif kind == "tear":  # a line cut in the middle, the lines after it kept
            lines = data.splitlines(keepends=True)
            if lines:
                number = draw(st.integers(0, len(lines) - 1))
                lines[number] = lines[number][:draw(st.integers(1, max(1, len(lines[number]) - 2)))] + b"\n"
                data = b"".join(lines)
    return data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(), st.sampled_from(["kept", "kept", "gone", "cut"]))
def test_a_damaged_log_never_crashes_and_never_sends_what_may_have_arrived(data: bytes, control: str):
    with tempfile.TemporaryDirectory() as folder:
        sent = _sent(data, Path(folder) / "möte.utskick.jsonl", control)
    # Sent only to a member that certainly did not get it: a log cut at a line's end, which reads like one
    # written so far and no further, is caught by its control file, and so is a control file gone or damaged.
    assert sent is None or sent <= CERTAINLY_NOT_DELIVERED


@pytest.mark.parametrize("cut", [line for line in range(len(LINES))])
def test_a_log_cut_at_a_line_end_is_refused_until_every_member_has_a_word(tmp_path: Path, cut: int):
    path = tmp_path / "möte.utskick.jsonl"
    assert _sent(b"".join(LINES[:cut]), path) is None
    assert set(SendLog(path).state(MEMBERS).unsettled()) == set(MEMBERS)


def test_a_word_after_a_cut_is_kept_when_the_control_file_is_renewed(tmp_path: Path):
    """The secretary's word for one member renews the control file; the others still wait for theirs."""
    path = tmp_path / "möte.utskick.jsonl"
    write_send_log(path, LOG)
    path.write_bytes(b"".join(LINES[:2]))  # boxholm's two lines kept, the rest gone
    first = CASE.association.members[0]
    append(path, Arrived(member=first.id, address=first.registry_email, message_id="<ord@itsam.se>",
                         purpose=REQUEST, time=WHEN, package=DELIVERIES[0].digest))
    unsettled = SendLog(path).state(MEMBERS).unsettled()
    assert set(unsettled) == set(MEMBERS) - {first.id}
    (damage,) = {d for found in unsettled.values() for d in found}
    assert (damage.line, damage.reason) == (2, "loggen slutar efter rad 2, men docgen skrev 7 rader, enligt "
                                               "kontrollfilen möte.utskick.kontroll.json")
