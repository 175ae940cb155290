"""docgen owns only what it made: links refused, foreign files kept, leftovers swept, the cache checked."""

from __future__ import annotations

import errno
import hashlib
import importlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from docgen.cli import main
from docgen.pdf.verify import check_pdf
from docgen.pipeline import outfolder
from docgen.pipeline.outfolder import OutputFolderError
from docgen.pipeline.run import build
from support import SEED_MEETING, edited_copy, snapshot, soffice_pids

SLUG = "2026-03-26-direktionen"
PROTOCOL = "protokoll/protokoll-2026-03-26-direktionen.pdf"

pytestmark = pytest.mark.libreoffice


def test_a_symlinked_cache_folder_is_refused_and_its_target_untouched(out: Path, tmp_path: Path):
    elsewhere = tmp_path / "annan-mapp"
    elsewhere.mkdir()
    (elsewhere / "viktig.txt").write_text("behåll mig", encoding="utf-8")
    shutil.rmtree(out / ".cache" / SLUG)
    (out / ".cache" / SLUG).symlink_to(elsewhere)
    with pytest.raises(OutputFolderError, match="är en symbolisk länk"):
        build(SEED_MEETING, out)
    assert [p.name for p in elsewhere.iterdir()] == ["viktig.txt"]


@pytest.mark.parametrize("link", [SLUG, f".{SLUG}.gammal"])
def test_a_symlinked_meeting_folder_or_its_swap_is_refused(out: Path, tmp_path: Path, link: str):
    elsewhere = tmp_path / "annan-mapp"
    elsewhere.mkdir()
    (elsewhere / "viktig.txt").write_text("behåll mig", encoding="utf-8")
    if (out / link).exists():
        (out / link).rename(tmp_path / "undan")
    (out / link).symlink_to(elsewhere)
    result = CliRunner().invoke(main, ["build", str(SEED_MEETING), "--out", str(out), "--tvinga"])
    assert result.exit_code == 1
    assert f"{out / link} är en symbolisk länk" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert (elsewhere / "viktig.txt").read_text(encoding="utf-8") == "behåll mig"


def test_a_file_the_secretary_put_in_the_meeting_folder_stops_the_build(out: Path):
    signed = out / SLUG / "protokoll" / "justerat-signerat.pdf"
    signed.write_bytes(b"%PDF- signerat av ordforanden")
    before = snapshot(out / SLUG)
    result = CliRunner().invoke(main, ["build", str(SEED_MEETING), "--out", str(out), "--tvinga"])
    assert result.exit_code == 1
    assert "innehåller filer som docgen inte har skapat" in result.output
    assert "protokoll/justerat-signerat.pdf" in result.output
    assert "--skriv-over" in result.output
    assert snapshot(out / SLUG) == before
    # the explicit flag, and only it, lets the build replace the folder
    result = CliRunner().invoke(main, ["build", str(SEED_MEETING), "--out", str(out), "--skriv-over"])
    assert result.exit_code == 0, result.output
    assert not signed.exists()


def test_an_edited_generated_file_and_a_folder_docgen_never_made_are_kept(out: Path, tmp_path: Path):
    protocol_docx = out / SLUG / "protokoll" / "protokoll-2026-03-26-direktionen.docx"
    protocol_docx.write_bytes(protocol_docx.read_bytes() + b"\0")
    with pytest.raises(OutputFolderError, match="protokoll/protokoll-2026-03-26-direktionen.docx"):
        build(SEED_MEETING, out)

    foreign = tmp_path / "ut2"
    (foreign / SLUG).mkdir(parents=True)
    (foreign / SLUG / "egna-anteckningar.txt").write_text("mina", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="egna-anteckningar.txt"):
        build(SEED_MEETING, foreign)
    assert (foreign / SLUG / "egna-anteckningar.txt").read_text(encoding="utf-8") == "mina"


def test_leftovers_of_killed_builds_are_swept_and_an_interrupted_swap_restored(out: Path):
    stale = out / f".{SLUG}.bygge-dog"
    (stale / "arbete").mkdir(parents=True)
    (stale / outfolder.STAGING_MARK).touch()
    (stale / "arbete" / "halv.pdf").write_bytes(b"%PDF-1.7 halv")
    # killed between the two renames of the swap: the old folder waits as .gammal, none in its place
    (out / SLUG).rename(out / f".{SLUG}.gammal")
    result = build(SEED_MEETING, out)
    assert result.conversions == 0
    assert sorted(p.name for p in out.iterdir()) == [".cache", ".docgen-index.json", ".docgen-lås", SLUG]


def _leftovers(out: Path) -> dict[str, Path]:
    """What builds killed before and after marking their staging folder leave, and a folder of the secretary's."""
    marked = out / f".{SLUG}.bygge-k1ll3d00"
    (marked / "resultat").mkdir(parents=True)
    (marked / outfolder.STAGING_MARK).touch()
    (marked / "resultat" / "halv.pdf").write_bytes(b"%PDF-1.7 halv")
    empty = out / f".{SLUG}.bygge-k1ll3d01"
    empty.mkdir()
    mine = out / f".{SLUG}.bygge-mina-anteckningar"
    mine.mkdir()
    (mine / "anteckning.txt").write_text("behåll mig", encoding="utf-8")
    return {"marked": marked, "empty": empty, "mine": mine}


