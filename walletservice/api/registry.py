"""One declaration per route: it validates the request and documents the route.

A route names its pydantic models (JSON body, multipart form, query), its `q[...]`
filters and its responses. The view is wrapped so that credentials are checked and
input is parsed before it runs, and walletservice.api.openapi turns the very same
declarations into the OpenAPI document, so the two cannot drift.
"""

from __future__ import annotations

import enum
import functools
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, g, request
from pydantic import BaseModel, ValidationError

from walletservice.api.idempotency import IdempotentCall
from walletservice.api.preconditions import tagged
from walletservice.errors import BadRequest, InvalidInput
from walletservice.json_bodies import parse_json_body
from walletservice.services.collection_filters import FilterSpec, parse_collection_query

FORM_MIMETYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


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


@dataclass
class ApiRegistry:
    """Routes of one API on one blueprint, with the credential check they share."""

    blueprint: Blueprint
    # Returns the caller's organization id; raises NotAuthorized when required and absent.
    authenticate: Callable[[bool], str | None]
    operations: list[Operation] = field(default_factory=list)

    def route(self, method: str, rule: str, *, summary: str, tag: str,
              responses: Mapping[int, Any], **options: Any) -> Callable[..., Any]:
        def register(view: Callable[..., Response]) -> Callable[..., Response]:
            operation = Operation(method, rule, view.__name__, summary, tag, responses, **options)
            self.operations.append(operation)
            self.blueprint.add_url_rule(
                rule, endpoint=view.__name__, view_func=self._wrap(view, operation),
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
            return once.answer(call) if once else call()
        return parse_then_call


def read_body(operation: Operation) -> BaseModel:
    is_form = request.mimetype in FORM_MIMETYPES
    if operation.form_body is not None and is_form:
        return validated(operation.form_body, _form_fields(operation.form_body), "form")
    if operation.json_body is not None and not is_form:
        return validated(operation.json_body, _json_payload(), "body")
    if operation.json_body is not None:
        raise BadRequest("send the body as JSON (Content-Type: application/json)")
    raise BadRequest("send the body as multipart/form-data")


def _json_payload() -> Any:
    # Read leniently (clients forget the Content-Type) but refuse what is not JSON.
    raw = request.get_data(cache=False)
    if not raw.strip():
        return {}
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
        raise InvalidInput(f"the {where} is invalid", details=validation_messages(exc)) from None


def validation_messages(error: ValidationError) -> list[str]:
    """"asset[asset_type]: Input should be 'icon', ...": where, then what. Inputs are not
    echoed: they may be passwords or keys."""
    messages = []
    for problem in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in problem["loc"])
        messages.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return messages
