"""The caller's webhook (v2/webhooks.md; the settings route is ours)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from walletservice.api.schemas.common import Text
from walletservice.services.webhooks import MAX_AUTHORIZATION_LENGTH, WebhookSettings

AUTHORIZATION_DESCRIPTION = (
    "The value every webhook POST carries in its Authorization header, e.g. the API key a receiver "
    "written for Passworks checks (webhooks.md: Passworks sends the organization's API key; keys are "
    "stored here only as hashes, so set it yourself). Printable ASCII, 1 to "
    f"{MAX_AUTHORIZATION_LENGTH} characters, stored encrypted and never shown in full; null removes "
    "it, after which the Authorization header carries webhook_secret. Omitted: unchanged.")


class WebhookBody(BaseModel):
    """At least one of the two; what is omitted stays as it is."""

    webhook_url: Text | None = Field(
        None, description="An absolute http:// or https:// URL receiving pass events; null removes the webhook. "
                          "Omitted: unchanged.",
        examples=["https://example.com/wallet-events"])
    webhook_authorization: str | None = Field(None, description=AUTHORIZATION_DESCRIPTION,
                                              examples=["Token 6b1c0c8e4f2a4b9d"])

    @model_validator(mode="after")
    def _something_to_set(self) -> WebhookBody:
        if not self.model_fields_set & {"webhook_url", "webhook_authorization"}:
            raise ValueError("send webhook_url, webhook_authorization or both")
        return self


class WebhookResponse(BaseModel):
    webhook_url: str | None
    webhook_secret: str | None = Field(
        description="Signs every POST (X-Wallet-Signature); also sent as its Authorization header while "
                    "no webhook_authorization is set. Created with the first URL; null until then.")
    webhook_authorization_set: bool = Field(
        description="Whether POSTs carry the Authorization value you set (webhook_authorization).")
    webhook_authorization_hint: str | None = Field(
        description='"****" and, for a value of 16 characters or more, its last 4; null when none is set.',
        examples=["****9b4d"])

    @classmethod
    def build(cls, settings: WebhookSettings) -> WebhookResponse:
        return cls(webhook_url=settings.url, webhook_secret=settings.secret,
                   webhook_authorization_set=settings.authorization is not None,
                   webhook_authorization_hint=settings.authorization_hint)
