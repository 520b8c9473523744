"""An attacker against every route of the app's url_map (tests/security/routes.py reads
the map, so a new route is attacked without being added here).

Per route and kind of attack: the answer is a 4xx (a public route: no 5xx), nothing
in the database changed (every table hashed before and after, less what a public
route is documented to write), and no answer holds an API key, a webhook secret, a
private key, another pass's ApplePass token or a CMS signature.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.security.routes import (
    PUBLIC, SIGN_IN_PAGE, SIGNED_DOWNLOADS, UNKNOWN_OBJECT_STATUS, WRITES, Route, app_routes, body_reading_endpoints,
)
from tests.security.world import Tenant, build_tenant, suite_app
from walletservice.db import transaction
from walletservice.models import Base
from walletservice.passkit import devcerts

ROUTES = app_routes()
BODY_READERS = body_reading_endpoints()
# The signedData OID 1.2.840.113549.1.7.2 as DER writes it: the heart of a CMS signature.
SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")
PRIVATE_KEY_MARKER = b"PRIVATE KEY-----"
NUL, NON_UTF8, MARKER = "\x00", "\udcff\udcfe", "\x01"  # NON_UTF8: the bytes FF FE in a header
TRAVERSALS = ("../../../../etc/passwd", "..", "..\\..\\windows\\win.ini")
OVERSIZED = b"{" + b" " * (2 * 1024 * 1024) + b"}"  # past WALLET_MAX_REQUEST_BYTES (2 MiB)
NESTED_DEPTH = 100_000
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Bodies a route would accept, so that only the missing credentials stand in the way.
VALID_BODIES = {
    "webservice.register": b'{"pushToken": "abab"}',
    "webservice.log": b'{"logs": ["adversarial"]}',
    "webservice.personalize": b'{"personalizationToken": "forged", "requiredPersonalizationInfo": {"fullName": "Eve"}}',
}

@dataclass
class World:
    app: Flask
    client: FlaskClient
    victim: Tenant  # tenant A: its ids are in every path
    attacker: Tenant  # tenant B: its credentials
    secrets: list[bytes] = field(default_factory=list)
    pass_tokens: list[bytes] = field(default_factory=list)
    # The tables as the last case left them: the next case's "before" (only this module's cases run between).
    digests: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(test_settings: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with suite_app(test_settings, Path(tmp_path_factory.mktemp("adversarial"))) as app:
        client = app.test_client()
        wwdr = devcerts.generate_ca("adversarial suite WWDR")
        victim, attacker = build_tenant(client, "victim", wwdr), build_tenant(client, "attacker", wwdr)
        secrets = [secret.encode() for tenant in (victim, attacker) for secret in tenant.secrets]
        tokens = [token.encode() for tenant in (victim, attacker) for token in tenant.pass_tokens]
        yield World(app, client, victim, attacker, secrets, tokens)


# --- the database before and after -------------------------------------------------------------

def table_digests() -> dict[str, str]:
    with transaction(write=False) as session:
        digests = {}
        for table in Base.metadata.sorted_tables:
            rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
            digests[table.name] = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before if before[name] != after.get(name)}


# --- requests -----------------------------------------------------------------------------------

@dataclass
class Attempt:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes | None = None
    anonymous: bool = True  # no valid credentials: a public route may answer it
    own_collection: bool = False  # tenant B listing its own things: a 2xx, without anything of tenant A


def owner_headers(route: Route, tenant: Tenant) -> dict[str, str]:
    """The credentials the owner of the path's objects would send."""
    if route.api == "v2":
        return dict(tenant.basic)
    if route.api == "v3":
        return {"Authorization": tenant.account.api_key}
    if route.api == "wallet":
        return {"Authorization": f"ApplePass {tenant.pass_tokens[0]}"}
    return {}


def victim_values(route: Route, victim: Tenant) -> dict[str, str]:
    values = {}
    for name, _converter in route.arguments:
        key = "pass_schedule_id" if name == "schedule_id" and "/passes/" in route.rule else name
        value = victim.value(route.segment, key)
        assert value is not None, f"tests/security/world.py has no sample value for <{name}> of {route.rule}"
        values[name] = value
    return values


def _json_body(route: Route) -> bytes | None:
    return b"{}" if route.method in WRITE_METHODS else None


