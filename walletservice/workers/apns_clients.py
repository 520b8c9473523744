"""One long-lived APNs client per credential, chosen per delivery."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from walletservice.apns import BlockingApnsClient, CertificateCredential, Credential, ProviderTokenSigner, TokenCredential
from walletservice.models import SigningCertificate
from walletservice.models.base import as_utc, utcnow
from walletservice.services.certificates import CertificateStore, Signer


@dataclass(frozen=True)
class ApnsSettings:
    url: str
    ca_file: str | None
    concurrency: int
    key_file: str | None
    key_id: str
    team_id: str

    @classmethod
    def from_config(cls, config: Any) -> ApnsSettings:
        return cls(
            url=config["WALLET_APNS_URL"],
            ca_file=config["WALLET_APNS_CA_BUNDLE"] or None,
            concurrency=config["WALLET_APNS_CONCURRENCY"],
            key_file=config["WALLET_APNS_KEY_FILE"] or None,
            key_id=config["WALLET_APNS_KEY_ID"],
            team_id=config["WALLET_APNS_TEAM_ID"],
        )


class ApnsClients:
    """Certificate auth by default (Apple documents only it for Wallet, and it is the
    only way for organizations' own certificates); token auth for platform
    certificates of the configured team when a key is configured."""

    def __init__(self, settings: ApnsSettings, certificates: CertificateStore) -> None:
        self.settings = settings
        self.certificates = certificates
        self._clients: dict[str, BlockingApnsClient] = {}
        self._token_signer: ProviderTokenSigner | None = None
        self._lock = threading.Lock()

    def client_for(self, session: Session, certificate_id: str | None) -> BlockingApnsClient:
        certificate = session.get(SigningCertificate, certificate_id) if certificate_id else None
        certificate = usable_certificate(session, certificate)
        signer = self.certificates.signer_for(certificate)
        use_token = self._token_auth_applies(signer, certificate)
        key = f"token:{self.settings.team_id}" if use_token else f"cert:{certificate.id if certificate else 'dev'}"
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                credential = self._token_credential() if use_token else _certificate_credential(signer)
                client = BlockingApnsClient(
                    self.settings.url, credential,
                    ca_file=self.settings.ca_file, max_concurrency=self.settings.concurrency,
                )
                self._clients[key] = client
            return client

    def _token_auth_applies(self, signer: Signer, certificate: SigningCertificate | None) -> bool:
        platform_owned = certificate is None or certificate.organization_id is None
        return bool(self.settings.key_file) and platform_owned and signer.team_identifier == self.settings.team_id

    def _token_credential(self) -> Credential:
        if self._token_signer is None:
            key_pem = Path(self.settings.key_file or "").read_bytes()
            self._token_signer = ProviderTokenSigner(key_pem, self.settings.key_id, self.settings.team_id)
        return TokenCredential(self._token_signer)

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


def usable_certificate(session: Session, certificate: SigningCertificate | None) -> SigningCertificate | None:
    """The pass's certificate, or once it has expired (APNs refuses it at the TLS handshake)
    its renewal: the newest valid certificate for the same pass type (APNs's topic) of the
    same organization, else the platform's. Without one, the expired one fails the push."""
    now = utcnow()
    if certificate is None or as_utc(certificate.not_after) > now:
        return certificate
    owners = [SigningCertificate.organization_id.is_(None)]
    if certificate.organization_id is not None:
        owners.append(SigningCertificate.organization_id == certificate.organization_id)
    renewals = session.scalars(
        select(SigningCertificate)
        .where(SigningCertificate.pass_type_identifier == certificate.pass_type_identifier,
               SigningCertificate.not_after > now, or_(*owners))
        # The organization's own first (False sorts before True), then the newest.
        .order_by(SigningCertificate.organization_id.is_(None), SigningCertificate.not_after.desc())
        .limit(1)
    ).first()
    return renewals or certificate


def _certificate_credential(signer: Signer) -> Credential:
    identity = signer.identity
    return CertificateCredential(
        identity.certificate.public_bytes(serialization.Encoding.PEM),
        identity.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
