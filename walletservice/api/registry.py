"""One declaration per route: it validates the request and documents the route.

A route names its pydantic models (JSON body, multipart form, query), its `q[...]`
filters and its responses. The view is wrapped so that credentials are checked and
input is parsed before it runs, and walletservice.api.openapi turns the very same
declarations into the OpenAPI document, so the two cannot drift.
"""

from __future__ import annotations

import enum
import functools
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, g, request
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import SQLAlchemyError

from walletservice.api.idempotency import IdempotentCall
from walletservice.api.preconditions import tagged
from walletservice.db import transaction
from walletservice.errors import BadRequest, InvalidInput
from walletservice.json_bodies import parse_json_body
from walletservice.services.campaign_counters import count_api_call
from walletservice.services.collection_filters import FilterSpec, parse_collection_query

log = logging.getLogger(__name__)

URLENCODED = "application/x-www-form-urlencoded"
SEND_JSON = "send the body as JSON (Content-Type: application/json)"
FORM_MIMETYPES = ("multipart/form-data", URLENCODED)
_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
# Path arguments that name a campaign (v1's loyalty pages call it loyalty_id): a call with
# one counts in that campaign's api_calls_count (reports.md).
CAMPAIGN_ARGUMENTS = ("campaign_id", "loyalty_id")


class Auth(enum.Enum):
    REQUIRED = "required"
    OPTIONAL = "optional"  # checked when given, e.g. ping
    NONE = "none"


@dataclass(frozen=True)
class Operation:
    """Everything known about one route, for the wrapper and for the document."""

    method: str
    rule: str  # Flask syntax, relative to the blueprint: "/assets/<uuid:asset_id>"
    endpoint: str
    summary: str
    tag: str
    # status -> a model, list[model], or None for no body
    responses: Mapping[int, Any]
    description: str = ""
    json_body: type[BaseModel] | None = None
    form_body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    filters: FilterSpec | None = None
    auth: Auth = Auth.REQUIRED
    paginated: bool = False
    response_media_type: str = "application/json"
    max_body_bytes: int | None = None  # below the app-wide limit, e.g. for uploads
    # One pass, campaign or template: GET answers its ETag, writes accept If-Match (api.preconditions).
    etag: bool = False

    @property
    def accepts_idempotency_key(self) -> bool:
        """POSTs with credentials (api.idempotency): without them there is no one to scope the key to."""
        return self.method == "POST" and self.auth is Auth.REQUIRED

    @property
    def openapi_path(self) -> str:
        """The rule as OpenAPI writes paths: "/assets/{asset_id}"."""
        return _RULE_ARGUMENT.sub(lambda match: "{" + match.group("name") + "}", self.rule)

    @property
    def path_parameters(self) -> list[tuple[str, str]]:
        """(name, converter) of each path argument."""
        return [(m.group("name"), m.group("converter") or "string") for m in _RULE_ARGUMENT.finditer(self.rule)]


# Flask endpoint ("v2.pause_campaign_generics") -> its declaration, for the error renderers.
_OPERATIONS: dict[str, Operation] = {}


def operation_of(endpoint: str | None) -> Operation | None:
    """The declaration of the route that matched, or None (no route matched, or not an API's)."""
    return _OPERATIONS.get(endpoint or "")


@dataclass
class ApiRegistry:
    """Routes of one API on one blueprint, with the credential check they share."""

    blueprint: Blueprint
    # Returns the caller's organization id; raises NotAuthorized when required and absent.
    authenticate: Callable[[bool], str | None]
    operations: list[Operation] = field(default_factory=list)

    def route(self, method: str, rule: str, *, summary: str, tag: str, responses: Mapping[int, Any],
              endpoint: str | None = None, **options: Any) -> Callable[..., Any]:
        """Register `view` for one method and rule. `endpoint` (the Flask endpoint and the
        OpenAPI operation id) defaults to the view's name; a view shared by several routes
        (one per campaign type or method) names each one explicitly."""
        def register(view: Callable[..., Response]) -> Callable[..., Response]:
            name = endpoint or view.__name__
            operation = Operation(method, rule, name, summary, tag, responses, **options)
            self.operations.append(operation)
            _OPERATIONS[f"{self.blueprint.name}.{name}"] = operation
            self.blueprint.add_url_rule(
                rule, endpoint=name, view_func=self._wrap(view, operation),
                methods=[method], strict_slashes=False,  # sorting.md: the trailing slash is optional
            )
            return view
        return register

    def _wrap(self, view: Callable[..., Response], operation: Operation) -> Callable[..., Response]:
        @functools.wraps(view)
        def parse_then_call(**path_arguments: Any) -> Response:
            arguments = {name: str(value) if isinstance(value, uuid.UUID) else value
                         for name, value in path_arguments.items()}
            if operation.auth is not Auth.NONE:
                arguments["organization_id"] = self.authenticate(operation.auth is Auth.REQUIRED)
            if operation.max_body_bytes is not None:
                request.max_content_length = operation.max_body_bytes
            once = IdempotentCall.for_request(arguments["organization_id"]) \
                if operation.accepts_idempotency_key else None
            if operation.json_body or operation.form_body:
                arguments["body"] = read_body(operation)
            if operation.query:
                arguments["query"] = validated(operation.query, request.args.to_dict(), "query string")
            if operation.filters:
                arguments["filters"] = parse_collection_query(request.args.items(multi=True), operation.filters)
            g.etag_route = operation.etag
            call = (lambda: tagged(view(**arguments))) if operation.etag else (lambda: view(**arguments))
            response = once.answer(call) if once else call()
            _count_campaign_call(arguments)
            return response
        return parse_then_call


