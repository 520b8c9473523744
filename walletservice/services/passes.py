"""Issuing and changing passes."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, Select, cast, select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput, StateConflict
from walletservice.models import Campaign, Pass, PassRevision, Registration
from walletservice.models.base import utcnow
from walletservice.passkit.bundle import collect_localization_problems
from walletservice.passkit.design import PassIdentity, build_pass_json
from walletservice.passkit.errors import PassValidationError
from walletservice.passkit.problems import Problems
from walletservice.passkit.poster_images import check_poster_image_sizes
from walletservice.passkit.validation import collect_pass_problems
from walletservice.services.assets import check_owned_images, poster_image_headers
from walletservice.services.collection_filters import Attribute, FilterSpec
from walletservice.services.events import RemovedRegistration, record_pass_event, record_uninstalls
from walletservice.services.lookups import lock_or_not_found, one_or_not_found
from walletservice.services.pass_content import (
    EXTRA_FIELDS,
    apple_design,
    bundle_image_assets,
    compose_pass_content,
    has_expired,
)
from walletservice.services.pass_locks import lock_pass_for_update
from walletservice.services.pass_revisions import get_revision, revisions_of
from walletservice.services.passcreator.revision_properties import restore_properties
from walletservice.services.passworks_mapping import (
    design_field_keys,
    pass_field_keys,
    pass_values,
    undeclared_field_lists,
)
from walletservice.services.push_message import keep_push_message, with_push_message
from walletservice.services.nfc_keys import with_nfc_public_key
from walletservice.services.redeems import assign_redeem_code
from walletservice.services.google_retirement import retire_deleted_pass
from walletservice.services.update_tags import mark_passes_changed
from walletservice.services.upcoming_images import with_placeholder_upcoming_images

# Serials and tags end up in URLs: keep them short and URL-safe (Apple best practice).
SERIAL_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
# Only for validation before the real URL is known; never shipped.
_VALIDATION_URL = "https://validation.invalid/wallet"


def new_authentication_token() -> str:
    # 32 URL-safe characters: Apple requires at least 16.
    return secrets.token_urlsafe(24)


def check_serial_number(serial_number: str) -> str:
    if not isinstance(serial_number, str) or not SERIAL_NUMBER_PATTERN.match(serial_number):
        raise InvalidInput("serial_number must be 1-64 characters of A-Z a-z 0-9 . _ ~ -")
    return serial_number


def check_content(content: Mapping[str, Any], pass_type_identifier: str, team_identifier: str,
                  session: Session | None = None) -> None:
    """Refuse content Wallet would reject, so a stored pass can always be built; with a session
    the poster images' sizes are checked too (their renditions are read)."""
    identity = PassIdentity(
        pass_type_identifier=pass_type_identifier, team_identifier=team_identifier,
        serial_number="validation", authentication_token="v" * 32, web_service_url=_VALIDATION_URL,
    )
    image_names = [f"{name}.png" for name in bundle_image_assets(content)]
    try:
        pass_json = build_pass_json(apple_design(with_placeholder_upcoming_images(content)), identity)
        problems = Problems()
        collect_pass_problems(pass_json, image_names, problems)
        if session is not None:
            check_poster_image_sizes(pass_json, poster_image_headers(session, pass_json, content), problems)
        # The bundle builder reads these as .lproj folders and pass.strings files.
        collect_localization_problems(content.get("localizations") or {}, problems)
        problems.raise_if_any()
    except PassValidationError as exc:
        raise InvalidInput("the pass is not valid for Apple Wallet", details=exc.problems) from None


