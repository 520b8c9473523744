"""Our designs (Apple's key names, walletservice.passkit.design) as Google Wallet classes and
objects. Pure: the caller passes ids, the issuer name and how to turn an image asset id
into a public URL. docs/google-wallet.md has the table, including what has no Google twin.

A campaign is one class, each pass one object. Field lists become text modules, the
barcode Google's barcode, colors the hex background, locations lat/long points, the
expiration date the object's valid time interval, and voided / expired / redeemed the
object's state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from walletservice.passkit.colors import hex_color

# Apple style -> Google type. Boarding passes are flights only for air travel: Google's
# transit type needs ticket legs we do not have, so other transit passes are generic.
STYLE_TYPES = {"storeCard": "loyalty", "eventTicket": "eventTicket", "boardingPass": "flight",
               "coupon": "offer", "generic": "generic"}
GOOGLE_TYPES = ("generic", "loyalty", "eventTicket", "flight", "offer")
AIR = "PKTransitTypeAir"
FIELD_LISTS = ("headerFields", "primaryFields", "secondaryFields", "auxiliaryFields", "backFields")
BARCODE_TYPES = {"PKBarcodeFormatQR": "QR_CODE", "PKBarcodeFormatPDF417": "PDF_417",
                 "PKBarcodeFormatAztec": "AZTEC", "PKBarcodeFormatCode128": "CODE_128",
                 "qr": "QR_CODE", "qrcode": "QR_CODE", "pdf417": "PDF_417", "aztec": "AZTEC",
                 "code128": "CODE_128", "ean128": "CODE_128"}
# Google shows at most 10 text modules from the object (and 10 from the class).
MAX_TEXT_MODULES = 10
LANGUAGE = "en"
# Field keys whose values fill Google's dedicated slots (see docs/google-wallet.md).
PASSENGER_KEYS = ("passenger", "passenger_name", "passengerName", "name")
FLIGHT_KEYS = ("flight", "flight_number", "flightNumber")
SEAT_KEYS = {"seat": "seat", "row": "row", "section": "section", "gate": "gate"}
HOLDER_KEYS = ("name", "holder", "ticket_holder", "member", "member_name")

ImageUrl = Callable[[str], str]
# Our content's {language: {role: asset_id}} (services.pass_content), the `<lang>.lproj` images.
LOCALIZED_IMAGES = "localized_images"


class MappingError(ValueError):
    """The design lacks something the Google type requires; the message says what."""


@dataclass(frozen=True)
class PassState:
    voided: bool = False
    expired: bool = False
    redeemed: bool = False

    @property
    def google_state(self) -> str:
        # Google's states: ACTIVE, COMPLETED (used up), EXPIRED, INACTIVE (voided). Redeeming
        # also voids a pass (redeems.md), so redeemed is asked first.
        if self.redeemed:
            return "COMPLETED"
        if self.voided:
            return "INACTIVE"
        return "EXPIRED" if self.expired else "ACTIVE"


def google_type(design: Mapping[str, Any]) -> str:
    style = design.get("style")
    if style not in STYLE_TYPES:
        raise MappingError(f"style {style!r} has no Google Wallet type")
    if style == "boardingPass" and design.get("transitType") != AIR:
        return "generic"
    return STYLE_TYPES[style]


def localized(value: Any, strings: Any = None) -> dict[str, Any]:
    """A Google LocalizedString: the text as pass.json holds it (sent as en, or the en table's
    entry), with the entries of the other pass.strings tables (`localizations`) as
    translatedValues. Apple: a pass.json string that is a key of a locale's table shows
    that table's entry on devices in that language."""
    text = str(value)
    default = {"language": LANGUAGE, "value": text}
    translated = []
    for language, translation in translations(text, strings):
        if language == LANGUAGE:
            default["value"] = translation
        else:
            translated.append({"language": language, "value": translation})
    return {"defaultValue": default, "translatedValues": translated} if translated else {"defaultValue": default}


def translations(text: str, strings: Any) -> list[tuple[str, str]]:
    """(language, entry) of every table with `text` as a key; Apple's pt_BR is Google's pt-BR."""
    if not isinstance(strings, Mapping):
        return []
    return [(str(locale).replace("_", "-"), table[text]) for locale, table in sorted(strings.items())
            if isinstance(table, Mapping) and isinstance(table.get(text), str)]


