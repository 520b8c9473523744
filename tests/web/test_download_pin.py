"""The download PIN (Passcreator's downloadPin): asked when the campaign switches it on
and the pass has one; the form leaks nothing, a correct PIN sets a scoped unlock cookie,
wrong PINs lock the form for every process, the owner and Wallet are never asked."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update

from tests.web.page_parsing import expected_qr_modules, parse_page, qr_modules
from tests.web.test_download_page import events, issue, local
from walletservice import create_app
from walletservice.db import transaction
from walletservice.models import DownloadPinAttempts, Pass
from walletservice.models.base import utcnow
from walletservice.runtime import WEB_SERVICE_PATH
from walletservice.services.download_pins import protect_pin, unlock_token
from walletservice.web.access import UNLOCK_COOKIE
from walletservice.web.pages import (
    CONTENT_SECURITY_POLICY, PIN_FORM_CONTENT_SECURITY_POLICY, SANDBOXED_CONTENT_SECURITY_POLICY,
)

PIN = "4711"
SECRET = "test-secret-key-not-for-production"  # tests/conftest.py
PIN_CAMPAIGN = {"download_pin_enabled": True}
PASS_TEXTS = ("BALANCE", "$0", "Gold", "Iced Mocha", "Bayroast loyalty card", "Add to Apple Wallet",
              "Your Bayroast card, always with you")


def set_pin(pass_id: str, pin: object) -> None:
    """Store a downloadPin as POST /api/v3/pass does (Pass.extra, hashed)."""
    with transaction() as session:
        pass_ = session.get(Pass, pass_id)
        pass_.extra = {**(pass_.extra or {}), "downloadPin": protect_pin(pin)}


def protected(client, account, campaign: dict | None = None, pin: object = PIN) -> dict:
    issued = issue(client, account, {**PIN_CAMPAIGN, **(campaign or {})})
    set_pin(issued["id"], pin)
    return issued


def download_id(issued: dict) -> str:
    return local(issued["page_url"]).removeprefix("/p/")


def post_pin(client, issued: dict, pin: str):
    return client.post(f"{local(issued['page_url'])}/pin", data={"pin": pin})


def files_of(issued: dict) -> list[str]:
    base = local(issued["page_url"])
    return [f"{base}/image.png", f"{base}/pass.css", f"{base}/custom.css", f"{base}/custom.js",
            local(issued["pkpass_url"])]


def attempts_row(pass_id: str) -> DownloadPinAttempts | None:
    with transaction(write=False) as session:
        return session.get(DownloadPinAttempts, pass_id)


def test_pin_form_is_shown_instead_of_the_pass_and_nothing_of_it_leaks(client, account):
    issued = protected(client, account)

    response = client.get(local(issued["page_url"]))

    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    page = parse_page(html)
    assert "pin-form" in page.ids and "pin" in page.ids
    assert f'action="{local(issued["page_url"])}/pin"' in html and 'method="post"' in html
    assert "add-to-wallet" not in page.links and page.qr_path == ""
    assert page.meta == {} and page.images == [] and page.scripts == []
    assert page.stylesheets == ["/static/web/download-page.css"]
    assert ".pkpass" not in html and "image.png" not in html and "pass.css" not in html
    for text in PASS_TEXTS:
        assert text not in html
    assert page.inline_styles == 0 and page.style_elements == 0 and page.event_handlers == []
    assert response.headers["Cache-Control"] == "no-store"
    assert events("viewed") == []  # the form is not a view of the pass


def test_pin_form_alone_may_post_to_its_own_origin(client, account):
    issued = protected(client, account)
    plain = issue(client, account, {"name": "Without PIN"})

    form = client.get(local(issued["page_url"]))
    refused = post_pin(client, issued, "0000")
    page = client.get(local(plain["page_url"]))
    blocked_file = client.get(local(issued["pkpass_url"]))

    assert PIN_FORM_CONTENT_SECURITY_POLICY == CONTENT_SECURITY_POLICY.replace(
        "form-action 'none'", "form-action 'self'")
    assert form.headers["Content-Security-Policy"] == PIN_FORM_CONTENT_SECURITY_POLICY
    assert refused.headers["Content-Security-Policy"] == PIN_FORM_CONTENT_SECURITY_POLICY
    assert "form-action 'none'" in page.headers["Content-Security-Policy"]
    assert blocked_file.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert form.headers["X-Content-Type-Options"] == "nosniff"


def test_files_and_pkpass_are_refused_with_a_link_to_the_pin_form(client, account):
    issued = protected(client, account)

    for path in files_of(issued):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.mimetype == "text/html" and response.headers["Cache-Control"] == "no-store"
        assert parse_page(response.get_data(as_text=True)).links["pin-page"] == local(issued["page_url"])
    assert events("downloaded") == []


def test_wrong_pin_answers_403_with_an_error_and_sets_no_cookie(client, account):
    issued = protected(client, account)

    response = post_pin(client, issued, "1234")

    assert response.status_code == 403
    page = parse_page(response.get_data(as_text=True))
    assert "pin-error" in page.ids and "pin-form" in page.ids
    assert any("That PIN is not right. 4 more" in text for text in page.texts)
    assert "Set-Cookie" not in response.headers
    assert client.get(local(issued["pkpass_url"])).status_code == 403


def test_pin_is_compared_exactly_as_stored(client, account):
    issued = protected(client, account, pin="0042")

    for near_miss in (" 0042", "0042 ", "42", "0042\n"):
        assert post_pin(client, issued, near_miss).status_code == 403, repr(near_miss)
    assert post_pin(client, issued, "0042").status_code == 303


def test_empty_pin_asks_again_without_counting(client, account):
    issued = protected(client, account)

    response = client.post(f"{local(issued['page_url'])}/pin", data={})

    assert response.status_code == 400
    assert "Enter the PIN." in parse_page(response.get_data(as_text=True)).texts
    assert attempts_row(issued["id"]) is None


def test_correct_pin_sets_a_scoped_cookie_and_unlocks_the_page_and_pkpass(client, account):
    issued = protected(client, account)
    page_path, pkpass_path = local(issued["page_url"]), local(issued["pkpass_url"])

    response = post_pin(client, issued, PIN)

    assert response.status_code == 303 and response.headers["Location"] == page_path
    cookies = response.headers.getlist("Set-Cookie")
    assert sorted(cookie.split("Path=")[1].split(";")[0] for cookie in cookies) == [pkpass_path, page_path]
    for cookie in cookies:
        assert cookie.startswith(f"{UNLOCK_COOKIE}=")
        for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Max-Age=3600"):
            assert attribute in cookie, (attribute, cookie)
        assert PIN not in cookie.split(";")[0]

    page = client.get(page_path)
    assert page.status_code == 200
    parsed = parse_page(page.get_data(as_text=True))
    assert parsed.links["add-to-wallet"] == issued["pkpass_url"]
    for text in ("Gold", "Iced Mocha", "Add to Apple Wallet"):
        assert text in parsed.texts
    assert page.headers["Content-Security-Policy"] == SANDBOXED_CONTENT_SECURITY_POLICY  # Bayroast's own code
    assert "og:image" not in parsed.meta  # link previews never hold the cookie
    for path in files_of(issued):
        assert client.get(path).status_code == 200, path
    download = client.get(pkpass_path)
    assert download.mimetype == "application/vnd.apple.pkpass"
    assert download.headers["Cache-Control"] == "private, no-store"
    # The pkpass was fetched twice (files_of lists it too): one client, one window, one event.
    assert len(events("viewed")) == 1 and len(events("downloaded")) == 1
    assert attempts_row(issued["id"]) is None


def test_unlocked_page_qr_code_leads_to_the_page_not_the_pkpass(client, account):
    issued = protected(client, account)
    post_pin(client, issued, PIN)

    page = parse_page(client.get(local(issued["page_url"])).get_data(as_text=True))

    assert qr_modules(page.qr_path) == expected_qr_modules(issued["page_url"])


def test_unlock_cookie_of_one_pass_does_not_open_another(client, account):
    first = protected(client, account)
    second = issue(client, account, {**PIN_CAMPAIGN, "name": "Second campaign"})
    set_pin(second["id"], PIN)  # the same PIN: the cookie is bound to the pass, not the PIN alone
    assert post_pin(client, first, PIN).status_code == 303
    value = client.get_cookie(UNLOCK_COOKIE, domain="localhost", path=local(first["page_url"])).value

    client.set_cookie(UNLOCK_COOKIE, value, path=local(second["page_url"]))
    client.set_cookie(UNLOCK_COOKIE, value, path=local(second["pkpass_url"]))

    assert "pin-form" in parse_page(client.get(local(second["page_url"])).get_data(as_text=True)).ids
    assert client.get(local(second["pkpass_url"])).status_code == 403
    assert client.get(local(first["pkpass_url"])).status_code == 200


def test_changing_the_pin_voids_earlier_unlocks(client, account):
    issued = protected(client, account)
    assert post_pin(client, issued, PIN).status_code == 303
    assert client.get(local(issued["pkpass_url"])).status_code == 200

    set_pin(issued["id"], "9999")

    assert "pin-form" in parse_page(client.get(local(issued["page_url"])).get_data(as_text=True)).ids
    assert client.get(local(issued["pkpass_url"])).status_code == 403
    assert post_pin(client, issued, "9999").status_code == 303
    assert client.get(local(issued["pkpass_url"])).status_code == 200


def test_expired_or_tampered_unlock_cookies_are_refused(client, account):
    issued = protected(client, account)
    pkpass_path, pass_download_id = local(issued["pkpass_url"]), download_id(issued)
    pin_hash = str(_stored_pin(issued["id"]))  # the MAC covers the stored hash
    valid = unlock_token(SECRET, pass_download_id, pin_hash, utcnow(), 60)
    expired = unlock_token(SECRET, pass_download_id, pin_hash, utcnow() - dt.timedelta(hours=2), 3600)
    expiry, mac = valid.split(".")
    other_secret = unlock_token("another-secret", pass_download_id, pin_hash, utcnow(), 60)

    tampered = mac[:-1] + ("1" if mac.endswith("0") else "0")  # a mac ending in 0 stayed valid: 1 run in 16 failed
    for value in (expired, f"{int(expiry) + 3600}.{mac}", f"{expiry}.{tampered}", other_secret, "junk", ""):
        client.set_cookie(UNLOCK_COOKIE, value, path=pkpass_path)
        assert client.get(pkpass_path).status_code == 403, value
    client.set_cookie(UNLOCK_COOKIE, valid, path=pkpass_path)
    assert client.get(pkpass_path).status_code == 200


def test_wrong_pins_lock_the_form_and_even_the_correct_pin_is_then_429(client, account):
    issued = protected(client, account)

    statuses = [post_pin(client, issued, f"000{attempt}").status_code for attempt in range(4)]
    locking = post_pin(client, issued, "0009")
    locked = post_pin(client, issued, PIN)

    assert statuses == [403, 403, 403, 403]
    assert locking.status_code == 403 and locking.headers["Retry-After"] == "900"
    assert any("try again in 15 minute" in text for text in parse_page(locking.get_data(as_text=True)).texts)
    assert locked.status_code == 429 and 0 < int(locked.headers["Retry-After"]) <= 900
    assert "Set-Cookie" not in locked.headers
    assert "pin-form" in parse_page(locked.get_data(as_text=True)).ids
    assert client.get(local(issued["pkpass_url"])).status_code == 403
    # Opening the page again shows the lock before anyone types a PIN.
    reopened = parse_page(client.get(local(issued["page_url"])).get_data(as_text=True))
    assert any("try again in 15 minute" in text for text in reopened.texts)


def test_after_the_lock_the_correct_pin_works_and_clears_the_count(client, account):
    issued = protected(client, account)
    for attempt in range(5):
        post_pin(client, issued, f"000{attempt}")
    with transaction() as session:  # fifteen minutes later
        session.execute(update(DownloadPinAttempts).values(locked_until=utcnow() - dt.timedelta(seconds=1)))

    assert not any("try again" in text
                   for text in parse_page(client.get(local(issued["page_url"])).get_data(as_text=True)).texts)
    assert post_pin(client, issued, PIN).status_code == 303
    assert attempts_row(issued["id"]) is None


def test_a_lock_that_ended_starts_a_new_count(client, account):
    issued = protected(client, account)
    for attempt in range(5):
        post_pin(client, issued, f"000{attempt}")
    with transaction() as session:
        session.execute(update(DownloadPinAttempts).values(locked_until=utcnow() - dt.timedelta(seconds=1)))

    again = post_pin(client, issued, "0008")

    assert again.status_code == 403 and "Retry-After" not in again.headers
    assert (attempts_row(issued["id"]).failures, attempts_row(issued["id"]).locked_until) == (1, None)


def test_each_lock_without_a_correct_pin_between_lasts_twice_as_long(client, account):
    """5 failures per 15 minutes would let a guesser try 480 PINs every day, for ever."""
    issued = protected(client, account)
    retry_afters = []
    for _lock in range(4):
        for attempt in range(4):
            post_pin(client, issued, f"000{attempt}")
        retry_afters.append(int(post_pin(client, issued, "0009").headers["Retry-After"]))
        with transaction() as session:  # the lock ends
            session.execute(update(DownloadPinAttempts).values(locked_until=utcnow() - dt.timedelta(seconds=1)))
    assert retry_afters == [900, 1800, 3600, 7200]

    assert post_pin(client, issued, PIN).status_code == 303  # a correct PIN starts over
    for attempt in range(4):
        post_pin(client, issued, f"000{attempt}")
    assert post_pin(client, issued, "0009").headers["Retry-After"] == "900"


def test_locks_grow_to_a_day_at_most() -> None:
    from walletservice.services.attempt_limits import escalated_lock_seconds

    assert [escalated_lock_seconds(900, lockouts) for lockouts in (0, 1, 6, 7, 100)] == [
        900, 1800, 57600, 86400, 86400]
    assert escalated_lock_seconds(2 * 86400, 3) == 2 * 86400  # a configured lock above a day stays


def test_correct_pin_resets_the_count_of_wrong_ones(client, account):
    issued = protected(client, account)
    for attempt in range(4):
        post_pin(client, issued, f"000{attempt}")
    assert post_pin(client, issued, PIN).status_code == 303

    statuses = [post_pin(client, issued, f"000{attempt}").status_code for attempt in range(4)]

    assert statuses == [403, 403, 403, 403] and attempts_row(issued["id"]).locked_until is None


def _second_app(test_settings: dict[str, object], tmp_path: Path) -> Flask:
    return create_app(dict(test_settings), instance_dir=tmp_path / "second-instance")


def _dispose(app: Flask) -> None:
    from walletservice.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def test_wrong_pins_are_counted_across_app_instances(client, account, test_settings, tmp_path):
    issued = protected(client, account)
    other = _second_app(test_settings, tmp_path)
    clients = [client, other.test_client()]
    try:
        statuses = [post_pin(clients[attempt % 2], issued, f"000{attempt}").status_code for attempt in range(5)]
        locked = post_pin(clients[1], issued, PIN)
    finally:
        _dispose(other)

    assert statuses == [403, 403, 403, 403, 403]
    assert locked.status_code == 429


def test_simultaneous_guesses_get_at_most_the_allowed_comparisons(client, account, test_settings, tmp_path):
    issued = protected(client, account)
    apps: list[Flask] = [client.application, _second_app(test_settings, tmp_path)]
    statuses: list[int] = []
    start = threading.Barrier(12)

    def guess(number: int) -> None:
        guesser = apps[number % 2].test_client()
        start.wait()
        statuses.append(post_pin(guesser, issued, f"9{number:03d}").status_code)

    threads = [threading.Thread(target=guess, args=(number,)) for number in range(12)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        _dispose(apps[1])

    # Each guess is counted before it is compared, in one statement that locks the row.
    assert sorted(statuses) == [403] * 5 + [429] * 7
    assert post_pin(client, issued, PIN).status_code == 429


def test_the_owner_sees_the_pass_without_the_pin(client, account, other_account):
    issued = protected(client, account)
    base = local(issued["page_url"])

    preview = client.get(local(issued["preview_url"]))
    with_key = client.get(base, headers=account.basic)
    other_key = client.get(base, headers=other_account.basic)
    forged = client.get(f"{base}?preview=not-a-token")

    for response in (preview, with_key):
        page = parse_page(response.get_data(as_text=True))
        assert response.status_code == 200 and "Gold" in page.texts and "owner-notes" in page.ids
        assert any("download PIN" in text for text in page.texts)
        # The owner's browser holds no cookie: the page's own links carry the preview token.
        token = issued["preview_url"].split("?preview=")[1]
        assert page.links["add-to-wallet"] == f"{issued['pkpass_url']}?preview={token}"
        for url in [*page.stylesheets[1:], *page.images, *(script["src"] for script in page.scripts)]:
            assert url.endswith(f"?preview={token}"), url
            assert client.get(url).status_code == 200, url
        assert client.get(local(page.links["add-to-wallet"])).status_code == 200
    for response in (other_key, forged):
        assert "pin-form" in parse_page(response.get_data(as_text=True)).ids
    assert client.get(local(issued["pkpass_url"])).status_code == 403
    assert client.get(local(issued["pkpass_url"]), headers=account.basic).status_code == 200
    assert events("viewed") == []


def test_no_pin_is_asked_when_the_campaign_does_not_enable_it(client, account):
    issued = issue(client, account)
    set_pin(issued["id"], PIN)

    response = client.get(local(issued["page_url"]))

    assert "Gold" in parse_page(response.get_data(as_text=True)).texts
    assert response.headers["Content-Security-Policy"] == SANDBOXED_CONTENT_SECURITY_POLICY
    for path in files_of(issued):
        assert client.get(path).status_code == 200, path
    redirected = post_pin(client, issued, "anything")
    assert redirected.status_code == 303 and attempts_row(issued["id"]) is None


def test_no_pin_is_asked_for_a_pass_without_one(client, account):
    for pin in (None, ""):
        issued = protected(client, account, {"name": f"PIN campaign {pin!r}"}, pin=pin)

        page = parse_page(client.get(local(issued["page_url"])).get_data(as_text=True))
        owner = parse_page(client.get(local(issued["preview_url"])).get_data(as_text=True))

        assert "Gold" in page.texts and "pin-form" not in page.ids
        assert client.get(local(issued["pkpass_url"])).status_code == 200
        assert any("this pass has none" in text for text in owner.texts)


def test_campaign_switch_is_set_and_read_through_the_v2_api(client, account):
    off = issue(client, account)
    campaign_path = f"/v2/store_cards/{off['campaign_id']}"

    assert client.get(campaign_path, headers=account.basic).get_json()["download_pin_enabled"] is False
    switched_on = client.patch(campaign_path, json={"store_card": {"download_pin_enabled": True}},
                               headers=account.basic)
    other_change = client.patch(campaign_path, json={"store_card": {"og_description": "Hello"}},
                                headers=account.basic)
    invalid = client.patch(campaign_path, json={"store_card": {"download_pin_enabled": "sometimes"}},
                           headers=account.basic)

    assert switched_on.status_code == 200 and switched_on.get_json()["download_pin_enabled"] is True
    assert other_change.get_json()["download_pin_enabled"] is True  # a PATCH keeps what it does not name
    assert invalid.status_code == 422
    set_pin(off["id"], PIN)
    assert "pin-form" in parse_page(client.get(local(off["page_url"])).get_data(as_text=True)).ids
    switched_off = client.patch(campaign_path, json={"store_card": {"download_pin_enabled": False}},
                                headers=account.basic)
    assert switched_off.get_json()["download_pin_enabled"] is False
    assert client.get(local(off["pkpass_url"])).status_code == 200


def test_download_pin_given_to_the_v3_api_is_asked_as_a_string(client, account):
    campaign = issue(client, account, PIN_CAMPAIGN)
    created = client.post("/api/v3/pass?async=false", headers={"Authorization": account.api_key},
                          json={"data": {"templateId": campaign["campaign_id"], "downloadPin": "0042"}})
    assert created.status_code == 200, created.get_json()
    identifier = created.get_json()["data"]["identifier"]
    with transaction(write=False) as session:
        page_path = f"/p/{session.get(Pass, identifier).download_id}"

    assert "pin-form" in parse_page(client.get(page_path).get_data(as_text=True)).ids
    assert client.post(f"{page_path}/pin", data={"pin": "42"}).status_code == 403
    assert client.post(f"{page_path}/pin", data={"pin": "0042"}).status_code == 303
    assert client.get(page_path).status_code == 200 and "pin-form" not in parse_page(
        client.get(page_path).get_data(as_text=True)).ids


def test_wallet_and_the_api_are_never_asked_for_the_pin(client, account):
    issued = protected(client, account)
    with transaction(write=False) as session:
        pass_ = session.scalars(select(Pass).where(Pass.id == issued["id"])).one()
        fetch_path = f"{WEB_SERVICE_PATH}/v1/passes/{pass_.pass_type_identifier}/{pass_.serial_number}"
        token = pass_.authentication_token

    fetched = client.get(fetch_path, headers={"Authorization": f"ApplePass {token}"})
    api = client.get(f"/v2/store_cards/{issued['campaign_id']}/passes/{issued['id']}", headers=account.basic)
    v3 = client.get(f"/api/v3/pass/{issued['id']}", headers={"Authorization": account.api_key})

    assert fetched.status_code == 200 and fetched.mimetype == "application/vnd.apple.pkpass"
    assert api.status_code == 200
    assert v3.status_code == 200 and v3.get_json()["data"]["identifier"] == issued["id"]


def test_pin_form_of_an_unknown_pass_is_404(client, account):
    response = client.post("/p/" + "x" * 32 + "/pin", data={"pin": PIN})

    assert response.status_code == 404 and "Pass not found" in response.get_data(as_text=True)


# -- storage: a salted hash, never the PIN (issue 13, item 6) -----------------------------

PLAIN_PIN = "Kestrel-0042"  # '-' and 'K' never occur in a hash's salt or hex digest


def _stored_pin(pass_id: str) -> object:
    with transaction(write=False) as session:
        return (session.get(Pass, pass_id).extra or {}).get("downloadPin")


def _create_v3(client, account, campaign: dict, *, asynchronous: bool = False):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v3/pass?async={'true' if asynchronous else 'false'}",
                       headers={"Authorization": account.api_key},
                       json={"data": {"templateId": campaign["campaign_id"], "downloadPin": PLAIN_PIN}})


def test_v3_download_pin_is_stored_as_a_salted_hash_that_still_opens_the_page(client, account):
    campaign = issue(client, account, PIN_CAMPAIGN)
    identifiers = [_create_v3(client, account, campaign).get_json()["data"]["identifier"] for _ in range(2)]
    stored = [_stored_pin(identifier) for identifier in identifiers]

    for value in stored:
        assert isinstance(value, str) and value.startswith("scrypt:") and PLAIN_PIN not in value
    assert stored[0] != stored[1]  # salted: equal PINs give different hashes
    with transaction(write=False) as session:
        page_path = f"/p/{session.get(Pass, identifiers[0]).download_id}"
    assert client.post(f"{page_path}/pin", data={"pin": PLAIN_PIN.lower()}).status_code == 403
    assert client.post(f"{page_path}/pin", data={"pin": PLAIN_PIN}).status_code == 303


def test_queued_v3_creation_keeps_no_plain_pin_in_its_job(client, account):
    from walletservice.models import BackgroundJob

    campaign = issue(client, account, PIN_CAMPAIGN)
    assert _create_v3(client, account, campaign, asynchronous=True).status_code == 200
    with transaction(write=False) as session:
        payloads = session.scalars(select(BackgroundJob.payload)).all()
    assert payloads and all(PLAIN_PIN not in str(payload) for payload in payloads)


def test_hashing_migration_hashes_plain_pins_and_leaves_the_rest(client, account):
    import importlib.util

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from walletservice import MIGRATIONS_DIR
    from walletservice.extensions import db

    plain, numeric, empty = (issue(client, account, {**PIN_CAMPAIGN, "name": f"Card {number}"}) for number in range(3))
    set_pin(plain["id"], PLAIN_PIN)
    set_pin(numeric["id"], 4711)
    set_pin(empty["id"], "")
    path = next((MIGRATIONS_DIR / "versions").glob("*_hash_download_pins.py"))
    spec = importlib.util.spec_from_file_location("hash_download_pins", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with db.engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            migration.upgrade()

    hashed, hashed_number = _stored_pin(plain["id"]), _stored_pin(numeric["id"])
    assert str(hashed).startswith("scrypt:") and str(hashed_number).startswith("scrypt:")
    assert _stored_pin(empty["id"]) == ""
    assert post_pin(client, plain, PLAIN_PIN).status_code == 303
    assert post_pin(client, numeric, "4711").status_code == 303
    with db.engine.begin() as connection:  # running it again changes nothing
        with Operations.context(MigrationContext.configure(connection)):
            migration.upgrade()
    assert _stored_pin(plain["id"]) == hashed
