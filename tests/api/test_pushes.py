"""GET /v2/pushes/{id}: progress of a push, scoped to its organization."""

from __future__ import annotations

from tests.api.conftest import Account
from tests.factories import make_campaign, make_pass
from walletservice.db import transaction
from walletservice.models import PushRequest
from walletservice.queue.pushes import enqueue_campaign_push, expand_request
from walletservice.services.devices import register_device


def _push_with_registrations(account: Account, devices: int) -> str:
    from walletservice.models import Organization

    with transaction() as session:
        organization = session.get(Organization, account.id)
    campaign = make_campaign(organization)
    for index in range(devices):
        pass_ = make_pass(campaign, serial_number=f"S{index}")
        with transaction() as session:
            register_device(session, f"device{index}", session.merge(pass_), f"{index:064x}")
    with transaction() as session:
        return enqueue_campaign_push(session, account.id, campaign.id).id


def test_push_progress_before_and_after_expansion(client, account):
    push_id = _push_with_registrations(account, 3)
    queued = client.get(f"/v2/pushes/{push_id}", headers=account.basic)
    assert queued.status_code == 200
    assert queued.get_json()["state"] == "expanding"
    with transaction() as session:
        expand_request(session, session.get(PushRequest, push_id))
    body = client.get(f"/v2/pushes/{push_id}", headers=account.bearer).get_json()
    assert {key: body[key] for key in ("state", "total", "sent", "failed", "pending")} == {
        "state": "sending", "total": 3, "sent": 0, "failed": 0, "pending": 3}
    assert body["failed_by_reason"] == {} and body["started_at"] is not None


def test_another_organizations_push_is_404(client, account, other_account):
    push_id = _push_with_registrations(account, 1)
    response = client.get(f"/v2/pushes/{push_id}", headers=other_account.basic)
    assert response.status_code == 404
    assert "errors" in response.get_json()


def test_push_progress_needs_credentials_and_a_uuid(client, account):
    push_id = _push_with_registrations(account, 1)
    assert client.get(f"/v2/pushes/{push_id}").status_code == 401
    assert client.get("/v2/pushes/not-a-uuid", headers=account.basic).status_code == 404
