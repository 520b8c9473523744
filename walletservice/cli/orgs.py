"""Organization commands."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from walletservice.db import transaction
from walletservice.errors import DomainError
from walletservice.services.organizations import create_organization

orgs_group = AppGroup("orgs", help="Organizations (tenants) and their API keys.")


def register(group: AppGroup) -> None:
    group.add_command(orgs_group)


@orgs_group.command("create", help="Create an organization and print its first API key.")
@click.argument("name")
@click.option("--parent", "parent_id", default=None, help="Parent organization id.")
@click.option("--json", "as_json", is_flag=True)
def create(name: str, parent_id: str | None, as_json: bool) -> None:
    try:
        with transaction() as session:
            issued = create_organization(session, name, parent_id)
            result = {"id": issued.organization.id, "api_key": issued.api_key}
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(f"organization {result['id']}\napi key {result['api_key']} (shown once)")
