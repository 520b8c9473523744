"""`wallet demo`: a signed pass to try the web service with."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from walletservice.db import transaction
from walletservice.runtime import WEB_SERVICE_PATH, runtime
from walletservice.services.demo import ensure_demo_pass
from walletservice.web.routes import pkpass_path


def register(group: AppGroup) -> None:
    group.add_command(demo)


@click.command("demo", help="Create (if missing) a demo organization, campaign and pass.")
@click.option("--json", "as_json", is_flag=True)
def demo(as_json: bool) -> None:
    public_url = current_app.config["WALLET_PUBLIC_URL"]
    with transaction() as session:
        created = ensure_demo_pass(session, runtime().certificates)
        pass_ = created.pass_
        result = {
            "organization_id": created.organization_id,
            "pass_type_identifier": pass_.pass_type_identifier,
            "serial_number": pass_.serial_number,
            "authentication_token": pass_.authentication_token,
            "web_service_url": public_url + WEB_SERVICE_PATH,
            "pkpass_url": public_url + pkpass_path(pass_),
            "api_key": created.api_key,
            "dashboard_url": public_url + "/dashboard",
            "dashboard_email": created.dashboard_email,
            "dashboard_password": created.dashboard_password,
        }
    if as_json:
        click.echo(json.dumps(result))
    else:
        for key, value in result.items():
            click.echo(f"{key}: {value}")
