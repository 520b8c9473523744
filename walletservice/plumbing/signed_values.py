"""Values signed with the app secret for links (bundle and preview tokens).

itsdangerous drops characters outside its alphabet before it checks the signature, so
`<token>%E2%80%8B` or `<token>!` would open the same link as `<token>`. Every signed
link is read through `load_signed`, which accepts exactly the token that was issued.
"""

from __future__ import annotations

import re
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

# URLSafeSerializer writes URL-safe base64 parts joined by dots.
_TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9_\-.]+")


def sign_value(secret: str, salt: str, value: Any) -> str:
    return str(URLSafeSerializer(secret, salt=salt).dumps(value))


def load_signed(secret: str, salt: str, token: str) -> Any:
    """The value of a token this service signed with this salt; BadSignature otherwise."""
    if not _TOKEN_ALPHABET.fullmatch(token):
        raise BadSignature("the token holds characters a signed token never has")
    return URLSafeSerializer(secret, salt=salt).loads(token)
