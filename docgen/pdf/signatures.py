"""PAdES signatures through pyHanko: sign a PDF incrementally, keeping PDF/A, and read back who signed and whether
it holds. The one module that knows pyHanko.

Signing keeps the file's metadata as docgen wrote it: pyHanko by default rewrites Producer and ModifyDate, in
the Info dictionary one way and in XMP another (pyHanko issue 223), and PDF/A requires the two to agree. An
incremental update leaves every earlier byte in place, so the first revision of a signed protocol is, byte for
byte, the protocol docgen built. Validation never fetches anything: trust comes only from the roots given.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import DocgenError

CERTIFICATE_PASSWORD = "DOCGEN_CERTIFIKAT_LOSENORD"
"""The environment variable that holds the PKCS#12 file's password: never a file, never the command line."""


for _name in ("pyhanko", "pyhanko_certvalidator"):
    # pyHanko logs every failed validation with a traceback; docgen reports the outcome itself, in Swedish.
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


class SigningError(DocgenError):
    """A certificate that cannot be read, or a PDF that cannot be signed."""

    exit_code = 1


@dataclass(frozen=True)
class Holder:
    """Whose certificate it is: the name a person or an organisation signs with."""

    name: str
    subject: str
    issuer: str
    serial: str


@dataclass(frozen=True)
class Signature:
    """One signature in a PDF as validation found it."""

    field: str
    holder: Holder
    signed_at: dt.datetime | None
    """The time-stamp's time where there is one, else the time the signer's software gave."""
    timestamped: bool
    intact: bool
    """The signed bytes are unchanged and the cryptography holds."""
    whole_file: bool
    """It covers every byte of the file (the last signature of an unaltered file does)."""
    allowed_after: bool
    """What was added after it is only further signatures (pyHanko's diff analysis)."""
    trusted: bool | None
    """The certificate chains to one of the roots given; None: no roots were given."""
    revision_end: int
    """Where the revision it signed ends: the file's first bytes up to there are what was signed."""

    @property
    def ok(self) -> bool:
        return self.intact and (self.whole_file or self.allowed_after) and self.trusted is not False


@dataclass(frozen=True)
class Reading:
    """Every signature of one file, or why the file's signatures cannot be read."""

    signatures: tuple[Signature, ...] = ()
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and all(s.ok for s in self.signatures)


SWEDISH_TIME = "Europe/Stockholm"


def local_time(moment: dt.datetime) -> str:
    """``2026-03-26 14:05`` in Swedish time: how a signing time is shown."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(SWEDISH_TIME)).strftime("%Y-%m-%d %H:%M")


def described(signature: Signature) -> str:
    """One signature in Swedish, e.g. ``Claes Sjökvist 2026-03-26 14:05, hela filen, betrodd``."""
    when = local_time(signature.signed_at) if signature.signed_at else "okänd tid"
    parts = [f"{signature.holder.name} {when}" + (" (tidsstämplad)" if signature.timestamped else "")]
    if not signature.intact:
        parts.append("BRUTEN: det underskrivna har ändrats")
    elif signature.whole_file:
        parts.append("hela filen")
    elif signature.allowed_after:
        parts.append("därefter bara fler underskrifter")
    else:
        parts.append("filen har ändrats efter underskriften")
    if signature.trusted is not None:
        parts.append("betrodd" if signature.trusted else "INTE betrodd (utfärdaren finns inte bland rotcertifikaten)")
    return ", ".join(parts)


def _writer(source: bytes):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class _KeepingMetadata(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            # Info and XMP stay as docgen wrote them (PDF/A: the two must agree); see the module's docstring.
            return None

    return _KeepingMetadata(io.BytesIO(source), strict=False)


def load_signer(p12: Path, password: str | None):
    """The key and certificate in a PKCS#12 file; :class:`SigningError` in Swedish if it cannot be opened."""
    from pyhanko.sign.signers import SimpleSigner

    if password is None:
        raise SigningError(f"lösenordet till {p12} saknas: sätt miljövariabeln {CERTIFICATE_PASSWORD} "
                           "(det anges aldrig på kommandoraden eller i en fil)")
    try:
        data = p12.read_bytes()
    except OSError as exc:
        raise SigningError(f"{p12} går inte att läsa ({exc.strerror or type(exc).__name__})") from None
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password.encode("utf-8"))
    except Exception:  # noqa: BLE001 - pyHanko/cryptography raise several kinds for a wrong password or file
        signer = None
    if signer is None or signer.signing_cert is None:
        raise SigningError(f"{p12} går inte att öppna: fel lösenord i {CERTIFICATE_PASSWORD}, "
                           "eller ingen PKCS#12-fil (.p12/.pfx) med nyckel och certifikat")
    return signer


