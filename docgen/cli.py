"""The ``docgen`` command: a thin click layer over the library.

Exit codes: 0 done, 1 wrong input (the YAML) or a failed verification,
2 wrong usage (click), 3 an outside tool failed (LibreOffice, a template).
Messages are Swedish; a user mistake never shows a traceback
(:mod:`docgen.terminal.running`). Heavy modules are imported inside the
commands, so that a rebuild with nothing changed answers before they load.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click
from rich.console import Console

from docgen.pipeline import fingerprint, outfolder
from docgen.terminal import err, out
from docgen.terminal.interrupts import imports_shielded
from docgen.terminal.options import (
    again_option,
    meeting_argument,
    new_reply_by_option,
    out_option,
    refuse_a_file,
    send_option,
    settings_option,
    the_meeting_file,
    trusted_option,
    words_options,
)
from docgen.terminal.running import ProgressBar, run, usage_error
from docgen.terminal.usage import Group, WholeNumber


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docgen", message="docgen %(version)s")
def main() -> None:
    """Protokoll, utdrag, anslag och medlemspaket från YAML i decisions/."""


@main.command()
@meeting_argument
def check(mötesfil: Path) -> None:
    """Kontrollera mötesfilen och förbundets YAML utan att skriva något."""
    from docgen.documents.contract import load_and_check
    from docgen.input.answers import answers_file, load_answers
    from docgen.input.readiness import unready
    from docgen.terminal import reports

    case = run(lambda: load_and_check(mötesfil))
    run(lambda: load_answers(answers_file(mötesfil), case))
    meeting = case.meeting
    out.print(f"{mötesfil}: inga fel – {meeting.body} {meeting.date}, "
              f"§§ {meeting.items[0].number}–{meeting.items[-1].number}, "
              f"{len(case.association.members)} medlemmar.")
    adjustment = meeting.adjustment
    if adjustment.electronic and adjustment.signed_on is None:
        out.print(f"Justering med elektroniska underskrifter, inte klar (planerad {adjustment.date}): justeringsdagen "
                  "blir dagen för den sista underskriften. Med den planerade dagen sätts anslaget upp "
                  f"{meeting.posted} och tas ned {meeting.removed}; sista dag för överklagande {meeting.appeal_ends}.")
    else:
        signed = " (dagen för den sista underskriften)" if adjustment.signed_on else ""
        out.print(f"Justering {adjustment.day}{signed}; anslaget sätts upp {meeting.posted} och tas ned "
                  f"{meeting.removed}; sista dag för överklagande {meeting.appeal_ends}.")
    for item in case.request_items:
        reports.member_clauses(case, item)
    reports.warnings(run(lambda: unready(case, dt.date.today())))


@main.command()
@meeting_argument
@click.option("--out", "target", type=click.Path(path_type=Path), default=Path("out") / "arkiv",
              show_default=True, callback=refuse_a_file, help="Mappen där arkivpaketet (mapp och zip) hamnar.")
@click.option("--byggd", "out_dir", type=click.Path(path_type=Path), default="out", show_default=True,
              help="Mappen som handlingarna byggdes i.")
@click.option("--delvis", is_flag=True, help="Packa även om protokollet inte är justerat, handlingarna inte "
                                             "skickade eller svar saknas; paketet säger vad det saknar.")
def arkivera(mötesfil: Path, target: Path, out_dir: Path, delvis: bool) -> None:
    """Gör sammanträdets handlingar till ett arkivpaket (E-ARK SIP 2.1 = FGS Paketstruktur 2.0), kontrollerat."""
    from docgen.archive.package import FGS, archive

    written = run(lambda: archive(mötesfil, out_dir, target, delvis))
    verdict = written.verdict
    out.print(f"Arkivpaket {written.folder} och {written.zip.name}: {written.files} filer, {FGS}.", markup=False)
    out.print(f"E-ARK-validatorn {verdict.version}: välformat, schemat och Schematron-reglerna godkända "
              f"({len(verdict.warnings)} varningar).", markup=False)
    for finding in verdict.known_faults:
        err.print(f"E-ARK-validatorn: {finding.rule} räknas inte: {eark_fault(finding.rule)}.", markup=False)
    for finding in verdict.warnings:
        err.print(f"E-ARK-validatorn varnar: {finding}", markup=False)
    if written.lacking:
        err.print("Paketet är delvis; det saknar: " + "; ".join(written.lacking) + ".", markup=False)


def eark_fault(rule: str) -> str:
    from docgen.archive.eark import KNOWN_FAULTS

    return KNOWN_FAULTS[rule]


@main.command()
@meeting_argument
@out_option("Mapp där handlingarna hamnar.", folder_only=True)
@click.option("--tvinga", is_flag=True, help="Bygg om allt, även om inget har ändrats (utan cache).")
@click.option("--skriv-over", "skriv_over", is_flag=True,
              help="Ta bort filer i mötets mapp som docgen inte har skapat (annars stoppas bygget).")
def build(mötesfil: Path, out_dir: Path, tvinga: bool, skriv_over: bool) -> None:
    """Skapa alla handlingar för sammanträdet (DOCX och PDF) under --out."""
    started = time.monotonic()
    if not (tvinga or skriv_over) and (folder := fingerprint.up_to_date(mötesfil, out_dir)) is not None:
        run(lambda: outfolder.sweep_when_idle(out_dir, folder.name))
        out.print(f"Inget har ändrats sedan förra bygget: {folder} är aktuell.")
        return
    result = run(lambda: _build(mötesfil, out_dir, tvinga, skriv_over))
    seconds = time.monotonic() - started
    out.print(f"Klart: {len(result.files)} filer i {result.folder} ({seconds:.1f} s, "
              f"{result.conversions} PDF-konverteringar).")
    _justering_after_build(mötesfil, out_dir)


def _justering_after_build(meeting_file: Path, out_dir: Path) -> None:
    """A protocol rebuilt differently after it was signed: its justering no longer holds, and the secretary hears it."""
    from docgen.signing.justering import current_case, state

    case = run(lambda: current_case(meeting_file))
    current = run(lambda: state(case, meeting_file, out_dir))
    if current.protocol_changed:
        err.print("Obs: protokollet har ändrats sedan det justerades; de underskrifter som finns gäller det förra "
                  f"protokollet (filen sparas). Justera det nya: docgen justera {meeting_file}.")
    elif case.meeting.adjustment.electronic and current.missing():
        who = ", ".join(f"{r.name} ({r.role})" for r in current.missing())
        out.print(f"Protokollet ska justeras med elektroniska underskrifter; kvar att skriva under: {who}.")


def _build(meeting_file: Path, out_dir: Path, tvinga: bool, skriv_over: bool):
    """Validate and build; on a cold build LibreOffice (both workers) starts first, to come up during the checks.

    A failed check closes the pool at once (killing what started), so nothing of LibreOffice
    outlives the error; a build with cached PDFs starts LibreOffice only for the first PDF it lacks.
    """
    with imports_shielded():
        from docgen.input.validate import load_case
        from docgen.pdf import office as convert
        from docgen.pipeline.cache import is_cold

    eager = is_cold(out_dir, None, use_cache=not tvinga)
    with convert.Office(convert.profile_root(), eager=2 if eager else 0) as office, ProgressBar() as report:
        case = load_case(meeting_file)
        with imports_shielded():
            from docgen.pipeline.run import build
            from docgen.review.page import ReviewPage

        return build(meeting_file, out_dir, progress=report, office=office, use_cache=not tvinga,
                     overwrite=skriv_over, addition=ReviewPage(out_dir), case=case, release_office=True)


@main.command()
@meeting_argument
@click.option("--ut", "target", type=click.Path(path_type=Path), default=None,
              help="Filen för nästa sammanträde (standard: nasta-ORGAN.yaml bredvid mötesfilen).")
def new(mötesfil: Path, target: Path | None) -> None:
    """Påbörja nästa sammanträdes YAML från det förra: närvaro, plats och paragrafnummer följer med."""
    from docgen.input.next_meeting import next_meeting_file, write_next_meeting

    target = target or run(lambda: next_meeting_file(mötesfil))
    first = run(lambda: write_next_meeting(mötesfil, target))
    out.print(f"Skrev {target}: första paragraf § {first}. Fyll i datumen och paragraferna och kör "
              f"docgen check {target}.")


@main.command()
@click.argument("mapp", type=click.Path(path_type=Path), required=False)
@trusted_option
@click.pass_context
def verify(context: click.Context, mapp: Path | None, betrodda: tuple[Path, ...]) -> None:
    """Granska varje PDF under MAPP (utan MAPP: mötets mapp under out/; MAPP kan också vara en PDF-fil): PDF/A,
    typsnitt, taggning, språk, titel och underskrifter. Ett arkivpaket (mapp eller zip) granskas som paket."""
    from docgen.pdf.signatures import trust_roots
    from docgen.pdf.verify import print_report, verify_tree

    if mapp is None:
        mapp = _built_folder(the_meeting_file(context))
    if _is_package(mapp):
        _verify_package(mapp)
        return
    if not mapp.is_dir() and not (mapp.is_file() and mapp.suffix.lower() == ".pdf"):
        usage_error(f"{mapp} är ingen mapp eller PDF-fil; ange mötets mapp under out/.")

    roots = run(lambda: trust_roots(list(betrodda))) if betrodda else None
    reports = verify_tree(mapp, roots=roots)
    if not reports:
        err.print(f"Inga PDF-filer under {mapp}.")
        sys.exit(1)
    # A report piped to a file or CI log gets a width its table fits in.
    print_report(reports, out if out.is_terminal else Console(highlight=False, width=180),
                 mapp if mapp.is_dir() else mapp.parent)
    if not all(r.ok for r in reports):
        sys.exit(1)


def _is_package(path: Path) -> bool:
    """An archive package's folder (its METS, or its representations, should the METS be gone) or its zip."""
    if path.is_file():
        return path.suffix.lower() == ".zip"
    return (path / "METS.xml").is_file() or (path / "representations").is_dir()


