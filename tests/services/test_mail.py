"""walletservice.mail: the mail settings read from the configuration, and the message built."""

from __future__ import annotations

import pytest

from walletservice.config import load_settings
from walletservice.mail import MailSettings, OutgoingMail, build_message


def settings(url: str, sender: str = "passes@example.com") -> MailSettings | None:
    return MailSettings.from_config(load_settings(environ={}, overrides={
        "WALLET_SMTP_URL": url, "WALLET_MAIL_FROM": sender}))


def test_no_url_or_no_sender_means_no_mail() -> None:
    assert settings("") is None
    assert settings("smtp://mail.example.com", sender="") is None


def test_the_url_gives_security_port_and_percent_decoded_credentials() -> None:
    starttls = settings("smtp://ada%40example.com:p%3Ass@mail.example.com")
    implicit = settings("smtps://mail.example.com")
    local = settings("smtp://127.0.0.1:2525")

    assert starttls is not None and implicit is not None and local is not None
    assert (starttls.scheme, starttls.port, starttls.username, starttls.password) == (
        "smtp", 587, "ada@example.com", "p:ss")
    assert (implicit.scheme, implicit.port, implicit.username) == ("smtps", 465, None)
    assert local.port == 2525 and local.is_loopback and not starttls.is_loopback


def test_a_url_of_another_scheme_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError) as refused:
        load_settings(environ={"WALLET_SMTP_URL": "http://user:secret@mail.example.com"})
    assert "WALLET_SMTP_URL" in str(refused.value) and "secret" not in str(refused.value)


def test_an_unencoded_password_is_refused_without_echoing_any_of_it() -> None:
    # "#" ends the address part, so urlsplit reads "s3cr" as the port of the host "user".
    url = "smtp://user:s3cr#t-Pa55@mail.example.com:587"
    for refuse in (lambda: load_settings(environ={"WALLET_SMTP_URL": url}), lambda: settings(url)):
        with pytest.raises(ValueError) as refused:
            refuse()
        assert "WALLET_SMTP_URL" in str(refused.value) and "s3cr" not in str(refused.value)
        assert "percent-encode" in str(refused.value)


def test_the_password_is_not_in_the_settings_repr() -> None:
    configured = settings("smtp://ada:s3cret-Pa55@mail.example.com")
    assert configured is not None and "s3cret-Pa55" not in repr(configured)


def test_a_subject_cannot_carry_a_line_break_into_the_headers() -> None:
    message = build_message("passes@example.com", OutgoingMail(
        to="ada@example.com", subject="Hi\r\nBcc: eve@example.com", text="Hello"))

    assert message["Subject"] == "Hi Bcc: eve@example.com" and message["Bcc"] is None
    assert message.get_content_type() == "text/plain"
