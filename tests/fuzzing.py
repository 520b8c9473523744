"""Fuzz every operation of an OpenAPI document against the app, with schemathesis.

Checks: no 5xx, every status code answered is documented for its operation, and
responses match their documented schemas. About half the cases aim their path ids
at real objects of the caller (`aim`), so the code behind the 404 is fuzzed too.
One test drives all operations (schemathesis' pytest plugin does not support this
pytest yet) and reports every failure found. WALLET_FUZZ_ONLY="GET /v2/coupons"
fuzzes the matching operations only, when debugging. WALLET_FUZZ_EXAMPLES (default 6, the
CI budget: each pass type's routes run on both databases) asks for more examples per
operation in a deeper local run, e.g. WALLET_FUZZ_EXAMPLES=50.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

# On PostgreSQL one pass type's routes stand for all five: their code is shared, and what
# PostgreSQL adds (what it refuses to store: NUL, lone surrogates, out-of-range numbers)
# does not depend on the type. SQLite runs every type (the CI time budget).
TYPE_FUZZED_ON_POSTGRESQL = "generics"


def segments_for_this_database(types: Any) -> list[Any]:
    """Every segment on SQLite; on PostgreSQL one type and "other routes" (see above)."""
    segments = [*types, "other routes"]
    if os.environ.get("WALLET_TEST_DATABASE_URL", "").startswith("postgresql"):
        return [segment for segment in segments if segment in (TYPE_FUZZED_ON_POSTGRESQL, "other routes")]
    return segments


EXAMPLES_PER_OPERATION = int(os.environ.get("WALLET_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def fuzz_operations(
    schema: schemathesis.BaseSchema,
    headers: dict[str, str],
    aim: Callable[[schemathesis.Case], None],
    after_delete: Callable[[], None],
    include_path: Callable[[str], bool] = lambda path: True,
) -> tuple[int, list[str]]:
    """(operations fuzzed, failures) over the operations whose path `include_path`
    accepts. `after_delete` re-creates what a DELETE removed."""
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if include_path(op.path)]
    only = os.environ.get("WALLET_FUZZ_ONLY")
    if only:
        operations = [op for op in operations if only in f"{op.method.upper()} {op.path}"]
    failures: list[str] = []
    for operation in operations:
        @given(case=operation.as_strategy(), aimed=st.booleans())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case: schemathesis.Case, aimed: bool) -> None:
            if aimed:
                aim(case)
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as failure:  # noqa: BLE001 - collected and reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
        if operation.method.upper() == "DELETE":
            after_delete()
    return len(operations), failures


def path_parameters(case: schemathesis.Case) -> dict[str, Any]:
    return case.path_parameters or {}
