"""Passcreator's bundleId: the passes of one organization that share it download with one
link, as one .pkpasses file (Flask-free; web/bundles.py renders the page).

The link carries a token signed with the app secret over (organization id, bundleId), the
way the owner's preview link is signed: integrators pick bundleIds like "order-1234", so
the bundleId alone must not lead to the passes. The token names the bundle by itself, so
no table is kept, and an async creation can answer the link before its pass exists.
The bundleId can be read from the token (signed, not encrypted): it is no secret.

Like the single download page: voided passes are listed as no longer valid and left out
of the file; expired passes stay (Wallet shows them as expired); passes that ask for their
download PIN are left out of the file and linked to their own page, which asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from walletservice.plumbing.signed_values import load_signed, sign_value
from walletservice.errors import BadRequest, DomainError, NotFound
from walletservice.models import Campaign, Pass
from walletservice.passkit.pkpasses import MAX_PASSES, PassBundleTooLarge, build_pkpasses, check_pkpasses_limits
from walletservice.services import download_page as pages
from walletservice.services.bundles import BundleContext, pass_bundle
from walletservice.services.download_pins import required_pin
from walletservice.plumbing.json_values import JsonString
from walletservice.services.public_events import PublicVisit

BUNDLE_SALT = "walletservice.v3-bundle"
BUNDLE_KEY = "bundleId"


class BundleTooLarge(DomainError):
    """The bundle holds more passes than Wallet takes from one download."""

    status = 409
    code = "bundle_too_large"


@dataclass(frozen=True)
class BundledPass:
    pass_: Pass
    campaign: Campaign
    pin_required: bool

    @property
    def downloadable(self) -> bool:
        """In the .pkpasses file: neither voided nor behind its download PIN."""
        return not self.pass_.voided and not self.pin_required


@dataclass(frozen=True)
class BundlePage:
    """One entry per pass; `page` is None for a pass behind its PIN (nothing of it is shown)."""

    entries: list[tuple[BundledPass, pages.DownloadPage | None]]
    downloadable: int
    too_large: str | None  # why the file cannot be offered, or None


def bundle_id_in(extra: Mapping[str, Any]) -> str | None:
    """The bundleId of a pass's extra; "" is none."""
    value = extra.get(BUNDLE_KEY)
    return value if isinstance(value, str) and value else None


def bundle_id_of(pass_: Pass) -> str | None:
    return bundle_id_in(pass_.extra or {})


def bundle_token(secret: str, organization_id: str, bundle_id: str) -> str:
    # Signer (itsdangerous, app secret, salt BUNDLE_SALT). Bytes: [organization id,
    # bundleId]. Who: the tenant's API key holder creating or reading a bundle.
    return sign_value(secret, BUNDLE_SALT, [organization_id, bundle_id])


def read_bundle_token(secret: str, token: str) -> tuple[str, str]:
    """(organization id, bundleId) of a token this service signed; NotFound otherwise."""
    try:
        value = load_signed(secret, BUNDLE_SALT, token)
    except BadSignature:
        raise NotFound("bundle not found") from None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)):
        raise NotFound("bundle not found")
    return value[0], value[1]


def _in_bundle(organization_id: str, bundle_id: str) -> ColumnElement[bool]:
    return and_(Pass.organization_id == organization_id, JsonString(Pass.extra, (BUNDLE_KEY,)) == bundle_id)


def bundled_passes(session: Session, organization_id: str, bundle_id: str) -> list[BundledPass]:
    """The bundle's passes in creation order; NotFound when it has none (all deleted)."""
    passes = list(session.scalars(
        select(Pass).where(_in_bundle(organization_id, bundle_id)).order_by(Pass.created_at, Pass.id)))
    if not passes:
        raise NotFound("bundle not found")
    campaigns = {campaign.id: campaign for campaign in session.scalars(
        select(Campaign).where(Campaign.id.in_({pass_.campaign_id for pass_ in passes})))}
    return [BundledPass(pass_, campaigns[pass_.campaign_id],
                        required_pin(pass_, campaigns[pass_.campaign_id]) is not None) for pass_ in passes]


def build_bundle_page(session: Session, bundled: Sequence[BundledPass]) -> BundlePage:
    entries = [(entry, None if entry.pin_required else pages.build_download_page(session, entry.pass_, entry.campaign))
               for entry in bundled]
    downloadable = sum(entry.downloadable for entry in bundled)
    try:
        check_pkpasses_limits(downloadable)
        too_large = None
    except PassBundleTooLarge as error:
        too_large = _too_large_message(error)
    return BundlePage(entries=entries, downloadable=downloadable, too_large=too_large)


def record_bundle_view(session: Session, bundled: Sequence[BundledPass], visit: PublicVisit) -> None:
    """A view of each pass the page shows (not those behind their PIN)."""
    for entry in bundled:
        if not entry.pin_required:
            pages.record_page_view(session, entry.pass_, visit)


def bundle_file(session: Session, bundled: Sequence[BundledPass], context: BundleContext,
                visit: PublicVisit | None) -> bytes:
    """The .pkpasses of the downloadable passes, each the cached signed .pkpass; with
    a visit (not a HEAD), a `downloaded` event per pass, as the single download records."""
    included = [entry.pass_ for entry in bundled if entry.downloadable]
    if not included:
        raise NotFound("no pass of this bundle can be downloaded without its own page")
    try:
        check_pkpasses_limits(len(included))  # before signing anything
        content = build_pkpasses([pass_bundle(session, pass_, context) for pass_ in included])
    except PassBundleTooLarge as error:
        raise BundleTooLarge(_too_large_message(error)) from None
    if visit is not None:
        for pass_ in included:
            pages.record_download(session, pass_, visit)
    return content


def _too_large_message(error: PassBundleTooLarge) -> str:
    return f"This bundle is too large to add at once ({error}). Add its passes one by one from their own pages."


def check_bundle_room(session: Session, organization_id: str, bundle_id: str | None,
                      pass_id: str | None = None) -> None:
    """400 before a pass joins a bundle that has MAX_PASSES passes (not voided) already:
    Wallet would refuse the file. The download checks again (concurrent joins, unvoiding)."""
    if not bundle_id:
        return
    condition = and_(_in_bundle(organization_id, bundle_id), Pass.voided.is_(False))
    if pass_id is not None:
        condition = and_(condition, Pass.id != pass_id)
    members = int(session.scalar(select(func.count()).select_from(Pass).where(condition)) or 0)
    if members >= MAX_PASSES:
        raise BadRequest(f"bundleId {bundle_id!r} has {members} passes already: "
                         f"Apple Wallet adds at most {MAX_PASSES} passes from one download")
