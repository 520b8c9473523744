"""The OpenAPI 3.1 document of an ApiRegistry, built from the routes' own pydantic models.

Pydantic writes JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect, so model
schemas go into components unchanged; this module adds paths, parameters, security
and the error responses every route can give.
"""

from __future__ import annotations

import datetime as dt
import http
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from walletservice.api.registry import ApiRegistry, Auth, Operation
from walletservice.services.collection_filters import PREDICATES, TEXT_PREDICATES, FilterSpec

OPENAPI_VERSION = "3.1.0"
_REF = "#/components/schemas/{model}"
_PATH_SCHEMAS = {"uuid": {"type": "string", "format": "uuid"}, "int": {"type": "integer"}}
_FILTER_SCHEMAS: dict[type, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    bool: {"type": "boolean"},
    dt.datetime: {"type": "string", "format": "date-time"},
}


@dataclass(frozen=True)
class ApiDescription:
    title: str
    version: str
    description: str
    server_url: str
    url_prefix: str  # the blueprint's, e.g. "/v2"
    error_model: type[BaseModel]
    pagination_headers: Mapping[str, str]


def build_openapi(registry: ApiRegistry, about: ApiDescription) -> dict[str, Any]:
    schemas, refs = _component_schemas(registry.operations, about.error_model)
    error_ref = refs[(about.error_model, "serialization")]
    paths: dict[str, dict[str, Any]] = {}
    for operation in registry.operations:
        path = about.url_prefix + operation.openapi_path
        paths.setdefault(path, {})[operation.method.lower()] = _operation(operation, refs, error_ref, about)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": about.title, "version": about.version, "description": about.description},
        "servers": [{"url": about.server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic",
                              "description": "Username: the account (organization) id; password: the API key."},
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "The API key."},
            },
        },
    }


def _response_models(operation: Operation) -> list[type[BaseModel]]:
    models = []
    for spec in operation.responses.values():
        if typing.get_origin(spec) is list:
            spec = typing.get_args(spec)[0]
        if isinstance(spec, type) and issubclass(spec, BaseModel):
            models.append(spec)
    return models


def _component_schemas(
    operations: list[Operation], error_model: type[BaseModel]
) -> tuple[dict[str, Any], dict[tuple[type[BaseModel], str], dict[str, Any]]]:
    wanted: dict[tuple[type[BaseModel], str], None] = {(error_model, "serialization"): None}
    for operation in operations:
        for model in (operation.json_body, operation.form_body):
            if model is not None:
                wanted[(model, "validation")] = None
        for model in _response_models(operation):
            wanted[(model, "serialization")] = None
    refs, top = models_json_schema(list(wanted), ref_template=_REF)  # type: ignore[arg-type]
    return top.get("$defs", {}), refs  # type: ignore[return-value]


def _operation(operation: Operation, refs: Mapping[Any, Any], error_ref: dict[str, Any],
               about: ApiDescription) -> dict[str, Any]:
    document: dict[str, Any] = {
        "operationId": operation.endpoint,
        "summary": operation.summary,
        "tags": [operation.tag],
        "security": _security(operation.auth),
        "parameters": _parameters(operation),
        "responses": _responses(operation, refs, error_ref, about.pagination_headers),
    }
    if operation.description:
        document["description"] = operation.description
    body = _request_body(operation, refs)
    if body:
        document["requestBody"] = body
    return document


def _security(auth: Auth) -> list[dict[str, list[str]]]:
    if auth is Auth.NONE:
        return []
    schemes: list[dict[str, list[str]]] = [{"basicAuth": []}, {"bearerAuth": []}]
    return schemes + ([{}] if auth is Auth.OPTIONAL else [])


