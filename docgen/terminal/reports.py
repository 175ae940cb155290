"""What ``check``, ``send``, ``remind`` and ``status`` print: lines and rich tables on standard output."""

from __future__ import annotations

from rich.table import Table

from docgen.model import calendar
from docgen.terminal import err, out
from docgen.terminal.running import run


def member_clauses(case, item) -> None:
    """Which att-clauses of ``item`` each member's proposal carries, and what each fills in itself."""
    from docgen.model import formatting as fmt
    from docgen.model.clauses import clause_numbers, open_fields

    total = len(item.request.clauses)
    out.print(f"Att-satser i varje kommuns förslag till beslut (§ {item.number}, {total} i protokollet):")
    for member in case.association.members:
        numbers = clause_numbers(item, member)
        out.print(f"  {member.name}: {'alla' if len(numbers) == total else fmt.number_runs(numbers)}")
    fields = {m.name: open_fields(case, item, m) for m in case.association.members}
    if any(fields.values()):
        out.print(f"Uppgifter som kommunerna själva fyller i (§ {item.number}):")
        for name, labels in fields.items():
            out.print(f"  {name}: {'; '.join(labels) if labels else 'inga'}")


BEFORE_SENDING = "Att rätta innan docgen send --skicka skickar något"


def warnings(problems, heading: str = BEFORE_SENDING) -> None:
    """Problems that do not stop this command but would stop a real send, each with its file:line."""
    if problems:
        out.print(f"{heading} ({len(problems)}):", markup=False)
        for problem in problems:
            out.print(f"  varning: {problem}", markup=False)


def mail_run(result, sent: bool) -> None:
    """The table of e-mails (recipient, attachments, size, what happens), then what to do next."""
    from docgen.distribution.send import AGAIN, CHANGED, COPY, NEW, refuse_changed

    done = {NEW: "skickat", COPY: "skickat som kopia", AGAIN: "skickat på nytt"}

    table = Table(title="Skickat" if sent else "Utkast (inget skickat)", title_justify="left")
    for heading in ("Mottagare", "Bilagor", "Storlek", "Åtgärd"):
        table.add_column(heading, justify="right" if heading == "Storlek" else "left")
    for step in result.steps:
        member = step.delivery.member
        action = done[step.action] if sent and step.reply is not None else step.action
        action = action if not step.note else f"{action} ({step.note})"
        if sent and step.sends and step.reply is None:
            action = "inte skickat"
        table.add_row(f"{member.name}\n{member.registry_email}", "\n".join(a.name for a in step.delivery.attachments),
                      f"{step.delivery.size / 1024:,.0f} kB".replace(",", " "), action)
    out.print(table)
    if result.drafts:
        out.print(f"Utkasten ligger i {result.drafts[0].parent} (öppna .eml-filerna i Outlook eller Thunderbird).")
    if sent:
        count = len(result.sent)
        out.print(f"Skickade {count} {'e-postmeddelande' if count == 1 else 'e-postmeddelanden'}; "
                  f"loggen: {result.log}")
    elif any(s.action == CHANGED for s in result.steps):
        run(lambda: refuse_changed(result.steps))
    elif any(s.sends for s in result.steps):
        out.print("Inget har skickats. Granska utkasten och kör samma kommando med --skicka.")
    else:
        out.print("Inget att skicka: allt är redan skickat.")


def waiting_for_send_log(log) -> None:
    """Said at once when another send holds the log: the wait lasts as long as that send does."""
    err.print(f"Väntar på ett annat utskick med docgen, som skriver i {log}; det här fortsätter när det "
              "är klart.", markup=False)


def waiting_for_word(result) -> bool:
    """Tell which members' messages may have arrived and went nowhere now, and the words that settle them."""
    from docgen.distribution.send import ARRIVED_OPTION, COPY_OPTION, UNCERTAIN

    waiting = [s.delivery.member for s in result.steps if s.action == UNCERTAIN]
    if waiting:
        names = ", ".join(f"{m.name} ({m.id})" for m in waiting)
        out.print(f"Osäkert om meddelandet kom fram till {names}; det skickas inte igen utan ditt besked. Fråga "
                  f"registratorn och kör sedan {ARRIVED_OPTION} MEDLEM (det har kommit fram) eller {COPY_OPTION} "
                  "MEDLEM (skicka en kopia) med --skicka.", markup=False)
    return bool(waiting)


