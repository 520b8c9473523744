"""Restores and updates of one pass at once, on a real threaded server: revision numbers stay
unique and gapless in commit order, every change is one revision, and nothing answers 5xx
(docs/pass-revisions.md, Concurrency)."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.conftest import Account
from tests.concurrency.test_concurrent_writes import (  # noqa: F401 - fixtures
    FEW,
    Target,
    at_once,
    client,
    field_value,
    fields_set,
    no_server_errors,
    target,
)
from walletservice.db import transaction
from walletservice.models import Pass, PassRevision


def revisions(pass_id: str) -> list[PassRevision]:
    with transaction(write=False) as session:
        return list(session.scalars(select(PassRevision).where(PassRevision.pass_id == pass_id)
                                    .order_by(PassRevision.n)))


def test_parallel_restores_and_updates_number_revisions_one_after_another(
        base_url: str, account: Account, target: Target) -> None:  # noqa: F811 - the fixtures imported
    pass_path = f"/v2/generics/{target.campaign_id}/passes/{target.pass_id}"
    with client(base_url, FEW) as http:
        for index in range(3):  # revisions 2-4 to restore
            http.patch(pass_path, headers=account.basic, json={
                "pass": {"back_fields": [{"key": f"f{index:02}", "value": field_value(index)}]}})

        def restore_or_update(index: int):
            if index % 2:
                return http.post(f"{pass_path}/revisions/{1 + index % 4}/restore", headers=account.basic)
            if index % 4:
                return http.post(f"/api/v3/pass/{target.pass_id}/revisions/{1 + index % 3}/restore",
                                 headers={"Authorization": account.api_key})
            fresh = 10 + index  # a field no revision holds: every update is a change
            return http.patch(pass_path, headers=account.basic, json={
                "pass": {"back_fields": [{"key": f"f{fresh:02}", "value": field_value(fresh)}]}})
        responses = at_once(FEW, restore_or_update)

    no_server_errors(responses)
    assert [response.status_code for response in responses] == [200] * FEW, [r.text for r in responses][:3]
    kept = revisions(target.pass_id)
    assert [revision.n for revision in kept] == list(range(1, 4 + FEW + 1))
    tags = [revision.update_tag for revision in kept]
    assert tags == sorted(tags) and len(set(tags)) == len(tags)  # numbered in commit order
    restored = [r.json().get("data", r.json())["n"] for r in responses if "revisions" in str(r.request.url)]
    assert sorted(restored) == sorted(
        revision.n for revision in kept if revision.restored_from is not None)
    # The newest revision is the pass as it is.
    with transaction(write=False) as session:
        assert fields_set(session.get(Pass, target.pass_id).content) == fields_set(kept[-1].content)