def _plain_and_localized(body: dict[str, Any], name: str, localized_name: str, value: Any, strings: Any) -> None:
    """Google types whose field is a plain string carry the translations in a localized twin."""
    body[name] = str(value)
    if translations(str(value), strings):
        body[localized_name] = localized(value, strings)


def class_body(design: Mapping[str, Any], *, issuer_name: str, image_url: ImageUrl) -> dict[str, Any]:
    """The class of a campaign (without its id, which the client adds)."""
    kind = google_type(design)
    body: dict[str, Any] = {"reviewStatus": "UNDER_REVIEW"}
    if kind != "generic":
        _plain_and_localized(body, "issuerName", "localizedIssuerName", design.get("organizationName") or issuer_name,
                             design.get("localizations"))
        body.update(_common_look(design, image_url))
    if design.get("locations"):
        body["locations"] = _locations(design["locations"])
    return {**body, **_CLASS_BUILDERS[kind](design, image_url)}


def object_body(content: Mapping[str, Any], *, class_id: str, serial_number: str, state: PassState,
                image_url: ImageUrl) -> dict[str, Any]:
    """The object of one pass (without its id) from the pass's merged content."""
    kind = google_type(content)
    body: dict[str, Any] = {"classId": class_id, "state": state.google_state}
    barcode = _barcode(content.get("barcode"))
    if barcode:
        body["barcode"] = barcode
    modules = text_modules(content)
    if modules:
        body["textModulesData"] = modules
    if content.get("expirationDate"):
        body["validTimeInterval"] = {"end": {"date": _iso(content["expirationDate"])}}
    if content.get("locations"):
        body["locations"] = _locations(content["locations"])
    return {**body, **_OBJECT_BUILDERS[kind](content, serial_number, image_url)}


def text_modules(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every field with a value, front to back, as Google's text modules (ids are field keys)."""
    modules = []
    strings = content.get("localizations")
    for field in _fields(content):
        if field.get("value") in (None, ""):
            continue
        module: dict[str, Any] = {"id": _module_id(field["key"])}
        _plain_and_localized(module, "body", "localizedBody", field["value"], strings)
        if field.get("label"):
            _plain_and_localized(module, "header", "localizedHeader", field["label"], strings)
        modules.append(module)
    return modules[:MAX_TEXT_MODULES]


def message_body(text: str, *, header: str, message_id: str, notify: bool, strings: Any = None) -> dict[str, Any]:
    """An AddMessageRequest: a message on the pass, with a notification while Google's
    allowance (3 per object per 24 hours) lasts. `strings`: the pass's localizations."""
    message: dict[str, Any] = {"id": message_id, "messageType": "TEXT_AND_NOTIFY" if notify else "TEXT"}
    _plain_and_localized(message, "header", "localizedHeader", header, strings)
    _plain_and_localized(message, "body", "localizedBody", text, strings)
    return {"message": message}


# -- per type -------------------------------------------------------------------------

def _loyalty_class(design: Mapping[str, Any], image_url: ImageUrl) -> dict[str, Any]:
    logo = _image(design, image_url, "logo", "icon")
    if logo is None:
        raise MappingError("loyalty: a logo or icon image is required (programLogo)")
    body: dict[str, Any] = {"programLogo": logo}
    _plain_and_localized(body, "programName", "localizedProgramName",
                         design.get("logoText") or design.get("description") or "Loyalty", design.get("localizations"))
    return body


def _offer_class(design: Mapping[str, Any], image_url: ImageUrl) -> dict[str, Any]:
    strings = design.get("localizations")
    body: dict[str, Any] = {"redemptionChannel": "BOTH"}
    _plain_and_localized(body, "title", "localizedTitle",
                         _first_value(design, "primaryFields") or design.get("description") or "Offer", strings)
    _plain_and_localized(body, "provider", "localizedProvider", design.get("organizationName") or "Offer", strings)
    logo = _image(design, image_url, "logo", "icon")
    return {**body, "titleImage": logo} if logo else body


def _event_class(design: Mapping[str, Any], image_url: ImageUrl) -> dict[str, Any]:
    strings = design.get("localizations")
    body: dict[str, Any] = {"eventName": localized(design.get("description") or design.get("logoText") or "Event",
                                                      strings)}
    # The labels of the seat, row, section and gate fields name Google's seat info on every ticket.
    for key, google in SEAT_KEYS.items():
        label = _label_of(design, key)
        if label:
            body[f"custom{google.capitalize()}Label"] = localized(label, strings)
    logo = _image(design, image_url, "logo", "icon")
    if logo:
        body["logo"] = logo
    if design.get("relevantDate"):
        body["dateTime"] = {"start": _iso(design["relevantDate"])}
    return body


def _flight_class(design: Mapping[str, Any], image_url: ImageUrl) -> dict[str, Any]:
    primary = design.get("primaryFields") or []
    airports = [str(field.get("value") or "") for field in primary[:2]]
    if len(airports) < 2 or not all(airports):
        raise MappingError("flight: the first two primary fields must hold the origin and destination airports")
    flight = str(_value_of(design, FLIGHT_KEYS) or "")
    carrier, number = flight[:2], flight[2:].strip()
    if not carrier or not number:
        raise MappingError("flight: a field keyed flight (e.g. SK123) must give carrier and flight number")
    departure = design.get("relevantDate")
    if not departure:
        raise MappingError("flight: relevant_date gives the scheduled departure and is required")
    return {
        "flightHeader": {"carrier": {"carrierIataCode": carrier}, "flightNumber": number},
        "origin": _airport(airports[0], primary[0].get("label"), design.get("localizations")),
        "destination": _airport(airports[1], primary[1].get("label"), design.get("localizations")),
        # Google wants local airport time without an offset.
        "localScheduledDepartureDateTime": _iso(departure)[:19],
    }


def _airport(code: str, label: Any, strings: Any) -> dict[str, Any]:
    """The field's label (Apple shows the city there) overrides the city Google takes from IATA."""
    airport: dict[str, Any] = {"airportIataCode": code}
    if label:
        airport["airportNameOverride"] = localized(label, strings)
    return airport


def _generic_class(_design: Mapping[str, Any], _image_url: ImageUrl) -> dict[str, Any]:
    return {}  # a generic pass's look lives on its objects


def _loyalty_object(content: Mapping[str, Any], serial_number: str, _image_url: ImageUrl) -> dict[str, Any]:
    body: dict[str, Any] = {"accountId": serial_number}
    holder = _value_of(content, HOLDER_KEYS)
    if holder:
        body["accountName"] = str(holder)
    primary = (content.get("primaryFields") or [{}])[0]
    if primary.get("value") not in (None, ""):
        points: dict[str, Any] = {"balance": {"string": str(primary["value"])}}
        _plain_and_localized(points, "label", "localizedLabel", primary.get("label") or "",
                             content.get("localizations"))
        body["loyaltyPoints"] = points
    return body


def _event_object(content: Mapping[str, Any], _serial: str, _image_url: ImageUrl) -> dict[str, Any]:
    body: dict[str, Any] = {}
    holder = _value_of(content, HOLDER_KEYS)
    if holder:
        body["ticketHolderName"] = str(holder)
    seat = {google: localized(value, content.get("localizations")) for key, google in SEAT_KEYS.items()
            if (value := _value_of(content, (key,))) not in (None, "")}
    if seat:
        body["seatInfo"] = seat
    return body


def _flight_object(content: Mapping[str, Any], serial_number: str, _image_url: ImageUrl) -> dict[str, Any]:
    passenger = _value_of(content, PASSENGER_KEYS)
    if not passenger:
        raise MappingError("flight: a field keyed passenger must give the passenger's name")
    code = str((content.get("barcode") or {}).get("message") or serial_number)
    body: dict[str, Any] = {"passengerName": str(passenger), "reservationInfo": {"confirmationCode": code}}
    seat = _value_of(content, ("seat",))
    if seat:
        body["boardingAndSeatingInfo"] = {"seatNumber": str(seat)}
    return body


def _offer_object(_content: Mapping[str, Any], _serial: str, _image_url: ImageUrl) -> dict[str, Any]:
    return {}


def _generic_object(content: Mapping[str, Any], _serial: str, image_url: ImageUrl) -> dict[str, Any]:
    strings = content.get("localizations")
    header = _first_value(content, "primaryFields") or content.get("description") or "Pass"
    title = content.get("organizationName") or content.get("logoText") or "Pass"
    body: dict[str, Any] = {"cardTitle": localized(title, strings), "header": localized(header, strings),
                            **_common_look(content, image_url)}
    subheader = _first_value(content, "secondaryFields")
    if subheader:
        body["subheader"] = localized(subheader, strings)
    return body


_CLASS_BUILDERS = {"loyalty": _loyalty_class, "offer": _offer_class, "eventTicket": _event_class,
                   "flight": _flight_class, "generic": _generic_class}
_OBJECT_BUILDERS = {"loyalty": _loyalty_object, "offer": _offer_object, "eventTicket": _event_object,
                    "flight": _flight_object, "generic": _generic_object}


# -- pieces ---------------------------------------------------------------------------

def _common_look(design: Mapping[str, Any], image_url: ImageUrl) -> dict[str, Any]:
    look: dict[str, Any] = {}
    color = hex_color(design.get("backgroundColor"))
    if color:
        look["hexBackgroundColor"] = color
    hero = _image(design, image_url, "strip", "background")
    if hero:
        look["heroImage"] = hero
    if design.get("style") == "generic":
        logo = _image(design, image_url, "logo", "icon")
        if logo:
            look["logo"] = logo
    return look


def _image(design: Mapping[str, Any], image_url: ImageUrl, *roles: str) -> dict[str, Any] | None:
    for role in roles:
        asset_id = _image_asset(design, role)
        if asset_id:
            # Apple's description is the pass's text for accessibility, as Google's contentDescription is.
            description = design.get("description") or role
            return {"sourceUri": {"uri": image_url(asset_id)},
                    "contentDescription": localized(description, design.get("localizations"))}
    return None


def _image_asset(design: Mapping[str, Any], role: str) -> str | None:
    """The one image Google shows for a role. Google's Image has a single sourceUri (only its
    contentDescription is a LocalizedString), so an `<lang>.lproj` image cannot be given per
    language: the top-level image wins, else the English one, else the first language's."""
    top = (design.get("images") or {}).get(role)
    if top:
        return str(top)
    per_language = design.get(LOCALIZED_IMAGES) or {}
    for language in sorted(per_language, key=lambda language: (not language.startswith("en"), language)):
        asset_id = (per_language.get(language) or {}).get(role)
        if asset_id:
            return str(asset_id)
    return None


def _barcode(barcode: Any) -> dict[str, Any] | None:
    if not isinstance(barcode, Mapping) or not barcode.get("message"):
        return None
    kind = BARCODE_TYPES.get(str(barcode.get("format") or "qr"))
    if kind is None:  # "none": the design shows no barcode
        return None
    body = {"type": kind, "value": str(barcode["message"])}
    if barcode.get("altText"):
        body["alternateText"] = str(barcode["altText"])
    return body


def _locations(locations: list[Mapping[str, Any]]) -> list[dict[str, float]]:
    return [{"latitude": float(item["latitude"]), "longitude": float(item["longitude"])}
            for item in locations if item.get("latitude") is not None and item.get("longitude") is not None]


def _fields(content: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [field for name in FIELD_LISTS for field in (content.get(name) or []) if isinstance(field, Mapping)]


def _value_of(content: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for field in _fields(content):
        if field.get("key") in keys and field.get("value") not in (None, ""):
            return field["value"]
    return None


def _label_of(content: Mapping[str, Any], key: str) -> Any:
    for field in _fields(content):
        if field.get("key") == key and field.get("label"):
            return field["label"]
    return None


def _first_value(content: Mapping[str, Any], list_name: str) -> Any:
    for field in content.get(list_name) or []:
        if field.get("value") not in (None, ""):
            return field["value"]
    return None


def _module_id(key: Any) -> str:
    return "".join(char if char.isalnum() or char in "_-." else "_" for char in str(key))[:64]


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
