"""A campaign's own download page: its one distribution (Passworks' `distributions`,
`downloadPage`), where anyone with the link gets a new pass of the campaign, or is sent on
to the campaign's `remote_form_url` (advanced-features.md). docs/download-page.md.

The page's id is the campaign id signed with the app secret, so the link cannot be
guessed from the campaign id and opens nothing else.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from itsdangerous import BadSignature
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput, NotFound
from walletservice.models import Campaign, Pass
from walletservice.plumbing.signed_values import load_signed, sign_value
from walletservice.services.passes import ISSUING_STATES, create_integrator_pass
from walletservice.services.public_events import PublicVisit, first_in_window

CAMPAIGN_PAGE_SALT = "walletservice campaign page"
# A pass issued from the page, per client address and window (services.public_events).
ISSUED_KIND = "issued"
MAX_REMOTE_FORM_URL_LENGTH = 2048


def campaign_page_token(secret: str, campaign_id: str) -> str:
    # Signer (itsdangerous, app secret, salt CAMPAIGN_PAGE_SALT). Bytes: the campaign id.
    # Who: the tenant's API key holder reading its campaign (the link is in the answer).
    return sign_value(secret, CAMPAIGN_PAGE_SALT, campaign_id)


def open_campaign_page(session: Session, secret: str, token: str) -> Campaign:
    """The campaign of a page token this service signed; NotFound otherwise (also once deleted)."""
    try:
        campaign_id = load_signed(secret, CAMPAIGN_PAGE_SALT, token)
    except BadSignature:
        raise NotFound("campaign not found") from None
    campaign = session.get(Campaign, campaign_id) if isinstance(campaign_id, str) else None
    if campaign is None:
        raise NotFound("campaign not found")
    return campaign


def check_remote_form_url(url: str) -> str:
    """An absolute http(s) URL: the customer's browser is sent there (so, unlike a
    webhook URL, any host the customer can reach is fine)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("remote_form_url must be an absolute http:// or https:// URL")
    if len(url) > MAX_REMOTE_FORM_URL_LENGTH or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise InvalidInput(f"remote_form_url must be at most {MAX_REMOTE_FORM_URL_LENGTH} characters, "
                           "without spaces or control characters")
    return url


def remote_form_redirect(remote_form_url: str, campaign_id: str) -> str:
    """advanced-features.md: http://example.org -> http://example.org?campaign_id=<id>; a
    query the URL has is kept, and a campaign_id in it is replaced."""
    parts = urlsplit(remote_form_url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
             if name != "campaign_id"]
    query.append(("campaign_id", campaign_id))
    return urlunsplit(parts._replace(query=urlencode(query)))


def issues_passes(campaign: Campaign) -> bool:
    return campaign.state in ISSUING_STATES


def issue_from_page(session: Session, campaign: Campaign, visit: PublicVisit) -> Pass | None:
    """A new pass of the campaign, as `POST .../passes` with an empty body would issue; None
    when this client address already got one from this page in the current window, so a
    loop over the link cannot fill the database. StateConflict while paused or archived."""
    if not first_in_window(session, campaign.id, ISSUED_KIND, visit):
        return None
    return create_integrator_pass(session, campaign, {})
