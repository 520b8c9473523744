"""A template's sendouts (Passcreator's sendout settings): the campaign settings
`email_sendout` = {"subject": ..., "text": ...} and `sms_sendout` = {"text": ...}, plain
text with placeholders ({downloadPage}, {organizationName}, {templateName} and the
template's additional properties by key), checked when the campaign is saved
(services.campaigns) and filled when a pass's mail or text message is queued
(services.passcreator.pass_emails, services.passcreator.pass_sms). Flask-free.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from walletservice.errors import InvalidInput
from walletservice.models import Campaign, Pass
from walletservice.services.passcreator.pass_query import template_properties
from walletservice.services.passcreator.pass_view import additional_properties

SENDOUT_SETTING = "email_sendout"
SMS_SENDOUT_SETTING = "sms_sendout"
# The parts of each sendout that hold placeholders.
SENDOUT_PARTS = {SENDOUT_SETTING: ("subject", "text"), SMS_SENDOUT_SETTING: ("text",)}
BUILTIN_PLACEHOLDERS = ("downloadPage", "organizationName", "templateName")


def email_sendout(campaign: Campaign) -> Mapping[str, str] | None:
    return _sendout(campaign, SENDOUT_SETTING)


def sms_sendout(campaign: Campaign) -> Mapping[str, str] | None:
    return _sendout(campaign, SMS_SENDOUT_SETTING)


def _sendout(campaign: Campaign, setting: str) -> Mapping[str, str] | None:
    sendout = (campaign.settings or {}).get(setting)
    return sendout if isinstance(sendout, Mapping) else None


def check_sendouts(campaign: Campaign) -> None:
    """InvalidInput naming the sendout, part and placeholder a saved sendout cannot fill."""
    known = {*BUILTIN_PLACEHOLDERS, *(prop.key for prop in template_properties(campaign))}
    for setting, parts in SENDOUT_PARTS.items():
        sendout = _sendout(campaign, setting)
        for part in parts if sendout is not None else ():
            for placeholder in _placeholders(sendout.get(part) or "", f"{setting}.{part}"):
                if placeholder not in known:
                    raise InvalidInput(
                        f"{setting}.{part}: unknown placeholder {{{placeholder}}}; use "
                        + ", ".join(f"{{{name}}}" for name in sorted(known)) + " ({{ and }} for braces)")


def placeholder_values(campaign: Campaign, pass_: Pass, download_page: str) -> dict[str, str]:
    """What the placeholders stand for, for this pass as it is now."""
    values = {key: "" if value is None else str(value)
              for key, value in additional_properties(pass_, campaign).items()}
    values.update(downloadPage=download_page, templateName=campaign.name,
                  organizationName=str(campaign.design.get("organizationName") or ""))
    return values


def _placeholders(template: str, name: str) -> list[str]:
    """The field names of a template; only bare names, no conversions, specs or indexing."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:  # an unmatched brace
        raise InvalidInput(f"{name}: {exc} (write {{{{ and }}}} for literal braces)") from None
    found = []
    for _literal, field, format_spec, conversion in parsed:
        if field is None:
            continue
        if format_spec or conversion:
            raise InvalidInput(f"{name}: placeholders are plain names, e.g. {{downloadPage}}, not {{{field}...}}")
        found.append(field)
    return found


def render(template: str, values: Mapping[str, str]) -> str:
    """The template with its placeholders filled; no str.format, so nothing is looked up
    on the values (attribute or index access) whatever the template says."""
    return "".join(literal + (values.get(field, "") if field is not None else "")
                   for literal, field, _spec, _conversion in string.Formatter().parse(template))
