"""A template's email sendout (Passcreator's sendout settings): the campaign setting
`email_sendout` = {"subject": ..., "text": ...}, plain text with placeholders
({downloadPage}, {organizationName}, {templateName} and the template's additional
properties by key), checked when the campaign is saved (services.campaigns) and filled
when a pass's mail is queued (services.pass_emails). Flask-free.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

from walletservice.errors import InvalidInput
from walletservice.models import Campaign
from walletservice.services.passcreator.pass_query import template_properties

SENDOUT_SETTING = "email_sendout"
BUILTIN_PLACEHOLDERS = ("downloadPage", "organizationName", "templateName")


def email_sendout(campaign: Campaign) -> Mapping[str, str] | None:
    sendout = (campaign.settings or {}).get(SENDOUT_SETTING)
    return sendout if isinstance(sendout, Mapping) else None


def check_email_sendout(campaign: Campaign) -> None:
    """InvalidInput naming the part and placeholder a saved sendout cannot fill."""
    sendout = email_sendout(campaign)
    if sendout is None:
        return
    known = {*BUILTIN_PLACEHOLDERS, *(prop.key for prop in template_properties(campaign))}
    for part in ("subject", "text"):
        for placeholder in _placeholders(sendout.get(part) or "", f"email_sendout.{part}"):
            if placeholder not in known:
                raise InvalidInput(
                    f"email_sendout.{part}: unknown placeholder {{{placeholder}}}; use "
                    + ", ".join(f"{{{name}}}" for name in sorted(known)) + " ({{ and }} for braces)")


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
