"""Justering with real signatures: a test CA made offline, pyHanko's own validator as the judge, the docgen command
as the secretary runs it, and a real SMTP server on localhost for what leaves after the justering."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pki import PASSWORD, Pki, make_pki, running_tsa
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from docgen.pdf.signatures import trust_roots
from docgen.pdf.verify import check_pdf
from docgen.pipeline.run import build as build_in_process
from support import SEED_MEETING, Recorder, running_smtp_server, sendable_copy, smtp_environ

pytestmark = pytest.mark.libreoffice

DOCGEN = [sys.executable, "-m", "docgen.cli"]
PROTOCOL = "protokoll/protokoll-2026-03-26-direktionen.pdf"


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def built_electronic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sendable seed, justerat with electronic signatures, built once (cache included)."""
    from docgen.pipeline.run import build

    root = tmp_path_factory.mktemp("elektronisk")
    meeting = sendable_copy(root) / SEED_MEETING.name
    text = meeting.read_text(encoding="utf-8")
    text = text.replace("  sätt: digitalt\n", "  sätt: digitalt\n  elektronisk_underskrift: true\n")
    # The anslag's dates follow from the day of the last signature (the test's today), so none are written.
    text = text.replace("anslag:\n  uppsatt: 2026-03-27\n  nedtaget: 2026-04-17\n", "")
    meeting.write_text(text, encoding="utf-8")
    build(meeting, root / "out")
    return root


@pytest.fixture
def meeting(built_electronic: Path, tmp_path: Path) -> Path:
    """A private copy (decisions/ and out/) of the built meeting; built again in place, from the cache."""
    for name in ("decisions", "out"):
        shutil.copytree(built_electronic / name, tmp_path / name, symlinks=True)
    from docgen.pipeline.run import build

    path = tmp_path / "decisions" / SEED_MEETING.name
    build(path, tmp_path / "out")
    return path


def docgen(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "DOCGEN_CERTIFIKAT_LOSENORD": PASSWORD, **(env or {})}
    return subprocess.run([*DOCGEN, *args], cwd=cwd, capture_output=True, text=True, env=environ, check=False)


def justera(meeting: Path, pki: Pki, *who: str) -> None:
    for person in who:
        done = docgen(meeting.parent.parent, "justera", str(meeting), "--certifikat", str(pki.p12[person]))
        assert done.returncode == 0, done.stderr


def signed_file(meeting: Path) -> Path:
    return meeting.with_name(f"{meeting.stem}-protokoll-justerat.pdf")


def validated(data: bytes, pki: Pki) -> list:
    """pyHanko's own verdict on every signature, the test CA the only root and nothing fetched."""
    roots = [load_cert_from_pemder(str(pki.ca_pem))]
    reader = PdfFileReader(io.BytesIO(data))
    return [validate_pdf_signature(s, ValidationContext(trust_roots=roots, allow_fetching=False))
            for s in reader.embedded_signatures]


def test_claes_signs_the_seed_protocol_and_pyhanko_judges_it_valid_over_the_whole_file(meeting: Path,
                                                                                       pki: Pki):
    justera(meeting, pki, "claes")

    data = signed_file(meeting).read_bytes()
    built = (meeting.parent.parent / "out" / "2026-03-26-direktionen" / PROTOCOL).read_bytes()
    assert data.startswith(built)  # an incremental signature: the built protocol is the first revision
    [status] = validated(data, pki)
    assert status.bottom_line and status.trusted and status.intact
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Claes Sjökvist"

    verify = docgen(meeting.parent.parent, "verify", str(signed_file(meeting)), "--betrodda", str(pki.ca_pem))
    assert verify.returncode == 0, verify.stdout
    assert "1 PDF-fil kontrollerad: godkänd." in verify.stdout
    report = check_pdf(signed_file(meeting), roots=trust_roots([pki.ca_pem]))
    assert report.ok
    assert report.check("PDF/A").detail == "PDF/A-2B, PDF/UA-1"
    assert report.check("språk").detail == "sv-SE"
    assert report.check("titel").detail == "Protokoll Direktionen 2026-03-26"
    assert report.check("underskrifter").detail.startswith("Claes Sjökvist ")
    assert report.check("underskrifter").detail.endswith(", hela filen, betrodd")
    record = json.loads(meeting.with_name(f"{meeting.stem}.justering.json").read_text(encoding="utf-8"))
    assert [(s["namn"], s["roll"], s["sätt"]) for s in record["underskrifter"]] == [
        ("Claes Sjökvist", "justerare", "certifikat")]
    assert record["justeringsdag"] is None  # the ordförande and the sekreterare are still to sign
    assert record["protokoll_sha256"] != record["justerad_sha256"]  # both digests kept


