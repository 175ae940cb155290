"""The meeting's records as an E-ARK SIP: the seed built, sent to a real SMTP server on localhost, every council's
answer recorded, packaged by ``docgen arkivera`` and judged by the E-ARK validator itself (eark-validator 1.1.3,
offline, in its own environment), by docgen's own checks, and byte for byte against a second package."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from docgen.archive import eark
from docgen.archive.package import check_package, check_premis
from support import SEED_MEETING, Recorder, running_smtp_server, sendable_copy, smtp_environ

pytestmark = pytest.mark.libreoffice

DOCGEN = [sys.executable, "-m", "docgen.cli"]
METS = {"mets": "http://www.loc.gov/METS/", "xlink": "http://www.w3.org/1999/xlink"}
PREMIS = {"premis": "http://www.loc.gov/premis/v3"}
MEMBERS = ("boxholm", "vimmerby", "ydre", "atvidaberg", "odeshog")
DELIVERY = ("arkivleverans:\n  organisationsnummer: 222000-0000\n  arkivmyndighet: Direktionen, Kommunalförbundet "
            "Itsam\n  leveransöverenskommelse: LÖ 2026:1\n")


def docgen(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DOCGEN, *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def round_done(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed meeting built and sent, before any council has answered (the answers come in the next fixture)."""
    from docgen.pipeline.run import build

    root = tmp_path_factory.mktemp("arkiv")
    folder = sendable_copy(root)
    association = folder / "forbund.yaml"
    association.write_text(association.read_text(encoding="utf-8") + DELIVERY, encoding="utf-8")
    meeting = folder / SEED_MEETING.name
    build(meeting, root / "out")
    handler = Recorder()
    with running_smtp_server(handler) as server:
        sent = docgen(root, "send", str(meeting), "--skicka", env=smtp_environ(server.port))
    assert sent.returncode == 0, sent.stderr
    assert len(handler.messages) == len(MEMBERS)
    return root


@pytest.fixture(scope="module")
def archived(round_done: Path) -> Path:
    """Every council's bifall and signed regressavtal recorded; the package written. Returns the package folder."""
    root = round_done
    meeting = root / "decisions" / SEED_MEETING.name
    refused = docgen(root, "arkivera", str(meeting))
    assert refused.returncode == 1
    assert "paketet blir inte komplett: svar på § 18 från Boxholms kommun" in refused.stderr
    assert "--delvis" in refused.stderr and not (root / "out" / "arkiv").exists()  # nothing written

    today = dt.date.today().isoformat()
    answers = "svar:\n" + "".join(f"  {m}:\n    datum: {today}\n    kf_paragraf: KF § {n}\n    beslut: bifall\n"
                                  f"    regressavtal_undertecknat: {today}\n" for n, m in enumerate(MEMBERS, 40))
    meeting.with_name(f"{meeting.stem}-svar.yaml").write_text(answers, encoding="utf-8")
    done = docgen(root, "arkivera", str(meeting))
    assert done.returncode == 0, done.stderr
    assert "E-ARK-validatorn 1.1.3: välformat, schemat och Schematron-reglerna godkända" in done.stdout
    assert "delvis" not in done.stderr
    [package] = [p for p in (root / "out" / "arkiv").iterdir() if p.is_dir()]
    return package


def test_the_e_ark_validator_finds_the_package_well_formed_schema_valid_and_schematron_valid(archived: Path):
    verdict = eark.validate(archived)
    assert verdict.version == "1.1.3"
    assert (verdict.structure, verdict.schema) == ("WellFormed", "VALID")
    assert verdict.errors == ()
    # The one error eark-validator 1.1.3 gives every schema-valid SIP, on the software agent's version note.
    assert [f.rule for f in verdict.known_faults] == ["SIP14"]
    assert verdict.warnings == ()
    zipped = eark.validate(archived.with_name(archived.name + ".zip"))
    assert (zipped.structure, zipped.schema, zipped.errors) == ("WellFormed", "VALID", ())


