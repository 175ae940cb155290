"""A thin layer over smtplib: connect as the settings say, hand over one message, return the server's reply.

STARTTLS (port 587) and TLS (port 465) verify the server's certificate with
the system's trust store; plain SMTP is allowed only to localhost (see
:mod:`docgen.distribution.settings`).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage

from docgen.distribution.mail import WIRE_POLICY
from docgen.distribution.settings import Settings
from docgen.model.addresses import ascii_address

TIMEOUT = 60.0


class Refused(Exception):
    """The server answered that it will not take the message: it was certainly not delivered."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class Connection:
    """An open SMTP session; use as a context manager."""

    def __init__(self, settings: Settings) -> None:
        settings.ready_to_send()
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        s = self.settings
        if s.security == "tls":
            self.smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            self.smtp = smtplib.SMTP(s.server, s.port, timeout=TIMEOUT)
            if s.security == "starttls":
                self.smtp.starttls(context=ssl.create_default_context())
        self.smtp.ehlo_or_helo_if_needed()
        if s.user:
            self.smtp.login(s.user, s.password or "")
        return self

    def send(self, message: EmailMessage, sender: str, recipient: str) -> str:
        """Hand ``message`` to the server for ``recipient`` only; the server's final reply, e.g. ``250 2.0.0 Ok``.

        Raises :class:`Refused` when the server says no; any other error
        (a dropped connection) leaves the message's fate unknown.
        """
        assert self.smtp is not None
        data = message.as_bytes(policy=WIRE_POLICY)
        try:
            # The envelope carries an internationalised domain IDNA-encoded, as the headers do.
            self._expect(self.smtp.mail(ascii_address(sender)), (250,))
            self._expect(self.smtp.rcpt(ascii_address(recipient)), (250, 251))
        except (smtplib.SMTPException, OSError) as exc:
            # Before DATA nothing of the message has left: a broken connection here is a certain no.
            raise Refused(f"förbindelsen bröts före meddelandet ({exc})") from None
        try:
            code, text = self.smtp.data(data)
        except smtplib.SMTPDataError as exc:
            raise Refused(_reply(exc.smtp_code, exc.smtp_error)) from None
        if code != 250:
            raise Refused(_reply(code, text))
        return _reply(code, text)

    def _expect(self, answer: tuple[int, bytes], codes: tuple[int, ...]) -> None:
        code, text = answer
        if code not in codes:
            assert self.smtp is not None
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.rset()
            raise Refused(_reply(code, text))

    def __exit__(self, *_exc: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {text}".strip()
