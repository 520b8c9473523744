"""v3 phoneRecipient: a template with an SMS sendout texts the pass's link through a
Twilio-compatible API, here a stand-in HTTP server on 127.0.0.1 that checks the account's
Basic auth and the form body, and answers what the test tells it to (500, 429, 400...);
the real job worker sends and retries."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask
from sqlalchemy import select

from tests.api.conftest import error_text
from tests.http_servers import free_port, loopback_server
from tests.v3.test_email_sendout import campaign, create_pass, jobs
from walletservice.config import load_settings
from walletservice.db import transaction
from walletservice.models import BackgroundJob, Pass, PassEvent
from walletservice.services.passcreator.pass_sms import SMS_KIND, e164_number
from walletservice.errors import BadRequest
from walletservice.sms import SmsSettings, sms_url

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "s3cret-auth-token"
SENDER = "+14155550100"
SMS_TEXT = "Hello {firstname}, your ticket for {templateName}: {downloadPage}"


class Provider:
    """What the stand-in received, and what it answers next (`answers`, then 201)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []
        self.requests = 0
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests += 1
            expected_path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
            expected_auth = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            if handler.path != expected_path:
                return 404, {"code": 20404, "message": f"no resource {handler.path}"}
            if handler.headers.get("Authorization") != expected_auth:
                return 401, {"code": 20003, "message": "Authenticate"}
            if handler.headers.get("Content-Type") != "application/x-www-form-urlencoded":
                return 400, {"code": 0, "message": "not a form"}
            length = int(handler.headers.get("Content-Length") or 0)
            form = {key: values[0] for key, values in parse_qs(handler.rfile.read(length).decode()).items()}
            if set(form) != {"To", "From", "Body"}:
                return 400, {"code": 21604, "message": f"form fields {sorted(form)}"}
            if self.answers:
                return self.answers.pop(0)
            self.messages.append(form)
            return 201, {"sid": f"SM{len(self.messages):032d}", "status": "queued", "to": form["To"]}


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            status, body = state.answer(self)
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *_args: Any) -> None:
            pass

    for url in loopback_server(Handler):
        yield state, url


@pytest.fixture
def sms(app: Flask, provider: tuple[Provider, str]) -> Provider:
    state, url = provider
    app.config.update(WALLET_SMS_URL=url, WALLET_SMS_ACCOUNT_SID=ACCOUNT_SID, WALLET_SMS_AUTH_TOKEN=AUTH_TOKEN,
                      WALLET_SMS_FROM=SENDER, WALLET_SMS_TIMEOUT_SECONDS=5.0,
                      WALLET_JOB_RETRY_BASE_SECONDS=0.0, WALLET_JOB_MAX_ATTEMPTS=3)
    return state


def sms_template(client, account, sendout: dict[str, str] | None = None) -> str:
    created = campaign(client, account, sms_sendout=sendout or {"text": SMS_TEXT})
    assert created.status_code == 201, created.get_json()
    return str(created.get_json()["id"])


def texted_events() -> list[PassEvent]:
    with transaction(write=False) as session:
        return list(session.scalars(select(PassEvent).where(PassEvent.kind == "texted")))


def passes() -> list[Pass]:
    with transaction(write=False) as session:
        return list(session.scalars(select(Pass)))


def test_sync_create_queues_the_text_with_the_pass_and_the_worker_sends_it(v3, client, account, sms, run_jobs):
    created = create_pass(v3, sms_template(client, account), phoneRecipient="+49 (170) 123-4567", firstname="Ada")

    assert created.status_code == 200, created.get_json()
    (queued,) = jobs(SMS_KIND)  # committed with the pass, before any worker ran
    assert queued.state == "queued" and sms.requests == 0
    run_jobs()

    data = created.get_json()["data"]
    assert sms.messages == [{"To": "+491701234567", "From": SENDER,
                             "Body": f"Hello Ada, your ticket for Summer Gala: {data['downloadPage']}"}]
    (job,) = jobs(SMS_KIND)
    assert job.state == "done" and job.result == {"identifier": data["identifier"],
                                                  "providerMessageId": "SM" + "1".zfill(32)}
    assert [event.pass_id for event in texted_events()] == [data["identifier"]]


def test_async_create_texts_after_the_job_created_the_pass(v3, client, account, sms, run_jobs):
    created = create_pass(v3, sms_template(client, account), asynchronous=True, phoneRecipient="+4917012345678")

    assert created.status_code == 200, created.get_json()
    assert jobs(SMS_KIND) == []  # the pass does not exist yet
    run_jobs()

    (message,) = sms.messages
    assert message["To"] == "+4917012345678" and created.get_json()["data"]["downloadPage"] in message["Body"]


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_single_update_with_phone_recipient_texts_the_updated_pass(v3, client, account, sms, run_jobs,
                                                                      asynchronous):
    identifier = create_pass(v3, sms_template(client, account), firstname="Ada").get_json()["data"]["identifier"]

    updated = v3.patch(f"/pass/{identifier}?async={'true' if asynchronous else 'false'}",
                       json={"data": {"firstname": "Grace", "phoneRecipient": "+14155550123"}})
    assert updated.status_code == 200, updated.get_json()
    run_jobs()

    (message,) = sms.messages
    assert message["To"] == "+14155550123" and message["Body"].startswith("Hello Grace,")


