"""What the ``docgen`` command shows the secretary, and how it ends.

The commands themselves are in :mod:`docgen.cli`; this stage holds what they
share: the two consoles, the options and the meeting file they default to
(:mod:`.options`), the tables of reports (:mod:`.reports`), click's usage
errors in Swedish (:mod:`.usage`), and running a
command so that every failure and every interrupt ends in a Swedish message
and an exit code (:mod:`.running`, :mod:`.interrupts`).
"""

from __future__ import annotations

from rich.console import Console

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
