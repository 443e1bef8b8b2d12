"""Small helpers shared by tests in several folders."""

import email
import email.policy
import os
import re
import runpy
import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text as pdftotext reads it (poppler-utils; CI installs it)."""
    if not shutil.which("pdftotext"):
        if os.environ.get("PEERSPACE_REQUIRE_BROWSER") == "1":
            pytest.fail("pdftotext is missing: apt-get install poppler-utils")
        pytest.skip("pdftotext not installed: apt-get install poppler-utils")
    path = tmp_path / "read-back.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def without_tokens(html: str) -> str:
    """CSRF tokens are masked afresh on every response."""
    return re.sub(r'(CSRFToken": "|name="csrfmiddlewaretoken" value=")\w+', "", html)


def settings_from_env(monkeypatch, **env) -> dict:
    """The settings peerspace/settings.py makes from this environment, without
    touching the settings this test run uses."""
    from peerspace import settings as module

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(module.__file__)


def free_port() -> int:
    """A port nothing is listening on (yet) on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    to: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_body(("plain",)).get_content()


@dataclass
class SmtpSink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it's sent.

    `refuse` lists addresses it answers 550 for. With `tls_context` it offers
    STARTTLS and insists on it; with `login` it insists on that user/password.
    Stopped, its port is closed, as a dead mail server's is.
    """

    port: int = field(default_factory=free_port)
    refuse: set[str] = field(default_factory=set)
    tls_context: ssl.SSLContext | None = None
    login: tuple[str, str] | None = None
    received: list[Received] = field(default_factory=list)
    _controller: object = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        self.received.append(Received(envelope.mail_from, envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (
            isinstance(auth_data, LoginPassword)
            and (auth_data.login.decode(), auth_data.password.decode()) == self.login
        )
        return AuthResult(success=ok)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        options = {}
        if self.tls_context:
            options.update(tls_context=self.tls_context, require_starttls=True)
        if self.login:
            options.update(authenticator=self._authenticate, auth_required=True)
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, ready_timeout=5, **options
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def self_signed_certificate(folder) -> tuple[ssl.SSLContext, str]:
    """A TLS context for a server at 127.0.0.1, and its certificate's file:
    point SSL_CERT_FILE at that file and clients trust it."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = folder / "mail-server.pem"
    key_file = folder / "mail-server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, str(cert_file)


def lost_key_token(text: str = "Written under a key we no longer have") -> str:
    """Ciphertext made with a key nobody configured, as a lost key leaves it."""
    return "fernet:" + Fernet(Fernet.generate_key()).encrypt(text.encode()).decode()


def write_raw(model, pk: int, column: str, value: str) -> None:
    """Put a stored value straight into a row, past the ORM's encryption."""
    table, column = map(connection.ops.quote_name, (model._meta.db_table, column))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


def read_raw(model, pk: int, column: str) -> str:
    """A stored value as it is in the database, by the model's primary key."""
    table, column, key = map(
        connection.ops.quote_name,
        (model._meta.db_table, column, model._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {key} = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def assert_no_ciphertext(text: str, token: str) -> None:
    assert "fernet:" not in text
    assert token.removeprefix("fernet:")[:24] not in text


def env_for_this_database(keys: str) -> dict:
    """The environment of a manage.py or server started on the test database."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    return {**env, "FIELD_ENCRYPTION_KEYS": keys, "DEBUG": "0"}


class _FormReader(HTMLParser):
    """Reads one form's fields the way a browser would send them."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("action") or "") == self.action:
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            else:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, s in self._options if s] or [
                v for v, _ in self._options[:1]
            ]
            self.fields.extend((self._select, v) for v in chosen)
            self._select = None


def form_data(html: str, action: str) -> dict[str, list[str]]:
    """What a browser would send from the form posting to `action` ("" for a
    form with no action, which posts to its own page), before
    any button is pressed: every field as the page shows it (but the CSRF
    token, which is new on every page)."""
    reader = _FormReader(action)
    reader.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in reader.fields:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value)
    return data


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast, as the suite uses), counting every check it makes. Named in
    PASSWORD_HASHERS as tests.helpers.CountingHasher."""

    algorithm = "counted_md5"
    checks = 0

    def verify(self, password, encoded):
        CountingHasher.checks += 1
        return super().verify(password, encoded)
