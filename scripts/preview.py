"""Render the first page of every document of a build to PNG (pdftoppm), to look at.

``make preview`` writes out/forhandsvisning/; ``make docs-images`` refreshes the
pictures README shows, one per document type, in docs/bilder/.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# One example of each document type, for README.
TYPES = {
    "protokoll": "protokoll/protokoll-{slug}.pdf",
    "protokollsutdrag": "utdrag/protokollsutdrag-{slug}-paragraf-18.pdf",
    "hemstallan": "medlemmar/ydre/1-hemstallan-ydre.pdf",
    "forslag-till-beslut": "medlemmar/ydre/2-forslag-till-beslut-ydre.pdf",
    "regressavtal": "medlemmar/ydre/4-regressavtal.pdf",
    "anslag": "anslag/anslag-{slug}.pdf",
}


def first_page(pdf: Path, png: Path, dpi: int) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-png", "-singlefile",
                    str(pdf), str(png.with_suffix(""))], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meeting", default="2026-03-26-direktionen")
    parser.add_argument("--docs", action="store_true", help="write docs/bilder/ for README")
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("pdftoppm saknas: kör make packages (installerar poppler-utils)", file=sys.stderr)
        return 1
    folder = ROOT / "out" / args.meeting
    if not folder.is_dir():
        print(f"{folder} saknas: kör make packages först", file=sys.stderr)
        return 1
    if args.docs:
        for kind, pattern in TYPES.items():
            first_page(folder / pattern.format(slug=args.meeting), ROOT / "docs" / "bilder" / f"{kind}.png", 45)
            print(f"skrev docs/bilder/{kind}.png")
        return 0
    target = ROOT / "out" / "forhandsvisning"
    for pdf in sorted(folder.rglob("*.pdf")):
        name = "__".join(pdf.relative_to(folder).with_suffix(".png").parts)
        first_page(pdf, target / name, 60)
    print(f"skrev förhandsvisningar i {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
