"""An organization's NFC key pairs, and filling their public key into a pass's `nfc`.

Apple's Value Added Services readers decrypt what a pass sends with the private key;
pass.json carries the public half (`nfc.encryptionPublicKey`). We generate the pair,
keep the private key encrypted at rest like signing keys, and hand the private key only
to whoever provisions the readers (not through any API).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session

from walletservice.errors import InvalidInput, NotFound
from walletservice.models import NfcKey, Organization
from walletservice.passkit.nfc import nfc_public_key
from walletservice.services.key_encryption import encrypt_private_key

NFC_ATTRIBUTE = "nfc"


def create_nfc_key(session: Session, organization_id: str, secret_key: str) -> NfcKey:
    """A new P-256 pair for the organization; it becomes the one new passes get."""
    if session.get(Organization, organization_id) is None:
        raise NotFound(f"organization {organization_id} not found", field="organization")
    private_key = ec.generate_private_key(ec.SECP256R1())
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    row = NfcKey(organization_id=organization_id, public_key=nfc_public_key(private_key.public_key()),
                 private_key_encrypted=encrypt_private_key(secret_key, private_pem))
    session.add(row)
    session.flush()
    return row


def current_nfc_public_key(session: Session, organization_id: str) -> str | None:
    """The newest key's public half, or None when the organization has none."""
    return session.scalar(
        select(NfcKey.public_key).where(NfcKey.organization_id == organization_id)
        .order_by(NfcKey.created_at.desc(), NfcKey.id.desc()).limit(1))


def with_nfc_public_key(session: Session, organization_id: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """v2 attributes whose `nfc` names its key: the one sent, else the organization's newest.

    The key is copied when the campaign or pass is saved, so passes keep working with the
    readers they were made for after a new key is created (docs/pass-format.md, "NFC")."""
    nfc = attributes.get(NFC_ATTRIBUTE)
    if not isinstance(nfc, Mapping) or nfc.get("encryption_public_key"):
        return dict(attributes)
    public_key = required_nfc_public_key(session, organization_id, "nfc.encryption_public_key")
    return {**attributes, NFC_ATTRIBUTE: {**nfc, "encryption_public_key": public_key}}


def required_nfc_public_key(session: Session, organization_id: str, key_path: str) -> str:
    """The organization's newest public key; InvalidInput naming key_path (the API's spelling) without one."""
    public_key = current_nfc_public_key(session, organization_id)
    if public_key is None:
        raise InvalidInput(f"{key_path}: send one, or create the organization's NFC key first "
                           "(flask --app app wallet nfc-key create --organization ORG_ID)", field=key_path)
    return public_key