def test_the_mets_names_the_profile_the_agents_and_the_agreement_and_the_file_section_lists_exactly_the_files(
        archived: Path):
    mets = etree.parse(str(archived / "METS.xml")).getroot()
    assert mets.get("OBJID") == archived.name and archived.name.startswith("uuid-")
    assert mets.get("PROFILE") == "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
    assert mets.get("TYPE") == "Other"
    agents = {(a.get("ROLE"), a.findtext("mets:name", namespaces=METS)) for a in mets.iterfind(".//mets:agent", METS)}
    assert ("ARCHIVIST", "Kommunalförbundet Itsam") in agents
    assert ("PRESERVATION", "Direktionen, Kommunalförbundet Itsam") in agents
    assert ("CREATOR", "docgen") in agents
    assert mets.findtext(".//mets:altRecordID[@TYPE='SUBMISSIONAGREEMENT']", namespaces=METS) == "LÖ 2026:1"
    assert mets.findtext(".//mets:agent[@ROLE='ARCHIVIST']/mets:note", namespaces=METS) == "ORG:222000-0000"

    listed = {"METS.xml"}
    for base in ("", "representations/rep1/"):
        tree = etree.parse(str(archived / base / "METS.xml"))
        listed |= {base + e.get(f"{{{METS['xlink']}}}href") for e in tree.iterfind(".//mets:FLocat", METS)}
        listed |= {base + e.get(f"{{{METS['xlink']}}}href") for e in tree.iterfind(".//mets:mdRef", METS)}
    on_disk = {p.relative_to(archived).as_posix() for p in archived.rglob("*") if p.is_file()}
    assert listed == on_disk
    data = {p.removeprefix("representations/rep1/data/") for p in on_disk if "/data/" in p}
    assert "protokoll/protokoll-2026-03-26-direktionen.pdf" in data
    assert "anslag/anslag-2026-03-26-direktionen.pdf" in data
    assert {f"medlemspaket/{m}/{m}-samtliga-handlingar.pdf" for m in MEMBERS} <= data
    assert {"utskick/utskick.txt", "svar/svar.txt", "svar/2026-03-26-direktionen-svar.yaml",
            "utskick/2026-03-26-direktionen.utskick.jsonl"} <= data
    assert check_package(archived) == []


def test_premis_gives_each_files_own_sha256_and_size_and_the_events_that_happened(archived: Path):
    premis = etree.parse(str(archived / "metadata/preservation/premis.xml")).getroot()
    objects = premis.findall("premis:object", PREMIS)
    assert len(objects) == len(list((archived / "representations/rep1/data").rglob("*.*")))
    for element in objects:
        path = archived / element.findtext("premis:objectIdentifier/premis:objectIdentifierValue", namespaces=PREMIS)
        assert element.findtext(".//premis:messageDigest", namespaces=PREMIS) == hashlib.sha256(
            path.read_bytes()).hexdigest()
        assert element.findtext(".//premis:size", namespaces=PREMIS) == str(path.stat().st_size)
        if path.suffix == ".pdf":
            assert element.findtext(".//premis:formatRegistryKey", namespaces=PREMIS) == "fmt/354"
    events = [(e.findtext("premis:eventType", namespaces=PREMIS), e.findtext(".//premis:eventOutcome",
                                                                            namespaces=PREMIS))
              for e in premis.iterfind("premis:event", PREMIS)]
    assert sum(1 for kind, outcome in events if kind == "transfer" and outcome.startswith("skickat (250")) == 5
    assert sum(1 for kind, outcome in events if kind == "Fullmäktiges beslut" and outcome == "bifall") == 5
    assert ("creation", "lyckades") in events
    validations = [outcome for kind, outcome in events if kind == "validation"]
    assert validations and set(validations) == {"godkänd"}
    assert check_premis(archived) == []
    readable = (archived / "representations/rep1/data/svar/svar.txt").read_text(encoding="utf-8")
    assert "Ödeshögs kommun: bifall" in readable and "Villkoret uppfyllt" in readable


def test_a_second_package_from_the_same_records_is_byte_identical(archived: Path):
    root = archived.parent.parent.parent
    again = docgen(root, "arkivera", str(root / "decisions" / SEED_MEETING.name), "--out", "igen")
    assert again.returncode == 0, again.stderr
    first = archived.with_name(archived.name + ".zip").read_bytes()
    assert (root / "igen" / f"{archived.name}.zip").read_bytes() == first
    with zipfile.ZipFile(root / "igen" / f"{archived.name}.zip") as zipped:
        names = zipped.namelist()
    assert names == sorted(names) and {n.split("/")[0] for n in names} == {archived.name}
    for path in archived.rglob("*"):
        if path.is_file():
            assert (root / "igen" / archived.name / path.relative_to(archived)).read_bytes() == path.read_bytes()


