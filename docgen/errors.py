"""The one exception root of docgen and its user-facing subclasses.

Everything a secretary can cause (bad YAML, a missing value, a template
that does not render) is a :class:`DocgenError`; the CLI prints its message
in Swedish and exits with :attr:`exit_code`, never with a traceback.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the input, tied to where it is."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class DocgenError(Exception):
    """Root of every error docgen reports to the user."""

    exit_code = 1


class InputError(DocgenError):
    """The YAML in decisions/ is wrong; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        # In file order, so the secretary can work down the file.
        problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0))
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} fel i indata:\n{lines}")


class ToolError(DocgenError):
    """An outside tool (LibreOffice, pypdf) failed on a document."""

    exit_code = 3


class RenderError(DocgenError):
    """A Word template could not be filled in."""

    exit_code = 3


_OS_REASONS = {
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut",
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.ENOENT: "finns inte",
    errno.EIO: "in- eller utmatningsfel på disken",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Swedish where the reason is a common one."""
    return _OS_REASONS.get(exc.errno, exc.strerror or str(exc)) if exc.errno is not None else str(exc)
