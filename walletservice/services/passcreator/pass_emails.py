"""Passcreator's email sendout: a pass created or updated with `emailRecipient` is mailed
to that address when its template (campaign) has an email sendout (docs/passcreator-v3.md).

The sendout is the campaign setting `email_sendout` (services.sendout_templates). The
mail is rendered when it is queued, as one background job per mail written in the
transaction of the pass change, and sent by the job worker over SMTP (walletservice.mail).
The job system retries a failed send with backoff and records the job failed after the
last attempt.
At least once: a worker that dies after the server took the mail but before the job
committed sends it again.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from walletservice.errors import BadRequest
from walletservice.queue.jobs import ChunkResult, enqueue_job
from walletservice.mail import MailSettings, OutgoingMail, send_mail
from walletservice.models import BackgroundJob, Campaign, Pass
from walletservice.services.events import record_pass_event
from walletservice.services.passcreator.sendout_templates import email_sendout, placeholder_values, render

EMAIL_KIND = "v3_pass_email"
RECIPIENT_KEY = "emailRecipient"


class MailNotConfigured(RuntimeError):
    """Raised by the job when the server lost its mail settings after the mail was queued."""


def requested_recipient(campaign: Campaign, data: Mapping[str, Any], mail_configured: bool) -> str | None:
    """The normalized address to mail the pass to, or None when no mail is due: Passcreator
    sends only when the template has an email sendout, and ignores emailRecipient otherwise."""
    address = data.get(RECIPIENT_KEY)
    if address in (None, "") or email_sendout(campaign) is None:
        return None
    if not mail_configured:
        raise BadRequest(f"{RECIPIENT_KEY}: template {campaign.id} sends passes by email, but this server has "
                         "no mail server configured (WALLET_SMTP_URL, WALLET_MAIL_FROM); nothing was created")
    if not isinstance(address, str):
        raise BadRequest(f"{RECIPIENT_KEY} must be a string")
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise BadRequest(f"{RECIPIENT_KEY}: {exc}") from None


def enqueue_pass_email(session: Session, campaign: Campaign, pass_: Pass, recipient: str | None,
                       download_page: str | None) -> BackgroundJob | None:
    """Render the sendout for the pass as it is now and queue it, in the pass's transaction;
    nothing when requested_recipient answered no address."""
    if recipient is None:
        return None
    sendout = email_sendout(campaign)
    assert sendout is not None and download_page  # requested_recipient answered an address
    values = placeholder_values(campaign, pass_, download_page)
    payload = {"pass_id": pass_.id, "to": recipient,
               "subject": render(sendout["subject"], values), "text": render(sendout["text"], values)}
    return enqueue_job(session, pass_.organization_id, EMAIL_KIND, payload, total=1)


def send_pass_email(session: Session, job: BackgroundJob, settings: MailSettings | None) -> ChunkResult:
    """The job `v3_pass_email` (registered in services.passcreator.jobs): send, then record the pass's
    `emailed` event. An SMTP error raises, so the job system retries it."""
    pass_ = session.get(Pass, job.payload["pass_id"])
    if pass_ is None:  # deleted before its mail went out: its link would lead nowhere
        return ChunkResult(cursor=None, processed=1, failed=1, done=True,
                           errors=[{"id": job.payload["pass_id"], "error": "the pass was deleted before sending"}])
    if settings is None:
        raise MailNotConfigured("WALLET_SMTP_URL / WALLET_MAIL_FROM are no longer set")
    try:
        send_mail(settings, OutgoingMail(to=job.payload["to"], subject=job.payload["subject"],
                                         text=job.payload["text"]))
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
        refusal = _permanent_refusal(exc)
        if refusal is None:
            raise  # 4xx: the server asks to try again later; the job system retries
        return ChunkResult(cursor=None, processed=1, failed=1, done=True,
                           errors=[{"id": pass_.id, "error": refusal}])
    record_pass_event(session, "emailed", pass_)
    return ChunkResult(cursor=None, processed=1, done=True, result={"identifier": pass_.id})


def _permanent_refusal(exc: smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError) -> str | None:
    """A 5xx for the address or the mail (RFC 5321: permanent): retrying sends nothing more,
    so it is reported at once. None for a 4xx (transient)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
    else:
        code, reply = exc.smtp_code, exc.smtp_error
    if code < 500:
        return None
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return f"the mail server refused the mail for good: {code} {text}"
