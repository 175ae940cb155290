"""What docgen owns in ``out/``, and how it keeps its hands off everything else.

docgen writes and deletes only in folders it made: the meeting folder
(``out/<möte>/``), its hidden staging folders (``out/.<möte>.bygge-*``), the swap's
``out/.<möte>.gammal``, the PDF cache (``out/.cache/<möte>/``) and the index
(``out/.docgen-index.json``). Before a build touches any of them:

* one build at a time holds ``out/.docgen-lås`` (flock), so whatever staging
  folder is left over belongs to a build that died, and is swept away: by the
  next build, or by a rebuild with nothing changed when no build is running.
  Only folders that carry docgen's mark (:data:`STAGING_MARK`, written first
  thing) are swept, and empty ones (a build killed before it wrote the mark);
  a folder of the secretary's that happens to have such a name is left alone;
* none of them may be a symbolic link: docgen never follows one out of its
  folders (it refuses, and says which);
* the meeting folder may hold only what the last build made, as its
  ``manifest.json`` lists it, unchanged. A file the secretary put there, or a
  generated file edited since, is listed by name and the build stops, unless
  the caller explicitly allows overwriting (``--skriv-over``).

The new meeting folder replaces the old one by two renames; a build killed
between them leaves the old folder as ``.gammal``, which the next build puts
back before anything else.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docgen.errors import DocgenError
from docgen.files import file_digest, held, held_if_free
from docgen.records.manifest import MANIFEST, ManifestError, load

LOCK = ".docgen-lås"
STAGING_MARK = ".docgen-bygge"
"""The file in each staging folder that says docgen made it."""
CACHE = ".cache"
SHOWN = 10
"""How many foreign files a refusal names before it says how many more there are."""


class OutputFolderError(DocgenError):
    """docgen will not touch something in out/ that it does not own."""

    exit_code = 1


def staging_prefix(slug: str) -> str:
    return f".{slug}.bygge-"


def new_staging(out_root: Path, slug: str) -> Path:
    """A fresh staging folder for a build of ``slug``, marked as docgen's before anything else goes in."""
    staging = Path(tempfile.mkdtemp(prefix=staging_prefix(slug), dir=out_root))
    (staging / STAGING_MARK).touch()
    return staging


def previous(target: Path) -> Path:
    return target.with_name(f".{target.name}.gammal")


def cache_folder(out_root: Path, slug: str) -> Path:
    return out_root / CACHE / slug


@contextmanager
def exclusive(out_root: Path) -> Iterator[None]:
    """Hold ``out/``'s build lock; a second build into the same folder waits for the first."""
    lock = out_root / LOCK
    refuse_links([lock])
    with held(lock):
        yield


def prepare(out_root: Path, slug: str, overwrite: bool) -> None:
    """Make out/ safe to build ``slug`` into: no links, no leftovers, nothing foreign in the way.

    Call with :func:`exclusive` held.
    """
    target = out_root / slug
    refuse_links([target, previous(target), out_root / CACHE, cache_folder(out_root, slug)])
    _restore_interrupted_swap(target)
    _sweep_staging(out_root, slug)
    foreign = foreign_files(target)
    if foreign and not overwrite:
        shown = ", ".join(foreign[:SHOWN]) + (f" och {len(foreign) - SHOWN} till" if len(foreign) > SHOWN else "")
        raise OutputFolderError(
            f"{target} innehåller filer som docgen inte har skapat eller som har ändrats efter bygget: {shown}. "
            "Flytta dem till en egen mapp, eller bygg med --skriv-over om de får tas bort.")


def refuse_links(paths: list[Path]) -> None:
    for path in paths:
        if path.is_symlink():
            raise OutputFolderError(f"{path} är en symbolisk länk; docgen följer inga länkar ut ur sina "
                                    "mappar. Ta bort länken och bygg igen.")


def foreign_files(folder: Path) -> list[str]:
    """Files in ``folder`` that its manifest does not list as they were written (relative paths)."""
    if not folder.exists():
        return []
    on_disk = sorted(p for p in folder.rglob("*") if p.is_symlink() or not p.is_dir())
    try:
        made = load(folder).digests()
    except ManifestError:
        made = {}  # no usable manifest: nothing in the folder is known to be docgen's
    foreign = []
    for path in on_disk:
        relative = path.relative_to(folder).as_posix()
        if relative == MANIFEST and made:
            continue
        if path.is_symlink() or relative not in made or file_digest(path) != made[relative]:
            foreign.append(relative)
    return foreign


def replace(new: Path, target: Path) -> None:
    """Put ``new`` where ``target`` is, keeping the old folder until the new one is in place."""
    old = previous(target)
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists():
        shutil.rmtree(old)


def _restore_interrupted_swap(target: Path) -> None:
    old = previous(target)
    if old.is_dir() and not target.exists():
        os.replace(old, target)


def sweep_when_idle(out_root: Path, slug: str) -> None:
    """Sweep the staging folders builds of ``slug`` that died left, unless a build is running (it sweeps them)."""
    lock = out_root / LOCK
    if lock.is_symlink() or not lock.exists():
        return
    with held_if_free(lock) as free:
        if free:
            _sweep_staging(out_root, slug)


def _sweep_staging(out_root: Path, slug: str) -> None:
    """Remove what builds of ``slug`` that died left behind (under the lock, none is running)."""
    old = previous(out_root / slug)
    if old.is_symlink():
        old.unlink()
    elif old.is_dir():
        shutil.rmtree(old)
    for path in out_root.iterdir():
        if not path.name.startswith(staging_prefix(slug)) or path.is_symlink() or not path.is_dir():
            continue
        if (path / STAGING_MARK).is_file():
            shutil.rmtree(path)
        elif not any(path.iterdir()):
            path.rmdir()  # killed between making the folder and marking it
