"""The parts of a context that several kinds share: the case turned into Swedish, formatted values.

Plain data only (strings, lists, dicts with the Swedish names the templates
use), with the markers of :mod:`docgen.documents.content` where Word content
is built in code; :mod:`docgen.documents.render` builds that. Each kind's
module (:mod:`docgen.documents.kinds`) assembles its context from these.
Keeping formatting here means a template never formats a date or an amount
itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from docgen.documents.content import AttClause, Lines, Markdown, Rich, Styled
from docgen.model import formatting as fmt
from docgen.model import placeholders
from docgen.model.case import Attendee, Case, Contact, Item, Member
from docgen.model.clauses import clause_values, member_clauses, open_fields


def _attendee(case: Case, person: Attendee) -> str:
    parts = [person.name]
    if person.member:
        parts.append(case.association.member(person.member).name)
    if person.title:
        parts.append(person.title)
    if person.role:
        parts.append(person.role)
    return ", ".join(parts)


def document_date(case: Case, item: Item | None = None) -> dt.date:
    """Date of a document sent after the meeting: its request's letter date, or the justering."""
    if item and item.request and item.request.letter_date:
        return item.request.letter_date
    return case.meeting.adjustment.day


def common(case: Case, subject: str, item: Item | None = None) -> dict[str, Any]:
    """Context every template gets; ``subject`` is the document's, ``item`` the request it belongs to."""
    association, meeting = case.association, case.meeting
    adjustment = meeting.adjustment
    secretary = meeting.person_with_role("sekreterare")
    footer = [association.name, *association.address.lines]
    footer += [x for x in (association.email, association.phone, association.website) if x]
    if adjustment.manner == "digitalt" or adjustment.electronic:
        adjusted = f"Protokollet justerades digitalt {fmt.short_date(adjustment.day)}"
    else:
        adjusted = ", ".join(x for x in (adjustment.place, fmt.short_date(adjustment.day)) if x)
    adjusters = fmt.join_list(adjustment.adjusters)
    signatures: list[dict[str, str]] = []
    if adjustment.manner == "på plats" and not adjustment.electronic:
        chair = meeting.person_with_role("ordförande")
        signatures = [{"roll": "Sekreterare", "namn": secretary.name if secretary else ""}]
        if chair:
            signatures.append({"roll": "Ordförande", "namn": chair.name})
        signatures += [{"roll": "Justerare", "namn": name} for name in adjustment.adjusters]
    attendance = meeting.attendance
    return {
        "förbund": {
            "namn": association.name,
            "namn_genitiv": fmt.genitive(association.name),
            "förvaringsplats": association.archive,
            "anslagstavla": association.notice_board,
            "sidfot": " · ".join(footer),
            "fördelningsgrund": association.distribution.description,
        },
        "möte": {
            "organ": meeting.body,
            "organ_genitiv": meeting.body_genitive,
            "organ_bestämd_form_liten": meeting.body.lower(),
            "organ_genitiv_liten": meeting.body_genitive.lower(),
            "datum": fmt.short_date(meeting.date),
            "datum_lång": fmt.long_date(meeting.date),
            "plats_och_tid": f"{meeting.place}, {fmt.clock(meeting.start)}",
            "ledamöter": _lines(case, attendance.members),
            "tjänstgörande_ersättare": _lines(case, attendance.serving_substitutes),
            "ersättare": _lines(case, attendance.substitutes),
            "övriga_närvarande": _lines(case, attendance.others),
            "paragrafer": fmt.paragraph_range(meeting.items[0].number, meeting.items[-1].number),
        },
        "justering": {
            "justerare": Lines(tuple(adjustment.adjusters)),
            "plats_och_tid": adjusted,
            "mening": f"{adjusted} av {adjusters}." if adjustment.manner == "digitalt" or adjustment.electronic
            else f"Protokollet justerades {adjusted} av {adjusters}.",
            "underskrifter": signatures,
            "på_plats": adjustment.manner == "på plats" and not adjustment.electronic,
        },
        "anslag": {
            "uppsatt": fmt.short_date(meeting.posted),
            "nedtaget": fmt.short_date(meeting.removed),
            "sista_dag": fmt.short_date(meeting.appeal_ends),
            "sista_dag_lång": fmt.long_date(meeting.appeal_ends),
        },
        "sekreterare": {
            "namn": secretary.name if secretary else "",
            "titel": (secretary.title or "sekreterare") if secretary else "",
        },
        "dokument": {"ämne": subject, "datum": fmt.short_date(document_date(case, item))},
    }


def before_signing(case: Case, context: dict[str, Any]) -> dict[str, Any]:
    """The protocol's own justering and anslag facts where it is signed electronically: what is known before
    anyone signs. The signatures give the day; a protocol that named it would change with them, and a changed
    protocol is no longer the one they signed. Dates the YAML gives (``anslag``) stand as given."""
    meeting = case.meeting
    if not meeting.adjustment.electronic:
        return context
    context["justering"]["plats_och_tid"] = ("Digitalt med elektroniska underskrifter; justeringsdagen är dagen "
                                             "för den sista underskriften")
    notice = meeting.notice
    posted = fmt.short_date(notice.posted) if notice.posted else "Dagen efter justeringen"
    last = fmt.short_date(meeting.appeal_ends) if notice.posted else "Tre veckor efter att anslaget satts upp"
    removed = (fmt.short_date(notice.removed) if notice.removed
               else last if notice.posted else "Efter sista dagen för överklagande")
    context["anslag"] = {"uppsatt": posted, "nedtaget": removed, "sista_dag": last,
                         "sista_dag_lång": fmt.long_date(meeting.appeal_ends) if notice.posted else last.lower()}
    return context