def issue_pass(
    session: Session,
    campaign: Campaign,
    values: Mapping[str, Any] | None = None,
    *,
    serial_number: str | None = None,
    pass_id: str | None = None,
    download_id: str | None = None,
    redeem_code: str | None = None,
    user_provided_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Pass:
    """pass_id and download_id may be chosen beforehand (Passcreator's async create answers them);
    user_provided_id and extra are set before the first revision is written, so it holds them."""
    values = dict(values or {})
    content = compose_pass_content(campaign.design, values)
    check_content(content, campaign.pass_type_identifier, campaign.team_identifier, session)
    pass_ = Pass(
        id=pass_id or str(uuid.uuid4()),
        organization_id=campaign.organization_id,
        campaign_id=campaign.id,
        pass_type_identifier=campaign.pass_type_identifier,
        team_identifier=campaign.team_identifier,
        certificate_id=campaign.certificate_id,
        serial_number=check_serial_number(serial_number or uuid.uuid4().hex),
        authentication_token=new_authentication_token(),
        download_id=download_id or secrets.token_urlsafe(24),
        values=values,
        content=content,
        voided=bool(content.get("voided", False)),
        redeem_code=redeem_code,
        user_provided_id=user_provided_id,
        extra=extra,
    )
    session.add(pass_)
    mark_passes_changed(session, [pass_])
    record_pass_event(session, "created", pass_)
    return pass_


def _merged_fields(current: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """Per field, what was sent over what the pass had: a new label keeps the value, and a
    new value keeps a label the pass set."""
    merged = dict(current)
    for key, value in sent.items():
        if key in merged and (isinstance(value, Mapping) or isinstance(merged[key], Mapping)):
            before = merged[key] if isinstance(merged[key], Mapping) else {"value": merged[key]}
            value = {**before, **(value if isinstance(value, Mapping) else {"value": value})}
        merged[key] = value
    return merged


def update_pass_values(
    session: Session, pass_: Pass, campaign: Campaign, values: Mapping[str, Any], *, merge: bool = True,
    push_message: str | None = None, mark_changed: bool = True,
) -> bool:
    """Change a pass's own values (merged with the current ones unless merge=False);
    a push_message is written where the lock screen shows it (services.push_message).
    True when what the devices get (the content) changed: only then does the pass take a
    new tag, and only then should the caller push (Apple: no push when nothing changed).
    mark_changed=False: the caller marks the changed passes at once (one tag allocation)."""
    lock_pass_for_update(session, pass_)
    new_values = {**pass_.values, **values} if merge else dict(values)
    if merge and "fields" in values:
        new_values["fields"] = _merged_fields(pass_.values.get("fields") or {}, values.get("fields") or {})
    if merge and EXTRA_FIELDS in values:
        new_values[EXTRA_FIELDS] = {**(pass_.values.get(EXTRA_FIELDS) or {}), **values[EXTRA_FIELDS]}
    content = keep_push_message(pass_.content, compose_pass_content(campaign.design, new_values))
    if push_message:
        content = with_push_message(content, push_message)
    check_content(content, pass_.pass_type_identifier, pass_.team_identifier, session)
    changed = content != pass_.content
    pass_.values = new_values
    pass_.content = content
    pass_.voided = bool(content.get("voided", False))
    if pass_.expired_at is not None and not has_expired(content, utcnow()):
        pass_.expired_at = None  # given a later expirationDate: the expiry job watches it again
    if mark_changed and changed:
        mark_passes_changed(session, [pass_])
    return changed


def restore_revision(session: Session, pass_: Pass, n: int) -> PassRevision:
    """Give the pass back the values, content and kept properties (userProvidedId, extra) of its
    revision n; that is its newest revision then (restoring is a change too, and can itself be
    undone). Conflict (409) when the revision's userProvidedId is now another pass's. The caller pushes."""
    lock_pass_for_update(session, pass_)
    revision = get_revision(session, pass_, n)
    check_content(revision.content, pass_.pass_type_identifier, pass_.team_identifier)
    restore_properties(session, pass_, revision)
    pass_.values, pass_.content, pass_.voided = revision.values, revision.content, revision.voided
    if pass_.expired_at is not None and not has_expired(revision.content, utcnow()):
        pass_.expired_at = None
    mark_passes_changed(session, [pass_], restored_from=n)
    return session.scalars(revisions_of(pass_).limit(1)).one()


# -- the integrator API's passes (Passworks attributes, services.passworks_mapping) -----

PASS_FILTERS = FilterSpec({
    "id": Attribute(Pass.id, str),
    "serial_number": Attribute(Pass.serial_number, str),
    "voided": Attribute(Pass.voided, bool),
    "redeem_code": Attribute(Pass.redeem_code, str),
    # Compared as 64-bit: a filter value past 2**31 is no PostgreSQL "integer out of range".
    "redeemed_count": Attribute(cast(Pass.redeemed_count, BigInteger), int),
    "created_at": Attribute(Pass.created_at, dt.datetime),
    "updated_at": Attribute(Pass.modified_at, dt.datetime),
}, tiebreaker=Pass.id)
# Apple's relevance radius caps (Passworks: 1000 m for event tickets, 100 m otherwise).
MAX_DISTANCE = {"eventTicket": 1000}
DEFAULT_MAX_DISTANCE = 100
# A paused or archived campaign issues no passes (Passworks); its passes still change.
ISSUING_STATES = ("published",)
# Fields a v1 pass may add beyond its campaign's (docs/v1-compatibility.md).
MAX_EXTRA_FIELDS = 20


def check_max_distance(style: str, max_distance: int | None) -> None:
    limit = MAX_DISTANCE.get(style, DEFAULT_MAX_DISTANCE)
    if max_distance is not None and max_distance > limit:
        raise InvalidInput(f"max_distance: at most {limit} meters for this pass type")


def passes_of(campaign: Campaign) -> Select[tuple[Pass]]:
    return select(Pass).where(Pass.organization_id == campaign.organization_id, Pass.campaign_id == campaign.id)


def get_campaign_pass(session: Session, campaign: Campaign, pass_id: str) -> Pass:
    return one_or_not_found(session, passes_of(campaign).where(Pass.id == pass_id), "pass")


def check_pass_attributes(session: Session, campaign: Campaign, attributes: Mapping[str, Any], *,
                          extra_fields: bool = False) -> None:
    """What a pass body may set: values of the campaign's fields (and, with extra_fields,
    fields of its own), the caller's images."""
    if not extra_fields:
        known = design_field_keys(campaign.design)
        for path, key in pass_field_keys(attributes):
            if key not in known:
                raise InvalidInput(f"{path}: {key!r} is not a field of the campaign")
    check_max_distance(campaign.style, attributes.get("max_distance"))
    check_owned_images(session, campaign.organization_id, attributes)


def create_integrator_pass(session: Session, campaign: Campaign, attributes: Mapping[str, Any], *,
                           extra_fields: bool = False) -> Pass:
    """A pass from the campaign, with the body's values over it (an empty body: boilerplate).
    extra_fields: a field key the campaign lacks is the pass's own field (v1), not a 422."""
    if campaign.state not in ISSUING_STATES:
        raise StateConflict(f"the campaign is {campaign.state}: it issues no passes; resume it first",
                            field="campaign")
    check_pass_attributes(session, campaign, attributes, extra_fields=extra_fields)
    attributes = with_nfc_public_key(session, campaign.organization_id, attributes)
    redeem_code = assign_redeem_code(session, campaign, attributes)
    values = with_default_barcode(_pass_values(campaign, attributes, {}, extra_fields), campaign.design,
                                  redeem_code)
    pass_ = issue_pass(session, campaign, values, redeem_code=redeem_code)
    session.flush()
    return pass_


def with_default_barcode(values: dict[str, Any], design: Mapping[str, Any], redeem_code: str) -> dict[str, Any]:
    """Passworks: the barcode's message and alt_text default to the pass's redeem code."""
    barcode = dict(values.get("barcode") or {})
    campaign_barcode = design.get("barcode") or {}
    for key in ("message", "altText"):
        if not barcode.get(key) and not campaign_barcode.get(key):
            barcode[key] = redeem_code
    return {**values, "barcode": barcode}


def _pass_values(campaign: Campaign, attributes: Mapping[str, Any], current_extras: Mapping[str, str],
                 extra_fields: bool) -> dict[str, Any]:
    """The body's values, with the list of each field key the campaign lacks (extra_fields)."""
    values = pass_values(attributes)
    if not extra_fields:
        return values
    placed = undeclared_field_lists(attributes, design_field_keys(campaign.design))
    if len({**current_extras, **placed}) > MAX_EXTRA_FIELDS:
        raise InvalidInput(f"a pass has at most {MAX_EXTRA_FIELDS} fields its campaign does not declare")
    if placed:
        values[EXTRA_FIELDS] = placed
    return values


def update_integrator_pass(
    session: Session, campaign: Campaign, pass_: Pass, attributes: Mapping[str, Any], *, merge: bool,
    push_message: str | None = None, extra_fields: bool = False,
) -> bool:
    """merge=False replaces the pass's own values; the redeem code's barcode message stays.
    True when the pass's content changed (see update_pass_values)."""
    lock_pass_for_update(session, pass_)
    check_pass_attributes(session, campaign, attributes, extra_fields=extra_fields)
    attributes = with_nfc_public_key(session, campaign.organization_id, attributes)
    values = _pass_values(campaign, attributes, pass_.values.get(EXTRA_FIELDS) or {} if merge else {},
                          extra_fields)
    if not merge and pass_.redeem_code:
        values = with_default_barcode(values, campaign.design, pass_.redeem_code)
    changed = update_pass_values(session, pass_, campaign, values, merge=merge, push_message=push_message)
    record_pass_event(session, "updated", pass_)
    return changed


def delete_pass(session: Session, pass_: Pass) -> None:
    """Its registrations go with it: each is an "uninstalled" event (reason pass_removed)."""
    pass_ = lock_or_not_found(session, pass_, "pass")
    registrations = session.execute(
        select(Registration.id, Registration.pass_id, Registration.device_os, Registration.wallet)
        .where(Registration.pass_id == pass_.id)
    ).all()
    record_uninstalls(session, [RemovedRegistration(*row) for row in registrations], {"reason": "pass_removed"})
    record_pass_event(session, "removed", pass_)
    retire_deleted_pass(session, pass_)
    session.delete(pass_)
    session.flush()
