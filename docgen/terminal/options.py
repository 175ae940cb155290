"""The options several commands share, and the meeting file a command takes when none is named."""

from __future__ import annotations

from pathlib import Path

import click

from docgen.model.filenames import ANSWERS_SUFFIX, ASSOCIATION_FILE, DRAFT_PREFIX, SETTINGS_FILE
from docgen.terminal.running import usage_error
from docgen.terminal.usage import Day

DECISIONS = Path("decisions")
"""Where the secretary keeps the YAML files, relative to where docgen is run."""


def meeting_argument(command):
    """MÖTESFIL, by default the one meeting file in decisions/.

    No click checks on the path: the loader says in Swedish what is wrong with it.
    """
    return click.argument("mötesfil", type=click.Path(path_type=Path), required=False,
                          callback=_named_or_the_one)(command)


def _named_or_the_one(context: click.Context, _parameter: click.Parameter, value: Path | None) -> Path:
    return value if value is not None else the_meeting_file(context)


def the_meeting_file(context: click.Context) -> Path:
    """The one meeting file in decisions/; with none or several, a usage error that lists them."""
    found = meeting_files(DECISIONS)
    if len(found) == 1:
        return found[0]
    if not found:
        usage_error(f"ingen mötesfil angiven, och {DECISIONS}/ har ingen; ange mötesfilen: "
                    f"{context.command_path} MÖTESFIL")
    usage_error(f"ingen mötesfil angiven, och {DECISIONS}/ har {len(found)}:\n"
                + "".join(f"  {path}\n" for path in found)
                + f"Ange en av dem, t.ex. {context.command_path} {found[-1]}")


def meeting_files(folder: Path) -> list[Path]:
    """The meetings in ``folder``: its YAML files but the association's, the e-mail settings, the answers and
    the drafts ``docgen new`` begins (named once they are filled in)."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir()
                  if path.suffix in (".yaml", ".yml") and path.is_file()
                  and path.name not in (ASSOCIATION_FILE, SETTINGS_FILE)
                  and not path.name.endswith(ANSWERS_SUFFIX) and not path.name.startswith(DRAFT_PREFIX))


def out_option(help_text: str, folder_only: bool = False):
    """``--out``, the folder the meetings are built in; ``folder_only``: a file given there is a usage error."""
    return click.option("--out", "out_dir", type=click.Path(path_type=Path), default="out", show_default=True,
                        help=help_text, callback=refuse_a_file if folder_only else None)


def refuse_a_file(_context: click.Context, _parameter: click.Parameter, value: Path | None) -> Path | None:
    if value is not None and value.exists() and not value.is_dir():
        usage_error(f"--out {value} är en fil; ange en mapp.")
    return value


def again_option(help_text: str):
    return click.option("--igen", "igen", multiple=True, metavar="MEDLEM", help=help_text)


send_option = click.option("--skicka", is_flag=True, help="Skicka på riktigt via SMTP (annars bara utkast som .eml).")
settings_option = click.option("--installningar", type=click.Path(path_type=Path), default=None,
                               help=f"Fil med e-postinställningar (standard: {SETTINGS_FILE} bredvid mötesfilen).")


def words_options(command):
    """The secretary's two words for a message that may have arrived (``docgen send``), each recorded in the log."""
    command = click.option("--skicka-kopia", "skicka_kopia", multiple=True, metavar="MEDLEM",
                           help="Skicka det osäkra utskicket till medlemmen en gång till, märkt som kopia; "
                                "skrivs i loggen.")(command)
    return click.option("--kom-fram", "kom_fram", multiple=True, metavar="MEDLEM",
                        help="Det osäkra utskicket till medlemmen har kommit fram (fråga registratorn först); "
                             "skrivs i loggen.")(command)


new_reply_by_option = click.option(
    "--nytt-svar-senast", "nytt_svar_senast", type=Day(), default=None,
    metavar="ÅÅÅÅ-MM-DD", help="Nytt datum att be om beslutet till när svar_senast har passerat (går före "
                                "nytt_svar_senast i mötesfilen).")


trusted_option = click.option("--betrodda", "betrodda", multiple=True, metavar="CA.pem",
                              type=click.Path(path_type=Path, dir_okay=False),
                              help="Rotcertifikat (PEM eller DER) att pröva underskrifterna mot; kan upprepas "
                                   "(utöver betrodda_rotcertifikat i förbundets YAML).")
