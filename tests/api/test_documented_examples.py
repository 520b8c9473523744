"""Every request example of the Passworks v2 type documents (coupon.md, store_card.md,
event_ticket.md, boarding_pass.md, generic.md), sent as the document writes it, in its order.

tests/api/passworks_v2_examples.json holds them as extracted from the documents: each
step's method, path, body and the top-level keys of the response the document shows. The
ids in them are the documents' own, so the assets and campaigns they name are made here
first; each step must answer 2xx and carry every key the document's response shows (the
keys we leave out on purpose are listed below, with the reason). The v1 documents are
replayed in tests/api/test_v1_types.py and test_v1_loyalty.py, the remote form example in
tests/web/test_campaign_page.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Account
from tests.api.test_campaigns import upload

EXAMPLES = json.loads((Path(__file__).parent / "passworks_v2_examples.json").read_text())
SEGMENTS = {"coupon.md": "coupons", "store_card.md": "store_cards", "event_ticket.md": "event_tickets",
            "boarding_pass.md": "boarding_passes", "generic.md": "generics"}
IMAGE_ROLES = {"icon_id": "icon", "logo_id": "logo", "strip_id": "strip", "thumbnail_id": "thumbnail",
               "background_id": "background", "footer_id": "footer"}
# Keys a document's response shows that we leave out, and why (docs/passworks-differences.md).
NOT_ANSWERED: dict[str, str] = {}


def _paths_fixed(path: str, segment: str) -> str:
    """The documents copy some routes from one another (store_card.md's reset_redeem says
    /v2/coupons/, boarding_pass.md's pass push /v2/event_tickets/, generic.md's pass update
    /v1/generics/): such a route means the document's own type. coupon.md's singular
    /v2/coupon/ is one we answer as written."""
    if path.startswith("/v2/coupon/"):
        return path
    return re.sub(r"^/v[12]/\w+", f"/v2/{segment}", path)


def _with_assets(body: Any, assets: dict[str, str]) -> Any:
    """The body with the document's asset ids replaced by assets of the same role."""
    if isinstance(body, dict):
        return {key: assets[IMAGE_ROLES[key]] if key in IMAGE_ROLES and isinstance(value, str)
                else _with_assets(value, assets) for key, value in body.items()}
    if isinstance(body, list):
        return [_with_assets(item, assets) for item in body]
    return body


def _ordered(steps: list[dict]) -> list[dict]:
    """The document's order, its deletes last (they end what the other steps use): the pass, then the campaign."""
    deletes = sorted((step for step in steps if step["method"] == "DELETE"), key=lambda step: -len(step["path"]))
    return [step for step in steps if step["method"] != "DELETE"] + deletes


@pytest.mark.parametrize("document", sorted(EXAMPLES))
def test_every_request_example_of_the_document_works(client, account: Account, document: str):  # type: ignore[no-untyped-def]
    segment = SEGMENTS[document]
    assets = {role: upload(client, account, role) for role in sorted(set(IMAGE_ROLES.values()))}
    ids: dict[str, str] = {}
    for step in _ordered(EXAMPLES[document]):
        path = _paths_fixed(step["path"], segment).format(**ids)
        response = client.open(path, method=step["method"], json=_with_assets(step.get("body"), assets),
                               headers=account.basic)
        where = f"{document}: {step['method']} {step['path']}"
        assert 200 <= response.status_code < 300, (where, response.get_json())
        answer = response.get_json()
        if step["method"] == "POST" and path.rstrip("/") == f"/v2/{segment}":
            ids["campaign_id"] = answer["id"]
        elif step["method"] == "POST" and path.rstrip("/").endswith("/passes") and "pass_id" not in ids:
            ids.update(pass_id=answer["id"], redeem_code=answer["redeem_code"])
        missing = set(step.get("response_keys", [])) - set(answer if isinstance(answer, dict) else {}) - set(NOT_ANSWERED)
        assert not missing, (where, sorted(missing))
        shown_barcode = answer.get("barcode") if isinstance(answer, dict) else {}
        missing_barcode = set(step.get("barcode_keys", [])) - set(shown_barcode or {})
        assert not missing_barcode, (where, sorted(missing_barcode))
