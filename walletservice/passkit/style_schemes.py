"""`preferredStyleSchemes`: the poster event ticket and the semantic boarding pass, each with
its classic layout as the fallback.

Apple (WalletPasses, "Creating a poster event pass using semantic tags"): a pass asks
for the poster layout by listing `posterEventTicket` in `preferredStyleSchemes`, and
Wallet shows it only when the pass carries the semantic tags the layout needs; older
devices, and Wallet when a tag is missing, show the classic `eventTicket` layout from
the same pass.json. Wallet does not say why it fell back, so the missing tags are
problems here, each naming the tag. The semantic boarding pass (iOS 26) works the same
way: boarding_semantics.py holds its rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .boarding_semantics import SEMANTIC_BOARDING_PASS, check_semantic_boarding_pass
from .problems import Problems, describe

POSTER_EVENT_TICKET = "posterEventTicket"
# Scheme -> the pass style it belongs to.
SCHEME_STYLES = {POSTER_EVENT_TICKET: "eventTicket", "eventTicket": "eventTicket",
                 SEMANTIC_BOARDING_PASS: "boardingPass", "boardingPass": "boardingPass"}
# Apple's fallback for each newer scheme: the classic layout of the same style.
FALLBACK_SCHEMES = {POSTER_EVENT_TICKET: "eventTicket", SEMANTIC_BOARDING_PASS: "boardingPass"}
EVENT_TYPES = (
    "PKEventTypeGeneric", "PKEventTypeLivePerformance", "PKEventTypeMovie", "PKEventTypeSports",
    "PKEventTypeConference", "PKEventTypeConvention", "PKEventTypeWorkshop", "PKEventTypeSocialGathering",
)
VENUE_TAGS = ("venueName", "venueRegionName", "venueRoom")
SPORTS_TAGS = ("homeTeamAbbreviation", "awayTeamAbbreviation")


# -- design ---------------------------------------------------------------------------

def design_style_schemes(schemes: Any, style: str | None) -> Any:
    """The list with each newer scheme of `style` followed by its classic fallback, in Apple's
    order (a scheme of another style gets none: validation reports the scheme itself)."""
    if not isinstance(schemes, list):
        return schemes  # validation reports it
    result: list[Any] = []
    for scheme in schemes:
        if scheme not in result:
            result.append(scheme)
        fallback = FALLBACK_SCHEMES.get(scheme) if isinstance(scheme, str) and SCHEME_STYLES.get(scheme) == style else None
        if fallback is not None and fallback not in schemes and fallback not in result:
            result.append(fallback)
    return result


# -- validation -----------------------------------------------------------------------

def check_style_schemes(pass_json: Mapping[str, Any], style: str | None, problems: Problems) -> None:
    schemes = pass_json.get("preferredStyleSchemes")
    if schemes is None:
        return
    if not isinstance(schemes, list) or not schemes:
        problems.add("preferredStyleSchemes", f"must be a non-empty list of {', '.join(SCHEME_STYLES)}")
        return
    for index, scheme in enumerate(schemes):
        path = f"preferredStyleSchemes[{index}]"
        if scheme not in SCHEME_STYLES:
            problems.add(path, f"{describe(scheme)} is not one of {', '.join(SCHEME_STYLES)}")
        elif style is not None and SCHEME_STYLES[scheme] != style:
            problems.add(path, f"{scheme} is for {SCHEME_STYLES[scheme]} passes, not {style}")
    if len(set(map(str, schemes))) != len(schemes):
        problems.add("preferredStyleSchemes", "lists a scheme twice")
    if POSTER_EVENT_TICKET in schemes and style == "eventTicket":
        check_poster_event_semantics(pass_json.get("semantics"), problems)
        check_poster_event_nfc(pass_json.get("nfc"), problems)
    if SEMANTIC_BOARDING_PASS in schemes and style == "boardingPass":
        check_semantic_boarding_pass(pass_json, problems)


def check_poster_event_semantics(semantics: Any, problems: Problems) -> None:
    """The tags Wallet needs before it draws a poster event ticket."""
    tags = semantics if isinstance(semantics, Mapping) else {}
    reason = "for a posterEventTicket"
    if not _is_text(tags.get("eventName")):
        problems.missing("semantics.eventName", reason)
    if not any(_is_text(tags.get(tag)) for tag in VENUE_TAGS):
        problems.missing("semantics.venueName", f"(or venueRegionName or venueRoom) {reason}")
    event_type = tags.get("eventType")
    if event_type is not None and event_type not in EVENT_TYPES:
        problems.add("semantics.eventType", f"{describe(event_type)} is not one of {', '.join(EVENT_TYPES)}")
    if event_type == "PKEventTypeSports":
        for tag in SPORTS_TAGS:
            if not _is_text(tags.get(tag)):
                problems.missing(f"semantics.{tag}", "for a sports posterEventTicket (eventType PKEventTypeSports)")
    if event_type == "PKEventTypeLivePerformance":
        performers = tags.get("performerNames")
        if not (isinstance(performers, list) and performers and all(_is_text(name) for name in performers)):
            problems.missing("semantics.performerNames",
                             "(a list of names) for a live performance posterEventTicket")


def check_poster_event_nfc(nfc: Any, problems: Problems) -> None:
    """Apple's Pass Builder refuses to sign a poster event ticket whose nfc leaves
    requiresAuthentication unset (EventTicketValidator.swift, "NFC auth data is required").
    Its other NFC error, no nfc at all, is not enforced: docs/pass-format.md says why."""
    if isinstance(nfc, Mapping) and "requiresAuthentication" not in nfc:
        problems.missing("nfc.requiresAuthentication", "(true or false) when a posterEventTicket carries nfc")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
