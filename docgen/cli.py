"""The ``docgen`` command: a thin click layer over :mod:`docgen.build`.

Exit codes: 0 done, 1 wrong input (the YAML), 2 wrong usage (click),
3 an outside tool failed (LibreOffice, a template). Messages are Swedish;
a user mistake never shows a traceback.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from rich.console import Console

from docgen.build import build as build_meeting
from docgen.context import open_fields
from docgen.errors import DocgenError, InputError
from docgen.schema import SCHEMA_DIR, write_schemas
from docgen.validate import DEFAULT_MEETING, load_case

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

MEETING = click.argument("mötesfil", type=click.Path(path_type=Path, dir_okay=False),
                         default=str(DEFAULT_MEETING), required=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docgen", message="docgen %(version)s")
def main() -> None:
    """Protokoll, utdrag, anslag och medlemspaket från YAML i decisions/."""


@main.command()
@MEETING
def check(mötesfil: Path) -> None:
    """Kontrollera mötesfilen och förbundets YAML utan att skriva något."""
    case = _run(lambda: load_case(mötesfil))
    meeting = case.meeting
    out.print(f"{mötesfil}: inga fel – {meeting.body} {meeting.date}, "
              f"§§ {meeting.items[0].number}–{meeting.items[-1].number}, "
              f"{len(case.association.members)} medlemmar.")
    request = case.request_item
    fields = {m.name: open_fields(case, m) for m in case.association.members}
    if request and any(fields.values()):
        out.print(f"Uppgifter som kommunerna själva fyller i (§ {request.number}):")
        for name, labels in fields.items():
            out.print(f"  {name}: {'; '.join(labels) if labels else 'inga'}")


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=str(SCHEMA_DIR), show_default=True, help="Mapp för schemafilerna.")
def schema(out_dir: Path) -> None:
    """Skriv JSON Schema för YAML-filerna (för redigerarens komplettering och felmarkering)."""
    for path in write_schemas(out_dir):
        out.print(f"skrev {path}")


@main.command()
@MEETING
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default="out", show_default=True, help="Mapp där handlingarna hamnar.")
def build(mötesfil: Path, out_dir: Path) -> None:
    """Skapa alla handlingar för sammanträdet (DOCX och PDF) under --out."""
    started = time.monotonic()
    result = _run(lambda: build_meeting(mötesfil, out_dir, progress=lambda m: err.print(f"… {m}")))
    seconds = time.monotonic() - started
    out.print(f"Klart: {len(result.files)} filer i {result.folder} ({seconds:.1f} s).")


def _run(action):
    try:
        return action()
    except InputError as exc:
        err.print(str(exc), markup=False)
        sys.exit(exc.exit_code)
    except DocgenError as exc:
        err.print(f"docgen: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("Avbrutet; inget i out/ har ändrats.")
        sys.exit(130)


if __name__ == "__main__":
    main()
