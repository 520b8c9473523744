"""The semantic boarding pass's airline-service links (iOS 26): top-level https URLs and the
transit provider's contacts (Apple's "Pass" reference, "Available only with semantic boarding
passes"; names cross-checked with passkit-generator's schema, docs/pass-format.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .poster_keys import check_contact_links
from .problems import Problems

BOARDING_URL_KEYS = (
    "changeSeatURL", "entertainmentURL", "managementURL", "purchaseAdditionalBaggageURL",
    "purchaseLoungeAccessURL", "purchaseWifiURL", "registerServiceAnimalURL", "reportLostBagURL",
    "requestWheelchairURL", "transitProviderWebsiteURL", "upgradeURL",
)
TRANSIT_PROVIDER_CONTACTS = ("transitProviderEmail", "transitProviderPhoneNumber")
BOARDING_LINK_KEYS = (*BOARDING_URL_KEYS, *TRANSIT_PROVIDER_CONTACTS)
_BOARDING_LINK_SET = frozenset(BOARDING_LINK_KEYS)


def check_boarding_links(pass_json: Mapping[str, Any], style: str | None, problems: Problems) -> None:
    if _BOARDING_LINK_SET.isdisjoint(pass_json):
        return
    present = [key for key in BOARDING_LINK_KEYS if key in pass_json]
    if style is not None and style != "boardingPass":
        for key in present:
            problems.add(key, f"is only for boarding passes (semanticBoardingPass), not {style}")
        return
    check_contact_links(pass_json, BOARDING_URL_KEYS, TRANSIT_PROVIDER_CONTACTS, "", problems)
