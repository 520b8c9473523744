"""The app's rules build the URLs Werkzeug's own rules build (walletservice/url_rules.py)."""

from __future__ import annotations

import re
import uuid

from flask import Flask, url_for
from werkzeug.routing import Map, Rule

from walletservice.url_rules import LazyBuilderRule

SAMPLE_BY_CONVERTER = {"uuid": uuid.UUID("0b7e1e5c-46a1-4f3e-9a57-2f4f3c1f8f10"), "int": 7, "path": "a b/ç",
                       "default": "pass.com.example/ä b"}
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def sample_values(rule: Rule) -> dict[str, object]:
    values: dict[str, object] = {"unknown": "x y", "also": ["1", "2"]}  # appended as a query string
    for match in ARGUMENT.finditer(rule.rule):
        values[match.group("name")] = SAMPLE_BY_CONVERTER.get(match.group("converter") or "default", "z")
    return values


def test_every_rule_of_the_app_builds_what_werkzeug_builds(app: Flask) -> None:
    rules = list(app.url_map.iter_rules())
    # Flask adds the static rule before create_app sets the rule class.
    assert len(rules) > 100 and all(isinstance(rule, LazyBuilderRule) for rule in rules if rule.endpoint != "static")
    plain = Map([Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods, strict_slashes=rule.strict_slashes)
                 for rule in rules], converters=app.url_map.converters)
    ours, theirs = app.url_map.bind("wallet.example.test"), plain.bind("wallet.example.test")
    for rule in rules:
        values = sample_values(rule)
        method = sorted(rule.methods or {"GET"})[0]
        for append_unknown in (True, False):
            assert ours.build(rule.endpoint, values, method=method, append_unknown=append_unknown) == \
                theirs.build(rule.endpoint, values, method=method, append_unknown=append_unknown), rule.rule


def test_url_for_works_the_same_before_and_after_the_first_build(app: Flask) -> None:
    with app.test_request_context():
        first = url_for("static", filename="a b.css", v="1")
        again = url_for("static", filename="a b.css", v="1")
    assert first == again == "/static/a%20b.css?v=1"
