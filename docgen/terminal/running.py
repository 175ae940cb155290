"""Running a command: every way it can fail ends in a Swedish message and an exit code, never a traceback.

Exit codes: 0 done, 1 wrong input (the YAML) or a failed verification,
2 wrong usage, 3 an outside tool failed (LibreOffice, a template, the disk),
130 interrupted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import NoReturn, TypeVar

from docgen.errors import DocgenError, InputError, os_reason
from docgen.terminal import err, interrupts

T = TypeVar("T")

def run(action: Callable[[], T]) -> T:
    """Run ``action`` under the interrupt handling; a failure is reported and ends the process."""
    with interrupts.handled():
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
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            reason = os_reason(exc)
            err.print(f"docgen: kunde inte läsa eller skriva{where}: {reason}. Inget i out/ har ändrats.",
                      markup=False)
            sys.exit(3)


def usage_error(message: str) -> NoReturn:
    """Wrong usage that click cannot see (a file where a folder belongs): the message, exit code 2."""
    err.print(f"docgen: {message}", markup=False)
    sys.exit(2)


class ProgressBar:
    """A progress bar on stderr, shown only when the build takes longer than a second.

    Each report is also where an interrupt that went astray is raised again.
    """

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar = None
        self.task = None

    def __enter__(self):
        return self.report

    def report(self, what: str, done: int, total: int) -> None:
        interrupts.raise_if_interrupted()
        if self.bar is None:
            if time.monotonic() - self.started < 1.0:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(what, total=total)
        self.bar.update(self.task, description=what, completed=done, total=total)

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