def holder_of(certificate) -> Holder:
    """The holder's name: the certificate's common name, else its given name and surname."""
    subject = certificate.subject.native
    name = subject.get("common_name") or " ".join(x for x in (subject.get("given_name"), subject.get("surname")) if x)
    if isinstance(name, list):
        name = name[0]
    return Holder(str(name or certificate.subject.human_friendly), certificate.subject.human_friendly,
                  certificate.issuer.human_friendly, format(certificate.serial_number, "x"))


def sign(source: bytes, signer, field: str, reason: str, timestamp_url: str | None = None) -> bytes:
    """``source`` with one more PAdES signature (B-B; B-T with a time-stamp server), added incrementally."""
    from pyhanko.sign import fields
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
    from pyhanko.sign.timestamps import HTTPTimeStamper

    metadata = PdfSignatureMetadata(field_name=field, reason=reason, subfilter=fields.SigSeedSubFilter.PADES,
                                    md_algorithm="sha256")
    stamper = HTTPTimeStamper(timestamp_url, timeout=20) if timestamp_url else None
    output = io.BytesIO()
    try:
        PdfSigner(metadata, signer, timestamper=stamper).sign_pdf(_writer(source), output=output)
    except Exception as exc:  # noqa: BLE001 - pyHanko's own errors, and the time-stamp server's
        where = f" (tidsstämpelservern {timestamp_url})" if timestamp_url else ""
        raise SigningError(f"underskriften gick inte att göra{where}: {exc}") from None
    return output.getvalue()


def trust_roots(paths: Sequence[Path]) -> list:
    """The certificates of ``paths`` (PEM or DER); :class:`SigningError` names a file that does not read."""
    from pyhanko.keys import load_certs_from_pemder

    roots = []
    for path in paths:
        try:
            roots += list(load_certs_from_pemder([str(path)]))
        except Exception as exc:  # noqa: BLE001 - OSError, or asn1crypto's error for what is no certificate
            raise SigningError(f"{path}: inget rotcertifikat (PEM eller DER) går att läsa ({exc})") from None
    return roots


def read(data: bytes, roots: Sequence | None = None) -> Reading:
    """Every signature in ``data``, validated against ``roots`` only (None: trust not judged), fetching nothing."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - a damaged file raises from deep inside the reader
        return Reading(problem=f"underskrifterna går inte att läsa ({type(exc).__name__}: {exc})")
    found = []
    for signature in embedded:
        context = ValidationContext(trust_roots=list(roots or ()), allow_fetching=False)
        try:
            status = validate_pdf_signature(signature, context)
        except Exception as exc:  # noqa: BLE001 - a broken signature dictionary or CMS blob
            return Reading(tuple(found), f"underskriften {signature.field_name} är trasig ({type(exc).__name__})")
        found.append(_signature(signature, status, roots is not None))
    return Reading(tuple(found))


def _signature(embedded, status, judged: bool) -> Signature:
    from pyhanko.sign.diff_analysis.policy_api import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    stamp = status.timestamp_validity
    when = stamp.timestamp if stamp is not None else status.signer_reported_dt
    level = status.modification_level
    allowed = level is not None and level <= ModificationLevel.FORM_FILLING and bool(status.docmdp_ok is not False)
    return Signature(
        field=str(embedded.field_name), holder=holder_of(embedded.signer_cert), signed_at=when,
        timestamped=stamp is not None, intact=bool(status.intact and status.valid),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE, allowed_after=allowed,
        trusted=bool(status.trusted) if judged else None, revision_end=_revision_end(embedded))


def _revision_end(embedded) -> int:
    byte_range = [int(x) for x in embedded.sig_object["/ByteRange"]]
    return byte_range[2] + byte_range[3]

