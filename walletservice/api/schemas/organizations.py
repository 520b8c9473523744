"""Organizations (v2/organizations.md)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from walletservice.api.schemas.common import Text, Timestamp
from walletservice.models import Organization
from walletservice.services.google_accounts import GoogleAccountSummary

OrganizationName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\x00]*$")]


class OrganizationFields(BaseModel):
    name: OrganizationName


class OrganizationCreate(BaseModel):
    """`{"name": ...}` as the document shows, or `{"organization": {"name": ...}}`."""

    name: OrganizationName | None = None
    organization: OrganizationFields | None = None
    webhook_url: Text | None = Field(None, description="Where the new organization's pass events are POSTed; "
                                                       "it reads the secret at GET /v2/webhook.")
    webhook_authorization: str | None = Field(
        None, description="The Authorization header value of the new organization's webhook POSTs "
                          "(see PATCH /v2/webhook).")

    @model_validator(mode="after")
    def _one_name(self) -> OrganizationCreate:
        if self.name is None and self.organization is None:
            raise ValueError("name is required")
        return self

    @property
    def chosen_name(self) -> str:
        return self.name if self.name is not None else self.organization.name  # type: ignore[union-attr]


class OrganizationResponse(BaseModel):
    id: str
    name: str
    api_username: str = Field(description="The account id for HTTP Basic authentication.")
    api_password: str | None = Field(
        description="The API key: shown only when created or refreshed (only its hash is stored)."
    )
    webhook_url: str | None = None
    users_count: int = 0
    locked_at: Timestamp | None = None
    updated_at: Timestamp
    created_at: Timestamp

    @classmethod
    def build(cls, organization: Organization, api_key: str | None = None) -> OrganizationResponse:
        return cls(
            id=organization.id, name=organization.name, api_username=organization.id,
            api_password=api_key, webhook_url=organization.webhook_url,
            updated_at=organization.updated_at, created_at=organization.created_at,
        )


class GoogleAccountUpdate(BaseModel):
    """An organization's own Google Wallet issuer (docs/google-wallet.md)."""

    issuer_id: str = Field(description="The issuer id from the Google Pay & Wallet Console (digits).",
                           max_length=32)
    service_account: dict[str, Any] | str = Field(
        description="The service account's JSON key as Google Cloud downloads it (the object, or its text). "
                    "Stored encrypted; never answered.")


class GoogleAccountResponse(BaseModel):
    own_account: bool = Field(description="false: the server's issuer is used (the other fields are null).")
    issuer_id: str | None = None
    client_email: str | None = None
    private_key_id: str | None = None
    updated_at: Timestamp | None = None

    @classmethod
    def build(cls, summary: GoogleAccountSummary | None) -> GoogleAccountResponse:
        if summary is None:
            return cls(own_account=False)
        return cls(own_account=True, issuer_id=summary.issuer_id, client_email=summary.client_email,
                   private_key_id=summary.private_key_id, updated_at=summary.updated_at)
