"""Passcreator's SMS sendout: a pass created or updated with `phoneRecipient` is sent to
that number as a text message when its template (campaign) has an SMS sendout
(docs/passcreator-v3.md, "SMS sendout").

The sendout is the campaign setting `sms_sendout` (services.passcreator.sendout_templates).
The message is rendered when it is queued, as one background job per message written in
the transaction of the pass change, and sent by the job worker through the configured
Twilio-compatible API (walletservice.sms). The job system retries 429, 5xx and connection
errors with its backoff and records the job failed after the last attempt; a number the
provider refuses for good ends the job at once with one failed item. At least once, as mail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from walletservice.errors import BadRequest
from walletservice.models import BackgroundJob, Campaign, Pass
from walletservice.queue.jobs import ChunkResult, enqueue_job
from walletservice.services.events import record_pass_event
from walletservice.services.passcreator.sendout_templates import placeholder_values, render, sms_sendout
from walletservice.sms import OutgoingSms, SmsRefused, SmsSettings, send_sms

SMS_KIND = "v3_pass_sms"
PHONE_KEY = "phoneRecipient"
# ITU-T E.164: "+", a country code that does not start with 0, at most 15 digits in all.
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
# Written between digit groups by people; dropped before the number is checked.
SEPARATORS = re.compile(r"[ \t().\-/]")


class SmsNotConfigured(RuntimeError):
    """Raised by the job when the server lost its SMS settings after the message was queued."""


def requested_phone(campaign: Campaign, data: Mapping[str, Any], sms_configured: bool) -> str | None:
    """The E.164 number to text the pass to, or None when no message is due: as for e-mail,
    Passcreator sends only when the template has an SMS sendout and ignores the number otherwise."""
    number = data.get(PHONE_KEY)
    if number in (None, "") or sms_sendout(campaign) is None:
        return None
    if not sms_configured:
        raise BadRequest(f"{PHONE_KEY}: template {campaign.id} sends passes by SMS, but this server has no SMS "
                         "provider configured (WALLET_SMS_URL and its credentials); nothing was created or changed")
    return e164_number(number)


def e164_number(number: Any) -> str:
    """The number in E.164 form (`+4917012345678`); spaces, dots, dashes, slashes and
    parentheses between digits are dropped. BadRequest naming phoneRecipient otherwise."""
    if not isinstance(number, str):
        raise BadRequest(f"{PHONE_KEY} must be a string: a phone number in E.164 form, e.g. +4917012345678")
    compact = SEPARATORS.sub("", number.strip())
    if not E164.fullmatch(compact):
        raise BadRequest(f"{PHONE_KEY}: {number[:40]!r} is not a phone number in E.164 form: '+', the country "
                         "code and the number, at most 15 digits, e.g. +4917012345678")
    return compact


def enqueue_pass_sms(session: Session, campaign: Campaign, pass_: Pass, phone: str | None,
                     download_page: str | None) -> BackgroundJob | None:
    """Render the sendout for the pass as it is now and queue it, in the pass's transaction;
    nothing when requested_phone answered no number."""
    if phone is None:
        return None
    sendout = sms_sendout(campaign)
    assert sendout is not None and download_page  # requested_phone answered a number
    text = render(sendout["text"], placeholder_values(campaign, pass_, download_page))
    return enqueue_job(session, pass_.organization_id, SMS_KIND, {"pass_id": pass_.id, "to": phone, "text": text},
                       total=1)


def send_pass_sms(session: Session, job: BackgroundJob, settings: SmsSettings | None) -> ChunkResult:
    """The job `v3_pass_sms`: send, then record the pass's `texted` event. SmsTryLater and
    connection errors raise, so the job system retries them."""
    pass_id = job.payload["pass_id"]
    pass_ = session.get(Pass, pass_id)
    if pass_ is None:  # deleted before its message went out: its link would lead nowhere
        return _failed(pass_id, "the pass was deleted before sending")
    if settings is None:
        raise SmsNotConfigured("WALLET_SMS_URL and its credentials are no longer set")
    try:
        sent = send_sms(settings, OutgoingSms(to=job.payload["to"], body=job.payload["text"]))
    except SmsRefused as exc:
        return _failed(pass_id, str(exc))
    record_pass_event(session, "texted", pass_)
    return ChunkResult(cursor=None, processed=1, done=True,
                       result={"identifier": pass_id, "providerMessageId": sent.message_id})


def _failed(pass_id: str, error: str) -> ChunkResult:
    return ChunkResult(cursor=None, processed=1, failed=1, done=True, errors=[{"id": pass_id, "error": error}])