def test_with_a_time_stamp_server_the_signature_carries_a_trusted_time(meeting: Path, pki: Pki):
    with running_tsa(pki) as address:
        done = docgen(meeting.parent.parent, "justera", str(meeting), "--certifikat", str(pki.p12["claes"]),
                      env={"DOCGEN_TIDSSTAMPELSERVER": address})
    assert done.returncode == 0, done.stderr

    [status] = validated(signed_file(meeting).read_bytes(), pki)
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    stamp = status.timestamp_validity
    assert stamp is not None and stamp.intact and stamp.valid and stamp.trusted  # PAdES B-T
    assert stamp.signing_cert.subject.native["common_name"] == "Tidsstämpeltjänst (test)"
    record = json.loads(meeting.with_name(f"{meeting.stem}.justering.json").read_text(encoding="utf-8"))
    assert record["underskrifter"][0]["tidsstämplad"] is True
    report = check_pdf(signed_file(meeting), roots=trust_roots([pki.ca_pem]))
    assert "(tidsstämplad)" in report.check("underskrifter").detail


def test_a_time_stamp_server_that_does_not_answer_is_a_swedish_error_and_nothing_is_written(meeting: Path,
                                                                                            pki: Pki):
    done = docgen(meeting.parent.parent, "justera", str(meeting), "--certifikat", str(pki.p12["claes"]),
                  env={"DOCGEN_TIDSSTAMPELSERVER": "http://127.0.0.1:9/tsa"})
    assert done.returncode != 0 and "tidsstämpelservern http://127.0.0.1:9/tsa" in done.stderr
    assert "Traceback" not in done.stderr
    assert not signed_file(meeting).exists()


def test_one_who_is_not_to_sign_is_refused_by_name_and_nothing_is_written(meeting: Path, pki: Pki):
    done = docgen(meeting.parent.parent, "justera", str(meeting), "--certifikat", str(pki.p12["utomstaende"]))
    assert done.returncode == 1
    assert "Eva Utomstående" in done.stderr and "varken justerare, ordförande eller sekreterare" in done.stderr
    assert "Traceback" not in done.stderr
    assert not signed_file(meeting).exists()


def test_a_certificate_from_another_ca_is_refused_where_the_roots_are_given(meeting: Path, pki: Pki):
    done = docgen(meeting.parent.parent, "justera", str(meeting), "--certifikat", str(pki.p12["claes_frammande"]),
                  "--betrodda", str(pki.ca_pem))
    assert done.returncode == 1 and "INTE betrodd" in done.stderr
    assert not signed_file(meeting).exists()


def test_a_wrong_password_is_a_swedish_error(meeting: Path, pki: Pki):
    done = docgen(meeting.parent.parent, "justera", str(meeting), "--certifikat", str(pki.p12["claes"]),
                  env={"DOCGEN_CERTIFIKAT_LOSENORD": "fel"})
    assert done.returncode == 1 and "fel lösenord" in done.stderr and "Traceback" not in done.stderr


def test_one_changed_byte_is_reported_broken_by_verify_and_stops_send(meeting: Path, pki: Pki):
    justera(meeting, pki, "claes", "jonas", "mattias")
    path = signed_file(meeting)
    data = bytearray(path.read_bytes())
    data[2000] ^= 0x01  # inside the first revision, which every signature covers
    path.write_bytes(bytes(data))

    verify = docgen(meeting.parent.parent, "verify", str(path), "--betrodda", str(pki.ca_pem))
    assert verify.returncode == 1 and "BRUTEN" in verify.stdout
    root = meeting.parent.parent
    build_in_process(meeting, root / "out")
    send = docgen(root, "send", str(meeting))
    assert send.returncode == 1
    assert path.name in send.stderr and "justeringen håller inte" in send.stderr


