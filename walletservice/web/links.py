"""The customer links of a pass: its page, its .pkpass, the owner's preview and the
page of its bundle (Passcreator's bundleId).

The download id (or the bundle's signed token) is the only secret in them, never the
serial, the pass id or the bundleId.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from sqlalchemy.orm import object_session

from walletservice.models import Campaign, Pass
from walletservice.services.campaign_pages import campaign_page_token
from walletservice.services.distributions import distribution_id
from walletservice.services.download_page import preview_token
from walletservice.services.google_sync import google_enabled, save_links
from walletservice.services.passcreator.bundles import bundle_id_of, bundle_token


def pkpass_path(pass_: Pass) -> str:
    return f"/download/{pass_.download_id}.pkpass"


def page_path(pass_: Pass) -> str:
    """The download page (Passworks' `page_url`); see walletservice.web.pages."""
    return f"/p/{pass_.download_id}"


def campaign_page_path(campaign_id: str) -> str:
    """The campaign's own page (Passworks' campaign `page_url`); see walletservice.web.campaign_pages."""
    return f"/d/{campaign_page_token(current_app.config['WALLET_SECRET_KEY'], campaign_id)}"


def campaign_distribution(campaign: Campaign) -> dict[str, Any]:
    """The campaign's one distribution as coupon.md lists it; the short links are the long ones."""
    page = public_url(campaign_page_path(campaign.id))
    links = {"page_url": page, "pkpass_url": f"{page}/pass.pkpass", "preview_url": f"{page}/preview.png"}
    return {
        "id": distribution_id(campaign.id), "distribution_type": "downloadPage", "state": campaign.state,
        **links, **{name.replace("_url", "_short_url"): url for name, url in links.items()},
        "created_at": campaign.created_at, "updated_at": campaign.updated_at, "published_at": campaign.created_at,
    }


def bundle_path(organization_id: str, bundle_id: str) -> str:
    """The bundle page; see walletservice.web.bundles."""
    return f"/b/{bundle_token(current_app.config['WALLET_SECRET_KEY'], organization_id, bundle_id)}"


def bundle_url(pass_: Pass) -> str | None:
    """The page of the pass's bundle, None when it has no bundleId."""
    bundle_id = bundle_id_of(pass_)
    return public_url(bundle_path(pass_.organization_id, bundle_id)) if bundle_id else None


def customer_link(pass_: Pass) -> str:
    """The one link a customer is sent (v3 `downloadPage`, sendout mails): the bundle's page
    for a pass with a bundleId, else the pass's own page."""
    return bundle_url(pass_) or public_url(page_path(pass_))


def preview_url(pass_: Pass) -> str:
    """The page with the owner's notes; the token is signed with the app secret."""
    token = preview_token(current_app.config["WALLET_SECRET_KEY"], pass_)
    return f"{public_url(page_path(pass_))}?preview={token}"


def public_url(path: str) -> str:
    """A customer page's URL: on WALLET_PAGES_URL when set (walletservice.web.origins)."""
    return str(current_app.config["WALLET_PAGES_URL"] or current_app.config["WALLET_PUBLIC_URL"]) + path


def google_save_url(pass_: Pass, campaign: Campaign) -> str | None:
    """The pass's "Save to Google Wallet" link once its object exists at Google (services.google_sync)."""
    if not google_enabled(campaign):
        return None
    session = object_session(pass_)
    assert session is not None  # answered inside the transaction that loaded it
    return save_links(session, [pass_], {campaign.id: campaign}, current_app.config).get(pass_.id)
