"""What leaves is what was justerat and certified: each extract and package replaced by its signed copy.

With electronic signing (``justering.elektronisk_underskrift``) nothing goes before the justering holds, and
every extract and member package must have a certified copy whose signature holds; a dry run says the same.
Without it, a certified copy is sent where ``docgen bestyrk`` made one, and the build's file otherwise.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from docgen.distribution.outgoing import Attachment, Delivery
from docgen.model.case import Case
from docgen.records.justering import load_certification
from docgen.signing import justering
from docgen.signing.certify import certified_copy, certified_path, refuse_until_justerat


def vouched(case: Case, meeting_file: Path, out_root: Path, deliveries: list[Delivery]) -> list[Delivery]:
    """``deliveries`` with the signed copy of each file that has one; a Swedish refusal where one is missing."""
    roots = justering.trust_roots(case)
    refuse_until_justerat(case, meeting_file, out_root, roots)
    record = load_certification(meeting_file)
    result = []
    for delivery in deliveries:
        attachments = []
        for a in delivery.attachments:
            entry = certified_copy(case, meeting_file, a.file, a.sha256, a.kind, roots, record)
            attachments.append(a if entry is None else Attachment(
                certified_path(meeting_file, entry), a.name, entry.sha256, entry.size, a.kind, a.recipients,
                entry.certified, certified_by=entry.name))
        result.append(dataclasses.replace(delivery, attachments=tuple(attachments)))
    return result
