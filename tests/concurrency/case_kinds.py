"""The kinds of Case the every-write-route suite knows: what a burst of N parallel requests
sends and what must hold afterwards (creates, deletes, updates, replaces, state moves,
queued work). cases.py maps every kind of write route to one of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.concurrency.burst import N, Burst, answered_ids, fields_campaign, ok, one_success, rows, successes, v2_pass
from walletservice.models import BackgroundJob, Campaign, Pass, Redeem

OK = frozenset({200})
CREATED = frozenset({200, 201})
QUEUED = frozenset({200, 201, 202})
# Passworks' documents say 404 for an unknown object, and 412 where a state forbids the call.
GONE = frozenset({200, 404, 412})
ONCE = frozenset({200, 412})
V1_UPDATED = frozenset({201})  # v1 answers an update 201, as its documents show


def nothing(_burst: Burst, _index: int) -> Any:
    return None


def no_check(_burst: Burst) -> None:
    """The generic invariants (no 5xx, allowed statuses, tags and Last-Modified) are the check."""


@dataclass(frozen=True)
class Case:
    statuses: frozenset[int]
    check: Callable[[Burst], None] = no_check
    body: Callable[[Burst, int], Any] = nothing
    # Creates what the route destroys or changes the state of; returns path values.
    fresh: Callable[[Burst], dict[str, str]] | None = None
    # Taken before the burst, kept in burst.before for the check.
    before: Callable[[Burst], Any] | None = None
    query: str = ""
    # Path values of request i where they differ per request (a device id).
    request_values: Callable[[Burst, int], dict[str, str]] | None = None
    upload: bool = False  # the body is multipart/form-data
    # The route changes values["pass_id"]'s content: a device polls it during the burst.
    pass_content: bool = False
    growing: bool = False  # each version holds more single-field updates than the one before
    jobs: bool = False  # the route queues jobs: the worker runs to idle before the check
    count: int = N
    # The burst's credentials where they are not the API's (a dashboard session and its CSRF token).
    headers: Callable[[Burst], dict[str, str]] | None = None


def creates(model: type, statuses: frozenset[int] = CREATED, also: Callable[[Burst, list[str]], None] | None = None,
            **options: Any) -> Case:
    def check(burst: Burst) -> None:
        ids = answered_ids(burst)
        assert len(set(ids)) == len(ids) == len(successes(burst)), ids
        assert rows(model) - burst.before == len(ids), f"{rows(model) - burst.before} {model.__name__} rows"
        if also:
            also(burst, ids)
    return Case(statuses, check, before=lambda _burst: rows(model), **options)


def distinct_redeem_codes(burst: Burst, ids: list[str]) -> None:
    """The campaign's sequential code counter is read and written by every create."""
    codes = [code for code in (burst.get(Pass, id_).redeem_code for id_ in ids) if code is not None]
    assert len(set(codes)) == len(codes), f"redeem codes handed out twice: {sorted(codes)}"


def passes_created(**options: Any) -> Case:
    return creates(Pass, also=distinct_redeem_codes, **options)


def deletes(model: type, argument: str, fresh: Callable[[Burst], dict[str, str]],
            statuses: frozenset[int] = GONE, gone: Callable[[Any], bool] = lambda row: row is None) -> Case:
    def check(burst: Burst) -> None:
        one_success(burst)
        assert gone(burst.get(model, burst.values[argument])), f"the {model.__name__} is still there"
    return Case(statuses, check, fresh=fresh)


def fresh_campaign(burst: Burst) -> dict[str, str]:
    return {"campaign_id": fields_campaign(burst, new=True)}


def fresh_pass(burst: Burst) -> dict[str, str]:
    campaign_id = fields_campaign(burst)
    pass_id = v2_pass(burst, campaign_id)
    return {"campaign_id": campaign_id, "loyalty_id": campaign_id, "pass_id": pass_id, "identifier": pass_id}


def field_updates(body: Callable[[int], Any], statuses: frozenset[int] = OK, **options: Any) -> Case:
    def check(burst: Burst) -> None:
        assert all(response.status_code in statuses for response in burst.responses)
        assert burst.fields_set() == burst.case.count, f"{burst.fields_set()} of {burst.case.count} updates kept"
    return Case(statuses, check, body=lambda _burst, index: body(index), fresh=fresh_pass,
                pass_content=True, growing=True, **options)


def put_value(index: int) -> str:
    return f"put{index}"


def replaces(body: Callable[[Burst, int], Any], **options: Any) -> Case:
    def check(burst: Burst) -> None:
        values = burst.back_field_values()
        assert len(set(values)) == 1 and values[0] in {put_value(index) for index in burst.succeeded}, \
            f"a mix of requests, or one that failed: {values}"
    return Case(options.pop("statuses", OK), check, body=body, fresh=fresh_pass, pass_content=True, **options)


def moves_campaign(state: str, start: str = "") -> Case:
    def fresh(burst: Burst) -> dict[str, str]:
        values = fresh_campaign(burst)
        if start:
            ok(burst.setup.post(f"/v2/{burst.world.segment(burst.route)}/{values['campaign_id']}/{start}",
                                headers=burst.world.tenant.basic))
        return values

    def check(burst: Burst) -> None:
        one_success(burst, refused=frozenset({412}))
        assert burst.get(Campaign, burst.values["campaign_id"]).state == state
    return Case(ONCE, check, fresh=fresh)


def redeems(body: Callable[[Burst, int], Any]) -> Case:
    """A campaign without allow_multiple_redeems: one redeem, the rest 412, counted once."""
    def check(burst: Burst) -> None:
        one_success(burst, refused=frozenset({412}))
        redeemed = burst.get(Pass, burst.values["pass_id"])
        assert redeemed.redeemed_count == 1, redeemed.redeemed_count
        assert rows(Redeem, pass_id=redeemed.id) == 1
    return Case(ONCE, check, body=body, fresh=fresh_pass, pass_content=True)


def refused(status: int, model: type, **options: Any) -> Case:
    """A route that refuses every request by design: nothing is written."""
    def check(burst: Burst) -> None:
        assert rows(model) == burst.before
    return Case(frozenset({status}), check, before=lambda _burst: rows(model), **options)


def queues(model: type, **options: Any) -> Case:
    def check(burst: Burst) -> None:
        assert rows(model) - burst.before == len(successes(burst)) > 0
        assert rows(BackgroundJob, state="queued") == 0 and rows(BackgroundJob, state="running") == 0
    return Case(options.pop("statuses", QUEUED), check, before=lambda _burst: rows(model), jobs=True, **options)
