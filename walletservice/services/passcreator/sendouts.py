"""A pass's sendouts: the e-mail (services.passcreator.pass_emails) and the text message
(services.passcreator.pass_sms) a v3 create or single update asks for.

Both are checked before anything is written (an invalid address or number, or a sendout
the server cannot make, is 400) and queued in the transaction that writes the pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from walletservice.errors import BadRequest
from walletservice.models import Campaign, Pass
from walletservice.services.passcreator.pass_emails import RECIPIENT_KEY, enqueue_pass_email, requested_recipient
from walletservice.services.passcreator.pass_sms import PHONE_KEY, enqueue_pass_sms, requested_phone


@dataclass(frozen=True)
class Recipients:
    """Where this pass goes: None where the request (or the template) asks for no sendout."""

    email: str | None = None
    phone: str | None = None

    @property
    def any(self) -> bool:
        return self.email is not None or self.phone is not None


def requested_recipients(campaign: Campaign, data: Mapping[str, Any], *, mail_configured: bool,
                         sms_configured: bool) -> Recipients:
    return Recipients(email=requested_recipient(campaign, data, mail_configured),
                      phone=requested_phone(campaign, data, sms_configured))


def refuse_bulk_recipients(data: Mapping[str, Any]) -> None:
    """A bulk update sends nothing: one address or number for many passes is a mistake, said at once."""
    for key in (RECIPIENT_KEY, PHONE_KEY):
        if data.get(key) not in (None, ""):
            raise BadRequest(f"{key} cannot be used in a bulk update")


def enqueue_sendouts(session: Session, campaign: Campaign, pass_: Pass, recipients: Recipients,
                     download_page: str | None) -> None:
    """download_page: the link the API answers as downloadPage (the bundle's page for a bundled pass)."""
    enqueue_pass_email(session, campaign, pass_, recipients.email, download_page)
    enqueue_pass_sms(session, campaign, pass_, recipients.phone, download_page)
