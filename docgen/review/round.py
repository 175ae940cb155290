"""The sending round as the review page shows it: hooks for docgen/distribution.

Until distribution records sends and answers, both functions say there is
no distribution data (None); the page then says so in Swedish.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docgen.model.case import Case

NO_DISTRIBUTION_DATA = None
"""What the hooks return while docgen/distribution records nothing."""


@dataclass(frozen=True)
class MemberStatus:
    """One member's place in the round, as the page shows it."""

    member: str
    """Member id."""
    sent: str | None
    """When its package was sent (Swedish text), None: not sent."""
    answered: str | None
    """When and what the council answered (Swedish text), None: no answer yet."""


def round_status(case: Case, meeting_folder: Path | None) -> list[MemberStatus] | None:
    """Sent and answered per member; None: no distribution data yet (to be read from docgen/distribution)."""
    return NO_DISTRIBUTION_DATA


def last_sent_digests(case: Case, meeting_folder: Path | None) -> dict[str, str] | None:
    """{file: SHA-256} of what the last send delivered; None: nothing sent, or no distribution data yet."""
    return NO_DISTRIBUTION_DATA
