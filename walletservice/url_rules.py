"""URL rules that write their URL-building code on first use.

Werkzeug generates and compiles two URL builders (Python code, through `ast`) for every
rule as the rule is added: about half a millisecond a rule. The app has some 300 rules
(each Passworks route exists once per pass type and per method) and builds URLs for a
handful of them, so that code was 90% of `create_app()`: the start of every gunicorn
worker and CLI command, and of every test. This rule writes a builder the first time a
URL is built with it and then keeps it; matching requests does not use builders.

It overrides Werkzeug's `Rule._compile_builder`, so Werkzeug is pinned in
requirements.txt; tests/test_url_rules.py compares every rule's URLs with Werkzeug's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        def build_on_first_use(rule: Rule, **values: Any) -> tuple[str, str]:
            # Two threads may both get here first: each makes the same builder.
            builder = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(**values)

        return build_on_first_use
