"""A stamp as the PDFs write it, second-exact, in Info (``D:20260326100000Z``) and in XMP.

Reading goes through pikepdf (:func:`pikepdf.models.metadata.decode_pdf_date`).
Writing keeps UTC as ``Z`` and an offset as ``+01'00'``: pikepdf's
``encode_pdf_date`` writes ``+00'00`` and ``+01'00``, which say the same
instant but would change the bytes of every PDF docgen has made, and with them
every digest a manifest or send log recorded.
"""

from __future__ import annotations

import datetime as dt


def aware(stamp: dt.datetime) -> dt.datetime:
    """``stamp`` in whole seconds and with a time zone: a naive one is taken as UTC."""
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.replace(microsecond=0)


def utc(stamp: dt.datetime) -> dt.datetime:
    """``stamp`` in UTC, whole seconds; a naive one is taken as UTC already."""
    return aware(stamp).astimezone(dt.UTC)


def pdf_date(stamp: dt.datetime) -> str:
    """``stamp`` as an Info date in its own zone: ``D:20260326100000Z``, ``D:20260326110000+01'00'``."""
    stamp = aware(stamp)
    return stamp.strftime("D:%Y%m%d%H%M%S") + _zone(stamp, "'", "'")


def xmp_date(stamp: dt.datetime) -> str:
    """``stamp`` as an XMP date in its own zone: ``2026-03-26T10:00:00Z``, ``2026-03-26T11:00:00+01:00``."""
    stamp = aware(stamp)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S") + _zone(stamp, ":", "")


def _zone(stamp: dt.datetime, between: str, after: str) -> str:
    offset = stamp.utcoffset() or dt.timedelta(0)
    if not offset:
        return "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    hours, minutes = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return f"{sign}{hours:02}{between}{minutes:02}{after}"
