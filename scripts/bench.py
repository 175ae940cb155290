"""`make bench`: the build's speed against LibreOffice's own, all from one run on this machine.

(a) cold build of the seed meeting (no cache, LibreOffice profiles warm);
(b) the same distinct DOCX set converted with one `soffice --convert-to pdf` per file, as a naive script does;
(c) the same set in one batched `soffice` call: the floor;
(b) and (c) use docgen's own export options (PDF/A-2b, tagged, PDF/UA), so all three do the same work;
(d) a rebuild with nothing changed;
(e) a generated association of 290 members (YAML written here, not committed): time and peak memory.
Times are wall-clock seconds of one run; quote them as ratios.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from docgen.pdf.office import convert_to_argument

ROOT = Path(__file__).resolve().parent.parent
MEETING = ROOT / "decisions" / "2026-03-26-direktionen.yaml"
DOCGEN = [sys.executable, "-m", "docgen.cli"]


def timed(command: list[str], **kwargs) -> tuple[float, int]:
    """Run ``command``; return its wall time and the peak RSS (bytes) of its whole process tree."""
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kwargs)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _out, errors = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} … failed:\n{errors}")
    return elapsed, peak


def _tree_rss(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack += [int(c) for c in children]
        except (OSError, AttributeError):
            continue
    return total


def soffice(profile: Path, files: list[Path], outdir: Path) -> list[str]:
    """The same export as docgen's (PDF/A-2b, tagged, PDF/UA), so (b) and (c) do the same work."""
    return ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--convert-to", convert_to_argument(), "--outdir", str(outdir), *map(str, files)]


def distinct_docx(folder: Path, work: Path) -> list[Path]:
    """One copy of each distinct DOCX of the build, under unique names."""
    work.mkdir(parents=True, exist_ok=True)
    seen: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.docx")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest not in seen:
            seen[digest] = work / f"{len(seen):02d}-{path.name}"
            shutil.copyfile(path, seen[digest])
    return list(seen.values())


def generate_members(folder: Path, count: int) -> Path:
    """The seed meeting with an association of ``count`` members."""
    shutil.copytree(MEETING.parent, folder, dirs_exist_ok=True)
    association = (folder / "forbund.yaml").read_text(encoding="utf-8")
    head = association.split("medlemmar:")[0]
    seed_members = re.findall(r"  - id: (\w+)", association)
    lines = ["medlemmar:"]
    for index in range(count):
        member_id = seed_members[index] if index < len(seed_members) else f"kommun-{index + 1:03d}"
        name = {"boxholm": "Boxholms kommun", "vimmerby": "Vimmerby kommun", "ydre": "Ydre kommun",
                "atvidaberg": "Åtvidabergs kommun", "odeshog": "Ödeshögs kommun"}.get(
            member_id, f"Kommun {index + 1:03d}")
        lines += [f"  - id: {member_id}", f"    namn: {name}",
                  f"    registrator_epost: registrator@{member_id}.example.se",
                  "    postadress:", "      gatuadress: Box 1", "      postnummer: 100 00",
                  f"      ort: Ort {index + 1}", f"    fördelningstal: {3000 + 37 * index}",
                  "    uppgifter:", "      regressavtal_datum: 2019-05-21",
                  f"      tidigare_kf_beslut: KF 2019 § {index + 1}"]
    (folder / "forbund.yaml").write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    return folder / MEETING.name


def main() -> int:
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory(prefix="docgen-bench-") as scratch:
        tmp = Path(scratch)
        out = tmp / "out"
        print("Uppvärmning (LibreOffice-profiler skapas) …", flush=True)
        timed([*DOCGEN, "build", str(MEETING), "--out", str(out)])
        shutil.rmtree(out / ".cache")
        shutil.rmtree(out / "2026-03-26-direktionen")
        (out / ".docgen-index.json").unlink()

        a, a_mem = timed([*DOCGEN, "build", str(MEETING), "--out", str(out)])
        d, _ = timed([*DOCGEN, "build", str(MEETING), "--out", str(out)])
        started = [p for p in Path("/proc").glob("[0-9]*") if "soffice" in _cmdline(p)]

        docs = distinct_docx(out / "2026-03-26-direktionen", tmp / "docx")
        profile = tmp / "soffice-profil"
        timed(soffice(profile, docs[:1], tmp / "warm"))  # profile creation is not part of (b) or (c)
        b = 0.0
        for doc in docs:
            b += timed(soffice(profile, [doc], tmp / "naiv"))[0]
        c, _ = timed(soffice(profile, docs, tmp / "batch"))

        big = generate_members(tmp / "stor", 290)
        e, e_mem = timed([*DOCGEN, "build", str(big), "--out", str(tmp / "stor-out")])

    print()
    print(f"Dokument i seed-bygget: {len(docs)} distinkta DOCX")
    print(f"(a) kallt bygge av seed-mötet:              {a:7.2f} s  (toppminne {a_mem / 2**20:.0f} MiB)")
    print(f"(b) en soffice per fil ({len(docs)} anrop):           {b:7.2f} s")
    print(f"(c) ett samlat soffice-anrop (golvet):      {c:7.2f} s")
    print(f"    a/c = {a / c:.2f}   (mål ≤ 1,25)")
    print(f"    b/a = {b / a:.2f}   (mål ≥ 5)")
    print(f"(d) ombygge utan ändringar:                 {d:7.2f} s  (mål ≤ 0,5 s; "
          f"soffice igång efteråt: {len(started)})")
    print(f"(e) 290 medlemmar:                          {e:7.2f} s  (mål ≤ 150 s), "
          f"toppminne {e_mem / 2**20:.0f} MiB (mål ≤ 2048 MiB)")
    return 0


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_text()
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