def round_status(report) -> None:
    """One table per request (with several, each under its § and ärendemening), then where the round stands."""
    if not report.requests:
        table = Table(title_justify="left")
        table.add_column("Medlem")
        table.add_column("Skickat")
        for row in report.members:
            table.add_row(row.member.name, row.sent)
        out.print(table)
    several = len(report.requests) > 1
    for request in report.requests:
        if several:
            out.print(request.heading, style="bold", markup=False)
        out.print(_answers_table(request))
        out.print(request.summary, markup=False)
        if several:
            out.print()
    if several or not report.requests:
        out.print(report.summary, markup=False)


def _answers_table(request) -> Table:
    agreement = request.needs_agreement
    table = Table(title_justify="left")
    for heading in ["Medlem", "Skickat", "Påmint", "Svar", "Beslut", "Dagar kvar"] + (
            ["Regressavtal"] if agreement else []):
        table.add_column(heading)
    for row in request.members:
        answer = row.answer
        cells = [row.member.name, row.sent, str(row.reminded) if row.reminded else "–",
                 str(answer.date) if answer else "–",
                 f"{answer.decision} ({answer.council_paragraph})" if answer else "–", _days_text(row)]
        table.add_row(*cells, *([_signed_text(row)] if agreement else []))
    return table


def _days_text(row) -> str:
    if row.answer is not None and row.answer.decided:
        return "–"
    if row.days_left is None:
        return ""
    return str(row.days_left) if row.days_left >= 0 else f"{-row.days_left} för sent"


def _signed_text(row) -> str:
    return str(row.answer.agreement_signed) if row.answer is not None and row.answer.agreement_signed else "nej"


def justered(meeting_file, outcome) -> None:
    """What ``docgen justera`` did: the signatures it added, and where the signed protocol lies."""
    from docgen.input.load import display_name
    from docgen.pdf.signatures import local_time
    from docgen.records.justering import signed_protocol_file

    if outcome.replaced is not None:
        err.print(f"Protokollet har ändrats sedan det justerades: den förra justeringen sparas som "
                  f"{display_name(outcome.replaced)}, och justeringen börjar om.", markup=False)
    for signed in outcome.added:
        role = "" if signed.role == "annan" else f" ({signed.role})"
        counted = " – räknas inte: varken justerare, ordförande eller sekreterare" if signed.role == "annan" else ""
        out.print(f"Underskrift av {signed.name}{role} {local_time(signed.time)}{counted}.", markup=False)
    if not outcome.added:
        out.print("Inga nya underskrifter.")
    out.print(f"Det justerade protokollet: {display_name(signed_protocol_file(meeting_file))}", markup=False)


def justering(case, state) -> None:
    """Who has signed the protocol, when, and who has not; the justering's day once it is complete."""
    from docgen.pdf.signatures import local_time

    meeting = case.meeting
    if state.protocol_changed:
        err.print("Justering: protokollet har ändrats sedan det justerades; de underskrifter som finns gäller det "
                  "förra. Justera det nya (docgen justera).", markup=False)
    elif state.file_problem:
        err.print(f"Justering: håller inte – {state.file_problem}", markup=False)
    elif state.complete:
        out.print(f"Justering: klar {meeting.adjustment.day} (dagen för den sista underskriften); anslaget sätts "
                  f"upp {meeting.posted}, sista dag för överklagande {meeting.appeal_ends}.", markup=False)
        latest = calendar.latest_adjustment(meeting.date)
        if meeting.adjustment.day > latest:
            err.print(f"Justering: obs, den sista underskriften är mer än {calendar.ADJUSTMENT_DAYS} dagar efter "
                      f"sammanträdet (senast {latest}); anteckna skälet i akten.", markup=False)
    else:
        out.print("Justering: inte klar.", markup=False)
    if state.record is not None and not state.protocol_changed:
        for signed in state.record.signatures:
            role = "räknas inte" if signed.role == "annan" else signed.role
            out.print(f"  har skrivit under: {signed.name} ({role}) {local_time(signed.time)}", markup=False)
    for wanted in state.missing():
        out.print(f"  har inte skrivit under: {wanted.name} ({wanted.role})", markup=False)