def _verify_package(path: Path) -> None:
    """An archive package (its folder or zip): every file as listed, and the E-ARK validator's verdict."""
    from docgen.archive.package import verify_package

    checked = run(lambda: verify_package(path))
    for problem in checked.problems:
        err.print(f"{path}: {problem}", markup=False)
    if checked.problems:
        err.print(f"Arkivpaketet {path} håller inte: {len(checked.problems)} fel.", markup=False)
        sys.exit(1)
    assert checked.verdict is not None
    out.print(f"Arkivpaketet {path}: varje fil som METS och PREMIS anger; E-ARK-validatorn {checked.verdict.version} "
              "godkänner det.", markup=False)


def _built_folder(meeting_file: Path) -> Path:
    """Where ``docgen build`` puts the meeting by default: its folder under out/."""
    from docgen.input.validate import load_case

    return Path("out") / run(lambda: load_case(meeting_file)).meeting.slug


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), callback=refuse_a_file,
              default=None, help="Mapp för schemafilerna (standard: docgen/schema).")
def schema(out_dir: Path | None) -> None:
    """Skriv JSON Schema för YAML-filerna (för redigerarens komplettering och felmarkering)."""
    from docgen.input.schema import SCHEMA_DIR, write_schemas

    for path in write_schemas(out_dir or SCHEMA_DIR):
        out.print(f"skrev {path}")


