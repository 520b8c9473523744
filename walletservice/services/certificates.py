"""Signing certificates: development CA, operator imports, and choosing a signer."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from walletservice.errors import ConfigurationError, InvalidInput
from walletservice.models import SigningCertificate
from walletservice.models.base import utcnow
from walletservice.passkit import devcerts
from walletservice.passkit.certificates import (
    CertificateInfo,
    CertificateError,
    describe_certificate,
    load_pem_bundle,
    load_pkcs12,
)
from walletservice.passkit.signing import SigningIdentity
from walletservice.services.key_encryption import decrypt_private_key, encrypt_private_key


@dataclass(frozen=True)
class DevCertificatePaths:
    directory: Path

    @property
    def ca_certificate(self) -> Path:
        return self.directory / "wwdr-ca.pem"

    @property
    def ca_private_key(self) -> Path:
        return self.directory / "wwdr-ca.key"

    @property
    def pass_certificate(self) -> Path:
        return self.directory / "pass-type.pem"

    @property
    def pass_private_key(self) -> Path:
        return self.directory / "pass-type.key"

    def exist(self) -> bool:
        return all(p.exists() for p in (self.ca_certificate, self.pass_certificate, self.pass_private_key))


def dev_certificate_paths(certs_dir: str | Path) -> DevCertificatePaths:
    return DevCertificatePaths(Path(certs_dir) / "dev")


def ensure_dev_certificates(certs_dir: str | Path, pass_type_identifier: str, team_identifier: str) -> bool:
    """Write a dev CA and a Pass Type ID certificate unless present. True if written."""
    paths = dev_certificate_paths(certs_dir)
    if paths.exist():
        return False
    paths.directory.mkdir(parents=True, exist_ok=True)
    ca = devcerts.generate_ca("walletservice Development WWDR CA")
    pass_cert = devcerts.issue_pass_type_certificate(ca, pass_type_identifier, team_identifier)
    _write_private(paths.ca_private_key, ca.private_key_pem())
    paths.ca_certificate.write_bytes(ca.certificate_pem())
    _write_private(paths.pass_private_key, pass_cert.private_key_pem())
    paths.pass_certificate.write_bytes(pass_cert.certificate_pem())
    return True


def _write_private(path: Path, data: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)


@dataclass(frozen=True)
class Signer:
    """Who signs (and pushes) a pass: identity plus the ids it is valid for."""

    identity: SigningIdentity
    pass_type_identifier: str
    team_identifier: str
    certificate_id: str | None  # None: the development certificate


class CertificateStore:
    """Resolves signers, caching decrypted identities per certificate row."""

    def __init__(self, certs_dir: str | Path, secret_key: str) -> None:
        self.certs_dir = Path(certs_dir)
        self.secret_key = secret_key
        self._cache: dict[str | None, Signer] = {}
        self._lock = threading.Lock()

    def dev_signer(self) -> Signer:
        with self._lock:
            if None not in self._cache:
                self._cache[None] = self._load_dev_signer()
            return self._cache[None]

    def _load_dev_signer(self) -> Signer:
        paths = dev_certificate_paths(self.certs_dir)
        if not paths.exist():
            raise ConfigurationError(
                "no signing certificate: import one with `flask --app app wallet certs import` "
                "or create development ones with `flask --app app wallet dev-certs`"
            )
        certificate_pem = paths.pass_certificate.read_bytes()
        identity = SigningIdentity.from_pem(
            certificate_pem, paths.pass_private_key.read_bytes(), paths.ca_certificate.read_bytes()
        )
        info = describe_certificate(identity.certificate)
        return Signer(identity, info.pass_type_identifier or "", info.team_identifier or "", None)

    def signer_for(self, certificate: SigningCertificate | None) -> Signer:
        if certificate is None:
            return self.dev_signer()
        with self._lock:
            cached = self._cache.get(certificate.id)
            if cached is None:
                identity = SigningIdentity.from_pem(
                    certificate.certificate_pem.encode(),
                    decrypt_private_key(self.secret_key, certificate.private_key_encrypted),
                    certificate.wwdr_certificate_pem.encode(),
                )
                cached = Signer(
                    identity, certificate.pass_type_identifier, certificate.team_identifier, certificate.id
                )
                self._cache[certificate.id] = cached
            return cached


def default_certificate(session: Session, organization_id: str | None) -> SigningCertificate | None:
    """The newest unexpired certificate of the organization, else of the platform.

    None means: use the development certificate.
    """
    now = utcnow()
    for owner in ([organization_id] if organization_id else []) + [None]:
        owner_filter = (
            SigningCertificate.organization_id.is_(None)
            if owner is None
            else SigningCertificate.organization_id == owner
        )
        found = session.execute(
            select(SigningCertificate)
            .where(owner_filter, SigningCertificate.not_after > now)
            .order_by(SigningCertificate.created_at.desc())
        ).scalars().first()
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class CertificateUpload:
    certificate_pem: bytes
    private_key_pem: bytes
    wwdr_certificate_pem: bytes


def read_pkcs12_upload(p12: bytes, password: bytes | None, wwdr_pem: bytes | None) -> CertificateUpload:
    """Split a .p12 into PEM parts; the WWDR certificate may travel inside it."""
    try:
        certificate, key, extra = load_pkcs12(p12, password)
    except CertificateError as exc:
        raise InvalidInput(str(exc), field="p12") from None
    return _upload_from(certificate, key, extra, wwdr_pem, "the .p12")


def read_pem_upload(
    certificate_pem: bytes, private_key_pem: bytes, password: bytes | None, wwdr_pem: bytes | None
) -> CertificateUpload:
    """PEM certificate (a chain may follow it) and key, the key possibly encrypted."""
    try:
        certificate, key, extra = load_pem_bundle(certificate_pem, private_key_pem, password)
    except CertificateError as exc:
        raise InvalidInput(str(exc), field="certificate") from None
    if key is None:
        raise InvalidInput("no private key given", field="private_key")
    return _upload_from(certificate, key, extra, wwdr_pem, "the PEM certificate")


def _upload_from(certificate, key, extra, wwdr: bytes | None, source: str) -> CertificateUpload:  # type: ignore[no-untyped-def]
    if wwdr is None:
        issuers = [c for c in extra if c.subject == certificate.issuer]
        if not issuers:
            raise InvalidInput(f"{source} holds no WWDR certificate; pass the WWDR G4 certificate too", field="wwdr_certificate")
        wwdr_pem = issuers[0].public_bytes(serialization.Encoding.PEM)
    else:
        wwdr_pem = wwdr_certificate_pem(wwdr)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return CertificateUpload(certificate.public_bytes(serialization.Encoding.PEM), key_pem, wwdr_pem)


def wwdr_certificate_pem(data: bytes) -> bytes:
    """Apple ships the WWDR certificate as DER (.cer); accept that or PEM, return PEM."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            certificate = x509.load_pem_x509_certificate(data)
        else:
            certificate = x509.load_der_x509_certificate(data)
    except ValueError:
        raise InvalidInput("the WWDR certificate is neither a PEM nor a DER certificate", field="wwdr_certificate") from None
    return certificate.public_bytes(serialization.Encoding.PEM)


def import_certificate(
    session: Session,
    upload: CertificateUpload,
    secret_key: str,
    *,
    organization_id: str | None = None,
    now: dt.datetime | None = None,
) -> SigningCertificate:
    """Check a Pass Type ID certificate and store it, private key encrypted."""
    return store_certificate(session, upload, secret_key, organization_id=organization_id, now=now)[0]


def store_certificate(
    session: Session,
    upload: CertificateUpload,
    secret_key: str,
    *,
    organization_id: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[SigningCertificate, bool]:
    """import_certificate, also saying whether this call stored it (False: it was stored already)."""
    identity = _identity_or_invalid(upload)
    info = describe_certificate(identity.certificate)
    _check_usable(identity, info, now or utcnow())
    existing = _stored_certificate(session, info.fingerprint_sha256)
    if existing is not None:
        return existing, False
    row = SigningCertificate(
        organization_id=organization_id,
        pass_type_identifier=info.pass_type_identifier,
        team_identifier=info.team_identifier,
        certificate_pem=upload.certificate_pem.decode("ascii"),
        private_key_encrypted=encrypt_private_key(secret_key, upload.private_key_pem),
        wwdr_certificate_pem=upload.wwdr_certificate_pem.decode("ascii"),
        fingerprint_sha256=info.fingerprint_sha256,
        not_before=info.not_before,
        not_after=info.not_after,
    )
    # The same file uploaded twice at once: the second insert meets the first's unique
    # fingerprint (PostgreSQL waits for its commit), and then answers with the stored row.
    savepoint = session.begin_nested()
    try:
        session.add(row)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        existing = _stored_certificate(session, info.fingerprint_sha256)
        if existing is None:
            raise
        return existing, False
    savepoint.commit()
    return row, True


def _stored_certificate(session: Session, fingerprint_sha256: str) -> SigningCertificate | None:
    return session.execute(
        select(SigningCertificate).where(SigningCertificate.fingerprint_sha256 == fingerprint_sha256)
    ).scalar_one_or_none()


def _identity_or_invalid(upload: CertificateUpload) -> SigningIdentity:
    try:
        return SigningIdentity.from_pem(
            upload.certificate_pem, upload.private_key_pem, upload.wwdr_certificate_pem
        )
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"certificate or key could not be read: {exc}", field="certificate") from None


def _check_usable(identity: SigningIdentity, info: CertificateInfo, now: dt.datetime) -> None:
    # SigningIdentity already refused a key that does not match or a WWDR that did not issue it.
    if not info.is_pass_type_certificate or not info.pass_type_identifier:
        raise InvalidInput("this is not a Pass Type ID certificate (no pass type identifier in its subject)", field="certificate")
    if not info.team_identifier:
        raise InvalidInput("the certificate names no team identifier (subject OU)", field="certificate")
    if info.not_after <= now:
        raise InvalidInput(f"the certificate expired on {info.not_after.isoformat()}", field="certificate")
