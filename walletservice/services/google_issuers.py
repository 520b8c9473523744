"""Which Google issuer and service account act for an organization: its own when it brought
one (services.google_accounts), else the server's (WALLET_GOOGLE_ISSUER_ID and
WALLET_GOOGLE_SERVICE_ACCOUNT_FILE). The sync, save links and images all ask here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from walletservice.google_wallet.accounts import (
    ServiceAccount, ServiceAccountError, load_service_account, parse_service_account,
)
from walletservice.models import GoogleIssuerAccount
from walletservice.services.key_encryption import decrypt_private_key

# The server's account shares one request rate across all workers (queue.rate_slots).
SERVER_RATE_SLOT = "google-wallet"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"


@dataclass(frozen=True)
class GoogleIssuer:
    issuer_id: str
    account: ServiceAccount
    # The rate slot its requests take: an organization's own account is its own Google
    # project, with its own quota.
    rate_slot: str

    @property
    def fingerprint(self) -> str:
        """Tells accounts apart in caches without keeping the key itself as a key."""
        return hashlib.sha256(f"{self.issuer_id}\n{self.account.private_key_pem}".encode()).hexdigest()


_server_accounts: dict[str, ServiceAccount] = {}


def server_account(path: str) -> ServiceAccount:
    """The server's key file, read once per process (raises ServiceAccountError)."""
    if path not in _server_accounts:
        _server_accounts[path] = load_service_account(path)
    return _server_accounts[path]


def issuer_for(session: Session, organization_id: str, settings: Mapping[str, Any]) -> GoogleIssuer | None:
    """The organization's own issuer, else the server's; None when neither is configured."""
    own = session.get(GoogleIssuerAccount, organization_id)
    if own is not None:
        info = json.loads(decrypt_private_key(settings["WALLET_SECRET_KEY"], own.service_account_encrypted))
        return GoogleIssuer(own.issuer_id, parse_service_account(info), f"{SERVER_RATE_SLOT}:{organization_id}")
    return server_issuer(settings)


def server_issuer(settings: Mapping[str, Any]) -> GoogleIssuer | None:
    """WALLET_GOOGLE_ISSUER_ID with WALLET_GOOGLE_SERVICE_ACCOUNT_FILE; None when not configured."""
    issuer_id, account_file = settings["WALLET_GOOGLE_ISSUER_ID"], settings["WALLET_GOOGLE_SERVICE_ACCOUNT_FILE"]
    if not issuer_id or not account_file:
        return None
    return GoogleIssuer(str(issuer_id), server_account(str(account_file)), SERVER_RATE_SLOT)


def trusted_token_uris(settings: Mapping[str, Any]) -> set[str]:
    """Where an organization's key may send its token requests: Google's endpoint, or the one of
    the server's own account (the stand-in in tests and demos). Any other URL would let a tenant
    make the workers POST to an address of its choosing."""
    trusted = {GOOGLE_TOKEN_URI}
    if settings.get("WALLET_GOOGLE_SERVICE_ACCOUNT_FILE"):
        try:
            trusted.add(server_account(str(settings["WALLET_GOOGLE_SERVICE_ACCOUNT_FILE"])).token_uri)
        except ServiceAccountError:
            pass  # the server's own sync reports that file (gwallet_message)
    return trusted
