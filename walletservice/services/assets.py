"""Images uploaded once and used by campaigns and passes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput, NotFound, StateConflict
from walletservice.models import Asset, AssetRendition, Campaign, Organization, Pass
from walletservice.passkit.images import IMAGE_ROLES, ImageError, render_image_set
from walletservice.passkit.upcoming_events import KEY as UPCOMING_KEY
from walletservice.services.collection_filters import Attribute, FilterSpec
from walletservice.services.lookups import lock_or_not_found, one_or_not_found
from walletservice.passkit.poster_images import PNG_HEADER_BYTES, poster_images
from walletservice.services.pass_content import LOCALIZED_IMAGES, bundle_image_assets
from walletservice.services.passworks_mapping import IMAGE_ATTRIBUTES, UPCOMING_EVENTS
from walletservice.services.upcoming_images import upcoming_asset_ids

MAX_FILENAME_CHARS = 255

ASSET_FILTERS = FilterSpec({
    "id": Attribute(Asset.id, str),
    "asset_type": Attribute(Asset.asset_type, str),
    "created_at": Attribute(Asset.created_at, dt.datetime),
}, tiebreaker=Asset.id)


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
    asset = Asset(
        organization_id=organization.id, asset_type=asset_type,
        original_filename=_clean_filename(original_filename),
    )
    asset.renditions = [AssetRendition(file_name=name, content=content) for name, content in files.items()]
    session.add(asset)
    session.flush()
    return asset


def _clean_filename(name: str | None) -> str | None:
    # Kept for people only; PostgreSQL refuses NUL and the column holds 255 characters.
    if not name:
        return None
    return name.replace("\x00", "")[:MAX_FILENAME_CHARS] or None


def assets_of(organization_id: str) -> Select[tuple[Asset]]:
    return select(Asset).where(Asset.organization_id == organization_id)


def get_asset(session: Session, organization_id: str, asset_id: str) -> Asset:
    """The organization's asset; another organization's id is simply not found."""
    return one_or_not_found(session, assets_of(organization_id).where(Asset.id == asset_id), "asset")


def rendition_names(session: Session, asset_ids: list[str]) -> dict[str, list[str]]:
    """File names per asset, smallest scale first, without loading the images."""
    names: dict[str, list[str]] = {asset_id: [] for asset_id in asset_ids}
    rows = session.execute(
        select(AssetRendition.asset_id, AssetRendition.file_name)
        .where(AssetRendition.asset_id.in_(asset_ids))
        .order_by(AssetRendition.asset_id, AssetRendition.file_name)
    )
    for asset_id, file_name in rows:
        names[asset_id].append(file_name)
    return names


def get_rendition(session: Session, organization_id: str, asset_id: str, file_name: str) -> AssetRendition:
    asset = get_asset(session, organization_id, asset_id)
    rendition = session.get(AssetRendition, (asset.id, file_name))
    if rendition is None:
        raise NotFound("asset file not found")
    return rendition


def asset_in_use(session: Session, asset: Asset) -> bool:
    """True while a campaign design or a pass of the organization shows the asset.

    `images` maps roles to asset ids and `localized_images` languages to such maps;
    searching their JSON text for the quoted id works the same on SQLite and PostgreSQL
    and covers every role, present or future.
    """
    quoted_id = f'"{asset.id}"'

    def referenced_by(model: type[Campaign] | type[Pass], column: Any) -> object:
        return exists().where(
            model.organization_id == asset.organization_id,
            column["images"].as_string().contains(quoted_id, autoescape=True)
            | column[LOCALIZED_IMAGES].as_string().contains(quoted_id, autoescape=True)
            # Wallet downloads upcoming events' images from us for as long as a pass names them.
            | column[UPCOMING_KEY].as_string().contains(quoted_id, autoescape=True),
        )

    return bool(session.scalar(select(
        referenced_by(Campaign, Campaign.design) | referenced_by(Pass, Pass.content)
    )))


def delete_asset(session: Session, organization_id: str, asset_id: str) -> None:
    """Delete an unused asset; 412 while a campaign or pass still shows it."""
    asset = lock_or_not_found(session, get_asset(session, organization_id, asset_id), "asset")
    if asset_in_use(session, asset):
        raise StateConflict("the asset is used by a campaign or a pass; remove it from them first", field="asset")
    session.delete(asset)
    session.flush()


def check_owned_images(session: Session, organization_id: str, attributes: Mapping[str, Any]) -> None:
    """Each image attribute names an asset of the caller, of the matching type; an upcoming
    event's image may be an asset of any type (Apple gives no size for them)."""
    check_owned_upcoming_images(session, organization_id, attributes.get(UPCOMING_EVENTS), UPCOMING_EVENTS)
    wanted = {name: str(attributes[name]) for name in IMAGE_ATTRIBUTES if attributes.get(name) is not None}
    if not wanted:
        return
    found = dict(session.execute(
        select(Asset.id, Asset.asset_type)
        .where(Asset.organization_id == organization_id, Asset.id.in_(set(wanted.values())))
    ).all())
    for name, asset_id in wanted.items():
        role = IMAGE_ATTRIBUTES[name]
        if asset_id not in found:
            raise InvalidInput(f"{name}: asset not found")
        if found[asset_id] != role:
            raise InvalidInput(f"{name}: the asset is {_article(found[asset_id])}, not {_article(role)}")


def check_owned_upcoming_images(session: Session, organization_id: str, entries: Any, path: str) -> None:
    """Each upcoming event's {"asset_id": ...} image names an asset of the organization."""
    wanted = upcoming_asset_ids(entries, path)
    if not wanted:
        return
    found = set(session.scalars(
        select(Asset.id).where(Asset.organization_id == organization_id, Asset.id.in_(set(wanted.values())))
    ))
    for path, asset_id in wanted.items():
        if asset_id not in found:
            raise InvalidInput(f"{path}: asset not found", field=path)


def _article(asset_type: str) -> str:
    return f"{'an' if asset_type[0] in 'aeiou' else 'a'} {asset_type}"


def poster_image_headers(session: Session, pass_json: Mapping[str, Any],
                         content: Mapping[str, Any]) -> dict[str, bytes]:
    """The PNG headers of the poster images' renditions the pass shows, named as in its bundle
    ("artwork@2x.png"), so their sizes are checked before the pass is stored. Only the first
    PNG_HEADER_BYTES of each are read: issuing many passes should not read every image."""
    shown = poster_images(pass_json)
    wanted = {name: asset for name, asset in bundle_image_assets(content).items()
              if name.rpartition("/")[2] in shown}
    if not wanted:
        return {}
    renditions: dict[str, dict[str, bytes]] = {}
    for asset_id, file_name, data in session.execute(
        select(AssetRendition.asset_id, AssetRendition.file_name,
               func.substr(AssetRendition.content, 1, PNG_HEADER_BYTES))
        .where(AssetRendition.asset_id.in_(set(wanted.values())))
    ):
        renditions.setdefault(asset_id, {})[file_name] = bytes(data)
    files: dict[str, bytes] = {}
    for name, asset_id in wanted.items():
        for file_name, data in renditions.get(asset_id, {}).items():
            suffix = file_name[file_name.index("@"):] if "@" in file_name else ".png"
            files[f"{name}{suffix}"] = data
    return files