@main.command()
@meeting_argument
@out_option("Mappen som handlingarna byggdes i.")
@send_option
@again_option("Skicka till medlemmen (id) igen, t.ex. när handlingarna ändrats sedan förra utskicket.")
@words_options
@settings_option
def send(mötesfil: Path, out_dir: Path, skicka: bool, igen: tuple[str, ...], kom_fram: tuple[str, ...],
         skicka_kopia: tuple[str, ...], installningar: Path | None) -> None:
    """Skicka varje medlems handlingar till dess registrator (utan --skicka: bara utkast att granska)."""
    from docgen.distribution.send import Words, send_meeting
    from docgen.terminal import reports

    words = Words.of(kom_fram, skicka_kopia)
    result = run(lambda: send_meeting(mötesfil, out_dir, send=skicka, again=igen, settings_path=installningar,
                                      words=words, waiting=reports.waiting_for_send_log))
    reports.warnings(result.warnings)
    reports.mail_run(result, skicka)
    if reports.waiting_for_word(result):
        sys.exit(1)


@main.command()
@meeting_argument
def status(mötesfil: Path) -> None:
    """Visa vad som skickats och varje fullmäktiges svar per hemställan; slutkod 0 bara när alla villkor uppfyllts."""
    from docgen.distribution.sendlog import SendLog, log_file
    from docgen.distribution.status import status as round_status
    from docgen.input.answers import answers_file, load_answers
    from docgen.input.validate import load_case
    from docgen.terminal import reports

    def gather():
        case = load_case(mötesfil)
        answers = load_answers(answers_file(mötesfil), case)
        return round_status(case, answers, SendLog(log_file(mötesfil)), dt.date.today())

    report = run(gather)
    _justering_status(mötesfil)
    reports.round_status(report)
    if not report.met:
        sys.exit(1)


def _justering_status(meeting_file: Path) -> None:
    """Who has signed the protocol and who has not, where it is signed electronically or has signatures."""
    from docgen.signing.justering import current_case, state, trust_roots
    from docgen.terminal import reports

    case = run(lambda: current_case(meeting_file))
    current = run(lambda: state(case, meeting_file, Path("out"), trust_roots(case)))
    if case.meeting.adjustment.electronic or current.record is not None:
        reports.justering(case, current)


