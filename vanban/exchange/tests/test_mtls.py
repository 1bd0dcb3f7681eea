"""Outbound mutual TLS: our client certificate over HTTPS to a partner's inbox that
identifies partners by their certificate.

vanban does not terminate TLS itself: the reverse proxy in front of it verifies the
client certificate against the CA it trusts and passes the verified certificate on in a
header (nginx: `proxy_set_header X-Client-Cert $ssl_client_escaped_cert;`), which the
inbox trusts only with VANBAN_EXCHANGE_TRUST_CERT_HEADER and maps to a partner by the
certificate's SHA-256 fingerprint. Here that proxy is a real TLS server on loopback
(Python's ssl, `ssl_verify_client optional` semantics: a certificate is asked for,
checked when given, and any client-sent certificate header is dropped) in front of the
test's live server. The sender is HttpTransport with VANBAN_EXCHANGE_CLIENT_CERT/_KEY and
VANBAN_EXCHANGE_CA_BUNDLE, in-process and as a `vanban exchange deliver` subprocess
configured only through the environment."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils import timezone

from vanban.exchange import edxml, outbox, partners
from vanban.exchange.models import OutboxMessage, Partner, ReceivedMessage
from vanban.exchange.tests.conftest import simple_message
from vanban.exchange.tests.test_loopback import _database_url
from vanban.exchange.transport import HttpTransport

pytestmark = pytest.mark.django_db(transaction=True)

STRIPPED = ("x-client-cert", "x-client-cert-fingerprint")  # never believed from the client side


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _certificate(cn: str, key: Any, issuer: tuple[x509.Certificate, Any] | None, *, ca: bool = False,
                 server: bool = False, days: int = 2) -> x509.Certificate:  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    issuer_name, issuer_key = (issuer[0].subject, issuer[1]) if issuer else (_name(cn), key)
    builder = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(issuer_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))  # fmt: skip
    if ca:
        builder = builder.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                      content_commitment=False, key_encipherment=False,
                                                      data_encipherment=False, key_agreement=False,
                                                      encipher_only=False, decipher_only=False), critical=True)  # fmt: skip
    else:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)  # fmt: skip
    if issuer:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),
                                        critical=False)  # fmt: skip
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass
class Pki:
    ca: Path  # the CA both sides trust (the ministry's server and client certificates)
    server_cert: Path
    server_key: Path
    client_cert: Path  # registered with the receiver
    client_key: Path
    client_pem: str
    unregistered_cert: Path  # same CA, not in the receiver's directory
    unregistered_key: Path
    rogue_ca: Path  # another CA, trusted by nobody
    rogue_cert: Path  # its certificate with the registered one's name
    rogue_key: Path
    fingerprint: str


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    root = tmp_path / "pki"
    root.mkdir()

    def save(name: str, certificate: x509.Certificate, key: Any) -> tuple[Path, Path]:
        cert_path, key_path = root / f"{name}.crt", root / f"{name}.key"
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))  # fmt: skip
        return cert_path, key_path

    ca_key, rogue_ca_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("CA liên thông thử nghiệm", ca_key, None, ca=True)
    rogue_ca = _certificate("CA lạ", rogue_ca_key, None, ca=True)
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(4)]
    server = _certificate("127.0.0.1", keys[0], (ca, ca_key), server=True)
    client = _certificate("000.00.00.G02 Bộ Công Thương", keys[1], (ca, ca_key))
    unregistered = _certificate("000.00.00.G02 chứng thư khác", keys[2], (ca, ca_key))
    rogue = _certificate("000.00.00.G02 Bộ Công Thương", keys[3], (rogue_ca, rogue_ca_key))
    ca_path, _ = save("ca", ca, ca_key)
    rogue_ca_path, _ = save("rogue-ca", rogue_ca, rogue_ca_key)
    server_paths = save("server", server, keys[0])
    client_paths = save("client", client, keys[1])
    unregistered_paths = save("unregistered", unregistered, keys[2])
    rogue_paths = save("rogue", rogue, keys[3])
    return Pki(ca_path, *server_paths, *client_paths, client_paths[0].read_text(), *unregistered_paths, rogue_ca_path,
               *rogue_paths, client.fingerprint(hashes.SHA256()).hex())  # fmt: skip


class _Proxy(BaseHTTPRequestHandler):
    """TLS ends here; the verified client certificate goes on as X-Client-Cert (URL-escaped
    PEM, as nginx's $ssl_client_escaped_cert), never one the client wrote itself."""

    backend = ""
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in (*STRIPPED, "host", "content-length")}
        der = self.connection.getpeercert(binary_form=True)  # type: ignore[attr-defined]
        if der:
            headers["X-Client-Cert"] = quote(ssl.DER_cert_to_PEM_cert(der))
        upstream = requests.post(self.backend + self.path, data=body, headers=headers, timeout=60,
                                 allow_redirects=False)  # fmt: skip
        self.send_response(upstream.status_code)
        self.send_header("Content-Type", upstream.headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(upstream.content)))
        self.end_headers()
        self.wfile.write(upstream.content)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return


