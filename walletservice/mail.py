"""Sending one plain-text mail over SMTP (stdlib smtplib; Flask-free).

    settings = MailSettings.from_config(app.config)   # None: no mail server configured
    send_mail(settings, OutgoingMail(to="ada@example.com", subject="...", text="..."))

`smtp://` speaks STARTTLS and refuses to go on without it, except to a loopback host
(a development or test server), where it upgrades only when the server offers it.
`smtps://` is TLS from the first byte (port 465). Errors are smtplib's and OSError:
the caller (a background job) lets them fail the attempt, so it is retried.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from walletservice.plumbing.loopback import is_loopback_host

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


def smtp_url_parts(url: str) -> SplitResult:
    """The parts of WALLET_SMTP_URL; a ValueError that never echoes the URL, which carries
    the password (urlsplit's own errors quote it: "Port could not be cast ... as 's3cr'")."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or port == -1:
        raise ValueError("WALLET_SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://[user:pass@]host[:port]; "
                         "percent-encode / ? # @ : in the user name and password")
    return parts


def mail_configured(config: Mapping[str, Any]) -> bool:
    return bool(config["WALLET_SMTP_URL"] and config["WALLET_MAIL_FROM"])


@dataclass(frozen=True)
class MailSettings:
    scheme: str  # "smtp" (STARTTLS) or "smtps" (implicit TLS)
    host: str
    port: int
    username: str | None
    password: str | None = field(repr=False)  # never in a log line or a job's error
    sender: str
    timeout_seconds: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings | None:
        """None unless both WALLET_SMTP_URL and WALLET_MAIL_FROM are set."""
        if not mail_configured(config):
            return None
        parts = smtp_url_parts(config["WALLET_SMTP_URL"])
        return cls(
            scheme=parts.scheme, host=parts.hostname, port=parts.port or DEFAULT_PORTS[parts.scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=config["WALLET_MAIL_FROM"], timeout_seconds=float(config["WALLET_SMTP_TIMEOUT_SECONDS"]),
        )

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.host)


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str


class StartTlsUnavailable(smtplib.SMTPException):
    """The server offers no STARTTLS; credentials and the mail would travel in the clear."""


def build_message(sender: str, mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    # A header must not carry a line break (header injection); values come from pass data.
    message["Subject"] = " ".join(mail.subject.splitlines())
    message.set_content(mail.text)
    return message


def send_mail(settings: MailSettings, mail: OutgoingMail) -> None:
    """Deliver to the configured server; raises smtplib.SMTPException or OSError."""
    message = build_message(settings.sender, mail)
    with _connect(settings) as server:
        if settings.username:
            server.login(settings.username, settings.password or "")
        server.send_message(message)


def _connect(settings: MailSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.scheme == "smtps":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_seconds, context=context)
    server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
    try:
        server.ehlo()
        if server.has_extn("starttls"):
            server.starttls(context=context)
            server.ehlo()
        elif not settings.is_loopback:
            raise StartTlsUnavailable(f"{settings.host} offers no STARTTLS; refusing to send in the clear")
    except BaseException:
        server.close()
        raise
    return server
