"""The e-mail to one member's registrator: Swedish subject and body, the attachments, a stable Message-ID.

Attachment names: Python writes a non-ASCII file name as RFC 2231
(``filename*=utf-8''…``), which some Outlook versions show as "Untitled
attachment" unless the Content-Type also has an RFC 2047 ``name=``
(MimeKit issues 186 and 1041). The build's own names are ASCII already;
any other name gets both forms.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import dataclass, field
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, formataddr

from docgen.distribution.outgoing import REMINDER, Delivery
from docgen.model import formatting as fmt
from docgen.model.addresses import ascii_address
from docgen.model.answers import Answer
from docgen.model.case import Case, Item, Request

PACKAGE_HEADER = "X-Docgen-Paket"
"""The header that names the package digest: it also marks a draft as docgen's own."""
_ONE_LINE = frozenset({"message-id", "in-reply-to", "references", "supersedes"})
_LONGEST_LINE = 998
"""RFC 5322's limit on a line: the ids of a long meeting slug exceed the 78 characters a line should keep to."""


class _Policy(EmailPolicy):
    """The default policy, but a message id stays on its header's line.

    Folded, ``Message-ID:`` stands alone on its line and the id on the next; some
    clients and registry systems then read no id at all, and a reply or a
    replacement no longer finds the message it refers to.
    """

    def fold(self, name: str, value: str) -> str:
        policy = self.clone(max_line_length=_LONGEST_LINE) if name.lower() in _ONE_LINE else self
        return EmailPolicy.fold(policy, name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        policy = self.clone(max_line_length=_LONGEST_LINE) if name.lower() in _ONE_LINE else self
        return EmailPolicy.fold_binary(policy, name, value)


POLICY = _Policy()
"""How docgen's e-mails are written: as drafts, and with ``linesep="\\r\\n"`` (:data:`WIRE_POLICY`) to the server."""
WIRE_POLICY = POLICY.clone(linesep="\r\n")

_TYPES = {".pdf": "application/pdf",
          ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


COPY_MARK = "Kopia"


@dataclass(frozen=True)
class Earlier:
    """An e-mail sent before to the same member that this one refers to."""

    message_id: str
    sent: dt.datetime


@dataclass(frozen=True)
class Reminded(Earlier):
    """The request e-mail a reminder refers to, where it went, and the requests the council sent back
    (återremiss) by paragraph: a reminder about those awaits the new decision."""

    address: str = ""
    postponed: dict[int, Answer] = field(default_factory=dict)


def message_id(case: Case, delivery: Delivery, sender: str, sequence: int) -> str:
    """Derived from the meeting, the member, the purpose and the package digest, so a retry keeps it.

    ``sequence`` counts the e-mails of this purpose the member has already
    received: a deliberate resend (``--igen``) of the same files is a new message.
    """
    domain = sender.rpartition("@")[2] or "docgen.invalid"
    purpose = "paminnelse" if delivery.purpose == REMINDER else "handlingar"
    return (f"<{case.meeting.slug}.{delivery.member.id}.{purpose}.{delivery.digest[:24]}.{sequence}"
            f"@{domain.encode('idna').decode('ascii')}>")


def subject(case: Case, delivery: Delivery, replaces: Earlier | None = None) -> str:
    """``Kommunalförbundet Itsam: Ny solidarisk borgen … (dnr ITSAM 2026/14)``; a reminder or replacement says so."""
    association = case.association
    asked = case.request_items
    items = asked or [i for i in case.meeting.items if i.goes_to_members]
    matter = "; ".join(i.request.subject if i.request else i.heading for i in items)
    dnr = ", ".join(f"{association.registry_prefix} {i.registry_number}" for i in items)
    text = f"{association.name}: {matter} (dnr {dnr})"
    if delivery.purpose == REMINDER:
        return f"Påminnelse – {text}"
    if replaces is not None:
        return f"Ersätter tidigare utskick – {text}"
    return text


def body(case: Case, delivery: Delivery, replaces: Earlier | None = None, reminded: Earlier | None = None) -> str:
    member, meeting, association = delivery.member, case.meeting, case.association
    council = member.council_in
    lines = [f"Till registratorn i {member.name}", ""]
    if replaces is not None:
        lines += [f"Detta e-postmeddelande ersätter det vi skickade {_when(replaces.sent)} "
                  f"(Message-ID {replaces.message_id}). Handlingarna har ändrats sedan dess; använd bara de "
                  "bifogade nedan.", ""]
    asked = case.request_items
    if delivery.purpose == REMINDER:
        lines += _reminder_lines(case, delivery, reminded)
    for item in asked:
        request = item.request
        if delivery.purpose == REMINDER:
            lines += _reminded_of(case, delivery, item, reminded)
        else:
            lines += [f"{meeting.body} för {association.name} beslutade den {fmt.long_date(meeting.date)}, "
                      f"{fmt.paragraph(item.number)}, att hemställa hos {council} att besluta i ärendet "
                      f"”{request.subject}” (dnr {association.registry_prefix} {item.registry_number}).", "",
                      f"Vi ber er diarieföra handlingarna och lämna dem till {council}. Vi vill ha ett "
                      f"protokollsutdrag med fullmäktiges beslut senast den {fmt.long_date(request.reply_by)}"
                      + _to_contact(request), ""]
            if request.guarantee:
                lines += [line for sentence in association.agreement_return_text(member) for line in (sentence, "")]
        contact = request.contact
        reach = ", ".join(x for x in (contact.title, contact.email, contact.phone and f"telefon {contact.phone}") if x)
        lines += [f"Frågor om ärendet besvaras av {contact.name}" + (f", {reach}." if reach else "."), ""]
    informed = [i for i in meeting.items if not i.request and i.goes_to_members]
    if informed and delivery.purpose != REMINDER:
        numbers = ", ".join(fmt.paragraph(i.number) for i in informed)
        lines += [f"Protokollsutdrag för {numbers} skickas för kännedom.", ""]
    lines += ["Bifogade filer, med SHA-256-kontrollsumma så att ni kan se att de kommit fram oförändrade:", ""]
    for number, attachment in enumerate(delivery.attachments, start=1):
        lines += [f"{number}. {attachment.name} ({fmt.integer(attachment.size)} byte)",
                  f"   SHA-256 {attachment.sha256}"]
    lines += _certification_lines(case, delivery)
    secretary = meeting.person_with_role("sekreterare")
    lines += ["", "Med vänlig hälsning", ""]
    if secretary is not None:
        lines += [secretary.name, secretary.title or "sekreterare"]
    lines += [association.name]
    return "\n".join(lines) + "\n"


def _certification_lines(case: Case, delivery: Delivery) -> list[str]:
    """What the signatures in the PDFs mean and how the registrator checks them."""
    signers = sorted({a.certified_by for a in delivery.attachments if a.certified_by})
    if not signers:
        return []
    adjustment = case.meeting.adjustment
    justerat = (f" Protokollet justerades med elektroniska underskrifter {fmt.short_date(adjustment.day)}."
                if adjustment.electronic and adjustment.signed_on else "")
    return ["", f"Paketet är förseglat och protokollsutdragen bestyrkta med elektronisk underskrift (PAdES) av "
                f"{fmt.join_list(signers)}.{justerat} Öppna PDF-filen i en PDF-läsare som visar underskrifter, "
                "till exempel Adobe Acrobat Reader (panelen Underskrifter): där syns vem som skrivit under, när, "
                "och att filen inte har ändrats sedan dess."]


def _reminder_lines(case: Case, delivery: Delivery, reminded: Earlier | None) -> list[str]:
    """Where and when the request went: the registrator can find it by its Message-ID."""
    council = delivery.member.council_in
    sent = f" {_when(reminded.sent)}" if reminded else ""
    to = f" till {reminded.address}" if isinstance(reminded, Reminded) and reminded.address else ""
    lines = [f"Vi skickade{sent}{to} {fmt.genitive(case.association.name)} hemställan till {council}"
             + (f" (Message-ID {reminded.message_id})." if reminded else "."),
             "Handlingarna finns i det e-postmeddelandet. Vi bifogar en påminnelse; svara på detta meddelande "
             "om ni behöver få handlingarna igen.", ""]
    return lines


def _reminded_of(case: Case, delivery: Delivery, item: Item, reminded: Earlier | None) -> list[str]:
    """What a reminder asks of one request: the new meeting after an återremiss, a new date after the old
    one has passed, or the decision by the date asked."""
    request, council = item.request, delivery.member.council_in
    assert request is not None
    named = f"”{request.subject}” ({fmt.paragraph(item.number)}, dnr {case.association.registry_prefix} " \
            f"{item.registry_number})"
    postponed = reminded.postponed.get(item.number) if isinstance(reminded, Reminded) else None
    if postponed is not None:
        asked = (f" Vi ber att få det nya beslutet senast den {fmt.long_date(request.new_reply_by)}"
                 + _to_contact(request) if request.new_reply_by else "")
        return [f"{council} beslutade den {fmt.long_date(postponed.date)} ({postponed.council_paragraph}) att "
                f"återremittera ärendet {named}. Vi väntar på fullmäktiges nya beslut. Vet ni när ärendet tas "
                f"upp igen vill vi gärna få veta mötesdagen.{asked}", ""]
    if request.new_reply_by is not None:
        return [f"I ärendet {named} bad vi att få fullmäktiges beslut senast den "
                f"{fmt.long_date(request.reply_by)}. Den dagen har passerat utan att vi fått beslutet. Vi ber "
                f"nu att få ett protokollsutdrag med fullmäktiges beslut senast den "
                f"{fmt.long_date(request.new_reply_by)}" + _to_contact(request), ""]
    return [f"Vi har ännu inte fått fullmäktiges beslut i ärendet {named} och ber att få ett protokollsutdrag "
            f"senast den {fmt.long_date(request.reply_by)}" + _to_contact(request), ""]


def _to_contact(request: Request) -> str:
    return f", gärna som e-post till {request.contact.email}." if request.contact.email else "."


def compose(case: Case, delivery: Delivery, sender: str, message_id: str, when: dt.datetime,
            replaces: Earlier | None = None, reminded: Earlier | None = None, copy: bool = False) -> EmailMessage:
    """The whole e-mail, attachments read from disk.

    A ``copy`` (of a message that may have arrived) keeps its Message-ID, so that a registrator's mail system
    can tell it is the same message, and says in the subject and the first line that it is a copy.
    """
    message = EmailMessage()
    # An internationalised domain goes IDNA-encoded: a header must be ASCII without SMTPUTF8.
    message["From"] = formataddr((case.association.name, ascii_address(sender)))
    message["To"] = formataddr((f"Registrator {delivery.member.name}", ascii_address(delivery.member.registry_email)))
    contacts = [i.request.contact.email for i in case.request_items if i.request.contact.email]
    if contacts:
        message["Reply-To"] = ascii_address(contacts[0])
    message["Subject"] = f"{COPY_MARK} – {subject(case, delivery, replaces)}" if copy else subject(case, delivery,
                                                                                               replaces)
    message["Date"] = format_datetime(when)
    message["Message-ID"] = message_id
    earlier = replaces or reminded
    if earlier is not None:
        message["References"] = earlier.message_id
    if replaces is not None:
        message["Supersedes"] = replaces.message_id
    message[PACKAGE_HEADER] = delivery.digest
    message.set_content((copy_notice(message_id) if copy else "") + body(case, delivery, replaces, reminded))
    for attachment in delivery.attachments:
        add_attachment(message, attachment.path.read_bytes(), attachment.name)
    return message


def copy_notice(message_id: str) -> str:
    return (f"{COPY_MARK.upper()}: Detta är en kopia av ett e-postmeddelande med samma Message-ID ({message_id}) "
            "som vi skickade tidigare och som kanske redan har kommit fram. Har ni redan diariefört det, diarieför "
            "inte kopian; bilagorna är desamma.\n\n")


def add_attachment(message: EmailMessage, data: bytes, name: str) -> None:
    content_type = _TYPES.get(_suffix(name)) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    maintype, _, subtype = content_type.partition("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    if not name.isascii():
        # The email package would decode an encoded word given to set_param and write RFC 2231 again;
        # set_raw keeps the header as written (its lines are short, so it is not refolded either).
        part = message.get_payload()[-1]
        del part["Content-Type"]
        # Header folds the encoded words; 70 leaves room for ' name="' within the 78 characters a
        # line may have before the email package would refold it (as RFC 2231, which is what is to be avoided).
        words = Header(name, "utf-8", maxlinelen=70).encode(linesep="\n")
        part.set_raw("Content-Type", f'{content_type};\n name="{words}"')


def _suffix(name: str) -> str:
    return name[name.rfind("."):].lower() if "." in name else ""


def _when(moment: dt.datetime) -> str:
    return f"den {fmt.long_date(moment.date())}"
