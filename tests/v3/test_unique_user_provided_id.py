"""enforceUniqueUserProvidedId holds under concurrency and across queued (async) creations."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.factories import run_at_once
from tests.v3.conftest import V3Client
from tests.v3.test_create_pass import create
from walletservice.db import transaction
from walletservice.models import Pass
from walletservice.db import advisory_key


def passes_with(user_provided_id: str) -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Pass).where(
            Pass.user_provided_id == user_provided_id)) or 0


def unique(template_id: str, user_provided_id: str) -> dict[str, Any]:
    return {"templateId": template_id, "userProvidedId": user_provided_id, "enforceUniqueUserProvidedId": True}


def test_simultaneous_unique_creations_of_one_id_give_one_pass(app: Flask, account: Any, template_id: str) -> None:
    def create_one(thread_client: Any) -> int:
        response = create(V3Client(thread_client, account.api_key), unique(template_id, "member-7"))
        return int(response.status_code)
    statuses = run_at_once(app, 6, create_one)

    assert sorted(statuses) == [200, 400, 400, 400, 400, 400]
    assert passes_with("member-7") == 1


def test_a_queued_creation_holds_its_id_before_the_job_runs(v3: V3Client, template_id: str,
                                                            run_jobs: Any) -> None:
    assert create(v3, unique(template_id, "member-8"), sync=False).status_code == 200
    # The pass does not exist yet, but the id is promised to it.
    for sync in (False, True):
        duplicate = create(v3, unique(template_id, "member-8"), sync=sync)
        assert duplicate.status_code == 400
        assert "already used" in duplicate.json["errors"][0]
    run_jobs()
    assert passes_with("member-8") == 1


def test_a_queued_creation_without_the_flag_also_counts(v3: V3Client, template_id: str) -> None:
    queued = create(v3, {"templateId": template_id, "userProvidedId": "member-9"}, sync=False)
    assert queued.status_code == 200
    assert create(v3, unique(template_id, "member-9")).status_code == 400


def test_the_job_refuses_an_id_taken_after_its_request_was_accepted(v3: V3Client, template_id: str,
                                                                    run_jobs: Any) -> None:
    accepted = create(v3, unique(template_id, "member-10"), sync=False).json["data"]
    # Without the flag nothing stops this one, and it exists before the job runs.
    assert create(v3, {"templateId": template_id, "userProvidedId": "member-10"}).status_code == 200
    run_jobs()

    process = v3.get(accepted["process"].removeprefix("https://wallet.example.test/api/v3")).json["data"]
    assert process["status"] == "done" and process["failed"] == 1
    assert "already used" in process["errors"][0]["error"]
    assert v3.get(f"/pass/{accepted['identifier']}").status_code == 404
    assert passes_with("member-10") == 1


def test_a_finished_creation_no_longer_holds_the_id_as_queued(v3: V3Client, template_id: str,
                                                             run_jobs: Any) -> None:
    created = create(v3, unique(template_id, "member-11"), sync=False).json["data"]
    run_jobs()
    v3.delete(f"/pass/{created['identifier']}")
    # Neither the deleted pass nor its finished job keeps the id.
    assert create(v3, unique(template_id, "member-11")).status_code == 200


def test_updating_a_pass_to_its_own_unique_id_is_allowed(v3: V3Client, template_id: str) -> None:
    identifier = create(v3, unique(template_id, "member-12")).json["data"]["identifier"]
    response = v3.patch(f"/pass/{identifier}?async=false",
                        json={"data": {"userProvidedId": "member-12", "enforceUniqueUserProvidedId": True}})
    assert response.status_code == 200


def test_lock_keys_are_signed_64_bit_and_differ_per_account() -> None:
    key = advisory_key("user_provided_id", "account-a", "member-1")
    assert -(2**63) <= key < 2**63
    assert key == advisory_key("user_provided_id", "account-a", "member-1")
    assert key != advisory_key("user_provided_id", "account-b", "member-1")
    assert key != advisory_key("user_provided_id", "account-a", "member-2")
