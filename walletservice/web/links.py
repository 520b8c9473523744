"""The customer links of a pass: its page, its .pkpass and the owner's preview.

The download id is the only secret in them, never the serial or the pass id.
"""

from __future__ import annotations

from flask import current_app

from walletservice.models import Pass
from walletservice.services.download_page import preview_token


def pkpass_path(pass_: Pass) -> str:
    return f"/download/{pass_.download_id}.pkpass"


def page_path(pass_: Pass) -> str:
    """The download page (Passworks' `page_url`); see walletservice.web.pages."""
    return f"/p/{pass_.download_id}"


def preview_url(pass_: Pass) -> str:
    """The page with the owner's notes; the token is signed with the app secret."""
    token = preview_token(current_app.config["WALLET_SECRET_KEY"], pass_)
    return f"{current_app.config['WALLET_PUBLIC_URL']}{page_path(pass_)}?preview={token}"


def public_url(path: str) -> str:
    return str(current_app.config["WALLET_PUBLIC_URL"]) + path
