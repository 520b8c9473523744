from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from tests.factories import make_campaign, make_organization, make_pass
from walletservice.models import Campaign, Pass


@dataclass
class IssuedPass:
    campaign: Campaign
    pass_: Pass
    pass_type: str
    serial: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"ApplePass {self.token}"}

    @property
    def pass_url(self) -> str:
        return f"/wallet/v1/passes/{self.pass_type}/{self.serial}"

    def registration_url(self, device: str) -> str:
        return f"/wallet/v1/devices/{device}/registrations/{self.pass_type}/{self.serial}"

    def list_url(self, device: str) -> str:
        return f"/wallet/v1/devices/{device}/registrations/{self.pass_type}"


@pytest.fixture
def issued(app: Flask) -> IssuedPass:
    organization, _key = make_organization()
    campaign = make_campaign(organization)
    pass_ = make_pass(campaign, serial_number="SKY-0001")
    return IssuedPass(campaign, pass_, pass_.pass_type_identifier, pass_.serial_number, pass_.authentication_token)
