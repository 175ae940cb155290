"""Where the e-mail goes out: SMTP server, port, security, user and sender.

They come from a settings file (``e-post.yaml`` beside the meeting, or the
file given; read by :mod:`docgen.input.settings`) and from the environment,
which wins. The password comes from the environment only
(:data:`PASSWORD_VARIABLE`), never from a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import DocgenError
from docgen.input.settings import (
    ADDRESS,
    PASSWORD_VARIABLE,
    Security,
    is_host_name,
    not_a_host_name,
    read_settings_file,
)
from docgen.model.filenames import SETTINGS_FILE

VARIABLES = {
    "server": "DOCGEN_SMTP_SERVER",
    "port": "DOCGEN_SMTP_PORT",
    "säkerhet": "DOCGEN_SMTP_SAKERHET",
    "användare": "DOCGEN_SMTP_ANVANDARE",
    "avsändare": "DOCGEN_SMTP_AVSANDARE",
}
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""The only servers mail may go to unencrypted (a test server, a local relay)."""
DEFAULT_PORTS = {"starttls": 587, "tls": 465}


class SettingsError(DocgenError):
    """The e-mail settings are missing or unsafe."""

    exit_code = 1


@dataclass(frozen=True)
class Settings:
    server: str | None
    port: int
    security: Security
    user: str | None
    sender: str | None
    password: str | None

    def ready_to_send(self) -> None:
        """Raise unless mail can go out with these settings: a server, a sender, encryption off localhost."""
        missing = [key for key, value in (("server", self.server), ("avsändare", self.sender)) if not value]
        if missing:
            names = ", ".join(f"{key} ({VARIABLES[key]})" for key in missing)
            raise SettingsError(f"e-postinställningar saknas: {names}; skriv dem i {SETTINGS_FILE} bredvid "
                                "mötesfilen eller sätt miljövariablerna")
        if self.security == "okrypterad" and self.server not in LOCAL_HOSTS:
            raise SettingsError(f"okrypterad SMTP tillåts bara mot localhost, inte {self.server}; "
                                "använd säkerhet: starttls (port 587) eller tls (port 465)")
        if self.user and not self.password:
            raise SettingsError(f"användare {self.user} är angiven men lösenordet saknas; sätt miljövariabeln "
                                f"{PASSWORD_VARIABLE} (lösenordet skrivs aldrig i en fil)")


def settings_file(meeting_file: Path) -> Path:
    return meeting_file.with_name(SETTINGS_FILE)


def load_settings(path: Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``path`` (if it exists) overlaid by the environment."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if path is not None and path.exists():
        values = read_settings_file(path)
    for key, variable in VARIABLES.items():
        if environ.get(variable):
            values[key] = environ[variable]
    try:
        port = int(values["port"]) if values.get("port") is not None else None
    except ValueError:
        raise SettingsError(f"porten {values['port']!r} ({VARIABLES['port']}) är inget heltal") from None
    security = values.get("säkerhet") or ("tls" if port == 465 else "starttls")
    if security not in ("starttls", "tls", "okrypterad"):
        raise SettingsError(f"säkerhet {security!r} ({VARIABLES['säkerhet']}) ska vara starttls, tls eller okrypterad")
    server = _text(values.get("server"))
    if server is not None and not is_host_name(server):
        raise SettingsError(f"servern ({VARIABLES['server']}): {not_a_host_name(server)}")
    sender = _text(values.get("avsändare"))
    if sender is not None and not ADDRESS.match(sender):
        raise SettingsError(f"avsändaren {sender!r} är ingen e-postadress")
    return Settings(server=server, port=port or DEFAULT_PORTS.get(security, 25),
                    security=security, user=_text(values.get("användare")),  # type: ignore[arg-type]
                    sender=sender, password=environ.get(PASSWORD_VARIABLE) or None)


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None

