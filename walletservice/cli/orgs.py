"""Organization commands."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from walletservice.db import transaction
from walletservice.errors import DomainError
from walletservice.models import Organization
from walletservice.services import google_accounts
from walletservice.services.google_issuers import trusted_token_uris
from walletservice.services.organizations import create_organization
from walletservice.services.webhooks import (
    WebhookSettings,
    set_webhook_authorization,
    set_webhook_url,
    webhook_settings,
)

orgs_group = AppGroup("orgs", help="Organizations (tenants) and their API keys.")


def register(group: AppGroup) -> None:
    group.add_command(orgs_group)


@orgs_group.command("create", help="Create an organization and print its first API key.")
@click.argument("name")
@click.option("--parent", "parent_id", default=None, help="Parent organization id.")
@click.option("--webhook-url", default=None, help="Where its pass events are POSTed (http or https).")
@click.option("--json", "as_json", is_flag=True)
def create(name: str, parent_id: str | None, webhook_url: str | None, as_json: bool) -> None:
    try:
        with transaction() as session:
            issued = create_organization(session, name, parent_id)
            # organization_id as `demo --json` names it; "id" kept for scripts written before.
            result = {"organization_id": issued.organization.id, "id": issued.organization.id,
                      "api_key": issued.api_key}
            if webhook_url is not None:
                webhook = set_webhook_url(session, issued.organization, webhook_url,
                                          current_app.config["WALLET_SECRET_KEY"], allow_private=_allow_private())
                result.update(webhook_url=webhook.url, webhook_secret=webhook.secret)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo(f"organization {result['id']}\napi key {result['api_key']} (shown once)")
        if webhook_url is not None:
            click.echo(f"webhook {result['webhook_url']}\nwebhook secret {result['webhook_secret']}")


@orgs_group.command("webhook", help="Set (or with --remove, remove) an organization's webhook URL and the "
                                    "Authorization value its POSTs carry; prints the URL, the secret signing "
                                    "the POSTs and whether an Authorization value is set.")
@click.argument("organization_id")
@click.option("--url", default=None, help="http:// or https:// URL; omitted: only show the current one.")
@click.option("--remove", is_flag=True, help="Stop sending webhooks.")
@click.option("--authorization", default=None,
              help="The Authorization header value of every POST (e.g. the API key a Passworks receiver checks).")
@click.option("--clear-authorization", is_flag=True, help="Send the secret as Authorization again.")
@click.option("--json", "as_json", is_flag=True)
def webhook(organization_id: str, url: str | None, remove: bool, authorization: str | None,
            clear_authorization: bool, as_json: bool) -> None:
    secret_key = current_app.config["WALLET_SECRET_KEY"]
    try:
        with transaction() as session:
            organization = session.get(Organization, organization_id)
            if organization is None:
                raise click.ClickException(f"no organization {organization_id}")
            if remove or url is not None:
                set_webhook_url(session, organization, None if remove else url, secret_key,
                                allow_private=_allow_private())
            if clear_authorization or authorization is not None:
                set_webhook_authorization(session, organization, None if clear_authorization else authorization,
                                          secret_key)
            settings = webhook_settings(organization, secret_key)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    _echo_webhook(settings, as_json)


def _echo_webhook(settings: WebhookSettings, as_json: bool) -> None:
    shown = {"webhook_url": settings.url, "webhook_secret": settings.secret,
             "webhook_authorization_set": settings.authorization is not None,
             "webhook_authorization_hint": settings.authorization_hint}
    if as_json:
        click.echo(json.dumps(shown))
    else:
        click.echo(f"webhook {settings.url or '(none)'}\nwebhook secret {settings.secret or '(none)'}\n"
                   f"authorization {settings.authorization_hint or '(none: the secret is sent)'}")


def _allow_private() -> bool:
    # The sender refuses such addresses anyway; refusing them here says so at once.
    return bool(current_app.config["WALLET_WEBHOOK_ALLOW_PRIVATE"])


@orgs_group.command("google", help="Set (or with --remove, remove) an organization's own Google Wallet issuer "
                                   "id and service account key; prints the issuer in use, never the key.")
@click.argument("organization_id")
@click.option("--issuer-id", default=None, help="The issuer id from the Google Pay & Wallet Console.")
@click.option("--service-account-file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The service account's JSON key file; stored encrypted.")
@click.option("--remove", is_flag=True, help="Use the server's issuer (WALLET_GOOGLE_ISSUER_ID) again.")
@click.option("--json", "as_json", is_flag=True)
def google(organization_id: str, issuer_id: str | None, service_account_file: str | None, remove: bool,
           as_json: bool) -> None:
    if (issuer_id is None) != (service_account_file is None):
        raise click.UsageError("give --issuer-id and --service-account-file together")
    try:
        with transaction() as session:
            organization = session.get(Organization, organization_id)
            if organization is None:
                raise click.ClickException(f"no organization {organization_id}")
            if remove:
                google_accounts.remove_own_account(session, organization)
            elif issuer_id is not None and service_account_file is not None:
                with open(service_account_file, encoding="utf-8", errors="replace") as key_file:
                    google_accounts.set_own_account(session, organization, issuer_id,
                                                    key_file.read(google_accounts.MAX_KEY_FILE_BYTES + 1),
                                                    current_app.config["WALLET_SECRET_KEY"],
                                                    trusted_token_uris(current_app.config))
            row = google_accounts.own_account(session, organization.id)
            shown = {"own_account": row is not None, "issuer_id": row.issuer_id if row else None,
                     "client_email": row.client_email if row else None}
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        click.echo(json.dumps(shown))
    elif row is None:
        click.echo("google wallet: the server's issuer (WALLET_GOOGLE_ISSUER_ID)")
    else:
        click.echo(f"google wallet issuer {shown['issuer_id']}\nservice account {shown['client_email']}")