def poisoned_authorizations(route: Route, poison: str) -> list[str]:
    """The route's own kinds of credentials, with the poison inside."""
    basic = "Basic " + base64.b64encode(f"x{poison}:y{poison}".encode("utf-8", "surrogateescape")).decode()
    return {"v2": [basic, f"Bearer k{poison}"], "v3": [f"k{poison}"], "wallet": [f"ApplePass t{poison}"]}.get(
        route.api, [basic])


def header_attempts(route: Route, path: str, poison: str) -> list[Attempt]:
    """Without valid credentials, the poison in Authorization and in the headers the app reads or logs."""
    others = {"User-Agent": f"Wallet{poison}", "If-Modified-Since": f"Mon{poison}", "Accept": f"*/*{poison}",
              "Accept-Language": f"en{poison}", "Cookie": f"s=1{poison}", "X-Forwarded-For": f"1.2.3.4{poison}"}
    return [Attempt(f"Authorization {value!r}", path, {name: _latin1(header) for name, header in {
        **others, "Authorization": value}.items()}, _json_body(route))
        for value in poisoned_authorizations(route, poison)]


def _latin1(header: str) -> str:
    # WSGI carries header bytes as latin-1 text: the bytes FF FE arrive as "ÿþ".
    return header.encode("utf-8", "surrogateescape").decode("latin-1")


def path_attempts(route: Route, world: World, kind: str) -> list[Attempt]:
    """One argument at a time made bad, the others the victim's real values, with the owner's credentials."""
    values = victim_values(route, world.victim)
    attempts = []
    for name, _converter in route.arguments:
        bad_values = {"nul": [values[name] + NUL, NUL], "non_utf8": [values[name] + MARKER, MARKER],
                      "traversal": list(TRAVERSALS)}[kind]
        for bad in bad_values:
            # The marker's %01 becomes the bytes FF FE, which no UTF-8 decoder accepts.
            path = route.path({**values, name: bad}).replace("%01", "%FF%FE")
            attempts.append(Attempt(f"<{name}>={bad!r}", path, owner_headers(route, world.victim),
                                    _json_body(route), anonymous=False))
    return attempts


def attempts_for(route: Route, world: World, kind: str) -> list[Attempt]:
    victim, attacker = world.victim, world.attacker
    path = route.path(victim_values(route, victim))
    if kind == "anonymous":
        valid = VALID_BODIES.get(route.endpoint)
        return [Attempt("no credentials", path, {}, _json_body(route)),
                *([Attempt("no credentials, a valid body", path, {}, valid)] if valid else [])]
    if kind == "other_tenant" and not route.arguments:
        return [Attempt(f"tenant B lists its own, {name}", path, headers, anonymous=False, own_collection=True)
                for name, headers in (("Basic", attacker.basic), ("v3 key", {"Authorization": attacker.account.api_key}))]
    if kind == "other_tenant":
        return [Attempt("tenant B's Basic", path, dict(attacker.basic), _json_body(route)),
                Attempt("tenant B's Bearer", path, dict(attacker.account.bearer), _json_body(route)),
                Attempt("tenant B's v3 key", path, {"Authorization": attacker.account.api_key}, _json_body(route))]
    if kind == "other_pass_token":
        return [Attempt("another pass's token", path, {"Authorization": f"ApplePass {token}"}, _json_body(route))
                for token in (victim.pass_tokens[1], attacker.pass_tokens[0])]
    if kind in ("nul", "non_utf8", "traversal"):
        return path_attempts(route, world, kind)
    if kind in ("header_nul", "header_non_utf8"):
        return header_attempts(route, path, NUL if kind == "header_nul" else NON_UTF8)
    if kind == "oversized_body":
        return [Attempt("2 MiB body, owner", path, owner_headers(route, victim), OVERSIZED, anonymous=False),
                Attempt("2 MiB body, anonymous", path, {}, OVERSIZED)]
    if kind == "nested_body":
        nested = b"[" * NESTED_DEPTH + b"]" * NESTED_DEPTH
        objects = b'{"a":' * NESTED_DEPTH + b"1" + b"}" * NESTED_DEPTH
        return [Attempt(f"{name} nested {NESTED_DEPTH} deep, owner", path, owner_headers(route, victim), body,
                        anonymous=False) for name, body in (("arrays", nested), ("objects", objects))]
    raise AssertionError(kind)


# --- what an answer may hold --------------------------------------------------------------------

def victims_things(body: bytes, world: World) -> list[str]:
    victim = world.victim
    things = [*victim.secrets, *victim.pass_tokens, *victim.ids]
    return [f"tenant A's {thing[:8]!r}..." for thing in things if thing.encode() in body]


