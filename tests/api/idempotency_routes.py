"""The creating POST of a pass in each integrator API, for the idempotency and ETag tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from tests.api.conftest import Account
from walletservice.db import transaction
from walletservice.models import Pass

APIS = ("v1", "v2", "v3")


@dataclass(frozen=True)
class PassRoutes:
    """Where one API creates, reads and changes a pass of the template `campaign_id`."""

    api: str
    campaign_id: str

    @property
    def create_path(self) -> str:
        if self.api == "v3":
            return "/api/v3/pass?async=false"
        return f"/{self.api}/event_tickets/{self.campaign_id}/passes"

    def create_body(self, firstname: str = "Ada") -> dict[str, Any]:
        if self.api == "v3":
            return {"data": {"templateId": self.campaign_id, "firstname": firstname}}
        return {"pass": {"secondary_fields": [{"key": "firstname", "value": firstname}]}}

    def created_status(self) -> int:
        return 200 if self.api == "v3" else 201

    def updated_status(self) -> int:
        """v1 answers an update 201, as its documents show (docs/passworks-errors.md)."""
        return 201 if self.api == "v1" else 200

    def item_path(self, pass_id: str) -> str:
        if self.api == "v3":
            return f"/api/v3/pass/{pass_id}"
        return f"/{self.api}/event_tickets/{self.campaign_id}/passes/{pass_id}"

    def patch(self, pass_id: str, firstname: str) -> tuple[str, dict[str, Any]]:
        """(path, body) of a PATCH that sets the pass's first name."""
        if self.api == "v3":
            return f"{self.item_path(pass_id)}?async=false", {"data": {"firstname": firstname}}
        return self.item_path(pass_id), {"pass": {"secondary_fields": [{"key": "firstname", "value": firstname}],
                                                  "push": False}}

    def headers(self, account: Account) -> dict[str, str]:
        return {"Authorization": account.api_key} if self.api == "v3" else account.basic

    def error_messages(self, body: Any) -> list[str]:
        """The messages of an error answer, in this API's shape."""
        if self.api == "v3":
            assert body["success"] is False
            return body["errors"]
        errors = body["errors"]
        return list(errors.values()) if isinstance(errors, dict) else errors


def created_id(routes: PassRoutes, body: Any) -> str:
    return body["data"]["identifier"] if routes.api == "v3" else body["id"]


def pass_count() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Pass)) or 0