def _parameters(operation: Operation) -> list[dict[str, Any]]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _PATH_SCHEMAS.get(converter, {"type": "string"})}
        for name, converter in operation.path_parameters
    ]
    if operation.query is not None:
        schema = operation.query.model_json_schema()
        for name, property_schema in schema.get("properties", {}).items():
            property_schema = {k: v for k, v in property_schema.items() if k not in ("title", "description")}
            parameters.append({
                "name": name, "in": "query", "required": name in schema.get("required", []),
                "description": schema["properties"][name].get("description", ""), "schema": property_schema,
            })
    if operation.filters is not None:
        parameters.append(_filter_parameter(operation.filters))
    if operation.accepts_idempotency_key:
        parameters.append(_IDEMPOTENCY_KEY)
    if operation.etag and operation.method != "GET":
        parameters.append(_IF_MATCH)
    return parameters


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Run this POST once: the same key with the same request replays the first answer "
                   "(with `Idempotent-Replayed: true`) for 24 hours; with another request it is 422; "
                   "while the first still runs, 409. Answers of 500 and above are not kept.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]+$"},
}
_IF_MATCH = {
    "name": "If-Match", "in": "header", "required": False,
    "description": "The ETag of the version this change is meant for (or `*`): 412 if the object "
                   "has changed since. Without it the change is made whatever the version.",
    "schema": {"type": "string"},
}
_ETAG_HEADER = {"ETag": {"description": "The strong entity tag of this version; send it as If-Match "
                                        "to change or delete only this version.",
                         "schema": {"type": "string"}}}


def _filter_parameter(spec: FilterSpec) -> dict[str, Any]:
    """`q[attribute_predicate]` and `q[s]` as one deepObject parameter (v2/sorting.md)."""
    properties: dict[str, Any] = {}
    for attribute_name, attribute in spec.attributes.items():
        for predicate in PREDICATES:
            if predicate in TEXT_PREDICATES and attribute.kind is not str:
                continue
            properties[f"{attribute_name}_{predicate}"] = _FILTER_SCHEMAS[attribute.kind]
    names = "|".join(sorted(spec.attributes))
    properties["s"] = {"type": "string", "pattern": rf"^\s*({names})(\s+(asc|desc|ASC|DESC))?\s*$",
                       "examples": ["created_at desc"]}
    return {
        "name": "q", "in": "query", "style": "deepObject", "explode": True, "required": False,
        "description": "Filters `q[attribute_predicate]=value` and sort `q[s]=attribute asc|desc`. "
                       "Unknown attributes or predicates are refused with 422; blank values are ignored.",
        "schema": {"type": "object", "properties": properties, "additionalProperties": False},
    }


def _request_body(operation: Operation, refs: Mapping[Any, Any]) -> dict[str, Any] | None:
    content = {}
    if operation.json_body is not None:
        content["application/json"] = {"schema": refs[(operation.json_body, "validation")]}
    if operation.form_body is not None:
        content["multipart/form-data"] = {"schema": refs[(operation.form_body, "validation")]}
    return {"required": True, "content": content} if content else None


def _error_statuses(operation: Operation) -> list[int]:
    statuses = []
    if operation.auth is not Auth.NONE:
        statuses.append(401)
    # Any input can be malformed; a control character in a path or query value is
    # refused with 400 before the route runs (walletservice/control_characters.py).
    if operation.json_body or operation.form_body or operation.query or operation.filters \
            or operation.path_parameters:
        statuses.append(400)
    if operation.json_body or operation.form_body:
        statuses += [413, 422]
    elif operation.query or operation.filters:
        statuses.append(422)
    if operation.path_parameters:
        statuses.append(404)
    if operation.accepts_idempotency_key:
        statuses += [400, 409, 422]
    if operation.etag and operation.method != "GET":
        statuses += [400, 412]
    return sorted(set(statuses))


def _responses(operation: Operation, refs: Mapping[Any, Any], error_ref: dict[str, Any],
               pagination_headers: Mapping[str, str]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, spec in sorted(operation.responses.items()):
        response: dict[str, Any] = {"description": http.HTTPStatus(status).phrase}
        if typing.get_origin(spec) is list:
            model = typing.get_args(spec)[0]
            response["content"] = {"application/json": {"schema": {
                "type": "array", "items": refs[(model, "serialization")]}}}
        elif spec is not None:
            response["content"] = {"application/json": {"schema": refs[(spec, "serialization")]}}
        elif operation.response_media_type != "application/json":
            response["content"] = {operation.response_media_type: {
                "schema": {"type": "string", "contentMediaType": operation.response_media_type}}}
        if operation.paginated and 200 <= status < 300:
            response["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                                   for name, text in pagination_headers.items()}
        if operation.etag and operation.method != "DELETE" and 200 <= status < 300:
            response["headers"] = {**response.get("headers", {}), **_ETAG_HEADER}
        responses[str(status)] = response
    for status in _error_statuses(operation):
        responses.setdefault(str(status), {
            "description": http.HTTPStatus(status).phrase,
            "content": {"application/json": {"schema": error_ref}},
        })
    return responses