def test_a_broken_package_is_reported_by_docgen_and_the_validator(archived: Path, tmp_path: Path):
    removed = tmp_path / "borttagen" / archived.name
    shutil.copytree(archived, removed)
    (removed / "representations/rep1/data/anslag/anslag-2026-03-26-direktionen.pdf").unlink()
    verify = docgen(tmp_path, "verify", str(removed))
    assert verify.returncode == 1
    assert "representations/rep1/data/anslag/anslag-2026-03-26-direktionen.pdf saknas" in verify.stderr

    changed = tmp_path / "ändrad" / archived.name
    shutil.copytree(archived, changed)
    premis = changed / "metadata/preservation/premis.xml"
    text = premis.read_text(encoding="utf-8")
    digest = hashlib.sha256((changed / "representations/rep1/data/protokoll/protokoll-2026-03-26-direktionen.pdf")
                            .read_bytes()).hexdigest()
    premis.write_text(text.replace(digest, "0" * 64), encoding="utf-8")
    verify = docgen(tmp_path, "verify", str(changed))
    assert verify.returncode == 1
    assert "protokoll-2026-03-26-direktionen.pdf har inte den SHA-256 som PREMIS anger" in verify.stderr
    assert "metadata/preservation/premis.xml har inte den SHA-256 som METS anger" in verify.stderr

    # The validator reads no file's digest (1.1.3): what it does see is a package without its METS.
    headless = tmp_path / "utan-mets" / archived.name
    shutil.copytree(archived, headless)
    (headless / "METS.xml").unlink()
    assert eark.validate(headless).structure == "NotWellFormed"
    verify = docgen(tmp_path, "verify", str(headless))
    assert verify.returncode == 1 and "METS.xml saknas" in verify.stderr


def test_a_meeting_not_yet_answered_is_packaged_only_with_delvis_and_says_what_it_lacks(round_done: Path,
                                                                                       tmp_path: Path):
    root = tmp_path / "delvis"
    shutil.copytree(round_done / "decisions", root / "decisions")
    shutil.copytree(round_done / "out", root / "out", symlinks=True, ignore=shutil.ignore_patterns("arkiv"))
    (root / "decisions" / f"{SEED_MEETING.stem}-svar.yaml").unlink(missing_ok=True)
    from docgen.pipeline.run import build

    build(root / "decisions" / SEED_MEETING.name, root / "out")
    done = docgen(root, "arkivera", str(root / "decisions" / SEED_MEETING.name), "--delvis")
    assert done.returncode == 0, done.stderr
    assert "Paketet är delvis; det saknar: svar på § 18 från Boxholms kommun" in done.stderr
    [package] = [p for p in (root / "out" / "arkiv").iterdir() if p.is_dir()]
    assert etree.parse(str(package / "METS.xml")).getroot().get("LABEL").endswith("(delvis)")
    assert "PAKETET ÄR DELVIS" in (package / "documentation/LASMIG.txt").read_text(encoding="utf-8")


def test_without_the_validator_or_with_a_damaged_zip_the_answer_is_swedish_and_nothing_is_kept(archived: Path,
                                                                                                tmp_path: Path):
    root = archived.parent.parent.parent
    missing = docgen(root, "arkivera", str(root / "decisions" / SEED_MEETING.name), "--out", str(tmp_path / "a"),
                     env={"DOCGEN_EARK_PYTHON": str(tmp_path / "finns-inte")})
    assert missing.returncode == 3
    assert "E-ARK-validatorn saknas" in missing.stderr and "Traceback" not in missing.stderr
    assert list((tmp_path / "a").iterdir()) == []  # neither the package nor its staging folder

    damaged = tmp_path / "trasig.zip"
    damaged.write_bytes(archived.with_name(archived.name + ".zip").read_bytes()[:5000])
    verify = docgen(tmp_path, "verify", str(damaged))
    assert verify.returncode == 1
    assert "trasig.zip går inte att packa upp" in verify.stderr and "Traceback" not in verify.stderr
