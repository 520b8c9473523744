"""`wallet users`: the people who sign in to the dashboard (docs/dashboard.md)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from walletservice.db import transaction
from walletservice.errors import DomainError
from walletservice.models.base import utcnow
from walletservice.models.dashboard import ROLES
from walletservice.services.dashboard_users import create_user, disable_user, list_users

users_group = AppGroup("users", help="Dashboard users: create, list, disable.")


def register(group: AppGroup) -> None:
    group.add_command(users_group)


@users_group.command("create", help="Create a dashboard user; the password is read from standard input.")
@click.argument("email")
@click.option("--organization", "organization_id", required=True, help="Organization id.")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="owner or editor: may change things; viewer: may only look.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (never from the command line, which others can see).")
def create(email: str, organization_id: str, role: str, password_stdin: bool) -> None:
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with transaction() as session:
            user = create_user(session, email, organization_id, role, password)
            click.echo(f"user {user.id} {user.email} ({user.role}) in organization {user.organization_id}")
    except DomainError as exc:
        raise click.ClickException(exc.message) from None


@users_group.command("list", help="List dashboard users.")
@click.option("--organization", "organization_id", default=None, help="Only this organization's users.")
@click.option("--json", "as_json", is_flag=True)
def list_command(organization_id: str | None, as_json: bool) -> None:
    with transaction(write=False) as session:
        rows = [{"id": user.id, "email": user.email, "organization_id": user.organization_id, "role": user.role,
                 "disabled": user.disabled_at is not None} for user in list_users(session, organization_id)]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        click.echo(f"{row['email']}\t{row['role']}\t{row['organization_id']}\t"
                   f"{'disabled' if row['disabled'] else 'active'}")


@users_group.command("disable", help="Disable a dashboard user: no more sign-ins, and open sessions end.")
@click.argument("email")
def disable(email: str) -> None:
    try:
        with transaction() as session:
            user = disable_user(session, email, utcnow())
            click.echo(f"disabled {user.email}")
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
