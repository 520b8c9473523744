"""GET /metrics: open work read from the database at scrape time, in Prometheus text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.operations.open_work import SCHEDULER_HOLDER, expire_scheduler_lease, seed_open_work

AGE_SLACK_SECONDS = 30  # seeding and scraping take a moment; ages only grow


def scrape(client: FlaskClient, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(name, sorted labels): value} of every sample, after checking each family's HELP."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        assert family.name.startswith("walletservice_") and family.documentation, family
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_count_the_open_work_of_the_whole_cluster(client: FlaskClient) -> None:
    seeded = seed_open_work()

    samples = scrape(client)

    assert samples[("walletservice_push_deliveries_pending", ())] == seeded.push_deliveries_pending
    assert samples[("walletservice_push_deliveries_due", ())] == seeded.push_deliveries_due
    assert samples[("walletservice_push_deliveries_leased", ())] == seeded.push_deliveries_leased
    for state, count in seeded.push_requests_open:
        assert samples[("walletservice_push_requests_open", (("state", state),))] == count
    for state, count in seeded.jobs_open:
        assert samples[("walletservice_background_jobs_open", (("state", state),))] == count
    assert samples[("walletservice_background_jobs_failed_last_hour", ())] == seeded.jobs_failed_last_hour
    assert samples[("walletservice_webhook_deliveries_pending", ())] == seeded.webhook_deliveries_pending
    assert samples[("walletservice_scheduler_leader_present", ())] == 1
    assert samples[("walletservice_scheduler_leader_info", (("holder", SCHEDULER_HOLDER),))] == 1
    assert samples[("walletservice_schedules_due", ())] == seeded.schedules_due
    ages = {
        "walletservice_push_deliveries_oldest_due_age_seconds": seeded.push_deliveries_oldest_due_age,
        "walletservice_background_jobs_oldest_queued_age_seconds": seeded.jobs_oldest_queued_age,
        "walletservice_webhook_deliveries_oldest_due_age_seconds": seeded.webhook_deliveries_oldest_due_age,
        "walletservice_schedules_oldest_due_age_seconds": seeded.schedules_oldest_due_age,
    }
    for name, age in ages.items():
        assert age <= samples[(name, ())] < age + AGE_SLACK_SECONDS, name
    remaining = samples[("walletservice_scheduler_lease_remaining_seconds", ())]
    assert seeded.scheduler_lease_seconds - AGE_SLACK_SECONDS < remaining <= seeded.scheduler_lease_seconds


def test_an_idle_cluster_reports_zeros_and_no_scheduler_leader(client: FlaskClient) -> None:
    samples = scrape(client)

    assert samples[("walletservice_push_requests_open", (("state", "sending"),))] == 0
    assert samples[("walletservice_background_jobs_open", (("state", "queued"),))] == 0
    assert samples[("walletservice_push_deliveries_oldest_due_age_seconds", ())] == 0
    assert samples[("walletservice_scheduler_leader_present", ())] == 0
    names = {name for name, _labels in samples}
    assert "walletservice_scheduler_lease_remaining_seconds" not in names  # no scheduler ever ran
    assert "walletservice_scheduler_leader_info" not in names


def test_an_expired_scheduler_lease_means_no_leader(client: FlaskClient) -> None:
    seed_open_work()
    expire_scheduler_lease(seconds_ago=10)

    samples = scrape(client)

    assert samples[("walletservice_scheduler_leader_present", ())] == 0
    assert samples[("walletservice_scheduler_lease_remaining_seconds", ())] <= -10
    assert "walletservice_scheduler_leader_info" not in {name for name, _labels in samples}


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic c2VjcmV0LXRva2Vu",
                                           "Bearer secret-token-plus", "Bearer sécret"])
def test_metrics_token_is_required_when_set(app: Flask, client: FlaskClient, authorization: str | None) -> None:
    app.config["WALLET_METRICS_TOKEN"] = "secret-token"
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response.is_json and "Bearer" in response.get_json()["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_metrics_answer_the_right_bearer_token(app: Flask, client: FlaskClient) -> None:
    app.config["WALLET_METRICS_TOKEN"] = "secret-token"

    samples = scrape(client, Authorization="Bearer secret-token")

    assert ("walletservice_push_deliveries_pending", ()) in samples


def test_openmetrics_is_served_to_a_scraper_that_asks_for_it(client: FlaskClient) -> None:
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})

    assert response.status_code == 200
    assert response.mimetype == "application/openmetrics-text"
    assert response.get_data(as_text=True).endswith("# EOF\n")


def test_a_database_without_the_schema_fails_the_scrape_with_json(
    make_app: Callable[..., Flask], empty_database_url: str,
) -> None:
    response = make_app(WALLET_DATABASE_URL=empty_database_url).test_client().get("/metrics")

    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "problem": "database unavailable"}


def test_apps_in_one_process_keep_their_own_registries(
    client: FlaskClient, make_app: Callable[..., Flask],
) -> None:
    other = make_app().test_client()

    assert client.get("/metrics").status_code == 200
    assert other.get("/metrics").status_code == 200