@main.command()
@meeting_argument
@out_option("Mappen som handlingarna byggdes i.")
@click.option("--certifikat", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FIL.p12",
              help="Skriv under med detta certifikat (PKCS#12); lösenordet i miljövariabeln "
                   "DOCGEN_CERTIFIKAT_LOSENORD.")
@click.option("--signerad", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FIL.pdf",
              help="Ta emot protokollet underskrivet någon annanstans (BankID via en tjänst, SITHS-kort).")
@trusted_option
def justera(mötesfil: Path, out_dir: Path, certifikat: Path | None, signerad: Path | None,
            betrodda: tuple[Path, ...]) -> None:
    """Justera protokollet med elektronisk underskrift; det underskrivna sparas bredvid mötesfilen."""
    from docgen.signing import justering
    from docgen.terminal import reports

    if (certifikat is None) == (signerad is None):
        usage_error("ange antingen --certifikat FIL.p12 eller --signerad FIL.pdf.")
    if certifikat is not None:
        outcome = run(lambda: justering.with_certificate(mötesfil, out_dir, certifikat, betrodda))
    else:
        assert signerad is not None
        outcome = run(lambda: justering.with_signed_file(mötesfil, out_dir, signerad, betrodda))
    reports.justered(mötesfil, outcome)
    case = run(lambda: justering.current_case(mötesfil))
    reports.justering(case, run(lambda: justering.state(case, mötesfil, out_dir,
                                                          justering.trust_roots(case, betrodda))))


@main.command()
@meeting_argument
@out_option("Mappen som handlingarna byggdes i.")
@click.option("--certifikat", type=click.Path(path_type=Path, dir_okay=False), required=True, metavar="FIL.p12",
              help="Sekreterarens certifikat eller förbundets sigill (PKCS#12); lösenordet i miljövariabeln "
                   "DOCGEN_CERTIFIKAT_LOSENORD.")
@trusted_option
def bestyrk(mötesfil: Path, out_dir: Path, certifikat: Path, betrodda: tuple[Path, ...]) -> None:
    """Bestyrk varje protokollsutdrag och försegla varje medlemspaket, när protokollet är justerat."""
    from docgen.signing.certify import certify

    outcome = run(lambda: certify(mötesfil, out_dir, certifikat, betrodda))
    kept = f"; {outcome.kept} var redan bestyrkta" if outcome.kept else ""
    out.print(f"Bestyrkt av {outcome.holder}: {len(outcome.certified)} filer{kept}. docgen send skickar de "
              "bestyrkta filerna.")


@main.command()
@meeting_argument
@out_option("Mappen som handlingarna byggdes i; påminnelserna hamnar bredvid mötets mapp.")
@click.option("--dagar", type=WholeNumber(minimum=0), default=14, show_default=True,
              help="Påminn när så här många dagar eller färre återstår till svar_senast.")
@new_reply_by_option
@send_option
@again_option("Påminn medlemmen (id) en gång till om varje hemställan den inte svarat på.")
@settings_option
def remind(mötesfil: Path, out_dir: Path, dagar: int, nytt_svar_senast: dt.date | None, skicka: bool,
           igen: tuple[str, ...], installningar: Path | None) -> None:
    """Påminn varje medlem om varje hemställan den inte beslutat om när dess svar_senast närmar sig."""
    from docgen.distribution.remind import remind_meeting
    from docgen.terminal import reports

    result = run(lambda: remind_meeting(mötesfil, out_dir, days=dagar, new_reply_by=nytt_svar_senast, send=skicka,
                                        again=igen, settings_path=installningar,
                                        waiting=reports.waiting_for_send_log))
    reports.warnings(result.warnings)
    if not result.steps:
        out.print("Ingen att påminna: alla har svarat, fått en påminnelse, inte fått hemställan ännu, "
                  f"eller så återstår mer än {dagar} dagar till svar_senast.")
        return
    reports.mail_run(result, skicka)


@main.command()
@meeting_argument
@out_option("Mapp där handlingarna hamnar.", folder_only=True)
@click.option("--port", type=WholeNumber(0, 65535), default=8000, show_default=True,
              help="Port på 127.0.0.1 (0: en ledig port).")
def serve(mötesfil: Path, out_dir: Path, port: int) -> None:
    """Visa granskningssidan i webbläsaren och bygg om varje gång YAML-filerna eller mallarna sparas."""
    from docgen.review.server import serve as serve_review

    def serving() -> None:
        try:
            serve_review(mötesfil, out_dir, port, lambda line: out.print(line, markup=False))
        except KeyboardInterrupt:
            out.print("docgen serve stoppad; ingen LibreOffice är kvar.")

    run(serving)


if __name__ == "__main__":
    main()
