"""`wallet config-table`: the README's configuration table, from config.SETTINGS."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from walletservice.config import settings_table_markdown


def register(group: AppGroup) -> None:
    group.add_command(config_table)


@click.command("config-table", help="Print the configuration table (Markdown).")
def config_table() -> None:
    click.echo(settings_table_markdown())
