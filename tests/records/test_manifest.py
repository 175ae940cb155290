"""manifest.json: one model, written as before byte for byte, and a damaged one refused in Swedish by every reader."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pikepdf
import pytest

from docgen.distribution.outgoing import NotBuiltError, read_manifest
from docgen.pdf.verify import verify_tree
from docgen.pipeline.fingerprint import inputs_digest, remember, up_to_date
from docgen.pipeline.outfolder import foreign_files
from docgen.records.manifest import MANIFEST, Manifest, ManifestError, ManifestFile, load, save
from docgen.review.changes import manifest_digests
from support import SEED_MEETING, list_as_built

DIGEST = hashlib.sha256(b"x").hexdigest()


def _manifest() -> Manifest:
    files = (ManifestFile(file="medlemmar/ydre/1-hemstallan-ydre.pdf", sha256=DIGEST, size=12, kind="hemställan",
                          recipients=("ydre",), origin="docgen"),
             ManifestFile(file="utdrag/underlag-1.pdf", sha256=DIGEST, size=3, kind="underlag", recipients=(),
                          origin="extern"))
    return Manifest(meeting="2026-03-26-direktionen", body="Direktionen", date=dt.date(2026, 3, 26),
                    inputs="0" * 64, files=files)


def test_the_manifest_is_written_as_the_dict_writer_wrote_it_byte_for_byte(tmp_path: Path):
    save(_manifest(), tmp_path)
    # What docgen/pipeline/manifest.py wrote before the model: these keys in this order, indent 2, UTF-8 as is.
    earlier = {"sammanträde": "2026-03-26-direktionen", "organ": "Direktionen", "datum": "2026-03-26",
               "indata": "0" * 64, "filer": [
                   {"fil": "medlemmar/ydre/1-hemstallan-ydre.pdf", "sha256": DIGEST, "byte": 12,
                    "dokumenttyp": "hemställan", "mottagare": ["ydre"], "ursprung": "docgen"},
                   {"fil": "utdrag/underlag-1.pdf", "sha256": DIGEST, "byte": 3, "dokumenttyp": "underlag",
                    "mottagare": [], "ursprung": "extern"}]}
    written = (tmp_path / MANIFEST).read_bytes()
    assert written == (json.dumps(earlier, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert "hemställan".encode() in written
    assert load(tmp_path) == _manifest()


@pytest.mark.libreoffice
def test_the_seed_builds_manifest_reads_back_and_writes_the_same_bytes(seed_build, tmp_path: Path):
    manifest = load(seed_build.folder)
    assert len(manifest.files) == len(seed_build.files) - 1  # every file but the manifest itself
    save(manifest, tmp_path)
    assert (tmp_path / MANIFEST).read_bytes() == (seed_build.folder / MANIFEST).read_bytes()


def _damage(folder: Path, change) -> None:
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    change(data)
    (folder / MANIFEST).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


DAMAGE = [
    (lambda data: data["filer"][0].pop("sha256"), "filer[0].sha256 saknas"),
    (lambda data: data["filer"][1].update(byte="tre"), "filer[1].byte har fel värde 'tre'"),
    (lambda data: data["filer"][1].update(ursprung="okänt"), "filer[1].ursprung har fel värde 'okänt'"),
    (lambda data: data.update(filer={"fil": "a"}), "filer har fel värde"),
    (lambda data: data.update(datum="2026-02-30"), "datum har fel värde '2026-02-30'"),
    (lambda data: data.update(extra=1), "okänd nyckel extra"),
    (lambda data: data.pop("indata"), "indata saknas"),
]


@pytest.mark.parametrize(("change", "reason"), DAMAGE, ids=[reason for _change, reason in DAMAGE])
def test_a_damaged_manifest_is_a_swedish_error_naming_the_file_and_what_is_wrong(tmp_path: Path, change, reason):
    save(_manifest(), tmp_path)
    _damage(tmp_path, change)
    with pytest.raises(ManifestError) as refused:
        load(tmp_path)
    assert str(refused.value).startswith(f"{tmp_path / MANIFEST} går inte att läsa ({reason}")
    assert str(refused.value).endswith("; kör docgen build igen")


@pytest.mark.parametrize(("content", "reason"), [(b"{", "ingen giltig JSON"), (b"\xff\xfe{}", "ingen giltig JSON"),
                                                 (b"[]", "ska vara ett JSON-objekt")])
def test_a_manifest_that_is_no_json_object_is_refused(tmp_path: Path, content: bytes, reason: str):
    (tmp_path / MANIFEST).write_bytes(content)
    with pytest.raises(ManifestError, match=rf"\({reason}\); kör docgen build igen"):
        load(tmp_path)


def test_a_missing_manifest_is_refused(tmp_path: Path):
    with pytest.raises(ManifestError, match=r"manifest.json går inte att läsa \(filen saknas\)"):
        load(tmp_path)


def test_every_reader_takes_a_damaged_manifest_as_no_manifest(tmp_path: Path):
    out = tmp_path / "out"
    folder = out / "2026-03-26-direktionen"
    (folder / "utdrag").mkdir(parents=True)
    with pikepdf.new() as pdf:  # the secretary's own PDF: readable, but no PDF/A
        pdf.add_blank_page()
        pdf.save(folder / "utdrag" / "underlag.pdf")
    list_as_built(folder, folder / "utdrag" / "underlag.pdf")
    digest = inputs_digest([SEED_MEETING], [])
    listed = load(folder)
    save(listed.model_copy(update={"inputs": digest, "files": tuple(
        entry.model_copy(update={"origin": "extern"}) for entry in listed.files)}), folder)
    remember(SEED_MEETING, out, folder, digest, [SEED_MEETING], [])
    assert up_to_date(SEED_MEETING, out) == folder and foreign_files(folder) == []
    assert manifest_digests(folder) is not None and list(read_manifest(folder)) == ["utdrag/underlag.pdf"]
    assert verify_tree(folder)[0].check("ursprung") is not None  # an attachment: only read, not checked as PDF/A

    _damage(folder, lambda data: data["filer"][0].pop("fil"))
    with pytest.raises(NotBuiltError, match=r"går inte att läsa \(filer\[0\]\.fil saknas\); kör docgen build igen"):
        read_manifest(folder)  # the sending stops
    assert foreign_files(folder) == ["manifest.json", "utdrag/underlag.pdf"]  # nothing is known to be docgen's
    assert manifest_digests(folder) is None  # the review page: no earlier build to compare with
    assert up_to_date(SEED_MEETING, out) is None  # the build runs again
    (report,) = verify_tree(folder)  # the PDF is checked in full: no manifest says it is an attachment
    assert report.check("ursprung") is None and not report.ok