def _pyhanko_signed(source: Path, pki: Pki, person: str) -> bytes:
    """Signed as a provider would, by pyHanko called here and not through docgen (its metadata rewritten too)."""
    from pyhanko.sign import fields
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

    signer = signers.SimpleSigner.load_pkcs12(str(pki.p12[person]), passphrase=PASSWORD.encode())
    output = io.BytesIO()
    with source.open("rb") as handle:
        PdfSigner(PdfSignatureMetadata(field_name="BankID", subfilter=fields.SigSeedSubFilter.PADES),
                  signer).sign_pdf(IncrementalPdfFileWriter(handle, strict=False), output=output)
    return output.getvalue()


def test_a_protocol_signed_elsewhere_is_accepted_and_one_signed_from_another_pdf_is_refused(meeting: Path,
                                                                                            pki: Pki):
    root = meeting.parent.parent
    folder = root / "out" / "2026-03-26-direktionen"
    elsewhere = root / "från-leverantören.pdf"
    elsewhere.write_bytes(_pyhanko_signed(folder / PROTOCOL, pki, "jonas"))
    done = docgen(root, "justera", str(meeting), "--signerad", str(elsewhere))
    assert done.returncode == 0, done.stderr
    assert "Jonas Andersson (ordförande)" in done.stdout
    assert signed_file(meeting).read_bytes() == elsewhere.read_bytes()
    record = json.loads(meeting.with_name(f"{meeting.stem}.justering.json").read_text(encoding="utf-8"))
    assert record["jämförelse"] == "byte" and record["underskrifter"][0]["sätt"] == "signerad"

    other = root / "annat.pdf"
    other.write_bytes(_pyhanko_signed(folder / "utdrag" / "protokollsutdrag-2026-03-26-direktionen-paragraf-18.pdf",
                                      pki, "claes"))
    refused = docgen(root, "justera", str(meeting), "--signerad", str(other))
    assert refused.returncode == 1 and "är inte protokollet som docgen byggde" in refused.stderr
    assert signed_file(meeting).read_bytes() == elsewhere.read_bytes()  # the justering so far is untouched


