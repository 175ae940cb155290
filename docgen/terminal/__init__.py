"""What the ``docgen`` command shows the secretary, and how it ends.

The commands themselves are in :mod:`docgen.cli`; this stage holds what they
share: the two consoles, the options and the meeting file they default to
(:mod:`.options`), the tables of reports (:mod:`.reports`), click's usage
errors in Swedish (:mod:`.usage`), and running a
command so that every failure and every interrupt ends in a Swedish message
and an exit code (:mod:`.running`, :mod:`.interrupts`).
"""

from __future__ import annotations

import os

from rich.console import Console, ConsoleDimensions


class _Console(Console):
    """A console whose width follows ``COLUMNS`` as it is when something is printed.

    rich reads ``COLUMNS`` once, when the console is made; these two are made at
    import, long before a command (or a test's CliRunner) sets the width it wants.
    """

    @property
    def size(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        columns = os.environ.get("COLUMNS", "")
        return ConsoleDimensions(int(columns), size.height) if columns.isdigit() else size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


# No markup and no emoji codes: what the consoles print holds the secretary's own text, where
# "[kommunens namn]" is a fill-in mark (markup would swallow it, and "[/]" raise) and ":100:" is text.
err = _Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
out = _Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
