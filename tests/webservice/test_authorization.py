"""`Authorization: ApplePass <token>` on register, fetch and unregister (digest 1.2, mistake 18).

The scheme is case-insensitive (RFC 9110); the token is compared exactly, after
exactly "ApplePass ".
"""

from __future__ import annotations

import pytest

PUSH_TOKEN = {"pushToken": "c3" * 32}


def _calls(client, issued):  # type: ignore[no-untyped-def]
    """Each authenticated call, answering its success status when the header is accepted."""
    return {
        "register": lambda headers: client.post(issued.registration_url("dev1"), json=PUSH_TOKEN, headers=headers),
        "fetch": lambda headers: client.get(issued.pass_url, headers=headers),
        "unregister": lambda headers: client.delete(issued.registration_url("dev1"), headers=headers),
    }


@pytest.mark.parametrize("call", ["register", "fetch", "unregister"])
@pytest.mark.parametrize("scheme", ["ApplePass", "applepass", "APPLEPASS"])
def test_the_scheme_is_case_insensitive(client, issued, call, scheme):
    response = _calls(client, issued)[call]({"Authorization": f"{scheme} {issued.token}"})

    assert response.status_code in (200, 201)


@pytest.mark.parametrize("call", ["register", "fetch", "unregister"])
@pytest.mark.parametrize("header", [
    "ApplePass",
    "ApplePass ",
    "{token}",
    "ApplePass{token}",
    "ApplePass\t{token}",
    "ApplePass  {token}",
    "ApplePass {token}x",
    "ApplePass {short}",
    "ApplePass {upper}",
    "Bearer {token}",
    "Basic {token}",
    "AttidoPass {token}",
])
def test_anything_but_applepass_and_the_exact_token_is_401_with_no_body(client, issued, call, header):
    value = header.format(token=issued.token, short=issued.token[:-1], upper=issued.token.upper())
    assert value != f"ApplePass {issued.token}"

    response = _calls(client, issued)[call]({"Authorization": value})

    assert response.status_code == 401
    assert response.data == b""


@pytest.mark.parametrize("body", [b"not json", b'{"pushToken": "zz"}', b"{" * 70000])
def test_a_bad_token_is_401_before_the_body_is_read(client, issued, app, body):
    # Apple: on a bad token answer 401 at once and ignore the request.
    app.config["WALLET_MAX_WEBSERVICE_BODY_BYTES"] = 1024
    response = client.post(issued.registration_url("dev1"), data=body, content_type="application/json",
                           headers={"Authorization": "ApplePass not-the-token-at-all"})

    assert response.status_code == 401
    assert response.data == b""
