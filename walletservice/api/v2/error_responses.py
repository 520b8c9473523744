"""Passworks' error answers, for every failure under /v2 and /v1 (docs/passworks-errors.md).

Two shapes, as the Passworks documents show them:
- field -> message, `{"errors": {"campaign": "Campaign not found."}}`, for not-found and
  validation errors and wherever a document shows nothing; Passworks' client libraries
  read `errors` as such pairs and raise NotFound, UnprocessableEntity, PreconditionFailed;
- a list of messages, `{"errors": ["Can't resume from archived to publish"]}`, where a
  route declares `ErrorList` for the status (the campaign state moves, 412).

The route's own declaration (walletservice.api.registry) decides, so the OpenAPI
document and the answers cannot disagree.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from walletservice.api.auth import is_browser_request
from walletservice.api.registry import operation_of
from walletservice.api.schemas.common import ErrorList
from walletservice.errors import DomainError, NotFound

# Passworks documents HTTP Basic, and clients that answer a challenge (urllib's
# HTTPBasicAuthHandler, .NET's NetworkCredential, Java's Authenticator) send
# credentials only after one, so API clients keep it (RFC 9110 asks for it on a 401).
# Browsers never get it: a prompt would cache credentials the browser then attaches
# for any page that calls the API (docs/security.md, "Response headers").
AUTHENTICATE_HEADER = 'Basic realm="walletservice"'
# Rails, which Passworks runs on, files errors that concern no one field under "base".
GENERAL = "base"


def error_response(status: int, fields: dict[str, str], headers: dict[str, str] | None = None,
                   *, messages: list[str] | None = None) -> Response:
    """The answer in the shape the matched route declares for `status`: `messages`
    (default: the fields' messages) when it declares ErrorList, else `fields`."""
    if _declares_list(status):
        response = jsonify(errors=messages if messages is not None else list(fields.values()))
    else:
        response = jsonify(errors=fields)
    response.status_code = status
    if status == 401 and not is_browser_request():
        response.headers["WWW-Authenticate"] = AUTHENTICATE_HEADER
    response.headers.extend(headers or {})
    return response


def _declares_list(status: int) -> bool:
    operation = operation_of(request.endpoint)
    return operation is not None and operation.responses.get(status) is ErrorList


def render_domain_error(error: DomainError) -> Response:
    return error_response(error.status, error_fields(error), messages=[error.message, *error.details])


def error_fields(error: DomainError) -> dict[str, str]:
    """Field -> message: the validated fields, else the one field the error names."""
    if error.fields:
        return dict(error.fields)
    if isinstance(error, NotFound) and error.field:
        return {error.field: f"{error.field.replace('_', ' ').capitalize()} not found."}
    field = error.field or GENERAL
    message = error.message.removeprefix(f"{field}: ")
    return {field: "; ".join([message, *error.details])}


def render_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    return error_response(status, dict([_http_error_field(status)]), headers)


def _http_error_field(status: int) -> tuple[str, str]:
    if status == 404:
        return "path", "Not found."
    if status == 405:
        return "method", f"{request.method} is not allowed on {request.path}"
    if status == 413:
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        return "body", f"the request body is larger than {limit} bytes"
    if status >= 500:
        return GENERAL, "internal server error"
    return GENERAL, f"the request could not be read ({status})"