def _count_campaign_call(arguments: Mapping[str, Any]) -> None:
    """An answered call on one of the caller's campaigns or its passes counts in its report;
    a call that raised (404, 422...) does not. Its own short transaction, after the view's:
    the call's own change is committed by then, so a counter that cannot be written (the
    database went away meanwhile) is logged, never turned into an error answer."""
    organization_id = arguments.get("organization_id")
    campaign_id = next((arguments[name] for name in CAMPAIGN_ARGUMENTS if name in arguments), None)
    if not (organization_id and campaign_id):
        return
    try:
        with transaction() as session:
            count_api_call(session, organization_id, campaign_id)
    except SQLAlchemyError:
        log.warning("API call on campaign %s not counted in its report", campaign_id, exc_info=True)


def read_body(operation: Operation) -> BaseModel:
    is_form = request.mimetype in FORM_MIMETYPES
    if operation.form_body is not None and is_form:
        return validated(operation.form_body, _form_fields(operation.form_body), "form")
    if operation.json_body is not None and not is_form:
        return validated(operation.json_body, _json_payload(), "body")
    if operation.json_body is not None and request.mimetype == URLENCODED:
        # `curl -d '{...}'` labels JSON as a urlencoded form: read it as what it is.
        return validated(operation.json_body, _json_payload(not_json=SEND_JSON), "body")
    if operation.json_body is not None:
        raise BadRequest(SEND_JSON, field="body")
    raise BadRequest("send the body as multipart/form-data", field="body")


def _json_payload(not_json: str | None = None) -> Any:
    # Read leniently (clients forget the Content-Type) but refuse what is not JSON.
    raw = request.get_data(cache=False)
    if not raw.strip():
        return {}
    if not_json is not None and raw.lstrip()[:1] not in (b"{", b"["):
        raise BadRequest(not_json, field="body")
    return parse_json_body(raw)


def _form_fields(model: type[BaseModel]) -> dict[str, Any]:
    """The model's fields by their form names: files as bytes, others as text."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in request.files:
            values[key] = request.files[key].read()
        elif key in request.form:
            values[key] = request.form[key]
            if "\x00" in values[key]:  # as in JSON bodies (json_bodies.py): PostgreSQL text holds no NUL
                raise InvalidInput(f"{key}: text must not contain NUL characters (\\u0000)")
    return values


def validated(model: type[BaseModel], data: Any, where: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"the {where} is invalid", details=validation_messages(exc),
                           fields=field_messages(exc, where)) from None


def validation_messages(error: ValidationError) -> list[str]:
    """"asset[asset_type]: Input should be 'icon', ...": where, then what. Inputs are not
    echoed: they may be passwords or keys."""
    return [f"{name}: {reason}" if name else reason for name, reason in _problems(error)]


def field_messages(error: ValidationError, where: str) -> dict[str, str]:
    """{"campaign.name": "Input should be a valid string"}: one reason per field, several
    joined with "; ". A problem with the whole input is named after it ("body")."""
    reasons_by_field: dict[str, list[str]] = {}
    for name, reason in _problems(error):
        reasons_by_field.setdefault(name or where.split()[0], []).append(reason)
    return {name: "; ".join(reasons) for name, reasons in reasons_by_field.items()}


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    return [(".".join(str(part) for part in problem["loc"]), problem["msg"])
            for problem in error.errors(include_url=False, include_input=False)]