def test_send_waits_for_the_justering_and_the_certification_then_every_pdf_sent_is_signed(meeting: Path,
                                                                                          pki: Pki):
    root = meeting.parent.parent
    before = docgen(root, "send", str(meeting))
    assert before.returncode == 1 and "protokollet är inte justerat" in before.stderr
    assert "Claes Sjökvist (justerare)" in before.stderr

    justera(meeting, pki, "claes", "jonas", "mattias")
    stale = docgen(root, "send", str(meeting))
    assert stale.returncode == 1 and "docgen build" in stale.stderr  # the extracts now carry the justering's day
    build_in_process(meeting, root / "out")
    uncertified = docgen(root, "send", str(meeting))
    assert uncertified.returncode == 1 and "inte bestyrkt" in uncertified.stderr

    refused = docgen(root, "bestyrk", str(meeting), "--certifikat", str(pki.p12["claes"]))
    assert refused.returncode == 1 and "kan inte bestyrka" in refused.stderr
    certified = docgen(root, "bestyrk", str(meeting), "--certifikat", str(pki.p12["mattias"]))
    assert certified.returncode == 0, certified.stderr

    handler = Recorder()
    with running_smtp_server(handler) as server:
        sent = docgen(root, "send", str(meeting), "--skicka", env=smtp_environ(server.port))
    assert sent.returncode == 0, sent.stderr
    assert len(handler.messages) == 5
    kinds = {"paket": 0, "utdrag": 0}
    for received in handler.messages:
        body = received.message.get_body(("plain",)).get_content()
        assert "bestyrkta med elektronisk underskrift (PAdES) av Mattias Geving" in body
        for part in received.message.iter_attachments():
            if part.get_content_type() != "application/pdf":
                continue
            statuses = validated(part.get_content(), pki)
            assert statuses and all(s.bottom_line and s.coverage == SignatureCoverageLevel.ENTIRE_FILE
                                    for s in statuses), part.get_filename()
            assert statuses[-1].signing_cert.subject.native["common_name"] == "Mattias Geving"
            kinds["paket" if "samtliga-handlingar" in part.get_filename() else "utdrag"] += 1
            if "samtliga-handlingar" in part.get_filename():
                # The extracts the member gets lie in its package, under the package's seal.
                assert "Protokollsutdrag" in _text(part.get_content())
    assert kinds["paket"] == 5
    record = json.loads(meeting.with_name(f"{meeting.stem}.bestyrkande.json").read_text(encoding="utf-8"))
    extracts = [e for e in record["filer"] if e["dokumenttyp"] == "protokollsutdrag"]
    assert extracts  # every extract the build made is certified on its own too (the association's copies)
    for entry in extracts:
        [status] = validated((meeting.parent / entry["bestyrkt_fil"]).read_bytes(), pki)
        assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    status = docgen(root, "status", str(meeting))
    day = json.loads(meeting.with_name(f"{meeting.stem}.justering.json").read_text(encoding="utf-8"))["justeringsdag"]
    assert f"Justering: klar {day} (dagen för den sista underskriften)" in status.stdout
    assert "mer än 14 dagar efter sammanträdet (senast 2026-04-09)" in status.stderr  # signed today, in the test

    # An anslag written before the day of the last signature is an error where it is written.
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("\njustering:\n", "\nanslag:\n  uppsatt: 2026-03-27\n  nedtaget: 2026-04-17\n"
                                                     "\njustering:\n"), encoding="utf-8")
    line = meeting.read_text(encoding="utf-8").splitlines().index("  uppsatt: 2026-03-27") + 1
    check = docgen(root, "check", str(meeting))
    assert check.returncode == 1
    assert (f"{meeting.name}:{line}:12: anslag.uppsatt: anslaget 2026-03-27 sätts upp före justeringen {day} "
            "(dagen för den sista underskriften)") in check.stderr
    meeting.write_text(text, encoding="utf-8")

    # The archive package holds the justerat protocol and the certified copies, with who signed when.
    archived = docgen(root, "arkivera", str(meeting), "--delvis")
    assert archived.returncode == 0, archived.stderr
    [package] = [p for p in (root / "out" / "arkiv").iterdir() if p.is_dir()]
    data = package / "representations" / "rep1" / "data"
    assert (data / "protokoll" / signed_file(meeting).name).read_bytes() == signed_file(meeting).read_bytes()
    [status] = validated((data / "medlemspaket" / "ydre" / "ydre-samtliga-handlingar.pdf").read_bytes(), pki)
    assert status.bottom_line
    premis = (package / "metadata" / "preservation" / "premis.xml").read_text(encoding="utf-8")
    for name in ("Claes Sjökvist", "Jonas Andersson", "Mattias Geving"):
        assert f"Underskrift av {name}" in premis


def _text(data: bytes) -> str:
    from docgen.pdf.text import squeezed_pages

    return " ".join(squeezed_pages(data))


def test_a_protocol_changed_after_signing_needs_a_new_justering_and_the_old_file_is_kept(meeting: Path,
                                                                                         pki: Pki):
    justera(meeting, pki, "claes")
    first = signed_file(meeting).read_bytes()
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text.replace("godkänna årsbokslut för 2025", "godkänna det reviderade årsbokslutet för 2025"),
                       encoding="utf-8")
    rebuilt = docgen(meeting.parent.parent, "build", str(meeting))
    assert rebuilt.returncode == 0 and "har ändrats sedan det justerades" in rebuilt.stderr

    justera(meeting, pki, "claes")
    kept = meeting.with_name(f"{meeting.stem}-protokoll-justerat-ersatt-1.pdf")
    assert kept.read_bytes() == first
    assert signed_file(meeting).read_bytes() != first
    record = json.loads(meeting.with_name(f"{meeting.stem}.justering.json").read_text(encoding="utf-8"))
    assert record["ersatta"][0]["fil"] == kept.name