def leaks(route: Route, body: bytes, world: World) -> list[str]:
    found = [f"secret {secret[:6]!r}..." for secret in world.secrets if secret in body]
    if PRIVATE_KEY_MARKER in body:
        found.append("a PEM private key")
    signed_download = route.endpoint in SIGNED_DOWNLOADS
    if not signed_download:  # the holder of a download link gets that pass, its token included
        found += [f"ApplePass token {token[:6]!r}..." for token in world.pass_tokens if token in body]
        if SIGNED_DATA_OID in body or (body.startswith(b"PK\x03\x04") and b"signature" in body):
            found.append("a CMS signature")
    return found


def expected_status(route: Route, attempt: Attempt, status: int) -> bool:
    if 400 <= status < 500 or status == UNKNOWN_OBJECT_STATUS.get(route.endpoint):
        return True
    return route.public and attempt.anonymous and status < 500


def sent_to_sign_in(route: Route, status: int, location: str | None) -> bool:
    """A dashboard page redirecting a browser that is not signed in to the sign-in form."""
    return route.rule.startswith("/dashboard") and status == 302 and (location or "").startswith(SIGN_IN_PAGE)


def run_attack(world: World, route: Route, kind: str) -> None:
    attempts = attempts_for(route, world, kind)
    before = world.digests or table_digests()
    problems = []
    for attempt in attempts:
        response = world.client.open(attempt.path, method=route.method, headers=attempt.headers,
                                     data=attempt.data, content_type="application/json")
        body = response.get_data()
        if attempt.own_collection:
            problems += [f"{attempt.name}: answer holds {leak}" for leak in victims_things(body, world)]
            if response.status_code >= 500:
                problems.append(f"{attempt.name}: {response.status_code} {body[:200]!r}")
            continue
        if not (expected_status(route, attempt, response.status_code)
                or sent_to_sign_in(route, response.status_code, response.headers.get("Location"))):
            problems.append(f"{attempt.name}: {response.status_code} {body[:200]!r}")
        problems += [f"{attempt.name}: answer holds {leak}" for leak in leaks(route, body, world)]
    allowed, _why = WRITES.get(route.endpoint, (set(), ""))
    world.digests = table_digests()
    changed = changed_tables(before, world.digests) - allowed
    if changed:
        problems.append(f"changed {sorted(changed)}")
    assert not problems, f"{route.id} [{kind}]:\n" + "\n".join(problems)


# --- the cases ----------------------------------------------------------------------------------

def kinds(route: Route) -> list[str]:
    chosen = ["anonymous", "header_nul", "header_non_utf8"]
    if route.api in ("v2", "v3") and not route.public and (route.arguments or route.method == "GET"):
        chosen.append("other_tenant")
    if route.arguments:
        chosen += ["nul", "non_utf8", "traversal"]
        if route.api == "wallet" and not route.public:
            chosen.append("other_pass_token")
    if route.endpoint in BODY_READERS:
        chosen += ["oversized_body", "nested_body"]
    return chosen


def cases() -> list[object]:
    return [pytest.param(route, kind, id=f"{route.id} [{kind}]") for route in ROUTES for kind in kinds(route)]


@pytest.mark.parametrize(("route", "kind"), cases())
def test_attacker_gets_a_4xx_changes_nothing_and_learns_nothing(world: World, route: Route, kind: str) -> None:
    run_attack(world, route, kind)


def test_every_public_route_exists_and_says_why() -> None:
    endpoints = {route.endpoint for route in ROUTES}
    assert set(PUBLIC) <= endpoints, set(PUBLIC) - endpoints
    assert set(WRITES) <= set(PUBLIC) and all(reason for reason in PUBLIC.values())


def test_the_leak_check_finds_a_secret_a_token_a_private_key_and_a_signature() -> None:
    world = World(app=None, client=None, victim=None, attacker=None,  # type: ignore[arg-type]
                  secrets=[b"api-key-123"], pass_tokens=[b"pass-token-456"])
    route = next(route for route in ROUTES if route.endpoint == "webservice.latest_pass")
    signature = b"\x30\x82\x05\x00" + SIGNED_DATA_OID + b"\xa0\x82"

    assert leaks(route, b"ok", world) == []
    assert len(leaks(route, b"api-key-123 pass-token-456 -----BEGIN PRIVATE KEY-----" + signature, world)) == 4
    download = next(route for route in ROUTES if route.endpoint == "web.download_pkpass")
    assert leaks(download, b"pass-token-456" + signature, world) == []  # the link's holder gets the pass
