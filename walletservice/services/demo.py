"""A demo organization, campaign and pass, to try the web service end to end."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.models import Campaign, Pass
from walletservice.services import organizations
from walletservice.services.assets import create_asset
from walletservice.services.campaigns import create_campaign
from walletservice.services.certificates import CertificateStore, default_certificate
from walletservice.services.dashboard_users import create_user, find_user, set_password
from walletservice.services.passes import issue_pass

DEMO_ORGANIZATION = "walletservice demo"
DEMO_CAMPAIGN = "Demo store card"
DEMO_SERIAL = "demo-0001"
DEMO_DASHBOARD_EMAIL = "demo@walletservice.invalid"  # .invalid (RFC 2606): never a real mailbox


@dataclass(frozen=True)
class DemoPass:
    organization_id: str
    api_key: str
    pass_: Pass
    dashboard_email: str
    dashboard_password: str


def _demo_icon_png() -> bytes:
    image = Image.new("RGBA", (174, 174), (18, 94, 160, 255))
    ImageDraw.Draw(image).ellipse((37, 37, 137, 137), fill=(255, 255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


DEMO_DESIGN = {
    "style": "storeCard",
    "organizationName": "walletservice demo",
    "description": "walletservice demo store card",
    "logoText": "Demo",
    "foregroundColor": "#ffffff",
    "backgroundColor": "#125ea0",
    "labelColor": "#d0e4f5",
    "primaryFields": [{"key": "balance", "label": "BALANCE", "value": 0,
                       "currencyCode": "EUR", "changeMessage": "Balance is now %@"}],
    "secondaryFields": [{"key": "member", "label": "MEMBER", "value": "Demo Customer"}],
    "backFields": [{"key": "about", "label": "ABOUT", "value": "Issued by walletservice."}],
    "barcode": {"format": "qrcode", "message": DEMO_SERIAL, "altText": DEMO_SERIAL},
}


def ensure_demo_pass(session: Session, certificates: CertificateStore) -> DemoPass:
    """Create what is missing; a new API key and dashboard password are issued on every
    call (only hashes are kept)."""
    organization = organizations.find_organization_by_name(session, DEMO_ORGANIZATION)
    if organization is None:
        issued = organizations.create_organization(session, DEMO_ORGANIZATION)
    else:
        issued = organizations.issue_api_key(session, organization)
    organization = issued.organization
    campaign = session.execute(
        select(Campaign).where(Campaign.organization_id == organization.id, Campaign.name == DEMO_CAMPAIGN)
    ).scalar_one_or_none()
    if campaign is None:
        certificate = default_certificate(session, organization.id)
        icon = create_asset(session, organization, "icon", _demo_icon_png())
        campaign = create_campaign(
            session, organization, name=DEMO_CAMPAIGN,
            design={**DEMO_DESIGN, "images": {"icon": icon.id}},
            signer=certificates.signer_for(certificate), certificate=certificate,
        )
    pass_ = session.execute(
        select(Pass).where(Pass.campaign_id == campaign.id, Pass.serial_number == DEMO_SERIAL)
    ).scalar_one_or_none()
    if pass_ is None:
        pass_ = issue_pass(session, campaign, {}, serial_number=DEMO_SERIAL)
    password = _demo_dashboard_password(session, organization.id)
    return DemoPass(organization.id, issued.api_key, pass_, DEMO_DASHBOARD_EMAIL, password)


def _demo_dashboard_password(session: Session, organization_id: str) -> str:
    """The demo owner's new password (the user is created on first use)."""
    password = secrets.token_urlsafe(12)
    user = find_user(session, DEMO_DASHBOARD_EMAIL)
    if user is None:
        create_user(session, DEMO_DASHBOARD_EMAIL, organization_id, "owner", password)
    else:
        set_password(session, user, password)
    return password
