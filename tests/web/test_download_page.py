"""The customer's download page (/p/<download_id>): preview, button, QR code, Open Graph,
the campaign's own CSS and javascript under a strict policy, the owner's notes, events."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api.conftest import Account
from tests.api.test_campaigns import create, upload
from tests.web.page_parsing import expected_qr_modules, parse_page, qr_modules
from walletservice.db import transaction
from walletservice.models import Pass, PassEvent
from walletservice.web.pages import CONTENT_SECURITY_POLICY, SANDBOXED_CONTENT_SECURITY_POLICY

PUBLIC_URL = "https://wallet.example.test"
STYLESHEET = ".pass { border: 2px solid gold; }"
JAVASCRIPT = "document.body.classList.add('custom-js-ran');"
BAYROAST = {  # store_card.md's Bayroast Coffee, with the download page settings
    "name": "Bayroast Coffee Store Cards", "logo_text": "Bayroast Coffee", "organization_name": "Bayroast",
    "description": "Bayroast loyalty card",
    "background_color": "#764a32", "text_color": "#f5f2f0", "label_color": "#643e2a",
    "barcode": {"format": "pdf417"},
    "primary_fields": [{"key": "balance", "label": "BALANCE", "value": "$0"}],
    "secondary_fields": [{"key": "level", "label": "LEVEL"}, {"key": "usual_beverage", "label": "THE USUAL"}],
    "og": True, "og_description": "Your Bayroast card, always with you",
    "stylesheet": STYLESHEET, "javascript": JAVASCRIPT,
}
GOLD = {"pass": {"secondary_fields": [{"key": "level", "value": "Gold"},
                                      {"key": "usual_beverage", "value": "Iced Mocha"}]}}


def issue(client, account: Account, campaign: dict | None = None, body: dict | None = None) -> dict:
    attributes = {**BAYROAST, **(campaign or {}), "icon_id": upload(client, account),
                  "logo_id": upload(client, account, "logo")}
    created = create(client, account, "store_cards", attributes)
    assert created.status_code == 201, created.get_json()
    campaign_id = created.get_json()["id"]
    issued = client.post(f"/v2/store_cards/{campaign_id}/passes", json=body or GOLD, headers=account.basic)
    assert issued.status_code == 201, issued.get_json()
    return issued.get_json()


def local(url: str) -> str:
    assert url.startswith(PUBLIC_URL)
    return url[len(PUBLIC_URL):]


def events(kind: str) -> list[PassEvent]:
    with transaction(write=False) as session:
        return list(session.scalars(select(PassEvent).where(PassEvent.kind == kind)))


def test_pass_responses_link_the_page_and_the_pkpass_by_the_same_download_id(client, account):
    issued = issue(client, account)

    download_id = local(issued["pkpass_url"]).removeprefix("/download/").removesuffix(".pkpass")
    assert len(download_id) == 32
    assert issued["page_url"] == f"{PUBLIC_URL}/p/{download_id}"
    assert issued["preview_url"].startswith(f"{issued['page_url']}?preview=")
    fetched = client.get(f"/v2/store_cards/{issued['campaign_id']}/passes/{issued['id']}", headers=account.basic)
    assert fetched.get_json()["page_url"] == issued["page_url"]


def test_page_shows_the_pass_and_an_add_to_wallet_button(client, account):
    issued = issue(client, account)

    response = client.get(local(issued["page_url"]))

    assert response.status_code == 200 and response.mimetype == "text/html"
    page = parse_page(response.get_data(as_text=True))
    assert page.title == "Bayroast Coffee Store Cards"
    assert page.links["add-to-wallet"] == issued["pkpass_url"]
    for text in ("Bayroast Coffee", "BALANCE", "$0", "LEVEL", "Gold", "THE USUAL", "Iced Mocha",
                 "Bayroast loyalty card", "Add to Apple Wallet"):
        assert text in page.texts
    assert "voided" not in page.ids and "owner-notes" not in page.ids


def test_open_graph_tags_name_the_campaign_and_its_description(client, account):
    issued = issue(client, account)

    page = parse_page(client.get(local(issued["page_url"])).get_data(as_text=True))

    assert page.meta == {
        "og:type": "website", "og:title": "Bayroast Coffee Store Cards",
        "og:description": "Your Bayroast card, always with you",
        "og:url": issued["page_url"], "og:image": f"{issued['page_url']}/image.png",
    }
    image = client.get(local(page.meta["og:image"]))
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG")


def test_og_false_leaves_the_open_graph_tags_out(client, account):
    issued = issue(client, account, {"og": False})

    page = parse_page(client.get(local(issued["page_url"])).get_data(as_text=True))

    assert page.meta == {}


def test_page_is_served_under_a_strict_policy_with_nothing_inline(client, account):
    issued = issue(client, account)

    response = client.get(local(issued["page_url"]))

    # Bayroast has its own CSS and JavaScript: sandboxed (tests/web/test_page_origins.py).
    assert response.headers["Content-Security-Policy"] == SANDBOXED_CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    page = parse_page(response.get_data(as_text=True))
    # Inline code would be blocked by the policy: everything is a same-origin file.
    assert page.inline_styles == 0 and page.style_elements == 0 and page.event_handlers == []
    assert all(script["src"] and not str(script["text"]).strip() for script in page.scripts)
    for url in [*page.stylesheets, *page.images, *(script["src"] for script in page.scripts)]:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url


def test_qr_code_is_inline_svg_of_the_pkpass_link(client, account):
    issued = issue(client, account)

    page = parse_page(client.get(local(issued["page_url"])).get_data(as_text=True))

    assert qr_modules(page.qr_path) == expected_qr_modules(issued["pkpass_url"])


def test_custom_stylesheet_and_javascript_are_served_with_their_types(client, account):
    issued = issue(client, account)
    page = parse_page(client.get(local(issued["page_url"])).get_data(as_text=True))
    base = local(issued["page_url"])

    assert f"{base}/custom.css" in page.stylesheets
    assert page.stylesheets[-1] == f"{base}/custom.css"  # last: it overrides the page's own
    assert [script["src"] for script in page.scripts] == [f"{base}/custom.js"]
    css, js = client.get(f"{base}/custom.css"), client.get(f"{base}/custom.js")
    assert (css.mimetype, css.get_data(as_text=True)) == ("text/css", STYLESHEET)
    assert (js.mimetype, js.get_data(as_text=True)) == ("text/javascript", JAVASCRIPT)
    assert css.headers["X-Content-Type-Options"] == "nosniff"


def test_campaign_without_custom_code_links_none(client, account):
    issued = issue(client, account, {"stylesheet": None, "javascript": None})
    base = local(issued["page_url"])

    page = parse_page(client.get(base).get_data(as_text=True))

    assert page.scripts == [] and not any(url.endswith("custom.css") for url in page.stylesheets)
    assert client.get(f"{base}/custom.css").status_code == 404
    assert client.get(f"{base}/custom.js").status_code == 404


def test_pass_colors_come_from_a_generated_stylesheet(client, account):
    issued = issue(client, account)

    css = client.get(f"{local(issued['page_url'])}/pass.css")

    assert css.mimetype == "text/css"
    text = css.get_data(as_text=True)
    assert "background-color: rgb(118, 74, 50);" in text and "color: rgb(245, 242, 240);" in text


def test_owner_notes_show_with_the_owners_credentials_or_preview_link_only(client, account, other_account):
    issued = issue(client, account)
    base = local(issued["page_url"])
    note = "This is a preview page; customers don't see this."

    public = parse_page(client.get(base).get_data(as_text=True))
    with_key = parse_page(client.get(base, headers=account.basic).get_data(as_text=True))
    with_link = parse_page(client.get(local(issued["preview_url"])).get_data(as_text=True))
    other_owner = parse_page(client.get(base, headers=other_account.basic).get_data(as_text=True))
    forged = parse_page(client.get(f"{base}?preview=not-a-token").get_data(as_text=True))
    wrong_key = client.get(base, headers={"Authorization": "Basic Zm9vOmJhcg=="})

    assert note in with_key.texts and note in with_link.texts
    for page in (public, other_owner, forged, parse_page(wrong_key.get_data(as_text=True))):
        assert "owner-notes" not in page.ids and note not in page.texts
    assert wrong_key.status_code == 200


def test_owner_is_warned_that_the_campaign_is_paused(client, account):
    issued = issue(client, account)
    paused = client.post(f"/v2/store_cards/{issued['campaign_id']}/pause", headers=account.basic)
    assert paused.status_code == 200

    owner = parse_page(client.get(local(issued["preview_url"])).get_data(as_text=True))
    public = client.get(local(issued["page_url"]))

    assert any("campaign is paused" in text for text in owner.texts)
    assert public.status_code == 200 and "paused" not in public.get_data(as_text=True)


def test_a_voided_pass_page_says_so_without_the_button(client, account):
    issued = issue(client, account)
    voided = client.patch(f"/v2/store_cards/{issued['campaign_id']}/passes/{issued['id']}",
                          json={"pass": {"voided": True}, "push": False}, headers=account.basic)
    assert voided.status_code == 200, voided.get_json()

    page = parse_page(client.get(local(issued["page_url"])).get_data(as_text=True))
    owner = parse_page(client.get(local(issued["preview_url"])).get_data(as_text=True))

    assert "This pass is no longer valid." in page.texts
    assert "add-to-wallet" not in page.links and page.qr_path == ""
    assert any("voided" in text for text in owner.texts)
    # Wallet shows a voided pass as such; its link still works.
    assert client.get(local(issued["pkpass_url"])).status_code == 200


def test_campaign_and_pass_text_is_escaped(client, account):
    attack = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    issued = issue(client, account,
                   {"name": f"Evil {attack}", "og_description": attack, "logo_text": attack,
                    "organization_name": attack, "description": attack},
                   {"pass": {"secondary_fields": [{"key": "level", "value": attack}]}})

    html = client.get(local(issued["page_url"])).get_data(as_text=True)
    page = parse_page(html)

    assert "<script>alert" not in html and "<img src=x" not in html
    assert page.title == f"Evil {attack}"
    assert page.meta["og:description"] == attack and page.meta["og:title"] == f"Evil {attack}"
    assert attack in page.texts
    assert page.event_handlers == [] and len(page.scripts) == 1


def test_a_download_id_with_a_control_character_answers_the_html_page_with_400(client):
    response = client.get("/p/" + "%00" * 20)

    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "Pass not found" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_unknown_or_malformed_download_ids_answer_an_html_404(client, account):
    issued = issue(client, account)
    real = local(issued["page_url"])

    for path in ("/p/" + "x" * 32, "/p/short", f"{real}x/custom.css",
                 "/p/" + "y" * 32 + "/image.png", "/download/" + "z" * 32 + ".pkpass"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "text/html"
        assert "Pass not found" in response.get_data(as_text=True)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_deleted_pass_page_is_gone(client, account):
    issued = issue(client, account)
    deleted = client.delete(f"/v2/store_cards/{issued['campaign_id']}/passes/{issued['id']}",
                            headers=account.basic)
    assert deleted.status_code == 200

    assert client.get(local(issued["page_url"])).status_code == 404
    assert client.get(local(issued["pkpass_url"])).status_code == 404


def test_customer_views_and_downloads_are_recorded_and_the_owners_are_not(client, account):
    issued = issue(client, account)

    client.get(local(issued["page_url"]), headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"})
    client.get(local(issued["preview_url"]))
    client.get(local(issued["page_url"]), headers=account.basic)
    download = client.get(local(issued["pkpass_url"]))

    assert download.status_code == 200 and download.mimetype == "application/vnd.apple.pkpass"
    [viewed] = events("viewed")
    assert (viewed.pass_id, viewed.campaign_id, viewed.device_os) == (issued["id"], issued["campaign_id"], "ios")
    [downloaded] = events("downloaded")
    assert downloaded.pass_id == issued["id"]
    with transaction(write=False) as session:
        assert session.get(Pass, issued["id"]).first_downloaded_at is not None


def test_head_requests_record_no_view_and_no_download(client, account):
    issued = issue(client, account)

    page = client.head(local(issued["page_url"]))
    download = client.head(local(issued["pkpass_url"]))

    # Link previewers and scanners send HEAD: only a GET is a customer's view or download.
    assert page.status_code == 200 and download.status_code == 200
    assert download.mimetype == "application/vnd.apple.pkpass"
    assert events("viewed") == [] and events("downloaded") == []
    with transaction(write=False) as session:
        assert session.get(Pass, issued["id"]).first_downloaded_at is None


def test_page_works_without_javascript(client, account):
    issued = issue(client, account, {"javascript": None})

    page = parse_page(client.get(local(issued["page_url"])).get_data(as_text=True))

    # The button is a plain link and the QR code is drawn on the server.
    assert page.scripts == [] and page.links["add-to-wallet"] == issued["pkpass_url"] and page.qr_path


@pytest.mark.parametrize("suffix", ["%E2%80%8B", "!", "%C3%A9", "~"])
def test_preview_link_with_characters_appended_is_not_a_preview(client, account, suffix):
    # itsdangerous drops characters outside its alphabet before checking the
    # signature: without the alphabet check these opened the owner's preview.
    issued = issue(client, account)
    note = "This is a preview page; customers don't see this."
    page = parse_page(client.get(local(issued["preview_url"]) + suffix).get_data(as_text=True))
    assert "owner-notes" not in page.ids and note not in page.texts
