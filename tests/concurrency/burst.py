"""The world the every-write-route suite aims at, and one burst of parallel requests at a
route: the values in its path, what was sent and answered, and reads for the checks."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.api.conftest import p12_bytes
from tests.api.test_campaigns import toy_town
from tests.concurrency.harness import Target, fields_set
from tests.factories import png_bytes
from tests.security.routes import Route
from tests.security.world import Tenant
from walletservice.db import transaction
from walletservice.models import Campaign, Pass
from walletservice.passkit import devcerts
from walletservice.services.passes import update_pass_values
from walletservice.services.passworks_mapping import CAMPAIGN_TYPES

if TYPE_CHECKING:
    from tests.concurrency.cases import Case

N = 8  # requests per burst
# Passworks' other spellings of a campaign type's segment, and v1's loyalty programs.
SEGMENT_ALIASES = {"event_tickers": "event_tickets", "coupon": "coupons", "loyalty": "store_cards"}


def kind(route: Route) -> str:
    """The route's method and rule, the campaign-type segment collapsed to <seg>."""
    parts = route.rule.split("/")
    if route.segment in CAMPAIGN_TYPES or route.segment in SEGMENT_ALIASES:
        parts[2] = "<seg>"
    return f"{route.method} {'/'.join(parts)}"


@dataclass
class World:
    tenant: Tenant
    setup: FlaskClient  # in-process, for the objects a burst needs
    wwdr: devcerts.KeyPair
    v3_template: str
    # Per campaign-type segment: a campaign whose back fields f00..f07 the updates set.
    field_campaigns: dict[str, str] = field(default_factory=dict)
    campaign_segments: dict[str, str] = field(default_factory=dict)

    @property
    def v3_headers(self) -> dict[str, str]:
        return {"Authorization": self.tenant.account.api_key}

    def segment(self, route: Route) -> str:
        segment = SEGMENT_ALIASES.get(route.segment, route.segment)
        return segment if segment in CAMPAIGN_TYPES else "generics"

    def root(self, route: Route) -> str:
        return CAMPAIGN_TYPES[self.segment(route)][0]


@dataclass
class Burst:
    route: Route
    case: Case
    world: World
    nonce: int
    values: dict[str, str] = field(default_factory=dict)
    sent: list[Any] = field(default_factory=list)
    responses: list[httpx.Response] = field(default_factory=list)
    before: Any = None
    request_headers: dict[str, str] = field(default_factory=dict)

    @property
    def setup(self) -> FlaskClient:
        return self.world.setup

    @property
    def succeeded(self) -> list[int]:
        return [index for index, response in enumerate(self.responses) if 200 <= response.status_code < 300]

    def path_values(self, overrides: dict[str, str]) -> dict[str, str]:
        values = {name: self.world.tenant.value(self.route.segment, name) or ""
                  for name, _converter in self.route.arguments}
        values.update(overrides)
        pass_id = values.get("pass_id")
        if pass_id and self.route.api == "wallet":
            pass_ = self.get(Pass, pass_id)
            values.update(pass_type=pass_.pass_type_identifier, serial=pass_.serial_number)
        return values

    @property
    def pass_id(self) -> str:
        return self.values.get("identifier") if self.route.api == "v3" else self.values["pass_id"]  # type: ignore[return-value]

    def headers(self) -> dict[str, str]:
        if self.route.api == "v3":
            return self.world.v3_headers
        if self.route.api == "wallet":
            return {"Authorization": f"ApplePass {self.target().token}"} if "pass_id" in self.values else {}
        return self.world.tenant.basic

    def target(self) -> Target:
        pass_ = self.get(Pass, self.pass_id)
        return Target(pass_.campaign_id, pass_.id, pass_.pass_type_identifier, pass_.serial_number,
                      pass_.authentication_token)

    def get(self, model: type, id_: str) -> Any:
        with transaction(write=False) as session:
            return session.get(model, id_)

    def content(self) -> dict[str, Any]:
        return self.get(Pass, self.pass_id).content

    def fields_set(self) -> int:
        return fields_set(self.content())

    def back_field_values(self) -> list[Any]:
        return [item.get("value") for item in self.content().get("backFields") or [] if item["key"].startswith("f")]

    def authenticates(self, organization_id: str, password: str) -> bool:
        token = base64.b64encode(f"{organization_id}:{password}".encode()).decode()
        return self.setup.get("/v2/webhook", headers={"Authorization": f"Basic {token}"}).status_code == 200

    def register(self, values: dict[str, str], device: str) -> None:
        pass_ = self.get(Pass, values["pass_id"])
        ok(self.setup.post(f"/wallet/v1/devices/{device}/registrations/{pass_.pass_type_identifier}/"
                           f"{pass_.serial_number}", json={"pushToken": "ab" * 32},
                           headers={"Authorization": f"ApplePass {pass_.authentication_token}"}))


