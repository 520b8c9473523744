"""NFC key commands: the P-256 pair behind a pass's nfc.encryptionPublicKey."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from walletservice.db import transaction
from walletservice.errors import DomainError
from walletservice.services.nfc_keys import create_nfc_key

nfc_key_group = AppGroup("nfc-key", help="NFC (Value Added Services) keys of an organization.")


def register(group: AppGroup) -> None:
    group.add_command(nfc_key_group)


@nfc_key_group.command("create", help="Generate a P-256 key pair for the organization's NFC passes and print "
                                      "its public key as Apple's nfc.encryptionPublicKey takes it.")
@click.option("--organization", "organization_id", required=True, help="Organization id.")
@click.option("--json", "as_json", is_flag=True)
def create(organization_id: str, as_json: bool) -> None:
    try:
        with transaction() as session:
            row = create_nfc_key(session, organization_id, current_app.config["WALLET_SECRET_KEY"])
            result = {"id": row.id, "organization_id": row.organization_id, "encryption_public_key": row.public_key}
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"NFC key {result['id']} created; new passes with nfc get it. encryptionPublicKey "
               "(Base64 X.509 SubjectPublicKeyInfo, P-256):")
    click.echo(result["encryption_public_key"])
