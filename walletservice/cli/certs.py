"""Certificate commands: development CA, importing Apple's certificates."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from walletservice.db import transaction
from walletservice.errors import DomainError
from walletservice.services.certificates import (
    CertificateUpload,
    dev_certificate_paths,
    ensure_dev_certificates,
    import_certificate,
    read_pkcs12_upload,
)


def register(group: AppGroup) -> None:
    group.add_command(dev_certs)
    group.add_command(certs_group)


@click.command("dev-certs", help="Create a development CA and Pass Type ID certificate if missing.")
def dev_certs() -> None:
    config = current_app.config
    created = ensure_dev_certificates(
        config["WALLET_CERTS_DIR"], config["WALLET_DEV_PASS_TYPE_IDENTIFIER"], config["WALLET_TEAM_IDENTIFIER"]
    )
    paths = dev_certificate_paths(config["WALLET_CERTS_DIR"])
    click.echo(f"{'created' if created else 'kept existing'} development certificates in {paths.directory}")


certs_group = AppGroup("certs", help="Signing certificates.")


@certs_group.command("import", help="Import a Pass Type ID certificate (.p12, or PEM cert + key).")
@click.option("--p12", "p12_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--password", default=None, help="Password of the .p12 or of the PEM key.")
@click.option("--cert", "cert_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wwdr", "wwdr_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Apple WWDR G4 intermediate certificate (PEM or DER).")
@click.option("--organization", "organization_id", default=None,
              help="Organization id; omit for a platform certificate every organization may use.")
@click.option("--json", "as_json", is_flag=True)
def import_command(p12_path, password, cert_path, key_path, wwdr_path, organization_id, as_json) -> None:  # type: ignore[no-untyped-def]
    upload = _read_upload(p12_path, password, cert_path, key_path, wwdr_path)
    try:
        with transaction() as session:
            row = import_certificate(
                session, upload, current_app.config["WALLET_SECRET_KEY"], organization_id=organization_id
            )
            summary = {
                "id": row.id, "pass_type_identifier": row.pass_type_identifier,
                "team_identifier": row.team_identifier, "expires_at": row.not_after.isoformat(),
            }
    except DomainError as exc:
        raise click.ClickException(" ".join([exc.message, *exc.details])) from None
    click.echo(json.dumps(summary) if as_json else
               f"imported {summary['pass_type_identifier']} (team {summary['team_identifier']}), "
               f"expires {summary['expires_at']}")


def _read_upload(p12_path, password, cert_path, key_path, wwdr_path) -> CertificateUpload:  # type: ignore[no-untyped-def]
    wwdr = _pem(wwdr_path.read_bytes()) if wwdr_path else None
    try:
        if p12_path:
            return read_pkcs12_upload(p12_path.read_bytes(), password.encode() if password else None, wwdr)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    if not (cert_path and key_path and wwdr):
        raise click.UsageError("give --p12 (and --wwdr unless inside it), or --cert, --key and --wwdr")
    key_pem = key_path.read_bytes()
    if password:
        key_pem = _decrypt_key(key_pem, password.encode())
    return CertificateUpload(_pem(cert_path.read_bytes()), key_pem, wwdr)


def _pem(data: bytes) -> bytes:
    """Apple hands out the WWDR certificate as DER (.cer); accept both."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    if b"-----BEGIN" in data:
        return data
    try:
        return x509.load_der_x509_certificate(data).public_bytes(Encoding.PEM)
    except ValueError:
        raise click.ClickException("certificate file is neither PEM nor DER") from None


def _decrypt_key(key_pem: bytes, password: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(key_pem, password=password)
    except (ValueError, TypeError):
        raise click.ClickException("the private key could not be decrypted with that password") from None
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )



