"""Registrations: passes installed in a wallet (v2/registrations.md)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from walletservice.api.schemas.common import Timestamp


class RegistrationResponse(BaseModel):
    id: str = Field(description="Our registration id (an integer), as a string; Passworks shows UUIDs.")
    pass_id: str
    wallet: str | None = Field(description="passbook, wallet_passes, passwallet, pass2u... null if unknown.")
    device_os: str | None = Field(description="ios, android, wp; null if unknown.")
    created_at: Timestamp
