"""The ``docgen`` command: a thin click layer over the library.

Exit codes: 0 done, 1 wrong input (the YAML) or a failed verification,
2 wrong usage (click), 3 an outside tool failed (LibreOffice, a template).
Messages are Swedish; a user mistake never shows a traceback. Heavy modules
are imported inside the commands, so that a rebuild with nothing changed
answers before they load.
"""

from __future__ import annotations

import errno
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console

from docgen.errors import DocgenError, InputError
from docgen.pipeline import fingerprint

DEFAULT_MEETING = Path("decisions/2026-03-26-direktionen.yaml")

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

# No click checks on the path: the loader says in Swedish what is wrong with it.
MEETING = click.argument("mötesfil", type=click.Path(path_type=Path),
                         default=str(DEFAULT_MEETING), required=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docgen", message="docgen %(version)s")
def main() -> None:
    """Protokoll, utdrag, anslag och medlemspaket från YAML i decisions/."""


@main.command()
@MEETING
def check(mötesfil: Path) -> None:
    """Kontrollera mötesfilen och förbundets YAML utan att skriva något."""
    from docgen.documents.contract import load_and_check

    case = _run(lambda: load_and_check(mötesfil))
    meeting = case.meeting
    out.print(f"{mötesfil}: inga fel – {meeting.body} {meeting.date}, "
              f"§§ {meeting.items[0].number}–{meeting.items[-1].number}, "
              f"{len(case.association.members)} medlemmar.")
    out.print(f"Justering {meeting.adjustment.date}; anslaget sätts upp {meeting.posted} och tas ned "
              f"{meeting.removed}; sista dag för överklagande {meeting.appeal_ends}.")
    for item in case.request_items:
        _print_member_clauses(case, item)


def _print_member_clauses(case, item) -> None:
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


@main.command()
@MEETING
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default="out", show_default=True,
              help="Mapp där handlingarna hamnar.")
@click.option("--tvinga", is_flag=True, help="Bygg om allt, även om inget har ändrats (utan cache).")
@click.option("--skriv-over", "skriv_over", is_flag=True,
              help="Ta bort filer i mötets mapp som docgen inte har skapat (annars stoppas bygget).")
def build(mötesfil: Path, out_dir: Path, tvinga: bool, skriv_over: bool) -> None:
    """Skapa alla handlingar för sammanträdet (DOCX och PDF) under --out."""
    started = time.monotonic()
    if out_dir.exists() and not out_dir.is_dir():
        err.print(f"docgen: --out {out_dir} är en fil; ange en mapp.", markup=False)
        sys.exit(2)
    if not (tvinga or skriv_over) and (folder := fingerprint.up_to_date(mötesfil, out_dir)) is not None:
        out.print(f"Inget har ändrats sedan förra bygget: {folder} är aktuell.")
        return
    result = _run(lambda: _build(mötesfil, out_dir, tvinga, skriv_over))
    seconds = time.monotonic() - started
    out.print(f"Klart: {len(result.files)} filer i {result.folder} ({seconds:.1f} s, "
              f"{result.conversions} PDF-konverteringar).")


@main.command()
@MEETING
@click.option("--ut", "target", type=click.Path(path_type=Path), default=None,
              help="Filen för nästa sammanträde (standard: nasta-ORGAN.yaml bredvid mötesfilen).")
def new(mötesfil: Path, target: Path | None) -> None:
    """Påbörja nästa sammanträdes YAML från det förra: närvaro, plats och paragrafnummer följer med."""
    from docgen.input.next_meeting import next_meeting_file, write_next_meeting

    target = target or _run(lambda: next_meeting_file(mötesfil))
    first = _run(lambda: write_next_meeting(mötesfil, target))
    out.print(f"Skrev {target}: första paragraf § {first}. Fyll i datumen och paragraferna och kör "
              f"docgen check {target}.")


