"""Responses of Wallet's hot calls, built without Flask's general-purpose helpers.

The list and fetch calls are what the service answers most (docs/benchmarks.md).
jsonify, Response.last_modified, request.if_modified_since and werkzeug's
http_date go through general machinery (the app's JSON provider, email.utils)
that costs more per request than these fixed shapes need; the helpers here give
the same bytes at a third of the cost (tests/webservice/test_responses.py).
"""

from __future__ import annotations

import datetime as dt
from json.encoder import encode_basestring_ascii as json_string

from flask import Response
from werkzeug.http import parse_date

from walletservice.services.bundles import PKPASS_MIMETYPE

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def serials_response(serial_numbers: list[str], last_updated: str) -> Response:
    """jsonify(serialNumbers=..., lastUpdated=...) outside debug mode: compact ASCII JSON, a newline."""
    body = f'{{"serialNumbers":[{",".join(map(json_string, serial_numbers))}],"lastUpdated":{json_string(last_updated)}}}\n'
    return Response(body, content_type="application/json")


def pkpass_response(content: bytes, modified_at: dt.datetime) -> Response:
    response = Response(content, content_type=PKPASS_MIMETYPE)
    headers = response.headers  # add, not set: both are new, so no search for an old value
    headers.add("Last-Modified", http_date(modified_at))
    headers.add("Cache-Control", "no-cache")
    return response


def not_modified_response() -> Response:
    # Werkzeug sends a 304 without its entity headers (Content-Type, Last-Modified).
    response = Response(status=304, content_type="text/plain; charset=utf-8")
    response.headers.add("Cache-Control", "no-cache")
    return response


def http_date(moment: dt.datetime) -> str:
    """RFC 9110's IMF-fixdate, as werkzeug.http.http_date writes it (a naive time is UTC)."""
    utc = moment.astimezone(dt.timezone.utc) if moment.utcoffset() else moment
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        _DAYS[utc.weekday()], utc.day, _MONTHS[utc.month - 1], utc.year, utc.hour, utc.minute, utc.second)


def not_modified_since(modified_at: dt.datetime, if_modified_since: str | None) -> bool:
    """Whether something last modified at `modified_at` is unchanged since the header's time.

    Wallet sends back the Last-Modified it was given, so that exact string is
    recognised without parsing; any other value is parsed as werkzeug parses it
    (unparseable: no condition).
    """
    if if_modified_since is None:
        return False
    if modified_at.microsecond == 0 and if_modified_since == http_date(modified_at):
        return True
    since = parse_date(if_modified_since)
    return since is not None and modified_at <= since