def test_a_rebuild_with_nothing_changed_sweeps_only_docgens_leftovers(out: Path):
    left = _leftovers(out)
    result = CliRunner().invoke(main, ["build", str(SEED_MEETING), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Inget har ändrats sedan förra bygget" in result.output
    assert not left["marked"].exists() and not left["empty"].exists()
    assert (left["mine"] / "anteckning.txt").read_text(encoding="utf-8") == "behåll mig"


def test_a_rebuild_with_nothing_changed_leaves_the_leftovers_while_a_build_runs(out: Path):
    left = _leftovers(out)
    with outfolder.exclusive(out):  # another build holds out/
        result = CliRunner().invoke(main, ["build", str(SEED_MEETING), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert all(path.exists() for path in left.values())


def test_a_truncated_cached_pdf_is_converted_again_not_shipped(out: Path, built_out: Path):
    expected = (built_out / SLUG / PROTOCOL).read_bytes()
    cached = [p for p in (out / ".cache" / SLUG).glob("*.pdf") if p.read_bytes() == expected]
    assert len(cached) == 1
    cached[0].write_bytes(expected[: len(expected) // 2])
    result = build(SEED_MEETING, out)
    assert result.conversions == 1
    assert (out / SLUG / PROTOCOL).read_bytes() == expected
    assert check_pdf(out / SLUG / PROTOCOL).ok


def test_a_missing_cache_reply_is_converted_again_without_a_wrong_error(out: Path):
    for reply in (out / ".cache" / SLUG).glob("*.json"):
        reply.unlink()
    assert build(SEED_MEETING, out).conversions == 15


def test_tvinga_converts_everything_anew(out: Path):
    result = CliRunner().invoke(main, ["build", str(SEED_MEETING), "--out", str(out), "--tvinga"])
    assert result.exit_code == 0, result.output
    assert "15 PDF-konverteringar" in result.output


def test_markup_characters_in_a_heading_reach_the_pdf_metadata_literally(tmp_path: Path):
    meeting = edited_copy(tmp_path, "rubrik: Utökning av borgen", 'rubrik: "Avtal med Atea & Dell <AB>"')
    result = build(meeting, tmp_path / "out")
    extract = result.folder / "utdrag" / "protokollsutdrag-2026-03-26-direktionen-paragraf-18.pdf"
    reader = PdfReader(extract)
    assert reader.metadata["/Subject"] == "§\u00a018 Avtal med Atea & Dell <AB>"
    assert "Atea &amp; Dell &lt;AB&gt;" in reader.xmp_metadata.stream.get_data().decode("utf-8")
    assert "&amp;amp;" not in reader.xmp_metadata.stream.get_data().decode("utf-8")
    assert all(check_pdf(p).ok for p in result.files if p.suffix == ".pdf")


@pytest.mark.parametrize(("where", "error", "message"), [
    ("tempfile.mkdtemp", OSError(errno.EACCES, "Permission denied", "out"), "out: behörighet saknas"),
    ("shutil.copyfile", OSError(errno.ENOSPC, "No space left on device", "protokoll.pdf"),
     "protokoll.pdf: disken är full"),
])
def test_a_read_only_or_full_disk_is_a_swedish_message_and_nothing_changes(out: Path, monkeypatch, where, error,
                                                                          message):
    before = snapshot(out / SLUG)

    def fail(*_args, **_kwargs):
        raise error

    module, name = where.split(".")
    monkeypatch.setattr(importlib.import_module(module), name, fail)
    result = CliRunner().invoke(main, ["build", str(SEED_MEETING), "--out", str(out), "--tvinga"])
    assert result.exit_code == 3
    assert f"docgen: kunde inte läsa eller skriva {message}. Inget i out/ har ändrats." in result.output
    assert snapshot(out / SLUG) == before
    assert not [p for p in out.iterdir() if ".bygge-" in p.name]


def test_out_pointing_at_a_file_is_a_swedish_usage_error(tmp_path: Path):
    (tmp_path / "fil").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(SEED_MEETING), "--out", str(tmp_path / "fil")])
    assert result.exit_code == 2
    assert f"--out {tmp_path / 'fil'} är en fil; ange en mapp." in result.output


def test_an_input_error_starts_no_libreoffice(tmp_path: Path):
    before = soffice_pids()
    result = CliRunner().invoke(main, ["build", str(tmp_path / "finns-inte.yaml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert soffice_pids() - before == set()
    assert not (tmp_path / "o").exists()


def test_the_manifest_digest_matches_the_files_after_every_rebuild(out: Path):
    build(SEED_MEETING, out)
    manifest = json.loads((out / SLUG / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["filer"]:
        assert hashlib.sha256((out / SLUG / entry["fil"]).read_bytes()).hexdigest() == entry["sha256"]
    assert outfolder.foreign_files(out / SLUG) == []