@pytest.mark.parametrize("failures", [[500], [429], [503, 429]])
def test_429_and_5xx_are_retried_until_the_provider_takes_the_message(v3, client, account, sms, run_jobs, failures):
    sms.answers = [(status, {"code": 20500, "message": "try later"}) for status in failures]
    create_pass(v3, sms_template(client, account), phoneRecipient="+4917012345678")

    run_jobs()

    (job,) = jobs(SMS_KIND)
    assert sms.requests == len(failures) + 1 and len(sms.messages) == 1
    # One request per try: the failures, then the one the provider took (a chunk that succeeds
    # starts its job's attempt count again, queue/jobs.py).
    assert job.state == "done" and job.attempts == 0
    assert len(texted_events()) == 1


def test_a_provider_that_keeps_failing_is_recorded_failed_after_the_last_attempt(v3, client, account, sms,
                                                                                 run_jobs):
    sms.answers = [(500, {"code": 20500, "message": "Internal Server Error"})] * 10
    create_pass(v3, sms_template(client, account), phoneRecipient="+4917012345678")

    run_jobs()

    (job,) = jobs(SMS_KIND)
    assert sms.requests == 3 and job.attempts == 3  # WALLET_JOB_MAX_ATTEMPTS
    assert job.state == "failed" and "answered 500: 20500 Internal Server Error" in job.result["error"]
    assert AUTH_TOKEN not in json.dumps(job.result) and texted_events() == []


