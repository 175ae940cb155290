"""Ctrl-C and SIGTERM during a command: noted, raised where it is safe, never a native traceback.

SIGTERM cleans up like Ctrl-C. An interrupt that arrives while a C extension
initialises waits until the imports are done (:func:`imports_shielded`); one
that Python lost in a finaliser is raised again at the next progress report
(:func:`raise_if_interrupted`).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_interrupted = False
_shielded = False


@contextmanager
def handled() -> Iterator[None]:
    """Interrupts raise KeyboardInterrupt (the shield and the re-raise below apply); the old handlers after."""
    previous = {signum: signal.signal(signum, _interrupt) for signum in _interrupting_signals()}
    sys.unraisablehook = _quiet_about_interrupts
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _interrupting_signals() -> list[int]:
    # SIGTERM cleans up like Ctrl-C; SIGINT keeps being ignored when docgen was started that way.
    return [signal.SIGTERM] + ([signal.SIGINT] if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN else [])


def _interrupt(_signum: int, _frame: object) -> None:
    global _interrupted
    _interrupted = True
    if not _shielded:
        raise KeyboardInterrupt


@contextmanager
def imports_shielded() -> Iterator[None]:
    """Imports during which an interrupt waits until they are done.

    An exception raised inside a C extension's module initialisation (pikepdf's
    nanobind, lxml) can abort the whole process with a native traceback, and
    LibreOffice may already be starting; so the interrupt is noted, the imports
    finish, and it is raised right after them.
    """
    global _shielded
    _shielded = True
    try:
        yield
    finally:
        _shielded = False
    raise_if_interrupted()


def _quiet_about_interrupts(unraisable: object) -> None:
    # An interrupt lost in a finaliser is raised again (below), so its traceback is not for the secretary.
    if not isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)  # type: ignore[arg-type]


def raise_if_interrupted() -> None:
    """Raise the interrupt again if it went astray.

    Python runs a signal handler wherever the main thread is; when that is a
    weakref callback or a finaliser (importlib's module locks have one), the
    KeyboardInterrupt is printed as "Exception ignored" and the build runs on.
    The build reports progress before every step and before its result
    replaces anything in out/, so checking here stops it in time.
    """
    if _interrupted:
        raise KeyboardInterrupt
