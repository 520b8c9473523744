"""Every row of docs/passworks-errors.md, the table of Passworks' error answers, is a
request made here and an answer compared exactly: status and body.

A row names an endpoint (its method and path, `{type}` standing for a campaign type),
a case, what is sent and the answer. Path ids are those of a real campaign, pass and
asset of the caller, except the one the case calls unknown, which is a fresh UUID.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Account
from tests.api.test_campaigns import create, toy_town, upload

TABLE = Path(__file__).resolve().parents[2] / "docs" / "passworks-errors.md"
_ROW = re.compile(r"^\| `(?P<method>[A-Z]+) (?P<path>[^`]+)` \| (?P<case>[^|]+?) \| (?P<sent>[^|]*?) \| "
                  r"(?P<status>\d{3}) \| `(?P<body>[^`]+)` \|$")
_ID = re.compile(r"\{(\w+)\}")
TYPES = {"/v2/": "generics", "/v1/": "generics"}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    case: str
    sent: str
    status: int
    body: str

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.case})"


def table_rows() -> list[Row]:
    rows = []
    for line in TABLE.read_text().splitlines():
        found = _ROW.match(line.strip())
        if found:
            rows.append(Row(found["method"], found["path"], found["case"].strip(), found["sent"].strip().strip("`"),
                            int(found["status"]), found["body"]))
    return rows


ROWS = table_rows()


def test_the_table_covers_both_apis_and_both_shapes():
    assert len(ROWS) >= 60
    assert {row.path.split("/")[1] for row in ROWS} == {"v1", "v2"}
    bodies = [json.loads(row.body)["errors"] for row in ROWS]
    assert any(isinstance(errors, list) for errors in bodies) and any(isinstance(errors, dict) for errors in bodies)


@dataclass(frozen=True)
class Objects:
    campaign_id: str
    pass_id: str
    asset_id: str


def _objects(client: Any, account: Account, case: str) -> Objects:
    icon = upload(client, account)
    attributes = {**toy_town(icon), "name": f"Toy Town {uuid.uuid4()}"}
    campaign = create(client, account, "generics", attributes).get_json()["id"]
    issued = client.post(f"/v2/generics/{campaign}/passes", json={}, headers=account.basic)
    assert issued.status_code == 201, issued.get_json()
    if case == "archived campaign":
        assert client.post(f"/v2/generics/{campaign}/archive", headers=account.basic).status_code == 200
    return Objects(campaign, issued.get_json()["id"], icon)


def _url(row: Row, objects: Objects) -> str:
    unknown = row.case.removeprefix("unknown ").replace(" ", "_") if row.case.startswith("unknown ") else ""
    known = {"campaign_id": objects.campaign_id, "loyalty_id": objects.campaign_id, "pass_id": objects.pass_id,
             "asset_id": objects.asset_id}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "type":
            return TYPES[row.path[:4]]
        if name.removesuffix("_id") == unknown or name not in known:
            return str(uuid.uuid4())
        return known[name]
    return _ID.sub(value, row.path)


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_each_error_answer_is_as_the_table_shows(client, account: Account, row: Row):
    objects = _objects(client, account, row.case)
    headers = {} if row.case == "no credentials" else dict(account.basic)
    options: dict[str, Any] = {"headers": headers}
    if row.sent and row.sent != "—":
        options["data"] = row.sent.encode()
        options["content_type"] = "application/json"

    response = client.open(_url(row, objects), method=row.method, **options)

    assert response.status_code == row.status, response.get_data(as_text=True)
    assert response.get_json() == json.loads(row.body)