@main.command()
@click.argument("mapp", type=click.Path(path_type=Path), default="out/2026-03-26-direktionen", required=False)
def verify(mapp: Path) -> None:
    """Granska varje PDF under MAPP: PDF/A, utdataprofil, typsnitt, taggning, språk och titel."""
    from docgen.pdf.verify import print_report, verify_tree

    if not mapp.is_dir():
        err.print(f"docgen: {mapp} är ingen mapp; ange mötets mapp under out/.", markup=False)
        sys.exit(2)

    reports = verify_tree(mapp)
    if not reports:
        err.print(f"Inga PDF-filer under {mapp}.")
        sys.exit(1)
    # A report piped to a file or CI log gets a width its table fits in.
    print_report(reports, out if out.is_terminal else Console(highlight=False, width=180), mapp)
    if not all(r.ok for r in reports):
        sys.exit(1)


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="Mapp för schemafilerna (standard: docgen/schema).")
def schema(out_dir: Path | None) -> None:
    """Skriv JSON Schema för YAML-filerna (för redigerarens komplettering och felmarkering)."""
    from docgen.input.schema import SCHEMA_DIR, write_schemas

    for path in write_schemas(out_dir or SCHEMA_DIR):
        out.print(f"skrev {path}")


SKICKA = click.option("--skicka", is_flag=True, help="Skicka på riktigt via SMTP (annars bara utkast som .eml).")
SETTINGS = click.option("--installningar", type=click.Path(path_type=Path), default=None,
                        help="Fil med e-postinställningar (standard: e-post.yaml bredvid mötesfilen).")


@main.command()
@MEETING
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default="out", show_default=True,
              help="Mappen som handlingarna byggdes i.")
@SKICKA
@click.option("--igen", "igen", multiple=True, metavar="MEDLEM",
              help="Skicka till medlemmen (id) igen, t.ex. när handlingarna ändrats sedan förra utskicket.")
@SETTINGS
def send(mötesfil: Path, out_dir: Path, skicka: bool, igen: tuple[str, ...], installningar: Path | None) -> None:
    """Skicka varje medlems handlingar till dess registrator (utan --skicka: bara utkast att granska)."""
    from docgen.distribution.send import send_meeting

    run = _run(lambda: send_meeting(mötesfil, out_dir, send=skicka, again=igen, settings_path=installningar))
    _print_run(run, skicka)


@main.command()
@MEETING
def status(mötesfil: Path) -> None:
    """Visa vad som skickats och varje fullmäktiges svar per hemställan; slutkod 0 bara när alla villkor uppfyllts."""
    import datetime as dt

    from docgen.distribution.sendlog import SendLog, log_file
    from docgen.distribution.status import status as round_status
    from docgen.input.answers import answers_file, load_answers
    from docgen.input.validate import load_case

    def gather():
        case = load_case(mötesfil)
        answers = load_answers(answers_file(mötesfil), case)
        return round_status(case, answers, SendLog(log_file(mötesfil)), dt.date.today())

    report = _run(gather)
    _print_status(report)
    if not report.met:
        sys.exit(1)


@main.command()
@MEETING
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default="out", show_default=True,
              help="Mappen som handlingarna byggdes i; påminnelserna hamnar bredvid mötets mapp.")
@click.option("--dagar", type=click.IntRange(min=0), default=14, show_default=True,
              help="Påminn när så här många dagar eller färre återstår till svar_senast.")
@SKICKA
@click.option("--igen", "igen", multiple=True, metavar="MEDLEM",
              help="Påminn medlemmen (id) en gång till om varje hemställan den inte svarat på.")
@SETTINGS
def remind(mötesfil: Path, out_dir: Path, dagar: int, skicka: bool, igen: tuple[str, ...],
           installningar: Path | None) -> None:
    """Påminn varje medlem om varje hemställan den inte svarat på när dess svar_senast närmar sig."""
    from docgen.distribution.remind import remind_meeting

    run = _run(lambda: remind_meeting(mötesfil, out_dir, days=dagar, send=skicka, again=igen,
                                      settings_path=installningar))
    if not run.steps:
        out.print("Ingen att påminna: alla har svarat, fått en påminnelse, inte fått hemställan ännu, "
                  f"eller så återstår mer än {dagar} dagar till svar_senast.")
        return
    _print_run(run, skicka)


