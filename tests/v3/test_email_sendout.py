"""v3 emailRecipient: a template with an email sendout mails the pass, through a real SMTP
server on loopback (aiosmtpd) and the real job worker."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.http_servers import free_port
from tests.api.conftest import Account, error_text
from tests.api.test_campaigns import create, upload
from tests.v3.conftest import V3Client
from walletservice.db import transaction
from walletservice.models import BackgroundJob, Campaign, Pass, PassEvent
from walletservice.services.passcreator.pass_emails import EMAIL_KIND

SENDER = "Toy Town <passes@example.com>"
SENDOUT = {"subject": "Your ticket for {templateName}, {firstname}",
           "text": "Hello {firstname},\n\n{organizationName} sends your pass: {downloadPage}\n{{not a placeholder}}"}


class Inbox:
    """aiosmtpd handler keeping what it accepts; `refuse_with` answers DATA with that reply
    instead, `refuse_recipient_with` answers RCPT."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.refuse_with: str | None = None
        self.refuse_recipient_with: str | None = None
        self.attempts = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if self.refuse_recipient_with:
            self.attempts += 1
            return self.refuse_recipient_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.attempts += 1
        if self.refuse_with:
            return self.refuse_with
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox(free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def mail_server(app: Flask, inbox: Inbox) -> Inbox:
    app.config.update(WALLET_SMTP_URL=f"smtp://127.0.0.1:{inbox.port}", WALLET_MAIL_FROM=SENDER,
                      WALLET_SMTP_TIMEOUT_SECONDS=5.0, WALLET_JOB_RETRY_BASE_SECONDS=0.0,
                      WALLET_JOB_MAX_ATTEMPTS=3)
    return inbox


def campaign(client: FlaskClient, account: Account, **attributes: Any) -> Any:
    body = {"name": "Summer Gala", "organization_name": "Toy Town Arena", "icon_id": upload(client, account),
            "primary_fields": [{"key": "firstname", "label": "First name", "behaviour": "dynamic"}],
            **attributes}
    return create(client, account, "generics", body)


def template(client: FlaskClient, account: Account, sendout: dict[str, str] | None = SENDOUT) -> str:
    created = campaign(client, account, email_sendout=sendout)
    assert created.status_code == 201, created.get_json()
    return str(created.get_json()["id"])


def jobs(kind: str) -> list[BackgroundJob]:
    with transaction(write=False) as session:
        return list(session.scalars(select(BackgroundJob).where(BackgroundJob.kind == kind)))


def emailed_events() -> list[PassEvent]:
    with transaction(write=False) as session:
        return list(session.scalars(select(PassEvent).where(PassEvent.kind == "emailed")))


def create_pass(v3: V3Client, template_id: str, *, asynchronous: bool = False, **data: Any) -> Any:
    return v3.post(f"/pass?async={'true' if asynchronous else 'false'}",
                   json={"data": {"templateId": template_id, **data}})


def test_sync_create_mails_the_pass_with_its_link_and_properties(v3, client, account, mail_server, run_jobs):
    template_id = template(client, account)

    created = create_pass(v3, template_id, emailRecipient="Ada@Example.com", firstname="Ada")
    assert created.status_code == 200, created.get_json()
    assert mail_server.messages == []  # queued with the pass, sent by the worker
    run_jobs()

    data = created.get_json()["data"]
    ((mail_from, recipients, message),) = mail_server.messages
    assert mail_from == "passes@example.com" and recipients == ["Ada@example.com"]
    assert message["From"] == SENDER and message["To"] == "Ada@example.com"
    assert message["Subject"] == "Your ticket for Summer Gala, Ada"
    body = message.get_content().replace("\r\n", "\n")  # SMTP's line ends
    assert message.get_content_type() == "text/plain"
    assert f"Toy Town Arena sends your pass: {data['downloadPage']}\n" in body
    assert body.startswith("Hello Ada,") and "{not a placeholder}" in body
    (job,) = jobs(EMAIL_KIND)
    assert job.state == "done" and job.result == {"identifier": data["identifier"]}
    assert [event.pass_id for event in emailed_events()] == [data["identifier"]]


def test_async_create_mails_after_the_job_created_the_pass(v3, client, account, mail_server, run_jobs):
    template_id = template(client, account)

    created = create_pass(v3, template_id, asynchronous=True, emailRecipient="ada@example.com", firstname="Ada")
    assert created.status_code == 200, created.get_json()
    assert jobs(EMAIL_KIND) == []  # the pass does not exist yet
    run_jobs()

    ((_, recipients, message),) = mail_server.messages
    assert recipients == ["ada@example.com"]
    assert created.get_json()["data"]["downloadPage"] in message.get_content()
    with transaction(write=False) as session:
        assert session.get(Pass, created.get_json()["data"]["identifier"]) is not None


def test_the_mail_links_the_bundle_page_of_a_bundled_pass(v3, client, account, mail_server, run_jobs):
    created = create_pass(v3, template(client, account), emailRecipient="ada@example.com", bundleId="order-1")
    run_jobs()

    bundle_page = created.get_json()["data"]["bundleDownloadPage"]
    assert bundle_page and created.get_json()["data"]["downloadPage"] == bundle_page
    ((_, _, message),) = mail_server.messages
    assert bundle_page in message.get_content()


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_single_update_with_email_recipient_mails_the_updated_pass(v3, client, account, mail_server, run_jobs,
                                                                       asynchronous):
    identifier = create_pass(v3, template(client, account), firstname="Ada").get_json()["data"]["identifier"]

    updated = v3.patch(f"/pass/{identifier}?async={'true' if asynchronous else 'false'}",
                       json={"data": {"firstname": "Grace", "emailRecipient": "grace@example.com"}})
    assert updated.status_code == 200, updated.get_json()
    run_jobs()

    ((_, recipients, message),) = mail_server.messages
    assert recipients == ["grace@example.com"] and message["Subject"].endswith(", Grace")


def test_an_async_update_that_bundles_the_pass_mails_the_bundle_page(v3, client, account, mail_server, run_jobs):
    identifier = create_pass(v3, template(client, account)).get_json()["data"]["identifier"]

    v3.patch(f"/pass/{identifier}", json={"data": {"bundleId": "order-2", "emailRecipient": "ada@example.com"}})
    run_jobs()

    bundle_page = v3.get(f"/pass/{identifier}").get_json()["data"]["bundleDownloadPage"]
    ((_, _, message),) = mail_server.messages
    assert bundle_page and bundle_page in message.get_content()


def test_without_a_sendout_email_recipient_is_accepted_and_nothing_is_sent(v3, client, account, mail_server,
                                                                          run_jobs):
    created = create_pass(v3, template(client, account, sendout=None), emailRecipient="not an address")
    assert created.status_code == 200, created.get_json()
    run_jobs()

    assert mail_server.messages == [] and jobs(EMAIL_KIND) == []


@pytest.mark.parametrize("address", ["not an address", "ada@", "ada@example..com", 42])
def test_an_invalid_address_is_400_naming_email_recipient_and_creates_nothing(v3, client, account, mail_server,
                                                                             address):
    template_id = template(client, account)
    for asynchronous in (False, True):
        refused = create_pass(v3, template_id, asynchronous=asynchronous, emailRecipient=address)
        assert refused.status_code == 400
        assert "emailRecipient" in error_text(refused)
    with transaction(write=False) as session:
        assert session.scalars(select(Pass)).first() is None
    assert jobs(EMAIL_KIND) == [] and jobs("v3_create_pass") == []


def test_a_sendout_on_a_server_without_a_mail_server_is_400(v3, client, account, run_jobs):
    template_id = template(client, account)

    refused = create_pass(v3, template_id, emailRecipient="ada@example.com")
    without_recipient = create_pass(v3, template_id)

    assert refused.status_code == 400 and "WALLET_SMTP_URL" in error_text(refused)
    assert without_recipient.status_code == 200


def test_a_refusing_mail_server_is_retried_then_the_job_is_recorded_failed(v3, client, account, mail_server,
                                                                           run_jobs):
    mail_server.refuse_with = "451 4.3.0 Try again later"
    create_pass(v3, template(client, account), emailRecipient="ada@example.com")

    run_jobs()

    (job,) = jobs(EMAIL_KIND)
    assert mail_server.attempts == 3 and job.attempts == 3  # WALLET_JOB_MAX_ATTEMPTS
    assert job.state == "failed" and "451" in job.result["error"]
    assert emailed_events() == []


@pytest.mark.parametrize("refusal", ["refuse_recipient_with", "refuse_with"])
def test_a_permanent_refusal_fails_the_mail_at_once_without_retries(v3, client, account, mail_server, run_jobs,
                                                                    refusal):
    setattr(mail_server, refusal, "550 5.1.1 No such mailbox here")
    identifier = create_pass(v3, template(client, account), emailRecipient="ada@example.com").get_json()["data"][
        "identifier"]

    run_jobs()

    (job,) = jobs(EMAIL_KIND)
    assert mail_server.attempts == 1  # not retried
    assert (job.state, job.processed, job.failed) == ("done", 1, 1)
    assert job.errors == [{"id": identifier, "error": "the mail server refused the mail for good: "
                                                      "550 5.1.1 No such mailbox here"}]
    assert emailed_events() == [] and mail_server.messages == []


def test_a_mail_server_that_is_down_fails_the_job_after_its_retries(v3, client, account, app, mail_server,
                                                                    run_jobs):
    app.config["WALLET_SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    create_pass(v3, template(client, account), emailRecipient="ada@example.com")

    run_jobs()

    (job,) = jobs(EMAIL_KIND)
    assert job.state == "failed" and job.attempts == 3
    assert "ConnectionRefusedError" in job.result["error"]


def test_a_bulk_update_with_email_recipient_is_400(v3, client, account, mail_server):
    identifier = create_pass(v3, template(client, account)).get_json()["data"]["identifier"]

    refused = v3.patch("/pass/bulk", json={"data": {"emailRecipient": "ada@example.com"},
                                           "filter": {"identifiers": [identifier]}})

    assert refused.status_code == 400
    assert refused.get_json()["errors"] == ["emailRecipient cannot be used in a bulk update"]
    assert jobs("v3_update_passes") == []


@pytest.mark.parametrize("sendout, problem", [
    ({"subject": "Hi {lastname}", "text": "x"}, "email_sendout.subject: unknown placeholder {lastname}"),
    ({"subject": "Hi", "text": "{downloadPage.__class__}"}, "email_sendout.text: unknown placeholder"),
    ({"subject": "Hi", "text": "{firstname!r}"}, "email_sendout.text: placeholders are plain names"),
    ({"subject": "Hi", "text": "a { b"}, "email_sendout.text:"),
])
def test_a_sendout_with_a_placeholder_it_cannot_fill_is_refused_by_the_v2_api(client, account, sendout, problem):
    refused = campaign(client, account, email_sendout=sendout)

    assert refused.status_code == 422
    assert error_text(refused).startswith(problem)


@pytest.mark.parametrize("sendout", [
    "Hi {firstname}",  # not an object
    {"subject": "Hi"},  # no text
    {"subject": "Hi\r\nBcc: everyone@example.com", "text": "x"},  # a line break in a header
    {"subject": "x" * 256, "text": "x"},
    {"subject": "Hi", "text": 42},
])
def test_a_malformed_sendout_is_422_naming_it_and_creates_no_campaign(client, account, sendout):
    with transaction(write=False) as session:
        before = session.scalar(select(func.count()).select_from(Campaign))

    refused = campaign(client, account, email_sendout=sendout)

    assert refused.status_code == 422
    assert "email_sendout" in error_text(refused)
    with transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == before


def test_the_sendout_is_set_read_and_cleared_through_the_v2_api(client, account):
    template_id = template(client, account)
    path = f"/v2/generics/{template_id}"

    assert client.get(path, headers=account.basic).get_json()["email_sendout"] == SENDOUT
    kept = client.patch(path, json={"generic": {"og_description": "Hello"}}, headers=account.basic)
    removes_field = client.patch(path, json={"generic": {"primary_fields": []}}, headers=account.basic)
    cleared = client.patch(path, json={"generic": {"email_sendout": None}}, headers=account.basic)

    assert kept.get_json()["email_sendout"] == SENDOUT  # a PATCH keeps what it does not name
    assert removes_field.status_code == 422  # {firstname} would have nothing to fill it
    assert cleared.status_code == 200 and cleared.get_json()["email_sendout"] is None
