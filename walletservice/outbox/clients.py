"""One long-lived APNs client per credential, chosen per delivery."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from sqlalchemy.orm import Session

from walletservice.apns import BlockingApnsClient, CertificateCredential, Credential, ProviderTokenSigner, TokenCredential
from walletservice.models import SigningCertificate
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
        signer = self.certificates.signer_for(certificate)
        use_token = self._token_auth_applies(signer, certificate)
        key = f"token:{self.settings.team_id}" if use_token else f"cert:{certificate_id or 'dev'}"
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


def _certificate_credential(signer: Signer) -> Credential:
    identity = signer.identity
    return CertificateCredential(
        identity.certificate.public_bytes(serialization.Encoding.PEM),
        identity.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
