"""Which body fields Google's REST reference marks required, per resource, and the enums we send.

A request that lacks one is answered 400 as Google would, so a mapping that forgets a
required field fails in tests, not in production.
"""

from __future__ import annotations

from typing import Any

REQUIRED: dict[str, tuple[str, ...]] = {
    "genericClass": ("id",),
    "genericObject": ("id", "classId", "cardTitle", "header"),
    "loyaltyClass": ("id", "issuerName", "programName", "programLogo", "reviewStatus"),
    "loyaltyObject": ("id", "classId", "state"),
    "eventTicketClass": ("id", "issuerName", "eventName", "reviewStatus"),
    "eventTicketObject": ("id", "classId", "state"),
    "flightClass": ("id", "issuerName", "reviewStatus", "flightHeader", "origin", "destination",
                    "localScheduledDepartureDateTime"),
    "flightObject": ("id", "classId", "state", "passengerName", "reservationInfo"),
    "offerClass": ("id", "issuerName", "provider", "title", "redemptionChannel", "reviewStatus"),
    "offerObject": ("id", "classId", "state"),
}
STATES = ("ACTIVE", "COMPLETED", "EXPIRED", "INACTIVE")
BARCODE_TYPES = ("QR_CODE", "PDF_417", "AZTEC", "CODE_128")
REVIEW_STATUSES = ("UNDER_REVIEW", "APPROVED", "DRAFT")


def problems(collection: str, body: dict[str, Any], issuer_id: str | None) -> list[str]:
    """What Google would refuse in an insert of `body` into `collection` (empty: accepted)."""
    found = [f"{name} is required" for name in REQUIRED[collection] if body.get(name) in (None, "", [], {})]
    resource_id = str(body.get("id") or "")
    if issuer_id and resource_id and not resource_id.startswith(f"{issuer_id}."):
        found.append(f"id {resource_id} does not start with the issuer id {issuer_id}")
    found.extend(_enum_problems(body))
    return found


def _enum_problems(body: dict[str, Any]) -> list[str]:
    found = []
    if "state" in body and body["state"] not in STATES:
        found.append(f"state {body['state']!r} is not one of {', '.join(STATES)}")
    if "reviewStatus" in body and body["reviewStatus"] not in REVIEW_STATUSES:
        found.append(f"reviewStatus {body['reviewStatus']!r} is not accepted")
    barcode = body.get("barcode")
    if isinstance(barcode, dict) and barcode.get("type") not in BARCODE_TYPES:
        found.append(f"barcode.type {barcode.get('type')!r} is not one of {', '.join(BARCODE_TYPES)}")
    color = body.get("hexBackgroundColor")
    if color is not None and not (isinstance(color, str) and len(color) == 7 and color.startswith("#")):
        found.append("hexBackgroundColor must be #rrggbb")
    return found
