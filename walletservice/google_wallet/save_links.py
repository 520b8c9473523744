""""Save to Google Wallet" links: a JWT signed with the service account key (Google's
"Google Wallet API JWT" reference: aud google, typ savetowallet, origins, payload).

Only the ids of the class and object go into the payload: they are created through
the REST API first, so the URL stays far below the ~1,800 characters browsers and
Google accept.
"""

from __future__ import annotations

import time

import jwt

from .accounts import ServiceAccount

SAVE_URL_PREFIX = "https://pay.google.com/gp/v/save/"
MAX_SAVE_URL_CHARS = 1800


def save_url(account: ServiceAccount, google_type: str, class_id: str, object_id: str,
             origins: list[str], *, issued_at: int | None = None) -> str:
    claims = {
        "iss": account.client_email,
        "aud": "google",
        "typ": "savetowallet",
        "iat": int(time.time()) if issued_at is None else issued_at,
        "origins": origins,
        "payload": {f"{google_type}Objects": [{"id": object_id, "classId": class_id}]},
    }
    headers = {"kid": account.private_key_id} if account.private_key_id else None
    token = jwt.encode(claims, account.private_key_pem, algorithm="RS256", headers=headers)
    url = SAVE_URL_PREFIX + token
    if len(url) > MAX_SAVE_URL_CHARS:  # ids are bounded, so only a huge origin list gets here
        raise ValueError(f"save URL would be {len(url)} characters, more than {MAX_SAVE_URL_CHARS}")
    return url
