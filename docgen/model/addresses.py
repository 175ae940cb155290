"""Texts that stand in an e-mail header or an address line: one line each, and addresses SMTP can carry.

A line break in a name would end a header line and start another
(``Bcc: …``), or split an address block in a letter; so such texts are one
line, refused otherwise with the field's position. An address's domain may
be internationalised (``åtvidaberg-test.se``): the envelope and the headers
carry it IDNA-encoded (``xn--…``), which every server accepts. A non-ASCII
local part needs SMTPUTF8, which a registrator's server cannot be relied on
to offer; such an address is refused at check rather than at send.
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError

LINE_SEPARATORS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""Every character :meth:`str.splitlines` breaks a line at."""
SINGLE_LINE = r"^[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*$"
"""A text without any of :data:`LINE_SEPARATORS`: a pattern pydantic's regex, Python's and JSON Schema's
(ECMA-262) all read alike, with the characters as escapes, visible in the schema."""


def ascii_address(address: str) -> str:
    """``kommun@åtvidaberg-test.se`` → ``kommun@xn--tvidaberg-test-1nb.se``; an ASCII address as it is."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    return f"{local}@{domain.encode('idna').decode('ascii')}"


def sendable(address: str) -> str:
    """The address if SMTP can carry it without SMTPUTF8; else a pydantic error the input stage words."""
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        raise PydanticCustomError("address_local_part", "non-ASCII local part", {"local": local})
    try:
        ascii_address(address)
    except UnicodeError:
        raise PydanticCustomError("address_domain", "domain cannot be IDNA-encoded", {"domain": domain}) from None
    return address