def _print_run(run, sent: bool) -> None:
    """The table of e-mails (recipient, attachments, size, what happens), then what to do next."""
    from rich.table import Table

    from docgen.distribution.send import CHANGED, refuse_changed

    table = Table(title="Skickat" if sent else "Utkast (inget skickat)", title_justify="left")
    for heading in ("Mottagare", "Bilagor", "Storlek", "Åtgärd"):
        table.add_column(heading, justify="right" if heading == "Storlek" else "left")
    for step in run.steps:
        member = step.delivery.member
        action = step.action if not step.note else f"{step.action} ({step.note})"
        if sent and step.sends and step.reply is None:
            action = "inte skickat"
        table.add_row(f"{member.name}\n{member.registry_email}", "\n".join(a.name for a in step.delivery.attachments),
                      f"{step.delivery.size / 1024:,.0f} kB".replace(",", " "), action)
    out.print(table)
    if run.drafts:
        out.print(f"Utkasten ligger i {run.drafts[0].parent} (öppna .eml-filerna i Outlook eller Thunderbird).")
    if sent:
        out.print(f"Skickade {len(run.sent)} e-postmeddelanden; loggen: {run.log}")
    elif any(s.action == CHANGED for s in run.steps):
        _run(lambda: refuse_changed(run.steps))
    elif any(s.sends for s in run.steps):
        out.print("Inget har skickats. Granska utkasten och kör samma kommando med --skicka.")
    else:
        out.print("Inget att skicka: allt är redan skickat.")


def _print_status(report) -> None:
    """One table per request (with several, each under its § and ärendemening), then where the round stands."""
    from rich.table import Table

    def days_text(row) -> str:
        if row.answer is not None and row.answer.decided:
            return "–"
        if row.days_left is None:
            return ""
        return str(row.days_left) if row.days_left >= 0 else f"{-row.days_left} för sent"

    def signed_text(row) -> str:
        return str(row.answer.agreement_signed) if row.answer is not None and row.answer.agreement_signed else "nej"

    def answers_table(request) -> Table:
        agreement = request.needs_agreement
        table = Table(title_justify="left")
        for heading in ["Medlem", "Skickat", "Svar", "Beslut", "Dagar kvar"] + (["Regressavtal"] if agreement else []):
            table.add_column(heading)
        for row in request.members:
            answer = row.answer
            cells = [row.member.name, row.sent, str(answer.date) if answer else "–",
                     f"{answer.decision} ({answer.council_paragraph})" if answer else "–", days_text(row)]
            table.add_row(*cells, *([signed_text(row)] if agreement else []))
        return table

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
        out.print(answers_table(request))
        out.print(request.summary, markup=False)
        if several:
            out.print()
    if several or not report.requests:
        out.print(report.summary, markup=False)


def _build(meeting_file: Path, out_dir: Path, tvinga: bool, skriv_over: bool):
    """Validate, then build with LibreOffice started as early as the checks allow."""
    with _imports_shielded():
        from docgen.input.validate import load_case
        from docgen.pdf import office as convert
        from docgen.pipeline.outfolder import cache_folder

    case = load_case(meeting_file)  # LibreOffice starts only once the input has passed
    cache = cache_folder(out_dir, case.meeting.slug)
    cold = tvinga or not cache.is_dir() or cache.is_symlink() or not any(cache.iterdir())
    # On a cold build LibreOffice comes up while the document layer imports and the templates are
    # filled in; otherwise the build starts it at the first PDF the cache does not have.
    with convert.Office(convert.profile_root(), eager=cold) as office, _progress() as report:
        with _imports_shielded():
            from docgen.pipeline.run import build
            from docgen.review.page import ReviewPage

        return build(meeting_file, out_dir, progress=report, office=office, use_cache=not tvinga,
                     overwrite=skriv_over, addition=ReviewPage(out_dir))


