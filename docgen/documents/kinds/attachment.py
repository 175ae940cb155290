"""An underlag file the secretary names under beslutsunderlag: a PDF as it is, a Word file made PDF."""

from __future__ import annotations

from docgen.documents.kinds.base import UNDERLAG, DocumentKind, PlannedDocument
from docgen.model.case import Case, Item, ascii_slug


class AttachedFile(DocumentKind):
    id = "underlag"
    label = "Underlag"
    folder = "underlag"
    section = UNDERLAG

    def plan(self, case: Case) -> list[PlannedDocument]:
        return [document for item in case.meeting.items for document in self._of(case, item)]

    def _of(self, case: Case, item: Item) -> list[PlannedDocument]:
        documents: list[PlannedDocument] = []
        names: set[str] = set()
        for index, attachment in enumerate(item.attachments, start=1):
            source = case.attachment_path(attachment)
            name = f"underlag-paragraf-{item.number}-{ascii_slug(source.stem) or index}"
            if name in names:  # two files of the same name from different folders
                name = f"{name}-{index}"
            names.add(name)
            documents.append(PlannedDocument(
                f"underlag-{item.number}-{index}", self, attachment.title, name, tuple(item.recipients),
                item=item.number, source=source))
        return documents


ATTACHMENT = AttachedFile()
