"""Writing files so that a crash never leaves half of one under its final name, their digest, and locks around them."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def write_atomically(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it into place.

    ``durable=False`` leaves out the flush to disk, for what a crash may lose without harm: the
    cache (each entry checked by its SHA-256 when read) and a build's work folder (thrown away).
    Still never half a file under the final name.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("wb") as file:
            file.write(data)
            if durable:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def file_digest(path: Path) -> str:
    """The SHA-256 of the file at ``path``, as hex: what the manifest records and every check compares."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


@contextmanager
def held(lock: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive flock on ``lock`` (made if missing); a second holder waits for the first.

    ``waiting`` is called once if the lock is taken, before the wait begins: a wait can be long.
    """
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def held_if_free(lock: Path) -> Iterator[bool]:
    """Hold ``lock`` if no one does (True), else do not wait (False): for work that may just as well be left."""
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
