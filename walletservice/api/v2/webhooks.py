"""The caller's own webhook: where pass events are POSTed, and the secret signing them."""

from __future__ import annotations


from flask import Response, current_app

from walletservice.api.schemas.webhooks import WebhookBody, WebhookResponse
from walletservice.api.v2 import v2_api
from walletservice.api.v2.responses import json_response
from walletservice.db import transaction
from walletservice.models import Organization
from walletservice.services import webhooks as webhook_service

TAG = "Webhook"
SIGNING = ("Each POST carries X-Wallet-Timestamp and X-Wallet-Signature: sha256=<hex HMAC-SHA256 of "
           "'<timestamp>.<raw body>' keyed with webhook_secret>, and Authorization: the webhook_authorization "
           "value you set, else <webhook_secret>.")


def _response(settings: webhook_service.WebhookSettings) -> Response:
    return json_response(WebhookResponse.build(settings))


def _secret_key() -> str:
    return str(current_app.config["WALLET_SECRET_KEY"])


@v2_api.route("GET", "/webhook", summary="Get the webhook URL and secret", tag=TAG,
              responses={200: WebhookResponse}, description=SIGNING)
def get_webhook(organization_id: str) -> Response:
    with transaction(write=False) as session:
        organization = session.get(Organization, organization_id)
        settings = webhook_service.webhook_settings(organization, _secret_key())
    return _response(settings)


def set_webhook(organization_id: str, body: WebhookBody) -> Response:
    with transaction() as session:
        organization = session.get(Organization, organization_id)
        if "webhook_url" in body.model_fields_set:
            webhook_service.set_webhook_url(session, organization, body.webhook_url, _secret_key(),
                                            allow_private=current_app.config["WALLET_WEBHOOK_ALLOW_PRIVATE"])
        if "webhook_authorization" in body.model_fields_set:
            webhook_service.set_webhook_authorization(session, organization, body.webhook_authorization,
                                                      _secret_key())
        settings = webhook_service.webhook_settings(organization, _secret_key())
    return _response(settings)


for _method in ("PATCH", "PUT"):
    v2_api.route(_method, "/webhook", summary="Set or remove the webhook URL and Authorization value", tag=TAG,
                 json_body=WebhookBody, responses={200: WebhookResponse},
                 description="422 unless an absolute http(s) URL. The first URL creates the secret; "
                             "changing the URL keeps it. What is omitted stays. " + SIGNING,
                 endpoint=f"set_webhook_{_method.lower()}")(set_webhook)


@v2_api.route("POST", "/webhook/rotate_secret", summary="Replace the webhook secret", tag=TAG,
              responses={200: WebhookResponse},
              description="Webhooks still queued are signed with the new secret when sent.")
def rotate_webhook_secret(organization_id: str) -> Response:
    with transaction() as session:
        organization = session.get(Organization, organization_id)
        settings = webhook_service.rotate_webhook_secret(session, organization, _secret_key())
    return _response(settings)