class _progress:
    """A progress bar on stderr, shown only when the build takes longer than a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar = None
        self.task = None

    def __enter__(self):
        return self.report

    def report(self, what: str, done: int, total: int) -> None:
        _raise_if_interrupted()
        if self.bar is None:
            if time.monotonic() - self.started < 1.0:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(what, total=total)
        self.bar.update(self.task, description=what, completed=done, total=total)

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _run(action):
    """Run ``action``; every way it can fail ends in a Swedish message and an exit code, never a traceback."""
    previous = {signum: signal.signal(signum, _interrupt) for signum in _interrupting_signals()}
    sys.unraisablehook = _quiet_about_interrupts
    try:
        return action()
    except InputError as exc:
        err.print(str(exc), markup=False)
        sys.exit(exc.exit_code)
    except DocgenError as exc:
        err.print(f"docgen: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("Avbrutet; inget i out/ har ändrats.")
        sys.exit(130)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        reason = _OS_REASONS.get(exc.errno, exc.strerror or str(exc))
        err.print(f"docgen: kunde inte läsa eller skriva{where}: {reason}. Inget i out/ har ändrats.",
                  markup=False)
        sys.exit(3)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


_OS_REASONS = {
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut",
    errno.EACCES: "behörighet saknas",
    errno.EPERM: "behörighet saknas",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.ENOENT: "finns inte",
    errno.EIO: "in- eller utmatningsfel på disken",
}


_interrupted = False
_shielded = False


def _interrupting_signals() -> list[int]:
    # SIGTERM cleans up like Ctrl-C; SIGINT keeps being ignored when docgen was started that way.
    return [signal.SIGTERM] + ([signal.SIGINT] if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN else [])


def _interrupt(_signum: int, _frame: object) -> None:
    global _interrupted
    _interrupted = True
    if not _shielded:
        raise KeyboardInterrupt


@contextmanager
def _imports_shielded() -> Iterator[None]:
    """Imports during which an interrupt waits until they are done.

    An exception raised inside a C extension's module initialisation (pikepdf's
    nanobind, lxml) can abort the whole process with a native traceback, and
    LibreOffice may already be starting; so the interrupt is noted, the imports
    finish, and it is raised right after them.
    """
    global _shielded
    _shielded = True
    try:
        yield
    finally:
        _shielded = False
    _raise_if_interrupted()


def _quiet_about_interrupts(unraisable: object) -> None:
    # An interrupt lost in a finaliser is raised again (below), so its traceback is not for the secretary.
    if not isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)  # type: ignore[arg-type]


def _raise_if_interrupted() -> None:
    """Raise the interrupt again if it went astray.

    Python runs a signal handler wherever the main thread is; when that is a
    weakref callback or a finaliser (importlib's module locks have one), the
    KeyboardInterrupt is printed as "Exception ignored" and the build runs on.
    The build reports progress before every step and before its result
    replaces anything in out/, so checking here stops it in time.
    """
    if _interrupted:
        raise KeyboardInterrupt


@main.command()
@MEETING
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default="out", show_default=True,
              help="Mapp där handlingarna hamnar.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port på 127.0.0.1 (0: en ledig port).")
def serve(mötesfil: Path, out_dir: Path, port: int) -> None:
    """Visa granskningssidan i webbläsaren och bygg om varje gång YAML-filerna eller mallarna sparas."""
    from docgen.review.server import serve as serve_review

    if out_dir.exists() and not out_dir.is_dir():
        err.print(f"docgen: --out {out_dir} är en fil; ange en mapp.", markup=False)
        sys.exit(2)

    def run() -> None:
        try:
            serve_review(mötesfil, out_dir, port, lambda line: out.print(line, markup=False))
        except KeyboardInterrupt:
            out.print("docgen serve stoppad; ingen LibreOffice är kvar.")

    _run(run)


if __name__ == "__main__":
    main()
