"""An organization's own Google Wallet issuer id and service account key (docs/google-wallet.md,
"An organization's own issuer"): checked, stored encrypted like signing keys, never shown in full.

Changing or removing it moves the organization's classes and objects to the other issuer: the
recorded sync state is forgotten and every Google-enabled campaign is synced again, in the
same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from walletservice.db import lock_for_update
from walletservice.errors import InvalidInput
from walletservice.google_wallet.accounts import ServiceAccountError, parse_service_account
from walletservice.models import Campaign, GoogleIssuerAccount, GoogleWalletClass, Organization
from walletservice.models.base import utcnow
from walletservice.services import google_sync
from walletservice.services.google_issuers import GOOGLE_TOKEN_URI
from walletservice.services.google_retirement import retire_previous_issuer
from walletservice.services.key_encryption import encrypt_private_key

# Google's issuer ids are decimal numbers (the Pay & Wallet Console shows them).
_ISSUER_ID = re.compile(r"^[0-9]{1,32}$")
MAX_KEY_FILE_BYTES = 16_384


@dataclass(frozen=True)
class GoogleAccountSummary:
    """What may be shown: never the private key."""

    issuer_id: str
    client_email: str
    private_key_id: str | None
    updated_at: dt.datetime


def summarize(row: GoogleIssuerAccount) -> GoogleAccountSummary:
    return GoogleAccountSummary(row.issuer_id, row.client_email, row.private_key_id, row.updated_at)


def own_account(session: Session, organization_id: str) -> GoogleIssuerAccount | None:
    return session.get(GoogleIssuerAccount, organization_id)


def set_own_account(session: Session, organization: Organization, issuer_id: str, service_account: Any,
                    secret_key: str, token_uris: set[str]) -> GoogleIssuerAccount:
    """Store (or replace) the organization's issuer and key. `service_account` is the key file's
    JSON text or its parsed object; its token_uri must be one of `token_uris`
    (google_issuers.trusted_token_uris)."""
    issuer_id = _checked_issuer_id(issuer_id)
    key_file = _key_file_text(service_account)
    account = _checked_account(key_file, token_uris)
    lock_for_update(organization)  # two changes at once: the second waits and wins whole
    row = session.get(GoogleIssuerAccount, organization.id)
    retire_previous_issuer(session, organization.id, row)  # before the row holds the new key
    if row is None:
        row = GoogleIssuerAccount(organization_id=organization.id)
        session.add(row)
    row.issuer_id, row.client_email, row.private_key_id = issuer_id, account.client_email, account.private_key_id
    row.service_account_encrypted = encrypt_private_key(secret_key, key_file.encode("utf-8"))
    row.updated_at = utcnow()
    session.flush()
    _sync_again(session, organization.id)
    return row


def remove_own_account(session: Session, organization: Organization) -> bool:
    """Go back to the server's issuer; False when the organization had none of its own."""
    lock_for_update(organization)
    row = session.get(GoogleIssuerAccount, organization.id)
    if row is None:
        return False
    retire_previous_issuer(session, organization.id, row)
    session.delete(row)
    session.flush()
    _sync_again(session, organization.id)
    return True


def _checked_issuer_id(issuer_id: Any) -> str:
    text = str(issuer_id).strip() if isinstance(issuer_id, (str, int)) and not isinstance(issuer_id, bool) else ""
    if not _ISSUER_ID.match(text):
        raise InvalidInput("issuer_id must be the issuer's number from the Google Pay & Wallet Console "
                           "(digits only)", field="issuer_id")
    return text


def _key_file_text(service_account: Any) -> str:
    if isinstance(service_account, str):
        text = service_account
    elif isinstance(service_account, dict):
        text = json.dumps(service_account)
    else:
        raise InvalidInput("service_account must be the service account's JSON key (an object or its text)",
                           field="service_account")
    if len(text.encode("utf-8")) > MAX_KEY_FILE_BYTES or "\x00" in text:
        raise InvalidInput("service_account is not a service account key file", field="service_account")
    return text


def _checked_account(key_file: str, token_uris: set[str]) -> Any:
    try:
        account = parse_service_account(json.loads(key_file), "service_account")
    except ValueError as exc:  # ServiceAccountError and JSONDecodeError are both ValueErrors
        reason = str(exc) if isinstance(exc, ServiceAccountError) else "service_account: not JSON"
        raise InvalidInput(reason, field="service_account") from None
    if account.token_uri not in token_uris:
        raise InvalidInput(f"service_account: token_uri must be Google's ({GOOGLE_TOKEN_URI})",
                           field="service_account")
    try:
        key = load_pem_private_key(account.private_key_pem.encode("utf-8"), password=None)
    except (ValueError, TypeError):
        raise InvalidInput("service_account: private_key is not an unencrypted PEM private key",
                           field="service_account") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidInput("service_account: private_key must be an RSA key (Google signs with RS256)",
                           field="service_account")
    return account


def _sync_again(session: Session, organization_id: str) -> None:
    """The other issuer holds none of the organization's classes or objects (the objects' rows
    went with retire_previous_issuer): queue every Google-enabled campaign whole."""
    campaigns = list(session.scalars(select(Campaign).where(Campaign.organization_id == organization_id)))
    campaign_ids = [campaign.id for campaign in campaigns]
    if not campaign_ids:
        return
    session.execute(delete(GoogleWalletClass).where(GoogleWalletClass.campaign_id.in_(campaign_ids)))
    for campaign in campaigns:
        google_sync.enqueue_campaign_sync(session, campaign, was_enabled=False)
