"""Apple's web service rules: registrations, the update list, fetches (logs: services.device_logs)."""

from __future__ import annotations

import datetime as dt
import hmac
from enum import Enum
from typing import NamedTuple

from sqlalchemy import and_, bindparam, delete, exists, func, select
from sqlalchemy.orm import Session

from walletservice.db import upsert_insert
from walletservice.hot_reads import HotReads, PreparedRead
from walletservice.errors import BadRequest, Forbidden, NotAuthorized
from walletservice.models import Device, Pass, Registration
from walletservice.models.base import utcnow
from walletservice.services.events import RemovedRegistration, WalletClient, record_pass_event, record_uninstalls
from walletservice.services.pass_locks import lock_pass_for_update

# Compared against when the pass is unknown, so an unknown serial and a wrong
# token take the same time.
_PLACEHOLDER_TOKEN = "x" * 32


class RegistrationOutcome(Enum):
    CREATED = 201
    ALREADY_REGISTERED = 200


# NamedTuples, not frozen dataclasses, on the hot paths: a third of the cost to build.
class UpdatedSerials(NamedTuple):
    serial_numbers: list[str]
    last_updated: str


def _check_token(expected: str | None, given: str | None) -> None:
    # An unknown pass costs the same comparison as a wrong token.
    matches = hmac.compare_digest(
        (expected or _PLACEHOLDER_TOKEN).encode("utf-8"), (given or "").encode("utf-8")
    )
    if expected is None or not matches:
        raise NotAuthorized("unknown pass or wrong authentication token")


def find_pass(session: Session, pass_type_identifier: str, serial_number: str) -> Pass | None:
    return session.execute(
        select(Pass).where(
            Pass.pass_type_identifier == pass_type_identifier, Pass.serial_number == serial_number
        )
    ).scalar_one_or_none()


def authenticate_pass(
    session: Session, pass_type_identifier: str, serial_number: str, authentication_token: str | None
) -> Pass:
    """The pass, if the ApplePass token matches; NotAuthorized otherwise (unknown pass too)."""
    pass_ = find_pass(session, pass_type_identifier, serial_number)
    _check_token(pass_.authentication_token if pass_ is not None else None, authentication_token)
    assert pass_ is not None
    return pass_


class PassVersion(NamedTuple):
    """What the fetch endpoint needs before deciding to build anything."""

    id: str
    update_tag: int
    modified_at: dt.datetime
    organization_id: str
    campaign_id: str


_passes = Pass.__table__.c
# Built once: the fetch and list calls are the hottest paths of the service.
_PASS_VERSION = PreparedRead(
    select(
        _passes.id, _passes.update_tag, _passes.modified_at, _passes.authentication_token,
        _passes.organization_id, _passes.campaign_id,
    ).where(
        _passes.pass_type_identifier == bindparam("pass_type"), _passes.serial_number == bindparam("serial")
    )
)


def authenticate_pass_version(
    reads: HotReads, pass_type_identifier: str, serial_number: str, authentication_token: str | None
) -> PassVersion:
    """Like authenticate_pass, reading only the version columns (no JSON decoding)."""
    rows = _PASS_VERSION.rows(reads, {"pass_type": pass_type_identifier, "serial": serial_number})
    row = rows[0] if rows else None
    _check_token(row[3] if row is not None else None, authentication_token)
    assert row is not None
    pass_id, update_tag, modified_at, _token, organization_id, campaign_id = row
    # The driver gives the stored naive UTC time (PreparedRead skips the ORM's UTCDateTime).
    return PassVersion(pass_id, update_tag, modified_at.replace(tzinfo=dt.timezone.utc), organization_id, campaign_id)


def validate_push_token(push_token: object) -> str:
    # APNs tokens are hex; Apple says not to assume their length.
    if not isinstance(push_token, str) or not push_token or len(push_token) > 512:
        raise BadRequest("pushToken must be a non-empty string of at most 512 characters")
    if any(c not in "0123456789abcdefABCDEF" for c in push_token):
        raise BadRequest("pushToken must be hexadecimal")
    return push_token


def register_device(
    session: Session, device_library_identifier: str, pass_: Pass, push_token: str,
    client: WalletClient | None = None, max_devices: int = 0,
) -> RegistrationOutcome:
    """Register the device for the pass; safe under concurrent identical calls.
    A new registration is an "installed" event (client: the wallet app, from the User-Agent).
    With max_devices, a new one beyond it is Forbidden (the caller's transaction stores nothing)."""
    now = utcnow()
    client = client or WalletClient()
    if max_devices > 0:
        _check_room_for_device(session, device_library_identifier, pass_, max_devices)
    device_id = _upsert_device(session, device_library_identifier, push_token, now)
    table = Registration.__table__
    inserted = session.execute(
        upsert_insert(session, table)
        .values(
            device_id=device_id, pass_id=pass_.id, pass_type_identifier=pass_.pass_type_identifier,
            wallet=client.wallet, device_os=client.device_os, created_at=now, updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=[table.c.device_id, table.c.pass_id])
        .returning(table.c.id)
    ).scalar_one_or_none()
    if inserted is not None:
        record_pass_event(session, "installed", pass_, client, {"registration_id": str(inserted)})
        return RegistrationOutcome.CREATED
    session.execute(
        table.update()
        .where(table.c.device_id == device_id, table.c.pass_id == pass_.id)
        .values(updated_at=now)
    )
    return RegistrationOutcome.ALREADY_REGISTERED