def _lines(case: Case, people: list[Attendee]) -> Lines:
    return Lines(tuple(_attendee(case, person) for person in people))


def item(case: Case, it: Item, pages: str = "") -> dict[str, Any]:
    """The heading, dnr and recipients of one §: what every document about it shows."""
    return {
        "paragraf": fmt.paragraph(it.number),
        "dnr": it.registry_number,
        "diarienummer": f"{case.association.registry_prefix} {it.registry_number}",
        "rubrik": it.heading,
        "kort_rubrik": it.short_heading or it.heading,
        "sidor": pages,
        "beslutsunderlag": it.basis_titles,
        "skickas_till": list(it.recipients),
    }


def item_with_texts(case: Case, it: Item, pages: str = "") -> dict[str, Any]:
    """One § as the protocol and its extract show it: with its decision and description."""
    context = item(case, it, pages)
    context["beslut"] = decision(case, it)
    context["beskrivning"] = Rich((Markdown(it.description),)) if it.description.strip() else ""
    return context


def decision(case: Case, it: Item) -> Rich:
    """The decision as written, followed by the request's formula and every att-clause."""
    blocks: list[Markdown | Styled | AttClause] = [Markdown(it.decision)]
    if it.request:
        blocks.append(Styled(it.request.formula, "Beslutsformel"))
        blocks += clauses(case, it, None)
    return Rich(tuple(blocks))


def clauses(case: Case, it: Item, m: Member | None) -> list[AttClause | Styled]:
    """``it``'s att-clauses (``m``'s own, or all), member values filled in, with a note if any is starred."""
    assert it.request is not None
    values = clause_values(case, it, m)
    shown: list[AttClause | Styled] = []
    for clause in it.request.clauses if m is None else member_clauses(it, m):
        segments = tuple(placeholders.render(clause.text, values, clause.member_specific))
        shown.append(AttClause(segments, clause.member_specific and any(s.fill_in for s in segments)))
    if any(isinstance(c, AttClause) and c.starred for c in shown):
        who = "respektive kommun" if m is None else m.name
        shown.append(Styled(f"* Uppgiften är kommunspecifik och fylls i av {who} före beslut.", "Fotnotstext"))
    return shown


def member(case: Case, m: Member) -> dict[str, Any]:
    return {
        "id": m.id,
        "namn": m.name,
        "genitiv": m.genitive,
        "fullmäktige_i": m.council_in,
        "adressrader": m.address.lines,
        "registrator_epost": m.registry_email,
    }


def contact(person: Contact) -> dict[str, str]:
    """Who answers questions about a request."""
    return {
        "namn": person.name,
        "titel": person.title or "",
        "epost": person.email or "",
        "telefon_text": f", telefon {person.phone}" if person.phone else "",
    }


def request(case: Case, it: Item, m: Member) -> dict[str, Any]:
    """What one request's member documents (letter and proposal) add to :func:`common`."""
    req = it.request
    assert req is not None
    share = case.shares(it).get(m.id)
    formula = req.formula
    if formula.startswith(m.council):
        formula = f"{m.council_in}{formula[len(m.council):]}"
    ordinal = fmt.paragraph(it.number)
    attachments = ["Förslag till beslut", f"Protokollsutdrag {ordinal}"]
    if req.guarantee:
        attachments.append("Förslag till regressavtal")
    attachments += [attachment.title for attachment in it.attachments]
    return {
        "medlem": member(case, m),
        "p": item(case, it),
        "hemställan": {
            "ämne": req.subject,
            "svar_senast": fmt.long_date(req.reply_by),
            "beslutsformel_medlem": formula,
        },
        "andel": {"procent": fmt.percent(share.percent), "kronor": fmt.integer(share.kronor)}
        if share else None,
        "borgen": guarantee(case, it),
        "öppna_uppgifter": open_fields(case, it, m),
        "kontakt": contact(req.contact),
        "bilagor": attachments,
        "regressavtal": case.association.agreement_return_text(m) if req.guarantee else [],
    }


def guarantee(case: Case, it: Item) -> dict[str, str] | None:
    if not it.request or not it.request.guarantee:
        return None
    amount = it.request.guarantee.amount
    return {"kronor": fmt.integer(amount), "i_ord": fmt.number_words(amount),
            "i_enhet": fmt.amount(amount, case.association.amount_unit)}


def agreement(case: Case, it: Item) -> dict[str, Any]:
    """What the regressavtal between all members for the guarantee ``it`` asks for adds to :func:`common`."""
    members = case.association.members
    shares = case.shares(it)
    rows = [{"namn": m.name, "fördelningstal": fmt.integer(m.weight) if m.weight else "–",
             "procent": fmt.percent(shares[m.id].percent), "kronor": fmt.integer(shares[m.id].kronor)}
            for m in members]
    return {
        "p": item(case, it),
        "medlemmar": [{"namn": m.name} for m in members],
        "andelar": rows,
        "summa": {
            "fördelningstal": fmt.integer(sum(m.weight or 0 for m in members)) if members[0].weight else "–",
            "procent": fmt.percent(sum((s.percent for s in shares.values()), start=Decimal(0))),
            "kronor": fmt.integer(sum(s.kronor for s in shares.values())),
        },
        "borgen": guarantee(case, it),
        "antal_exemplar": fmt.number_words(len(members)),
    }
