"""`wallet pass-format-table`: docs/pass-format.md's support table, from passkit.pass_format."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from walletservice.passkit.format_table import render_table


def register(group: AppGroup) -> None:
    group.add_command(pass_format_table)


@click.command("pass-format-table",
               help="Print the pass.json support table (Markdown); "
                    "python -m walletservice.passkit.format_table writes it into docs/pass-format.md.")
def pass_format_table() -> None:
    click.echo(render_table(), nl=False)
