"""A test PKI made with cryptography, offline: a CA, signers named as in the seed meeting, a time-stamp authority.

Each person's key and certificate come as a PKCS#12 file protected by :data:`PASSWORD`, as a secretary's
organisation certificate would. RSA 2048 keys: made once per test session (:func:`make_pki`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSWORD = "hemligt-lösen"
NOT_BEFORE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
NOT_AFTER = dt.datetime(2036, 1, 1, tzinfo=dt.UTC)
SEED_SIGNERS = {"claes": "Claes Sjökvist", "jonas": "Jonas Andersson", "mattias": "Mattias Geving",
                "utomstaende": "Eva Utomstående"}
"""The seed meeting's justerare, ordförande and sekreterare, and one who is none of them."""


@dataclass
class Pki:
    folder: Path
    ca_pem: Path
    ca_cert: x509.Certificate
    ca_key: rsa.RSAPrivateKey
    p12: dict[str, Path] = field(default_factory=dict)
    tsa_cert: x509.Certificate | None = None
    tsa_key: rsa.RSAPrivateKey | None = None
    other_ca_pem: Path | None = None


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common: str, organisation: str = "Kommunalförbundet Itsam (test)") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _ca(common: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = _key()
    name = _name(common)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def _issue(ca: x509.Certificate, ca_key: rsa.RSAPrivateKey, common: str,
           usage: x509.ObjectIdentifier | None = None) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = _key()
    builder = (x509.CertificateBuilder().subject_name(_name(common)).issuer_name(ca.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                              critical=False))
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=True)
    return builder.sign(ca_key, hashes.SHA256()), key


def _write_p12(path: Path, name: str, cert: x509.Certificate, key: rsa.RSAPrivateKey, ca: x509.Certificate) -> Path:
    data = pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, [ca], serialization.BestAvailableEncryption(PASSWORD.encode()))
    path.write_bytes(data)
    return path


def make_pki(folder: Path) -> Pki:
    """The CA (written as PEM), one PKCS#12 per person of :data:`SEED_SIGNERS`, a TSA and a second, foreign CA."""
    folder.mkdir(parents=True, exist_ok=True)
    ca, ca_key = _ca("Testrot för docgen")
    pki = Pki(folder, folder / "test-ca.pem", ca, ca_key)
    pki.ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for short, person in SEED_SIGNERS.items():
        cert, key = _issue(ca, ca_key, person)
        pki.p12[short] = _write_p12(folder / f"{short}.p12", person, cert, key, ca)
    seal, seal_key = _issue(ca, ca_key, "Kommunalförbundet Itsam")
    pki.p12["forbund"] = _write_p12(folder / "forbund.p12", "Kommunalförbundet Itsam", seal, seal_key, ca)
    pki.tsa_cert, pki.tsa_key = _issue(ca, ca_key, "Tidsstämpeltjänst (test)", ExtendedKeyUsageOID.TIME_STAMPING)
    other, other_key = _ca("Främmande rot")
    pki.other_ca_pem = folder / "other-ca.pem"
    pki.other_ca_pem.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    stranger, stranger_key = _issue(other, other_key, "Claes Sjökvist")
    pki.p12["claes_frammande"] = _write_p12(folder / "claes-frammande.p12", "Claes Sjökvist", stranger,
                                            stranger_key, other)
    return pki


@contextmanager
def running_tsa(pki: Pki) -> Iterator[str]:
    """A time-stamp authority (RFC 3161 over HTTP) on 127.0.0.1, answering with the test TSA's certificate;
    yields its address. pyHanko's DummyTimeStamper makes the tokens, a stdlib HTTP server carries them."""
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    assert pki.tsa_cert is not None and pki.tsa_key is not None
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(pki.tsa_cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(pki.tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))
    served: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            served.append(len(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
