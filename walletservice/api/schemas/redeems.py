"""Redeeming passes (the "Redeeming a pass" sections of the five type documents)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from walletservice.api.schemas.campaigns import RedeemCode, ShortText
from walletservice.api.schemas.common import Timestamp


class RedeemAttributes(BaseModel):
    comment: ShortText | None = Field(None, description="Kept with the redeem, for reference.")


class RedeemBody(BaseModel):
    """`{"pass": {"comment": "redeemed in store"}}`; the body may be empty."""

    model_config = ConfigDict(populate_by_name=True)

    pass_: RedeemAttributes = Field(default_factory=RedeemAttributes, alias="pass")


class CodeRedeemAttributes(RedeemAttributes):
    redeem_code: RedeemCode


class CodeRedeemBody(BaseModel):
    """`{"pass": {"redeem_code": "0000001", "comment": "Redeemed in store"}}`."""

    model_config = ConfigDict(populate_by_name=True)

    pass_: CodeRedeemAttributes = Field(alias="pass")


class RedeemResponse(BaseModel):
    id: str
    pass_id: str
    campaign_id: str
    redeem_code: str | None
    comment: str | None
    created_at: Timestamp
    reset_at: Timestamp | None = Field(None, description="Set by reset_redeem: no longer counted.")
