"""The domain error tree. Flask-free: each API renders these in its own shape."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Services write "field: reason", "field must ...", "field is ..." or "what not found":
# the leading word names what the error is about (Passworks answers field -> message).
_NAMED = re.compile(r"^(?P<field>[A-Za-z_][\w.\[\]]*)(?:: | (?:must|is) )")
_NOT_FOUND = re.compile(r"^(?P<field>[A-Za-z_ ]+?) not found\.?$")


class DomainError(Exception):
    """Base of every error a service raises on purpose.

    `field` names the input or object the error is about ("campaign", "name",
    "q[s]"); when not given it is read from the message's first words, and is None
    when the message names none. `fields` holds one reason per field when several
    inputs failed at once (a request body's validation).
    """

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: list[str] | None = None, field: str | None = None,
                 fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.field = field or field_named_by(message)
        self.fields = dict(fields or {})


def field_named_by(message: str) -> str | None:
    """The field a message starts with: "name: taken" -> "name", "job not found" -> "job"."""
    named = _NAMED.match(message)
    if named:
        return named.group("field")
    missing = _NOT_FOUND.match(message)
    return missing.group("field").lower().replace(" ", "_") if missing else None


class InvalidInput(DomainError):
    status = 422
    code = "invalid"


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class NotAuthorized(DomainError):
    status = 401
    code = "unauthorized"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The caller is known, but this is refused to it (a limit that waiting does not lift)."""

    status = 403
    code = "forbidden"


class StateConflict(DomainError):
    """The object exists but is in a state that forbids the operation."""

    status = 412
    code = "precondition_failed"


class ConfigurationError(DomainError):
    """The operator must fix something (certificates, keys) before this can work."""

    status = 503
    code = "configuration_error"


class Conflict(DomainError):
    """Another request or object holds what this one needs: an idempotency key still running
    (retry later), or a userProvidedId another pass has now (a restored revision's)."""

    status = 409
    code = "conflict"


class IdempotencyKeyReused(DomainError):
    """An idempotency key sent again with a different request. 422 in every API, v3 included
    (not InvalidInput, which v3 answers as 400): the request is well formed, the key is not."""

    status = 422
    code = "idempotency_key_reused"


class PreconditionFailed(StateConflict):
    """If-Match named a version of the object that is no longer the current one."""

    code = "precondition_failed"
