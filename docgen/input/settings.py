"""``e-post.yaml``: the SMTP server and sender as the secretary writes them, read like the other YAML files.

The file's shape is a model here, so that ``docgen schema`` writes its JSON
Schema beside the others; :mod:`docgen.distribution.settings` lays the
environment over what the file says. The password never stands in the file:
a settings file is read by whoever can read the folder and ends up in
backups, so one that holds a password is refused rather than used.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from docgen.errors import InputError, Problem
from docgen.input.load import display_name, load_yaml
from docgen.input.validate import _model

PASSWORD_VARIABLE = "DOCGEN_SMTP_LOSENORD"
_PASSWORD_KEYS = frozenset({"lösenord", "losenord", "password", "passwd", "pass", "lösen"})
Security = Literal["starttls", "tls", "okrypterad"]
ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
HOST_EXAMPLE = "smtp.itsam.se"


def is_host_name(text: str) -> bool:
    """A DNS name (an internationalised one too), an IPv4 address or an IPv6 address: what a server can be."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        pass
    try:
        ascii_name = text.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    return 0 < len(ascii_name) <= 253 and all(_LABEL.match(label) for label in ascii_name.split("."))


def not_a_host_name(text: str) -> str:
    return f"{text!r} är inget värdnamn för en e-postserver; skriv t.ex. {HOST_EXAMPLE}"


class SettingsFile(BaseModel):
    """What ``e-post.yaml`` may say; every key may be left out (the environment may give it)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    server: str | None = Field(None, min_length=1, description="SMTP-servern, t.ex. smtp.itsam.se.")
    port: int | None = Field(None, gt=0, lt=65536, description="587 (STARTTLS) eller 465 (TLS).")
    security: Security | None = Field(None, alias="säkerhet", description="starttls, tls eller okrypterad "
                                                                          "(bara mot localhost).")
    user: str | None = Field(None, min_length=1, alias="användare",
                             description="Användarnamnet hos servern; lösenordet anges bara som "
                                         f"miljövariabeln {PASSWORD_VARIABLE}.")
    sender: str | None = Field(None, alias="avsändare", pattern=ADDRESS.pattern,
                               description="Avsändaradressen, t.ex. registrator@itsam.se.")

    @field_validator("server")
    @classmethod
    def _a_host_name(cls, value: str | None) -> str | None:
        # A name that reached the connection or an error text with a line break in it would forge lines.
        if value is not None and not is_host_name(value):
            raise PydanticCustomError("värdnamn", not_a_host_name(value))
        return value


def read_settings_file(path: Path) -> dict[str, object]:
    """The values ``path`` gives, by Swedish key; raises :class:`InputError` with file:line."""
    source = load_yaml(path)
    if source.data is None:
        return {}
    if isinstance(source.data, dict):
        secret = [key for key in source.data if isinstance(key, str) and key.casefold() in _PASSWORD_KEYS]
        if secret:
            raise InputError([source.problem(
                (secret[0],), f"lösenordet får inte stå i en fil; ta bort raden och sätt miljövariabeln "
                              f"{PASSWORD_VARIABLE} (filen {display_name(path)} används inte så länge den finns)")])
    problems: list[Problem] = []
    model = _model(SettingsFile, source, problems)
    if model is None:
        raise InputError(problems)
    return {key: value for key, value in model.model_dump(by_alias=True).items() if value is not None}
