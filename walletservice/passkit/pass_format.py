"""Apple's pass.json keys and how far we support each one: one static table.

Read from Apple's WalletPasses reference ("Pass", "PassFields", "PassFieldContent",
"Pass.RelevantDates", "Pass.NFC", "SemanticTags", "UpcomingPassInformationEntry",
"Creating a poster event pass using semantic tags", "Creating an airline boarding pass
using semantic tags"). docs/pass-format.md is generated from `PASS_KEYS` (`python -m
walletservice.passkit.format_table`), and tests/passkit/test_pass_format.py checks the
`built` column against what build_pass_json really emits and accepts, and the `v2`
column against passes built through the v2 API, so the table cannot drift from the code.

Paths: `relevantDates[].startDate` is a key of every entry of a list; `<style>` is any of
the five style dictionaries; `<field>` is a field of any field list; `<image>` is headerImage or venueMap; `semantics.<tag>`
are the semantic tags of the pass (the same tags may sit on a field's `semantics`).

Columns: `built` = build_pass_json takes it from a design and writes it (or writes it
itself); `validated` = rules check it before signing; `v2` = a pass made through the v2
API can carry it (set on the campaign or pass, or filled by the service); `v3` = a v3
pass body sets it (v3 passes take everything else from their template).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PASS_KEYS", "PassKey", "keys_where"]


@dataclass(frozen=True)
class PassKey:
    path: str
    type: str
    ios: str
    built: bool = False
    validated: bool = False
    v2: bool = False
    v3: bool = False


def _key(path: str, type_: str, ios: str, flags: str = "") -> PassKey:
    """flags: the supported columns, by letter: b(uilt) c(hecked) 2 (v2) 3 (v3)."""
    return PassKey(path, type_, ios, "b" in flags, "c" in flags, "2" in flags, "3" in flags)


_STYLES = ("boardingPass", "coupon", "eventTicket", "generic", "storeCard")
_CLASSIC_LISTS = ("headerFields", "primaryFields", "secondaryFields", "auxiliaryFields", "backFields")

_TOP_LEVEL = (
    _key("formatVersion", "number", "6.0", "bc2"),
    _key("passTypeIdentifier", "string", "6.0", "bc2"),
    _key("teamIdentifier", "string", "6.0", "bc2"),
    _key("serialNumber", "string", "6.0", "bc2"),
    _key("organizationName", "localizable string", "6.0", "bc2"),
    _key("description", "localizable string", "6.0", "bc2"),
    _key("logoText", "localizable string", "6.0", "bc2"),
    _key("foregroundColor", "rgb color", "6.0", "bc23"),
    _key("backgroundColor", "rgb color", "6.0", "bc23"),
    _key("labelColor", "rgb color", "6.0", "bc23"),
    _key("webServiceURL", "URL", "6.0", "bc2"),
    _key("authenticationToken", "string (16+)", "6.0", "bc2"),
    *(_key(style, "PassFields", "6.0", "bc2") for style in _STYLES),
    _key("barcode", "Barcodes (deprecated iOS 9)", "6.0", "bc2"),
    _key("barcodes", "[Barcodes]", "9.0", "bc2"),
    _key("locations", "[Locations] (at most 10)", "6.0", "bc23"),
    _key("beacons", "[Beacons] (at most 10)", "7.0", "bc2"),
    _key("maxDistance", "number (metres)", "7.0", "bc23"),
    _key("relevantDate", "ISO 8601 date (deprecated iOS 18)", "6.0", "bc23"),
    _key("relevantDates", "[RelevantDates]", "18.0", "bc23"),
    _key("expirationDate", "ISO 8601 date", "7.0", "bc23"),
    _key("voided", "boolean", "7.0", "bc2"),
    _key("groupingIdentifier", "string", "7.0", "bc3"),
    _key("associatedStoreIdentifiers", "[number]", "6.0", "bc2"),
    _key("appLaunchURL", "string", "6.0", "bc"),
    _key("userInfo", "JSON object", "6.0", "b2"),
    _key("sharingProhibited", "boolean", "11.0", "bc2"),
    _key("suppressStripShine", "boolean", "6.0", "bc"),
    _key("semantics", "SemanticTags", "12.0", "bc23"),
    _key("nfc", "NFC", "9.0", "bc23"),
    _key("preferredStyleSchemes", "[string]: posterEventTicket, eventTicket (18); semanticBoardingPass, "
         "boardingPass (26)", "18.0", "bc23"),
    # Poster event ticket extras (iOS 18; eventLogoText 18.1), passkit.poster_keys; v2 `poster`.
    _key("eventLogoText", "localizable string", "18.1", "bc23"),
    _key("footerBackgroundColor", "rgb color", "18.0", "bc23"),
    _key("suppressHeaderDarkening", "boolean", "18.0", "bc23"),
    _key("useAutomaticColors", "boolean", "18.0", "bc23"),
    _key("auxiliaryStoreIdentifiers", "[number]", "18.0", "bc23"),
    *(_key(url, "https URL (event guide)", "18.0", "bc23") for url in (
        "accessibilityURL", "addOnURL", "bagPolicyURL", "contactVenueWebsite", "directionsInformationURL",
        "merchandiseURL", "orderFoodURL", "parkingInformationURL", "purchaseParkingURL", "sellURL",
        "transferURL", "transitInformationURL")),
    _key("contactVenueEmail", "email address", "18.0", "bc23"),
    _key("contactVenuePhoneNumber", "string", "18.0", "bc23"),
    _key("upcomingPassInformation", "[UpcomingPassInformationEntry] (event tickets)", "26.0", "bc23"),
    # Semantic boarding pass extras (iOS 26), passkit.boarding_links; v2 `boarding_links`.
    *(_key(url, "https URL (boarding passes)", "26.0", "bc23") for url in (
        "changeSeatURL", "entertainmentURL", "managementURL", "purchaseAdditionalBaggageURL",
        "purchaseLoungeAccessURL", "purchaseWifiURL", "registerServiceAnimalURL", "reportLostBagURL",
        "requestWheelchairURL", "transitProviderWebsiteURL", "upgradeURL")),
    _key("transitProviderEmail", "email address", "26.0", "bc23"),
    _key("transitProviderPhoneNumber", "string", "26.0", "bc23"),
    # The poster generic style (iOS 27), passkit.poster_generic; v2 `poster_generic`. Apple's Pass Builder.
    _key("posterGeneric", "PassFields, beside generic, storeCard or coupon", "27.0", "bc23"),
    # Every style (iOS 27), passkit.featured_actions; v2 `featured_actions`. Apple's Pass Builder source.
    _key("featuredActions", "[Action] (at most 2)", "27.0", "bc23"),
    _key("featuredActions[].identifier", "string (unique)", "27.0", "bc23"),
    _key("featuredActions[].type", "string, e.g. membershipBenefits", "27.0", "bc23"),
    _key("featuredActions[].url", "https URL", "27.0", "bc23"),
)

_PASS_FIELDS = (
    *(_key(f"<style>.{name}", "[PassFieldContent]", "6.0", "bc2") for name in _CLASSIC_LISTS),
    _key("<style>.additionalInfoFields", "[PassFieldContent] (poster layout)", "18.0", "bc2"),
    _key("<style>.footerFields", "[PassFieldContent] (posterGeneric; only the first shown)", "27.0", "bc2"),
    _key("boardingPass.transitType", "PKTransitType…", "6.0", "bc2"),
)

_FIELD_CONTENT = (
    _key("<field>.key", "string, unique in the pass", "6.0", "bc2"),
    _key("<field>.label", "localizable string", "6.0", "bc2"),
    _key("<field>.value", "string, number or ISO 8601 date", "6.0", "bc23"),
    _key("<field>.attributedValue", "string or number (HTML link)", "7.0", "bc"),
    _key("<field>.changeMessage", "localizable string with %@", "6.0", "bc2"),
    _key("<field>.dateStyle", "PKDateStyle…", "6.0", "bc"),
    _key("<field>.timeStyle", "PKDateStyle…", "6.0", "bc"),
    _key("<field>.isRelative", "boolean", "6.0", "bc"),
    _key("<field>.ignoresTimeZone", "boolean", "6.0", "bc"),
    _key("<field>.numberStyle", "PKNumberStyle…", "6.0", "bc"),
    _key("<field>.currencyCode", "ISO 4217 code", "6.0", "bc"),
    _key("<field>.textAlignment", "PKTextAlignment…", "6.0", "bc"),
    _key("<field>.dataDetectorTypes", "[PKDataDetectorType…]", "6.0", "bc"),
    _key("<field>.semantics", "SemanticTags", "12.0", "bc"),
    _key("<field>.row", "number 0 or 1 (auxiliary fields)", "18.0"),
)

_BARCODE_KEYS = (("format", "PKBarcodeFormat…"), ("message", "string"), ("messageEncoding", "IANA charset"),
                 ("altText", "localizable string"))
_NESTED = (
    *(_key(f"barcode.{name}", type_, "6.0", "bc23" if name == "message" else "bc2") for name, type_ in _BARCODE_KEYS),
    *(_key(f"barcodes[].{name}", type_, "9.0", "bc23" if name == "message" else "bc2")
      for name, type_ in _BARCODE_KEYS if name != "format"),
    # Apple's Pass Builder (Pass+Barcode.swift); the four linear formats are iOS 27 and get a fallback.
    _key("barcodes[].format", "QR, PDF417, Aztec, Code128 (9.0); EAN13, Code39, Codabar, I2of5 (27.0)", "9.0", "bc2"),
    _key("locations[].latitude", "number", "6.0", "bc23"),
    _key("locations[].longitude", "number", "6.0", "bc23"),
    _key("locations[].altitude", "number", "6.0", "bc23"),
    _key("locations[].relevantText", "localizable string", "6.0", "bc23"),
    _key("beacons[].proximityUUID", "UUID", "7.0", "bc2"),
    _key("beacons[].major", "16-bit number", "7.0", "bc2"),
    _key("beacons[].minor", "16-bit number", "7.0", "bc2"),
    _key("beacons[].relevantText", "localizable string", "7.0", "bc2"),
    _key("relevantDates[].date", "ISO 8601 date", "18.0", "bc23"),
    _key("relevantDates[].startDate", "ISO 8601 date", "18.0", "bc23"),
    _key("relevantDates[].endDate", "ISO 8601 date, after startDate", "18.0", "bc23"),
    _key("nfc.message", "string (at most 64 bytes)", "9.0", "bc23"),
    _key("nfc.encryptionPublicKey", "Base64 X.509 SubjectPublicKeyInfo, P-256", "9.0", "bc23"),
    _key("nfc.requiresAuthentication", "boolean", "13.1", "bc23"),
    # UpcomingPassInformationEntry (iOS 26, passkit.upcoming_events); images are hosted by us
    # (services.upcoming_images), so URL, SHA256, scale and size are written by the service.
    *(_key(f"upcomingPassInformation[].{name}", type_, "26.0", "bc23") for name, type_ in (
        ("identifier", "string, unique per entry (required)"), ("name", "localizable string (required)"),
        ("type", "string: event (required)"), ("isActive", "boolean"),
        ("dateInformation", "DateInformation: date (required), flags, timeZone"),
        ("images", "Images: headerImage, venueMap"),
        ("URLs", "URLs (the event guide links, https)"), ("semantics", "SemanticTags (+ venuePlaceID)"),
        ("additionalInfoFields", "[PassFieldContent]"), ("backFields", "[PassFieldContent]"),
        ("auxiliaryStoreIdentifiers", "[number]"))),
    *(_key(f"upcomingPassInformation[].images.<image>.URLs[].{name}", type_, "26.0", "bc23") for name, type_ in (
        ("URL", "https URL (ours: immutable, content-addressed)"), ("SHA256", "hex SHA-256 of the image"),
        ("scale", "number (default 1)"), ("size", "number of bytes (at most 2 MB)"))),
    _key("upcomingPassInformation[].images.<image>.reuseExisting", "boolean", "26.0", "bc23"),
)

# Semantic tags: copied as given (v2 and v3 `semantics`); "c" where the poster event ticket checks them.
_SEMANTIC_TAGS = (
    ("admissionLevel", "string", "18.0", ""), ("admissionLevelAbbreviation", "string", "18.0", ""),
    ("additionalTicketAttributes", "string", "18.0", ""), ("airlineCode", "string", "12.0", "c"),
    ("airplay", "[AirPlay]", "18.0", ""), ("albumIDs", "[string]", "18.0", ""),
    ("artistIDs", "[string]", "12.0", ""), ("attendeeName", "string", "18.0", ""),
    ("awayTeamAbbreviation", "string", "12.0", "c"), ("awayTeamLocation", "string", "12.0", ""),
    ("awayTeamName", "string", "12.0", ""), ("balance", "CurrencyAmount", "12.0", ""),
    ("boardingGroup", "string", "12.0", ""), ("boardingSequenceNumber", "string", "12.0", ""),
    ("carNumber", "string", "12.0", ""), ("confirmationNumber", "string", "12.0", ""),
    ("currentArrivalDate", "ISO 8601 date", "12.0", ""), ("currentBoardingDate", "ISO 8601 date", "12.0", ""),
    ("currentDepartureDate", "ISO 8601 date", "12.0", ""), ("departureAirportCode", "string", "12.0", "c"),
    ("departureAirportName", "string", "12.0", ""), ("departureGate", "string", "12.0", ""),
    ("departureLocation", "Location", "12.0", ""), ("departureLocationDescription", "string", "12.0", ""),
    ("departurePlatform", "string", "12.0", ""), ("departureStationName", "string", "12.0", ""),
    ("departureTerminal", "string", "12.0", ""), ("destinationAirportCode", "string", "12.0", "c"),
    ("destinationAirportName", "string", "12.0", ""), ("destinationGate", "string", "12.0", ""),
    ("destinationLocation", "Location", "12.0", ""), ("destinationLocationDescription", "string", "12.0", ""),
    ("destinationPlatform", "string", "12.0", ""), ("destinationStationName", "string", "12.0", ""),
    ("destinationTerminal", "string", "12.0", ""), ("duration", "number (seconds)", "12.0", ""),
    ("entranceDescription", "string", "18.0", ""), ("eventEndDate", "ISO 8601 date", "12.0", ""),
    ("eventLiveMessage", "string", "18.0", ""), ("eventName", "string", "12.0", "c"),
    ("eventStartDate", "ISO 8601 date", "12.0", ""), ("eventStartDateInfo", "EventDateInfo", "18.0", ""),
    ("eventType", "PKEventType…", "12.0", "c"), ("flightCode", "string", "12.0", ""),
    ("flightNumber", "number", "12.0", "c"), ("genre", "string", "12.0", ""),
    ("homeTeamAbbreviation", "string", "12.0", "c"), ("homeTeamLocation", "string", "12.0", ""),
    ("homeTeamName", "string", "12.0", ""), ("leagueAbbreviation", "string", "12.0", ""),
    ("leagueName", "string", "12.0", ""), ("membershipProgramName", "string", "12.0", ""),
    ("membershipProgramNumber", "string", "12.0", ""), ("originalArrivalDate", "ISO 8601 date", "12.0", "c"),
    ("originalBoardingDate", "ISO 8601 date", "12.0", "c"), ("originalDepartureDate", "ISO 8601 date", "12.0", "c"),
    ("passengerName", "PersonNameComponents", "12.0", "c"), ("performerNames", "[string]", "12.0", "c"),
    ("playlistIDs", "[string]", "18.0", ""), ("priorityStatus", "string", "12.0", ""),
    ("seats", "[Seat]", "12.0", ""), ("securityScreening", "string", "12.0", ""),
    ("silenceRequested", "boolean", "12.0", ""), ("sportName", "string", "12.0", ""),
    ("tailgatingAllowed", "boolean", "18.0", ""), ("totalPrice", "CurrencyAmount", "12.0", ""),
    ("transitProvider", "string", "12.0", ""), ("transitStatus", "string", "12.0", ""),
    ("transitStatusReason", "string", "12.0", ""), ("vehicleName", "string", "12.0", ""),
    ("vehicleNumber", "string", "12.0", ""), ("vehicleType", "string", "12.0", ""),
    ("venueBoxOfficeOpenDate", "ISO 8601 date", "18.0", ""), ("venueCloseDate", "ISO 8601 date", "18.0", ""),
    ("venueDoorsOpenDate", "ISO 8601 date", "18.0", ""), ("venueEntrance", "string", "12.0", ""),
    ("venueEntranceDoor", "string", "18.0", ""), ("venueEntranceGate", "string", "18.0", ""),
    ("venueEntrancePortal", "string", "18.0", ""), ("venueFanZoneOpenDate", "ISO 8601 date", "18.0", ""),
    ("venueGatesOpenDate", "ISO 8601 date", "18.0", ""), ("venueLocation", "Location", "12.0", ""),
    ("venueName", "string", "12.0", "c"), ("venueOpenDate", "ISO 8601 date", "18.0", ""),
    ("venueParkingLotsOpenDate", "ISO 8601 date", "18.0", ""), ("venuePhoneNumber", "string", "12.0", ""),
    ("venueRegionName", "string", "18.0", "c"), ("venueRoom", "string", "12.0", "c"),
    ("wifiAccess", "[WifiNetwork]", "12.0", ""),
    # iOS 26, for semantic boarding passes; "c" where boarding_semantics checks them.
    ("boardingZone", "string", "26.0", ""), ("departureCityName", "string", "26.0", "c"),
    ("departureLocationSecurityPrograms", "[PKTransitSecurityProgram…]", "26.0", ""),
    ("departureLocationTimeZone", "IANA time zone", "26.0", "c"), ("destinationCityName", "string", "26.0", "c"),
    ("destinationLocationSecurityPrograms", "[PKTransitSecurityProgram…]", "26.0", ""),
    ("destinationLocationTimeZone", "IANA time zone", "26.0", "c"),
    ("internationalDocumentsAreVerified", "boolean", "26.0", ""),
    ("internationalDocumentsVerifiedDeclarationName", "string", "26.0", ""),
    ("loungePlaceIDs", "[string]", "26.0", ""), ("membershipProgramStatus", "string", "26.0", ""),
    ("passengerAirlineSSRs", "[string]", "26.0", ""),
    ("passengerCapabilities", "[PKPassengerCapability…]", "26.0", ""),
    ("passengerEligibleSecurityPrograms", "[PKTransitSecurityProgram…]", "26.0", ""),
    ("passengerInformationSSRs", "[string]", "26.0", ""), ("passengerServiceSSRs", "[string]", "26.0", ""),
    ("ticketFareClass", "localizable string", "26.0", ""),
)

PASS_KEYS: tuple[PassKey, ...] = (
    *_TOP_LEVEL, *_PASS_FIELDS, *_FIELD_CONTENT, *_NESTED,
    *(_key(f"semantics.{tag}", type_, ios, "b23" + flags) for tag, type_, ios, flags in _SEMANTIC_TAGS),
)
SEMANTIC_TAGS = frozenset(tag for tag, *_ in _SEMANTIC_TAGS)


def keys_where(column: str) -> frozenset[str]:
    """The paths whose `column` (built, validated, v2, v3) is yes."""
    return frozenset(key.path for key in PASS_KEYS if getattr(key, column))