def test_a_provider_that_is_down_is_retried_then_recorded_failed(v3, client, account, app, sms, run_jobs):
    app.config["WALLET_SMS_URL"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    create_pass(v3, sms_template(client, account), phoneRecipient="+4917012345678")

    run_jobs()

    (job,) = jobs(SMS_KIND)
    assert job.state == "failed" and job.attempts == 3 and "ConnectError" in job.result["error"]


def test_wrong_credentials_are_retried_not_dropped(v3, client, account, app, sms, run_jobs):
    app.config["WALLET_SMS_AUTH_TOKEN"] = "not-the-token"
    create_pass(v3, sms_template(client, account), phoneRecipient="+4917012345678")

    run_jobs()

    (job,) = jobs(SMS_KIND)
    assert job.state == "failed" and job.attempts == 3 and "answered 401" in job.result["error"]
    assert "not-the-token" not in json.dumps(job.result) and sms.messages == []


def test_a_number_the_provider_refuses_fails_the_message_at_once(v3, client, account, sms, run_jobs):
    sms.answers = [(400, {"code": 21211, "message": "The 'To' number is not a valid phone number."})]
    identifier = create_pass(v3, sms_template(client, account), phoneRecipient="+4917012345678").get_json()[
        "data"]["identifier"]

    run_jobs()

    (job,) = jobs(SMS_KIND)
    assert sms.requests == 1 and (job.state, job.processed, job.failed, job.attempts) == ("done", 1, 1, 0)
    assert job.errors == [{"id": identifier, "error": "the SMS provider answered 400: 21211 The 'To' number is "
                                                      "not a valid phone number."}]


def test_without_a_provider_a_template_with_an_sms_sendout_refuses_phone_recipient(v3, client, account, run_jobs):
    template_id = sms_template(client, account)

    for asynchronous in (False, True):
        refused = create_pass(v3, template_id, asynchronous=asynchronous, phoneRecipient="+4917012345678")
        assert refused.status_code == 400
        assert refused.get_json()["success"] is False
        assert error_text(refused).startswith("phoneRecipient: template ") and "WALLET_SMS_URL" in error_text(refused)
    assert passes() == [] and jobs(SMS_KIND) == [] and jobs("v3_create_pass") == []
    assert create_pass(v3, template_id).status_code == 200  # without phoneRecipient all is well


def test_a_provider_removed_after_queueing_fails_the_job_not_silently(v3, client, account, app, sms, run_jobs):
    create_pass(v3, sms_template(client, account), phoneRecipient="+4917012345678")
    app.config["WALLET_SMS_URL"] = ""

    run_jobs()

    (job,) = jobs(SMS_KIND)
    assert job.state == "failed" and "SmsNotConfigured" in job.result["error"]


@pytest.mark.parametrize("number", ["0170 1234567", "+0170123", "+49 170 abc", "+1234567890123456", "49170123",
                                    "+", 4917012345678])
def test_an_invalid_number_is_400_naming_phone_recipient_and_creates_nothing(v3, client, account, sms, number):
    template_id = sms_template(client, account)

    for asynchronous in (False, True):
        refused = create_pass(v3, template_id, asynchronous=asynchronous, phoneRecipient=number)
        assert refused.status_code == 400, refused.get_json()
        assert "phoneRecipient" in error_text(refused)
        assert "E.164" in error_text(refused) or not isinstance(number, str)  # a number is refused by the schema
    assert passes() == [] and jobs(SMS_KIND) == [] and jobs("v3_create_pass") == []


def test_without_an_sms_sendout_phone_recipient_is_accepted_and_nothing_is_sent(v3, client, account, sms, run_jobs):
    created = campaign(client, account)
    assert created.status_code == 201

    accepted = create_pass(v3, created.get_json()["id"], phoneRecipient="+4917012345678")
    run_jobs()

    assert accepted.status_code == 200 and sms.requests == 0 and jobs(SMS_KIND) == []


def test_a_bulk_update_with_phone_recipient_is_400(v3, client, account, sms):
    identifier = create_pass(v3, sms_template(client, account)).get_json()["data"]["identifier"]

    refused = v3.patch("/pass/bulk", json={"data": {"phoneRecipient": "+4917012345678"},
                                           "filter": {"identifiers": [identifier]}})

    assert refused.status_code == 400
    assert refused.get_json()["errors"] == ["phoneRecipient cannot be used in a bulk update"]


def test_the_sms_sendout_is_set_checked_and_cleared_through_the_v2_api(client, account):
    template_id = sms_template(client, account)
    path = f"/v2/generics/{template_id}"

    unknown = campaign(client, account, name="Other", sms_sendout={"text": "Hi {lastname}"})
    empty = campaign(client, account, name="Third", sms_sendout={"text": " "})
    assert client.get(path, headers=account.basic).get_json()["sms_sendout"] == {"text": SMS_TEXT}
    cleared = client.patch(path, json={"generic": {"sms_sendout": None}}, headers=account.basic)

    assert unknown.status_code == 422 and error_text(unknown).startswith("sms_sendout.text: unknown placeholder")
    assert empty.status_code == 422 and "sms_sendout" in error_text(empty)
    assert cleared.status_code == 200 and cleared.get_json()["sms_sendout"] is None


def test_e164_numbers_are_normalized_or_refused() -> None:
    assert e164_number(" +1 (415) 555-0123 ") == "+14155550123"
    assert e164_number("+44.20.7946.0958") == "+442079460958"
    for bad in ("+1 415 555 0123 ext 9", "++14155550123", "+1\n4155550123x"):
        with pytest.raises(BadRequest, match="phoneRecipient"):
            e164_number(bad)


def test_sms_settings_keep_the_token_out_of_reprs_and_refuse_plain_http_elsewhere() -> None:
    settings = SmsSettings.from_config({"WALLET_SMS_URL": "https://api.twilio.com/", "WALLET_SMS_ACCOUNT_SID": "AC1",
                                        "WALLET_SMS_AUTH_TOKEN": AUTH_TOKEN, "WALLET_SMS_FROM": SENDER,
                                        "WALLET_SMS_TIMEOUT_SECONDS": 3})
    assert settings is not None and AUTH_TOKEN not in repr(settings)
    assert settings.messages_url == "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json"
    assert sms_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    for bad in ("http://sms.example.com", "ftp://x", "https://AC1:token@api.twilio.com", "https://h/?a=1", "https://h:x"):
        with pytest.raises(ValueError) as raised:
            sms_url(bad)
        assert "token" not in str(raised.value).replace("auth token", "")


def test_the_queued_job_holds_number_and_text_but_no_credentials(v3, client, account, sms):
    create_pass(v3, sms_template(client, account), phoneRecipient="+4917012345678", firstname="Ada")

    with transaction(write=False) as session:
        (job,) = session.scalars(select(BackgroundJob).where(BackgroundJob.kind == SMS_KIND))
        assert set(job.payload) == {"requested_by", "pass_id", "to", "text"}
        assert AUTH_TOKEN not in json.dumps(job.payload)


def test_a_bad_sms_url_stops_the_server_at_start_without_quoting_it(tmp_path) -> None:
    with pytest.raises(ValueError) as raised:
        load_settings({"WALLET_SMS_URL": "http://AC1:tok3n@sms.example.com"}, instance_dir=tmp_path)

    assert str(raised.value).startswith("WALLET_SMS_URL: ") and "tok3n" not in str(raised.value)
    assert load_settings({"WALLET_SMS_URL": "https://api.twilio.com/"}, instance_dir=tmp_path)[
        "WALLET_SMS_URL"] == "https://api.twilio.com"
