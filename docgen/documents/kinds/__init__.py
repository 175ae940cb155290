"""The registry of document kinds: one module per kind, each registered here in plan order.

To add a kind: a module with a :class:`~docgen.documents.kinds.base.DocumentKind`
subclass and one instance of it, its template in ``docgen/templates/``
(``scripts/make_templates.py``), and a line below. Code outside docgen (a
test) calls :func:`register` and :func:`unregister` instead.
"""

from __future__ import annotations

from docgen.documents.kinds.agreement import AGREEMENT
from docgen.documents.kinds.attachment import ATTACHMENT
from docgen.documents.kinds.base import (
    Context,
    DocumentKind,
    PlannedDocument,
    kind,
    kinds,
    register,
    unregister,
)
from docgen.documents.kinds.extract import EXTRACT
from docgen.documents.kinds.letter import LETTER
from docgen.documents.kinds.notice import NOTICE
from docgen.documents.kinds.proposal import PROPOSAL
from docgen.documents.kinds.protocol import PROTOCOL
from docgen.documents.kinds.reminder import REMINDER

for _kind in (PROTOCOL, NOTICE, EXTRACT, LETTER, PROPOSAL, AGREEMENT, ATTACHMENT, REMINDER):
    register(_kind)

__all__ = ["AGREEMENT", "ATTACHMENT", "EXTRACT", "LETTER", "NOTICE", "PROPOSAL", "PROTOCOL", "REMINDER",
           "Context", "DocumentKind", "PlannedDocument", "kind", "kinds", "register", "unregister"]