def _check_room_for_device(session: Session, device_library_identifier: str, pass_: Pass, max_devices: int) -> None:
    """Forbidden when the pass has max_devices registrations and this device is not one of
    them: anyone holding the pass's token (it is in every copy of the pass) could otherwise
    add made-up devices without end, each an event, a webhook and a push target. Counted
    under the pass's row lock, so parallel registrations are counted in turn."""
    lock_pass_for_update(session, pass_)
    registered = select(Registration.id).join(Device, Device.id == Registration.device_id).where(
        Registration.pass_id == pass_.id, Device.device_library_identifier == device_library_identifier)
    if session.execute(registered).first() is not None:
        return
    count = session.execute(
        select(func.count()).select_from(Registration).where(Registration.pass_id == pass_.id)).scalar_one()
    if count >= max_devices:
        raise Forbidden(f"this pass is registered on {max_devices} devices already, the most allowed; "
                        "a device must unregister it first")


def _upsert_device(session: Session, device_library_identifier: str, push_token: str, now) -> int:  # type: ignore[no-untyped-def]
    # The push token is updated on every registration: tokens change (digest 1.4.1).
    table = Device.__table__
    statement = (
        upsert_insert(session, table)
        .values(
            device_library_identifier=device_library_identifier,
            push_token=push_token, created_at=now, updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=[table.c.device_library_identifier],
            set_={"push_token": push_token, "updated_at": now},
        )
        .returning(table.c.id)
    )
    return int(session.execute(statement).scalar_one())


def unregister_device(session: Session, device_library_identifier: str, pass_: Pass) -> None:
    """Remove the registration (idempotent) and the device once it has none left."""
    device_id = session.execute(
        select(Device.id).where(Device.device_library_identifier == device_library_identifier)
    ).scalar_one_or_none()
    if device_id is None:
        return
    removed = session.execute(
        delete(Registration)
        .where(Registration.device_id == device_id, Registration.pass_id == pass_.id)
        .returning(Registration.id, Registration.pass_id, Registration.device_os, Registration.wallet)
    ).all()
    record_uninstalls(session, [RemovedRegistration(*row) for row in removed])
    session.execute(
        delete(Device).where(
            Device.id == device_id, ~exists().where(Registration.device_id == device_id)
        )
    )


_MAX_TAG = 2**63 - 1  # update_tag is a BIGINT


def parse_update_tag(raw: str | None) -> int | None:
    """Our tags are integers. Anything else (absent, empty, foreign) means "everything"."""
    if raw is None:
        return None
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    tag = int(raw)
    return tag if tag <= _MAX_TAG else None


_registrations = Registration.__table__.c
_UPDATED_SERIALS = (
    select(_passes.serial_number, _passes.update_tag)
    .join_from(Pass.__table__, Registration.__table__, _registrations.pass_id == _passes.id)
    .join(Device.__table__, Device.__table__.c.id == _registrations.device_id)
    .where(
        Device.__table__.c.device_library_identifier == bindparam("device"),
        _registrations.pass_type_identifier == bindparam("pass_type"),
    )
)
_ALL_SERIALS = PreparedRead(_UPDATED_SERIALS.order_by(_passes.update_tag))
_SERIALS_SINCE = PreparedRead(
    _UPDATED_SERIALS.where(_passes.update_tag > bindparam("since")).order_by(_passes.update_tag)
)


def serials_updated_since(
    reads: HotReads, device_library_identifier: str, pass_type_identifier: str, since: int | None
) -> UpdatedSerials | None:
    """Serials of this type registered by the device and changed after `since`; None if none."""
    parameters: dict[str, object] = {"device": device_library_identifier, "pass_type": pass_type_identifier}
    if since is None:
        rows = _ALL_SERIALS.rows(reads, parameters)
    else:
        rows = _SERIALS_SINCE.rows(reads, {**parameters, "since": since})
    if not rows:
        return None
    # The highest tag among the returned passes, never "now": a concurrent change
    # committing later carries a higher tag and will be listed next time.
    return UpdatedSerials([serial for serial, _tag in rows], str(rows[-1][1]))


def drop_registrations_for_token(
    session: Session, push_token: str, pass_type_identifier: str, unregistered_at: dt.datetime | None
) -> int:
    """APNs says the token is dead: remove its registrations for that pass type.

    With a 410 timestamp, only registrations older than it go: the device may
    have registered again since (Apple).
    """
    devices = select(Device.id).where(Device.push_token == push_token)
    condition = and_(
        Registration.device_id.in_(devices.scalar_subquery()),
        Registration.pass_type_identifier == pass_type_identifier,
    )
    if unregistered_at is not None:
        condition = and_(condition, Registration.updated_at < unregistered_at)
    table = Registration.__table__
    removed = session.execute(
        table.delete().where(condition)
        .returning(table.c.id, table.c.pass_id, table.c.device_os, table.c.wallet)
    ).all()
    # Webhook-friendly: each is an "uninstalled" event, as if the device had unregistered.
    record_uninstalls(session, [RemovedRegistration(*row) for row in removed], {"reason": "apns_unregistered"})
    session.execute(
        Device.__table__.delete().where(
            Device.push_token == push_token, ~exists().where(Registration.device_id == Device.id)
        )
    )
    return len(removed)
