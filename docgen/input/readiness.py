"""Whether a meeting may go out: an answer date the councils can still meet, and no example values left.

``docgen check`` and a dry run show these as warnings; ``docgen send
--skicka`` refuses to send while any remains (a reminder only for the
example values: it is sent exactly because ``svar_senast`` draws near or
has passed). Both read the YAML again, for the positions and the comments.

A value is marked as an example by a comment that begins with ``EXEMPEL``:
after the value on its line (``registrator_epost: kommun@x.se   # EXEMPEL``),
or on a line of its own, where it marks what follows it. A comment that
only speaks of the marks (``# Värden märkta EXEMPEL …``) marks nothing.
"""

from __future__ import annotations

import datetime as dt
import re

from docgen.errors import InputError, Problem
from docgen.input.load import Comment, Source, dotted, load_yaml
from docgen.input.validate import _named
from docgen.model import formatting as fmt
from docgen.model.case import Case

_EXAMPLE_MARK = re.compile(r"^EXEMPEL\b")


class NotReady(InputError):
    """``send --skicka`` found what must be put right first; nothing has been sent."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        lines = "\n".join(str(p) for p in self.problems)
        count = f"{len(self.problems)} {'sak' if len(self.problems) == 1 else 'saker'}"
        self.args = (f"Inget har skickats: {count} att rätta före utskicket:\n{lines}",)


def unready(case: Case, today: dt.date, *, reply_dates: bool = True) -> list[Problem]:
    """Everything that stops the case's e-mails from going out today; ``reply_dates=False`` for reminders."""
    meeting_file, association_file = case.sources
    meeting_src, association_src = load_yaml(meeting_file), load_yaml(association_file)
    problems = example_values(association_src) + example_values(meeting_src)
    if reply_dates:
        problems += reply_time(case, meeting_src, association_src.file, today)
    # In file order, as InputError has them, so the warnings read like the errors.
    return sorted(_named(problems, association_src, meeting_src), key=lambda p: (p.file, p.line or 0, p.column or 0))


def refuse_unready(case: Case, today: dt.date, *, reply_dates: bool = True) -> list[Problem]:
    """Raise :class:`NotReady` when anything stops the e-mails; else the (empty) list, for the caller's report."""
    problems = unready(case, today, reply_dates=reply_dates)
    if problems:
        raise NotReady(problems)
    return problems


def reply_time(case: Case, meeting_src: Source, association_file: str, today: dt.date) -> list[Problem]:
    """Each request whose ``svar_senast`` has passed or leaves the councils less than the association's minimum."""
    minimum = case.association.min_reply_days
    earliest = fmt.short_date(today + dt.timedelta(days=minimum))
    setting = f"minsta_svarstid_dagar i {association_file}"
    problems = []
    for index, item in enumerate(case.meeting.items):
        if item.request is None:
            continue
        reply_by = item.request.reply_by
        left = (reply_by - today).days
        where = ("paragrafer", index, "hemställan", "svar_senast")
        if left < 0:
            problems.append(meeting_src.problem(where, (
                f"svar_senast {fmt.short_date(reply_by)} har redan passerat (i dag är det {fmt.short_date(today)}); "
                f"sätt ett nytt datum, tidigast {earliest} ({minimum} dagar fram enligt {setting})")))
        elif left < minimum:
            problems.append(meeting_src.problem(where, (
                f"svar_senast {fmt.short_date(reply_by)} ger kommunerna bara {fmt.message_integer(left)} dagar att "
                f"svara; förbundet ger dem minst {minimum} ({setting}): sätt tidigast {earliest}")))
    return problems


def example_values(source: Source) -> list[Problem]:
    """Each value the file still marks ``# EXEMPEL``, where it stands."""
    problems = []
    for comment in source.comments:
        if not _EXAMPLE_MARK.match(comment.text):
            continue
        if comment.trailing:
            problems.append(_marked_value(source, comment))
        else:
            problems.append(_marked_block(source, comment))
    return problems


def _marked_value(source: Source, comment: Comment) -> Problem:
    on_line = [(position[1], path) for path, position in source.positions.items() if position[0] == comment.line]
    if not on_line:
        return Problem(source.file, comment.line, comment.column, "", _REPLACE_IT)
    _, path = max(on_line)
    value = source.value(path)
    shown = f" {value!r}" if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return source.problem(path, f"värdet{shown} är märkt EXEMPEL; {_REPLACE_IT}")


_REPLACE_IT = "byt ut det mot det riktiga värdet och ta bort # EXEMPEL innan något skickas"


def _marked_block(source: Source, comment: Comment) -> Problem:
    after = sorted((position, path) for path, position in source.positions.items() if position[0] > comment.line)
    field = dotted(after[0][1]) if after else ""
    return Problem(source.file, comment.line, comment.column, field,
                   "kommentaren märker värdena efter den som EXEMPEL; byt ut dem mot de riktiga och ta bort "
                   "kommentaren innan något skickas")
