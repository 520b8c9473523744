"""The hot calls' response helpers give what Flask's and Werkzeug's general ones give."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from flask import jsonify
from werkzeug.http import http_date as werkzeug_http_date
from werkzeug.http import parse_date

from walletservice.webservice.responses import http_date, not_modified_since, serials_response

UTC = dt.timezone.utc


def _moments() -> list[dt.datetime]:
    generator = random.Random(7)
    start = dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)
    moments = [start + dt.timedelta(seconds=generator.randrange(0, 60 * 365 * 86400)) for _ in range(500)]
    return [*moments, dt.datetime(2028, 2, 29, 0, 0, 0, tzinfo=UTC), dt.datetime(2026, 11, 26, 12, 8, 0)]


def test_http_date_writes_what_werkzeug_writes():
    for moment in _moments():
        assert http_date(moment) == werkzeug_http_date(moment), moment


def test_http_date_converts_other_time_zones_to_gmt():
    paris = dt.timezone(dt.timedelta(hours=1))
    moment = dt.datetime(2026, 11, 26, 13, 8, 0, tzinfo=paris)
    assert http_date(moment) == "Thu, 26 Nov 2026 12:08:00 GMT" == werkzeug_http_date(moment)


@pytest.mark.parametrize("header", [
    None, "", "not a date", "Thu, 26 Nov 2026 12:08:00 GMT", "Thu, 26 Nov 2026 12:07:59 GMT",
    "Thu, 26 Nov 2026 12:08:01 GMT", "Thursday, 26-Nov-26 12:08:00 GMT", "Thu Nov 26 12:08:00 2026",
    "Thu, 26 Nov 2026 13:08:00 +0100", "Fri, 01 Jan 2100 00:00:00 GMT",
])
@pytest.mark.parametrize("microsecond", [0, 500_000])
def test_not_modified_since_decides_like_parsing_the_header(header, microsecond):
    modified_at = dt.datetime(2026, 11, 26, 12, 8, 0, microsecond, tzinfo=UTC)
    since = parse_date(header)
    assert not_modified_since(modified_at, header) == (since is not None and modified_at <= since)


@pytest.mark.parametrize("serials", [[], ["SKY-0001"], ["SKY-0001", "ÉTÉ-2", 'quote " and \\ back', "tab\t", "😀"]])
def test_serials_response_is_jsonify_byte_for_byte(app, serials):
    with app.test_request_context():
        expected = jsonify(serialNumbers=serials, lastUpdated="42")
    response = serials_response(serials, "42")
    assert response.get_data() == expected.get_data()
    assert response.headers["Content-Type"] == expected.headers["Content-Type"]
