"""The campaign page under hostile or unlucky use: two people editing at once, and the
other defects a review found (each test names the defect it keeps away)."""

from __future__ import annotations

import html
import threading
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.dashboard.conftest import Team, signed_in_client
from tests.dashboard.test_campaign_page import _audit, _campaign, _design
from tests.factories import make_campaign, make_pass
from walletservice.db import transaction
from walletservice.models import BackgroundJob, Organization
from walletservice.models.base import utcnow

VERSION_INPUT = re.compile(r'name="version" value="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def _opened_form(client: FlaskClient, campaign_id: str) -> dict[str, str]:
    """Every box of the editor as the page filled it, as a browser would post it back."""
    page = client.get(f"/dashboard/campaigns/{campaign_id}").get_data(as_text=True)
    editor = page[page.index('id="campaign-editor"'):page.index("</form>", page.index('id="campaign-editor"'))]
    boxes = {html.unescape(name): html.unescape(value)
             for name, value in re.findall(r'<input (?:type="hidden" )?name="([^"]+)" value="([^"]*)"', editor)}
    assert "version" in boxes and "csrf_token" in boxes, editor[:400]
    return boxes


def _post(client: FlaskClient, campaign_id: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(f"/dashboard/campaigns/{campaign_id}/design", data=form, content_type="multipart/form-data")


def test_a_form_opened_before_another_save_does_not_undo_it(app: Flask, team: Team) -> None:
    """Lost update: the form posts every box back, so a page opened before someone else's save
    used to write its stale values over that save."""
    campaign = _campaign(team.account.id)
    first, second = signed_in_client(app, team.editor), signed_in_client(app, team.owner)
    stale = _opened_form(first, campaign.id)
    fresh = _opened_form(second, campaign.id)
    assert _post(second, campaign.id, {**fresh, "field:gate:value": "B7"}).status_code == 302

    refused = _post(first, campaign.id, {**stale, "field:origin:value": "OPO"})
    assert refused.status_code == 412
    page = refused.get_data(as_text=True)
    assert "changed since this page was opened" in html.unescape(page)
    assert 'value="B7"' in page  # the boxes show the campaign as saved now, not the stale form
    design = _design(campaign.id)
    assert design["headerFields"][0]["value"] == "B7" and design["primaryFields"][0]["value"] == "LIS"
    assert [entry.after for entry in _audit()] == [{"header_fields": [
        {"key": "gate", "label": "GATE", "value": "B7", "change_message": "Gate changed to %@", "behaviour": "fixed"}]}]

    # Opened again, the page saves.
    again = _opened_form(first, campaign.id)
    assert _post(first, campaign.id, {**again, "field:origin:value": "OPO"}).status_code == 302
    design = _design(campaign.id)
    assert design["headerFields"][0]["value"] == "B7" and design["primaryFields"][0]["value"] == "OPO"


def test_a_form_saved_twice_from_the_same_page_is_refused_the_second_time(app: Flask, team: Team) -> None:
    campaign = _campaign(team.account.id)
    client = signed_in_client(app, team.editor)
    form = _opened_form(client, campaign.id)
    assert _post(client, campaign.id, {**form, "field:gate:value": "C3"}).status_code == 302
    assert _post(client, campaign.id, {**form, "field:gate:value": "A1"}).status_code == 412  # the back button
    assert _design(campaign.id)["headerFields"][0]["value"] == "C3"


def test_a_number_value_edited_to_another_number_stays_a_number(app: Flask, team: Team) -> None:
    """The form holds text only: a balance of 12.5 edited to 20 used to be saved as "20"."""
    with transaction() as session:
        organization = session.get(Organization, team.account.id)
    campaign = make_campaign(organization, {
        "style": "storeCard", "organizationName": "Toy Town", "description": "Toy card",
        "primaryFields": [{"key": "balance", "label": "BALANCE", "value": 12.5}],
        "secondaryFields": [{"key": "points", "label": "POINTS", "value": 100},
                            {"key": "level", "label": "LEVEL", "value": 3}]})
    client = signed_in_client(app, team.editor)
    form = _opened_form(client, campaign.id)
    saved = _post(client, campaign.id, {**form, "field:balance:value": "20", "field:points:value": "150.5",
                                        "field:level:value": "gold"})
    assert saved.status_code == 302
    design = _design(campaign.id)
    assert design["primaryFields"][0]["value"] == 20 and isinstance(design["primaryFields"][0]["value"], int)
    assert [field["value"] for field in design["secondaryFields"]] == [150.5, "gold"]  # text stays text
    api = app.test_client().get(f"/v2/store_cards/{campaign.id}", headers=team.account.basic).get_json()
    assert api["primary_fields"][0]["value"] == 20


def test_two_saves_of_the_same_page_at_once_keep_one_and_refuse_the_other(app: Flask, team: Team) -> None:
    campaign_id = _campaign(team.account.id).id
    clients = [signed_in_client(app, team.editor), signed_in_client(app, team.owner)]
    forms = [{**_opened_form(client, campaign_id), "field:gate:value": value}
             for client, value in zip(clients, ("B1", "C2"))]
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def save(client: FlaskClient, form: dict[str, str]) -> None:
        barrier.wait()
        statuses[form["field:gate:value"]] = _post(client, campaign_id, form).status_code
    threads = [threading.Thread(target=save, args=pair) for pair in zip(clients, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses.values()) == [302, 412], statuses
    [kept] = [value for value, status in statuses.items() if status == 302]
    assert _design(campaign_id)["headerFields"][0]["value"] == kept
    assert len(_audit()) == 1


def test_a_save_keeps_the_field_formats_the_form_does_not_show(app: Flask, team: Team) -> None:
    """The demo card's balance has currencyCode EUR: any save (here a colour) rebuilt the design
    from the Passworks attributes, which have no such key, and the balance lost its currency."""
    with transaction() as session:
        organization = session.get(Organization, team.account.id)
    campaign = make_campaign(organization, {
        "style": "storeCard", "organizationName": "Toy Town", "description": "Toy card",
        "primaryFields": [{"key": "balance", "label": "BALANCE", "value": 0, "currencyCode": "EUR",
                           "changeMessage": "Balance is now %@"}],
        "secondaryFields": [{"key": "since", "label": "SINCE", "value": "2026-01-01T00:00:00Z",
                             "dateStyle": "PKDateStyleMedium", "textAlignment": "PKTextAlignmentRight"}]})
    client = signed_in_client(app, team.editor)
    form = _opened_form(client, campaign.id)
    assert _post(client, campaign.id, {**form, "background_color": "#204060", "field:balance:value": "5"}).status_code == 302
    design = _design(campaign.id)
    assert design["backgroundColor"] == "#204060"
    assert design["primaryFields"] == [{"key": "balance", "label": "BALANCE", "value": 5, "currencyCode": "EUR",
                                        "changeMessage": "Balance is now %@"}]
    assert design["secondaryFields"][0]["dateStyle"] == "PKDateStyleMedium"
    assert design["secondaryFields"][0]["textAlignment"] == "PKTextAlignmentRight"
    # The v2 PATCH the page goes through keeps them the same way.
    patched = app.test_client().patch(f"/v2/store_cards/{campaign.id}", headers=team.account.basic,
                                      json={"store_card": {"name": "Renamed"}})
    assert patched.status_code == 200
    assert _design(campaign.id)["primaryFields"][0]["currencyCode"] == "EUR"


def test_a_push_whose_job_failed_says_failed_not_done(app: Flask, team: Team) -> None:
    """A failed job never releases its push: nothing reached a device, and the bar used to say "done"."""
    campaign = _campaign(team.account.id)
    make_pass(campaign)
    client = signed_in_client(app, team.editor)
    token = CSRF_INPUT.search(client.get(f"/dashboard/campaigns/{campaign.id}").get_data(as_text=True)).group(1)
    job_id = client.post(f"/dashboard/campaigns/{campaign.id}/push",
                         data={"csrf_token": token}).headers["Location"].split("push=")[1]
    with transaction() as session:
        job = session.get(BackgroundJob, job_id)
        job.state, job.finished_at, job.result = "failed", utcnow(), {"error": "RuntimeError: disk full"}
    fragment = client.get(f"/dashboard/campaigns/{campaign.id}/pushes/{job_id}").get_data(as_text=True)
    assert 'data-state="done"' in fragment and "hx-trigger" not in fragment  # nothing more will happen
    state = re.search(r'data-testid="push-state">([^<]*)<', fragment)
    assert state and state.group(1).startswith("failed"), fragment
    assert "disk full" in fragment