@pytest.fixture
def proxy(pki: Pki, live_server: Any, settings: Any) -> Iterator[str]:
    settings.VANBAN_EXCHANGE_TRUST_CERT_HEADER = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki.ca))
    context.load_cert_chain(str(pki.server_cert), str(pki.server_key))
    context.verify_mode = ssl.CERT_OPTIONAL
    handler = type("Proxy", (_Proxy,), {"backend": live_server.url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def ministry(own_h41: Any, pki: Pki, proxy: str) -> Partner:
    """The ministry in our directory: known by its certificate only (no token); its inbox
    is behind the same proxy, so sending to it comes back to our own inbox."""
    return partners.create_partner(actor=None, data=partners.PartnerData(
        organ_id="000.00.00.G02", name="Bộ Công Thương", endpoint=proxy, cert_fingerprint=pki.fingerprint))  # fmt: skip


def _send(settings: Any, partner: Partner, data: bytes, *, cert: Any, ca: Path) -> Any:
    settings.VANBAN_EXCHANGE_CLIENT_CERT = cert
    settings.VANBAN_EXCHANGE_CA_BUNDLE = str(ca)
    return HttpTransport(timeout=60).send(partner, data, message_id="mtls-thu-nghiem")


def test_only_the_registered_client_certificate_gets_in(ministry: Partner, pki: Pki, proxy: str, settings: Any,
                                                        isolated_storage: Any) -> None:  # fmt: skip
    data = edxml.build_document(simple_message())

    # No certificate: TLS is fine (the proxy only asks), the inbox knows nobody.
    result = _send(settings, ministry, data, cert="", ca=pki.ca)
    assert (result.ok, result.permanent) == (False, True) and result.detail.startswith("HTTP 401"), result
    assert "partner_unauthenticated" in result.detail
    # Nor does a certificate header written by the client itself reach vanban.
    forged = requests.post(f"{proxy}/api/v1/exchange/inbox", data=data, verify=str(pki.ca), timeout=60,
                           headers={"Content-Type": "application/xml", "X-Client-Cert": quote(pki.client_pem),
                                    "X-Client-Cert-Fingerprint": pki.fingerprint})  # fmt: skip
    assert forged.status_code == 401, forged.text
    # A certificate from a CA the proxy does not trust: the handshake fails; a temporary
    # failure for the outbox (the partner may be fixing its trust store).
    result = _send(settings, ministry, data, cert=(str(pki.rogue_cert), str(pki.rogue_key)), ca=pki.ca)
    assert (result.ok, result.permanent) == (False, False) and "SSL" in result.detail, result
    # A trusted CA's certificate that is not the one registered for the ministry.
    result = _send(settings, ministry, data, cert=(str(pki.unregistered_cert), str(pki.unregistered_key)), ca=pki.ca)
    assert (result.ok, result.permanent) == (False, True) and result.detail.startswith("HTTP 401"), result
    # Our CA bundle does not hold the CA of the partner's server certificate: we refuse it.
    result = _send(settings, ministry, data, cert=(str(pki.client_cert), str(pki.client_key)), ca=pki.rogue_ca)
    assert not result.ok and "CERTIFICATE_VERIFY_FAILED" in result.detail, result
    assert ReceivedMessage.objects.count() == 0

    # The registered certificate, the partner's CA trusted: stored, and once only.
    result = _send(settings, ministry, data, cert=(str(pki.client_cert), str(pki.client_key)), ca=pki.ca)
    assert result.ok and result.detail == "HTTP 201", result
    (row,) = ReceivedMessage.objects.all()
    assert (str(row.pk), row.from_organ_id, row.channel) == (result.remote_id, "000.00.00.G02", "http")
    again = _send(settings, ministry, data, cert=(str(pki.client_cert), str(pki.client_key)), ca=pki.ca)
    assert again.ok and again.detail == "HTTP 200" and again.remote_id == result.remote_id


def test_the_worker_sends_with_the_certificate_configured_in_its_environment(
    ministry: Partner, pki: Pki, isolated_storage: Path, tmp_path: Path,
) -> None:
    data = edxml.build_document(simple_message())
    row = outbox.enqueue(partner=ministry, kind=OutboxMessage.Kind.DOCUMENT, data=data, key="mtls-worker-1",
                         document_id="000.00.00.G02,2026/03/05,125/BCT-XNK")  # fmt: skip
    env = {**os.environ, "VANBAN_DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "vanban.settings",
           "VANBAN_MEDIA_ROOT": str(isolated_storage), "VANBAN_EXCHANGE_CLIENT_CERT": str(pki.client_cert),
           "VANBAN_EXCHANGE_CLIENT_KEY": str(pki.client_key), "VANBAN_EXCHANGE_CA_BUNDLE": str(pki.ca)}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def deliver(**extra: str) -> str:
        done = subprocess.run([sys.executable, "-m", "vanban.cli", "exchange", "deliver"], env={**env, **extra},
                              capture_output=True, timeout=300, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return done.stdout.decode()

    # Without our certificate the partner does not know us: refused, a dead letter.
    deliver(VANBAN_EXCHANGE_CLIENT_CERT="", VANBAN_EXCHANGE_CLIENT_KEY="")
    row.refresh_from_db()
    assert row.state == "dead" and row.last_error.startswith("HTTP 401"), row.last_error
    assert ReceivedMessage.objects.count() == 0
    # The partner registers our certificate; the row is due again (as after «Gửi lại»).
    OutboxMessage.objects.filter(pk=row.pk).update(state="pending", attempts=0, last_error="",
                                                   next_attempt_at=timezone.now())  # fmt: skip

    deliver()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, ""), row.last_error
    (received,) = ReceivedMessage.objects.all()
    assert received.document_id == "000.00.00.G02,2026/03/05,125/BCT-XNK"
