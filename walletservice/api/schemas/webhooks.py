"""The caller's webhook (v2/webhooks.md; the settings route is ours)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from walletservice.api.schemas.common import Text


class WebhookBody(BaseModel):
    webhook_url: Text | None = Field(
        description="An absolute http:// or https:// URL receiving pass events; null removes the webhook.",
        examples=["https://example.com/wallet-events"])


class WebhookResponse(BaseModel):
    webhook_url: str | None
    webhook_secret: str | None = Field(
        description="Signs every POST (X-Wallet-Signature) and is sent as its Authorization header. "
                    "Created with the first URL; null until then.")
