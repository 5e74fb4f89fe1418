"""Mail test helpers: a throw-away PKI, real SMTP servers on loopback (aiosmtpd), package zips.

The servers speak implicit TLS or STARTTLS with a certificate signed by a CA made for the test
session, and accept exactly one user/password. Received messages are kept for inspection.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import os
import socket
import ssl
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

USER = "sender@example.com"
PASSWORD = "Sq9-authCODE-7731x"  # distinctive, so a leak into any file is easy to find
RCPT = "zscqsl@example.org"
UNIT = "天津示例科技有限公司"
DIRECTION = "高质量知识产权创造试点"


# -- certificates -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pki:
    ca: Path  # PEM of the test CA: the cafile that makes the server trusted
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(_name("zscq test CA")).issuer_name(_name("zscq test CA"))
               .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                            crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pki = Pki(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    pki.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return pki


# -- SMTP servers -------------------------------------------------------------------------------

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Sink:
    """aiosmtpd handler that keeps every message and refuses the recipients in `refuse`."""

    refuse: set[str] = field(default_factory=set)
    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list) -> str:
        if address in self.refuse:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 2.0.0 Ok: queued"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
              and auth_data.password == PASSWORD.encode())
        self.logins.append((auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?", ok))
        return AuthResult(success=ok, handled=False)


@dataclass
class Server:
    host: str
    port: int
    security: str
    sink: Sink


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(pki: Pki) -> Iterator[Any]:
    """Factory: ``smtp_server("ssl" | "starttls" | "plain", data_size_limit=…, refuse={…})``."""
    started: list[Controller] = []

    def start(security: str = "ssl", *, data_size_limit: int = 33554432, refuse: set[str] | None = None) -> Server:
        sink = Sink(refuse=set(refuse or ()))
        kwargs: dict[str, Any] = dict(authenticator=sink.authenticate, data_size_limit=data_size_limit,
                                      ready_timeout=10)
        if security == "ssl":
            # aiosmtpd counts only STARTTLS as TLS when deciding whether to offer AUTH; the
            # implicit-TLS transport is encrypted from the first byte, so AUTH may be offered.
            kwargs.update(ssl_context=pki.server_context(), auth_require_tls=False)
        elif security == "starttls":
            kwargs.update(tls_context=pki.server_context(), require_starttls=True)
        else:  # a server without any TLS: our client must refuse to log in there
            kwargs.update(auth_require_tls=False)
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        return Server("127.0.0.1", port, "ssl" if security == "ssl" else "starttls", sink)

    yield start
    for c in started:
        c.stop()


# -- packages -----------------------------------------------------------------------------------

def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_package(folder: Path, *, payload: int = 50_000, manifest: bool = True, unit: str = UNIT,
                 extra_files: int = 0) -> Path:
    """A minimal package zip (manifest.json + submission.json + an incompressible dummy volume)."""
    folder.mkdir(parents=True, exist_ok=True)
    members: list[tuple[str, bytes]] = [
        ("2023天津知识产权资助-申报材料.pdf", b"%PDF-1.4\n" + os.urandom(payload)),
        ("submission.json", json.dumps({
            "format": "zscq-submission", "version": 1, "call": "tianjin-2023", "direction": "creation-pilot",
            "unit": {"name": unit},
            "form": {"cover": {"contact_name": "赵示例", "contact_phone": "022-23039856",
                               "contact_email": "ip@example.com"}}}, ensure_ascii=False).encode("utf-8")),
    ]
    members += [(f"附件{i:02d}-某某证明材料扫描件.pdf", os.urandom(100)) for i in range(extra_files)]
    man = {"format": "zscq-package", "version": 1, "call_id": "tianjin-2023", "call_title": "2023天津知识产权资助",
           "direction_id": "creation-pilot", "direction_name": DIRECTION, "unit_name": unit, "stamp": "3F2A9C1D",
           "created": "2023-05-20T10:00:00+08:00", "app_version": "0.1.0", "volume_name": members[0][0],
           "volume_pages": 1, "submission": "submission.json",
           "files": [{"name": n, "size": len(d), "sha256": sha(d)} for n, d in members]}
    path = folder / f"2023天津知识产权资助-{DIRECTION}-{unit}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in members:
            zf.writestr(n, d)
        if manifest:
            zf.writestr("manifest.json", json.dumps(man, ensure_ascii=False, indent=2))
    return path


def real_package(folder: Path, call: Any) -> Path:
    """A package that passes `verify_package`: built by the package module from the sample submission."""
    from reportlab.pdfgen.canvas import Canvas

    from zscq_desktop.core.sample import build_sample
    from zscq_desktop.core.stamp import version_stamp
    from zscq_desktop.package.zipper import PackageInfo, build_package
    from zscq_desktop.render.fonts import register_fonts

    sub = build_sample(call, "creation-pilot").to_dict()
    for a in sub.get("attachments", []):
        a.pop("path", None)
    stamp = version_stamp(sub)
    folder.mkdir(parents=True, exist_ok=True)
    volume = folder / "申报材料.pdf"
    canvas = Canvas(str(volume))
    canvas.setSubject(f"版本 {stamp}")
    canvas.setFont(register_fonts().body, 12)
    canvas.drawString(200, 40, f"— 1 —    版本 {stamp}")
    canvas.showPage()
    canvas.save()
    d = call.direction("creation-pilot")
    info = PackageInfo(call_id=call.id, call_title=call.short_title, direction_id=d.id, direction_name=d.name,
                       unit_name=sub["unit"]["name"], stamp=stamp, volume_name=volume.name,
                       created=dt.datetime(2023, 5, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    return build_package(folder, files=[(volume.name, volume)], submission=sub, info=info).path


def files_containing(roots: list[Path], needles: list[bytes]) -> list[Path]:
    """Every file under the roots whose bytes contain one of the needles."""
    hits = []
    for root in roots:
        for p in Path(root).rglob("*"):
            if p.is_file() and any(n in p.read_bytes() for n in needles):
                hits.append(p)
    return hits
