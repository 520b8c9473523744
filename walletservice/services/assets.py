"""Images uploaded once and used by campaigns and passes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput
from walletservice.models import Asset, AssetRendition, Organization
from walletservice.passkit.images import IMAGE_ROLES, ImageError, render_image_set


def create_asset(
    session: Session,
    organization: Organization,
    asset_type: str,
    data: bytes,
    *,
    original_filename: str | None = None,
    style: str | None = None,
) -> Asset:
    """Convert any common image to PNG at Apple's @1x/@2x/@3x sizes and store it."""
    if asset_type not in IMAGE_ROLES:
        raise InvalidInput(f"asset_type must be one of {', '.join(IMAGE_ROLES)}")
    try:
        files = render_image_set(data, asset_type, style)
    except ImageError as exc:
        raise InvalidInput(str(exc)) from None
    asset = Asset(organization_id=organization.id, asset_type=asset_type, original_filename=original_filename)
    asset.renditions = [AssetRendition(file_name=name, content=content) for name, content in files.items()]
    session.add(asset)
    session.flush()
    return asset
