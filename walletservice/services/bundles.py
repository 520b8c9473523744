"""Signed .pkpass bundles for passes, cached per pass version."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.hot_reads import HotReads, PreparedRead
from walletservice.models import AssetRendition, Pass, PassBundle, SigningCertificate
from walletservice.models.base import utcnow
from walletservice.passkit.bundle import build_pkpass
from walletservice.passkit.design import PassIdentity, build_pass_json
from walletservice.services.certificates import CertificateStore
from walletservice.plumbing.memory_cache import ByteBudgetCache
from walletservice.services.pass_content import apple_design, bundle_image_assets
from walletservice.services.personalization import awaits_personalization
from walletservice.services.upcoming_images import with_hosted_upcoming_images

PKPASS_MIMETYPE = "application/vnd.apple.pkpass"


def _files_size(files: dict[str, bytes]) -> int:
    return sum(len(data) for data in files.values())


@dataclass(frozen=True)
class BundleContext:
    certificates: CertificateStore
    web_service_url: str
    # Per-process copies of immutable data: bundles per (pass id, update tag), and
    # image renditions per asset id. The database cache is shared by all processes.
    signed_cache: ByteBudgetCache[bytes] = field(default_factory=lambda: ByteBudgetCache(64 << 20, len))
    image_cache: ByteBudgetCache[dict[str, bytes]] = field(
        default_factory=lambda: ByteBudgetCache(16 << 20, _files_size)
    )
    # Where Wallet downloads upcoming events' images (web.hosted_images): the pages origin if any.
    images_url: str = ""


def pass_bundle(session: Session, pass_: Pass, context: BundleContext) -> bytes:
    """The signed bundle of the pass's current version, signing only on a cache miss."""
    key = (pass_.id, pass_.update_tag)
    content = context.signed_cache.get(key)
    if content is not None:
        return content
    cached = session.get(PassBundle, pass_.id)
    if cached is not None and cached.update_tag == pass_.update_tag:
        content = cached.content
    else:
        content = build_bundle(session, pass_, context)
        _store_in_cache(session, pass_, content)
    context.signed_cache.put(key, content)
    return content


_bundles = PassBundle.__table__.c
_STORED_BUNDLE = PreparedRead(
    select(_bundles.content).where(
        _bundles.pass_id == bindparam("pass_id"), _bundles.update_tag == bindparam("update_tag")
    )
)


def cached_bundle(reads: HotReads, context: BundleContext, pass_id: str, update_tag: int) -> bytes | None:
    """The signed bytes of this version if any process signed them already (no ORM)."""
    key = (pass_id, update_tag)
    content = context.signed_cache.get(key)
    if content is None:
        rows = _STORED_BUNDLE.rows(reads, {"pass_id": pass_id, "update_tag": update_tag})
        content = bytes(rows[0][0]) if rows else None
        if content is not None:
            context.signed_cache.put(key, content)
    return content


def build_bundle(session: Session, pass_: Pass, context: BundleContext) -> bytes:
    certificate = session.get(SigningCertificate, pass_.certificate_id) if pass_.certificate_id else None
    signer = context.certificates.signer_for(certificate)
    identity = PassIdentity(
        pass_type_identifier=pass_.pass_type_identifier,
        team_identifier=pass_.team_identifier,
        serial_number=pass_.serial_number,
        authentication_token=pass_.authentication_token,
        web_service_url=context.web_service_url,
    )
    # build_pkpass runs every pass.json rule, so the design step need not repeat them.
    content = with_hosted_upcoming_images(
        pass_.content, context.images_url, lambda asset_id: _asset_files(session, asset_id, context.image_cache))
    pass_json = build_pass_json(apple_design(content), identity, check_output=False)
    return build_pkpass(
        pass_json,
        load_images(session, bundle_image_assets(pass_.content), context.image_cache),
        signer.identity,
        strings=pass_.content.get("localizations") or None,
        extra_files=_personalization_files(pass_),
    )


def load_images(
    session: Session, images: dict[str, str], cache: ByteBudgetCache[dict[str, bytes]]
) -> dict[str, bytes]:
    """Bundle files for {name: asset_id}, a name being a role ("logo") or a localized one
    ("de.lproj/background"); renditions are renamed to the name they fill, with their
    @2x/@3x suffix."""
    files: dict[str, bytes] = {}
    for name, asset_id in images.items():
        if not asset_id:
            continue
        for file_name, content in _asset_files(session, asset_id, cache).items():
            suffix = file_name[file_name.index("@"):] if "@" in file_name else ".png"
            files[f"{name}{suffix}"] = content
    return files


def _asset_files(session: Session, asset_id: str, cache: ByteBudgetCache[dict[str, bytes]]) -> dict[str, bytes]:
    files = cache.get(asset_id)
    if files is None:
        rows = session.execute(select(AssetRendition).where(AssetRendition.asset_id == asset_id)).scalars()
        files = {row.file_name: row.content for row in rows}
        cache.put(asset_id, files)
    return files


def _personalization_files(pass_: Pass) -> dict[str, bytes] | None:
    # A personalized pass must no longer carry personalization.json (Apple).
    if not awaits_personalization(pass_):
        return None
    return {"personalization.json": json.dumps(pass_.content["personalization"], sort_keys=True).encode("utf-8")}


def _store_in_cache(session: Session, pass_: Pass, content: bytes) -> None:
    table = PassBundle.__table__
    values = {"pass_id": pass_.id, "update_tag": pass_.update_tag, "content": content, "created_at": utcnow()}
    # Two devices may fetch the same new version at once; the last writer wins harmlessly.
    statement = upsert_insert(session, table).values(**values).on_conflict_do_update(
        index_elements=[table.c.pass_id],
        set_={"update_tag": values["update_tag"], "content": content, "created_at": values["created_at"]},
    )
    session.execute(statement)