def ok(response: Any) -> Any:
    assert 200 <= response.status_code < 300, (response.status_code, response.get_data()[:300])
    return response.get_json()


def successes(burst: Burst) -> list[httpx.Response]:
    return [burst.responses[index] for index in burst.succeeded]


def one_success(burst: Burst, refused: frozenset[int] = frozenset({404, 412})) -> None:
    statuses = sorted(response.status_code for response in burst.responses)
    assert len(burst.succeeded) == 1 and all(status in refused for status in statuses if status >= 300), statuses


def answered_id(body: dict[str, Any]) -> str:
    """The new object's id in v2's, v3's envelope and v1 loyalty's answers."""
    if "data" in body:
        return body["data"]["identifier"]
    if "campaign" in body:
        return body["campaign"]["id"]
    if "loyalty_card" in body:
        return body["loyalty_card"]["pass_id"]
    return body["id"]


def answered_ids(burst: Burst) -> list[str]:
    return [answered_id(response.json()) for response in successes(burst)]


def rows(model: type, **where: Any) -> int:
    with transaction(write=False) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query) or 0


# -- objects made through the API --------------------------------------------------------

def campaign_body(world: World, segment: str, name: str, *, fields: int = 0) -> dict[str, Any]:
    attributes = {**toy_town(world.tenant.value("", "asset_id") or ""), "name": name}
    if fields:
        attributes["back_fields"] = [{"key": f"f{index:02}", "label": f"F{index:02}"} for index in range(fields)]
    if segment == "boarding_passes":
        attributes["transit_type"] = "air"
    return {CAMPAIGN_TYPES[segment][0]: attributes}


def campaign_create(burst: Burst, index: int) -> dict[str, Any]:
    body = campaign_body(burst.world, burst.world.segment(burst.route), f"Burst {burst.nonce} {index}")
    if burst.route.rule == "/v1/loyalty":
        return {"campaign": next(iter(body.values()))}  # passworks-v1-loyalty.md
    return body


def fields_campaign(burst: Burst, *, new: bool = False) -> str:
    """A campaign of the route's type (generic for v3) whose back fields f00..f07 the updates set."""
    world, segment = burst.world, burst.world.segment(burst.route)
    if new or segment not in world.field_campaigns:
        body = campaign_body(world, segment, f"Fields {burst.nonce}", fields=N)
        campaign_id = ok(burst.setup.post(f"/v2/{segment}", json=body, headers=world.tenant.basic))["id"]
        world.campaign_segments[campaign_id] = segment
        if new:
            return campaign_id
        world.field_campaigns[segment] = campaign_id
    return world.field_campaigns[segment]


def v2_pass(burst: Burst, campaign_id: str) -> str:
    segment = burst.world.campaign_segments[campaign_id]
    return ok(burst.setup.post(f"/v2/{segment}/{campaign_id}/passes", json={},
                               headers=burst.world.tenant.basic))["id"]


def make_personalizable(campaign_id: str, pass_id: str) -> None:
    """Give the campaign a personalization.json (tests/webservice/test_personalize_guards.py)."""
    with transaction() as session:
        campaign = session.get(Campaign, campaign_id)
        campaign.design = {**campaign.design, "personalization": {
            "requiredPersonalizationFields": ["PKPassPersonalizationFieldName"], "description": "Join"}}
        update_pass_values(session, session.get(Pass, pass_id), campaign, {})


def asset_upload(_burst: Burst, index: int) -> dict[str, Any]:
    return {"data": {"asset[asset_type]": "icon"},
            "files": {"asset[file]": ("a.png", png_bytes((90 + index, 90)), "image/png")}}


def certificate_upload(burst: Burst, index: int) -> dict[str, Any]:
    pair = devcerts.issue_pass_type_certificate(burst.world.wwdr, f"pass.com.example.conc{burst.nonce}.{index}",
                                                "CONCURRENT")
    p12 = p12_bytes(pair, [burst.world.wwdr.certificate])
    return {"certificate": {"p12": base64.b64encode(p12).decode(), "password": "s3cret"}}


def upload_asset(burst: Burst) -> str:
    form = {"asset[asset_type]": "icon", "asset[file]": (io.BytesIO(png_bytes((80, 80))), "a.png")}
    return ok(burst.setup.post("/v2/assets", data=form, headers=burst.world.tenant.basic,
                               content_type="multipart/form-data"))["id"]
