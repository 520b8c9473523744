"""Sending one text message through a Twilio-compatible HTTP API (httpx; Flask-free).

    settings = SmsSettings.from_config(app.config)   # None: no SMS provider configured
    send_sms(settings, OutgoingSms(to="+4917012345678", body="..."))

Twilio's Messages resource: `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`,
form-encoded `To`, `From` and `Body`, HTTP Basic auth with the account SID and auth token.
Other providers that speak this API (or a proxy in front of one) are reached by
pointing WALLET_SMS_URL at them.

What the answer means (classify_answer): 2xx sent; 429, 408, 5xx and 401 (credentials the
operator can fix) are worth another try and raise SmsTryLater; any other 4xx (an invalid or blocked
number, a refused body) raises SmsRefused, which no retry would change. Connection errors
and timeouts are httpx's TransportError: also worth another try. The auth token is never
part of an exception or a repr.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from walletservice.plumbing.loopback import is_loopback_host

MESSAGES_PATH = "/2010-04-01/Accounts/{sid}/Messages.json"
# Status codes worth another attempt: rate limits, the provider's own failures, and
# credentials (an operator can fix them while the job waits, as for a failed SMTP login).
RETRIED_STATUSES = frozenset({401, 408, 429})
MAX_REASON_CHARS = 300


class SmsTryLater(Exception):
    """The provider could not take the message now (429, 5xx, 401): the job retries."""


class SmsRefused(Exception):
    """The provider refused the message for good (another 4xx): retrying would not help."""


def sms_url(raw: str) -> str:
    """WALLET_SMS_URL checked: https, or http to a loopback host only (the auth token
    travels in every request)."""
    value = raw.strip().rstrip("/")
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError("WALLET_SMS_URL must be https://host[:port][/path], e.g. https://api.twilio.com")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked
    except ValueError:
        raise ValueError("WALLET_SMS_URL: the port must be a number from 0 to 65535") from None
    if parts.username or parts.password:
        raise ValueError("WALLET_SMS_URL must not carry credentials: set WALLET_SMS_ACCOUNT_SID and "
                         "WALLET_SMS_AUTH_TOKEN")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError("WALLET_SMS_URL must use https unless the host is loopback (the auth token is sent)")
    return value


def sms_configured(config: Mapping[str, Any]) -> bool:
    return all(config[name] for name in ("WALLET_SMS_URL", "WALLET_SMS_ACCOUNT_SID",
                                         "WALLET_SMS_AUTH_TOKEN", "WALLET_SMS_FROM"))


@dataclass(frozen=True)
class SmsSettings:
    base_url: str
    account_sid: str
    auth_token: str = field(repr=False)  # never in a log line or a job's error
    sender: str
    timeout_seconds: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmsSettings | None:
        """None unless the URL, account SID, auth token and sender are all set."""
        if not sms_configured(config):
            return None
        return cls(base_url=sms_url(config["WALLET_SMS_URL"]), account_sid=config["WALLET_SMS_ACCOUNT_SID"],
                   auth_token=config["WALLET_SMS_AUTH_TOKEN"], sender=config["WALLET_SMS_FROM"],
                   timeout_seconds=float(config["WALLET_SMS_TIMEOUT_SECONDS"]))

    @property
    def messages_url(self) -> str:
        return self.base_url + MESSAGES_PATH.format(sid=quote(self.account_sid, safe=""))


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    body: str


@dataclass(frozen=True)
class SentSms:
    status: int
    message_id: str | None  # the provider's id of the message (Twilio: "sid")


def send_sms(settings: SmsSettings, message: OutgoingSms) -> SentSms:
    """Hand the message to the provider; raises SmsTryLater, SmsRefused or httpx.TransportError."""
    with httpx.Client(timeout=settings.timeout_seconds, follow_redirects=False) as client:
        response = client.post(settings.messages_url, auth=(settings.account_sid, settings.auth_token),
                               data={"To": message.to, "From": settings.sender, "Body": message.body},
                               headers={"Accept": "application/json"})
    return classify_answer(response.status_code, response.content)


def classify_answer(status: int, body: bytes) -> SentSms:
    """The provider's answer as a result or the exception that says what to do next."""
    details = _json_object(body)
    if 200 <= status < 300:
        message_id = details.get("sid")
        return SentSms(status=status, message_id=str(message_id) if message_id else None)
    reason = f"the SMS provider answered {status}{_provider_reason(details)}"
    if status in RETRIED_STATUSES or status >= 500:
        raise SmsTryLater(reason)
    raise SmsRefused(reason)


def _provider_reason(details: Mapping[str, Any]) -> str:
    """Twilio's error body: {"code": 21211, "message": "The 'To' number ... is not valid."}."""
    parts = [str(details[key]) for key in ("code", "message") if details.get(key) not in (None, "")]
    return (": " + " ".join(parts))[:MAX_REASON_CHARS] if parts else ""


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

