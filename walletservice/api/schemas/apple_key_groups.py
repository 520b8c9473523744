"""v2 attributes that group top-level pass.json keys in Apple's spelling: `poster` and
`boarding_links` (services.passworks_mapping.APPLE_KEY_GROUPS; rules in passkit.poster_keys
and passkit.boarding_links), and the iOS 27 attributes campaigns and passes share."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from walletservice.api.schemas.common import Color, ShortText

Link = Annotated[str, StringConstraints(pattern=r"^[^\x00\s]+$", max_length=2000)]


class Poster(BaseModel):
    """The poster event ticket's top-level keys (iOS 18), in Apple's spelling; links must be https."""

    model_config = ConfigDict(extra="forbid")

    eventLogoText: ShortText | None = Field(None, description="iOS 18.1: shown next to the logo.")  # noqa: N815
    footerBackgroundColor: Color | None = None  # noqa: N815
    suppressHeaderDarkening: bool | None = None  # noqa: N815
    useAutomaticColors: bool | None = Field(  # noqa: N815
        None, description="Wallet picks foreground and label colours from the artwork.")
    auxiliaryStoreIdentifiers: list[Annotated[int, Field(ge=1)]] | None = Field(None, max_length=10)  # noqa: N815
    accessibilityURL: Link | None = None  # noqa: N815
    addOnURL: Link | None = None  # noqa: N815
    bagPolicyURL: Link | None = None  # noqa: N815
    contactVenueWebsite: Link | None = None  # noqa: N815
    directionsInformationURL: Link | None = None  # noqa: N815
    merchandiseURL: Link | None = None  # noqa: N815
    orderFoodURL: Link | None = None  # noqa: N815
    parkingInformationURL: Link | None = None  # noqa: N815
    purchaseParkingURL: Link | None = None  # noqa: N815
    sellURL: Link | None = None  # noqa: N815
    transferURL: Link | None = None  # noqa: N815
    transitInformationURL: Link | None = None  # noqa: N815
    contactVenueEmail: Link | None = None  # noqa: N815
    contactVenuePhoneNumber: ShortText | None = None  # noqa: N815


class BoardingLinks(BaseModel):
    """A semantic boarding pass's airline-service links (iOS 26), in Apple's spelling; links must be https."""

    model_config = ConfigDict(extra="forbid")

    changeSeatURL: Link | None = None  # noqa: N815
    entertainmentURL: Link | None = None  # noqa: N815
    managementURL: Link | None = None  # noqa: N815
    purchaseAdditionalBaggageURL: Link | None = None  # noqa: N815
    purchaseLoungeAccessURL: Link | None = None  # noqa: N815
    purchaseWifiURL: Link | None = None  # noqa: N815
    registerServiceAnimalURL: Link | None = None  # noqa: N815
    reportLostBagURL: Link | None = None  # noqa: N815
    requestWheelchairURL: Link | None = None  # noqa: N815
    transitProviderWebsiteURL: Link | None = None  # noqa: N815
    upgradeURL: Link | None = None  # noqa: N815
    transitProviderEmail: Link | None = None  # noqa: N815
    transitProviderPhoneNumber: ShortText | None = None  # noqa: N815


class Ios27Presentation(BaseModel):
    """iOS 27 keys read from Apple's Pass Builder (passkit.featured_actions, passkit.poster_generic);
    checked by passkit, so a 422 names Apple's key."""

    poster_generic: bool | None = Field(
        None, description="Generic, store card and coupon campaigns, iOS 27: true adds Apple's posterGeneric face "
        "(background, primary_logo_id, header and primary fields, one footer field, barcode); the campaign's own "
        "style stays in the pass for iOS 26 and earlier. A pass's value replaces its campaign's.")
    featured_actions: list[dict[str, Any]] | None = Field(
        None, description="iOS 27, every style: up to two buttons, in Apple's spelling "
        '[{"identifier": <unique>, "type": "membershipBenefits", "url": "https://..."}]. '
        "A pass's list replaces its campaign's (docs/pass-format.md).")
