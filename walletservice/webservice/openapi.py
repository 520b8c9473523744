"""GET /wallet/openapi.json: the Wallet web service's six endpoints as an OpenAPI 3.1 document.

Apple defines these endpoints (docs: apple-wallet-protocol.md in the reference notes),
so the document is written out rather than generated: it states what routes.py
answers, including the bare 401/404 statuses Wallet reads, and it is what the fuzz
suite (tests/webservice/test_fuzz_webservice.py) holds the routes to.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app

from walletservice.runtime import WEB_SERVICE_PATH
from walletservice.services.personalization import PERSONALIZATION_INFO_KEYS
from walletservice.webservice.routes import MAX_PATH_SEGMENT

webservice_openapi_blueprint = Blueprint("webservice_openapi", __name__, url_prefix=WEB_SERVICE_PATH)

_SEGMENT = {"type": "string", "minLength": 1, "maxLength": MAX_PATH_SEGMENT}
_ERROR = {"description": "Malformed input (also a URL with control characters such as %00): a one-line reason.",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_TOO_LARGE = {"description": "The body is larger than WALLET_MAX_WEBSERVICE_BODY_BYTES.",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_UNAUTHORIZED = {"description": "Unknown pass, or not its ApplePass token (no body: Wallet reads the status)."}


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": _SEGMENT}


_DEVICE = _path_parameter("deviceLibraryIdentifier", "Chosen by the device; the secret of the serials list.")
_PASS_TYPE = _path_parameter("passTypeIdentifier", "The pass's passTypeIdentifier.")
_SERIAL = _path_parameter("serialNumber", "The pass's serialNumber.")
_APPLE_PASS = [{"applePass": []}]


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_PATHS: dict[str, Any] = {
    WEB_SERVICE_PATH + "/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}": {
        "parameters": [_DEVICE, _PASS_TYPE, _SERIAL],
        "post": {
            "operationId": "register", "summary": "Register a device to receive push notifications for a pass",
            "security": _APPLE_PASS,
            "requestBody": _json_body({"$ref": "#/components/schemas/Registration"}),
            "responses": {"200": {"description": "Already registered (the push token is updated)."},
                          "201": {"description": "Registered."}, "400": _ERROR, "401": _UNAUTHORIZED,
                          "413": _TOO_LARGE},
        },
        "delete": {
            "operationId": "unregister", "summary": "Unregister a device from a pass (idempotent)",
            "security": _APPLE_PASS,
            "responses": {"200": {"description": "Unregistered, or was not registered."}, "400": _ERROR,
                          "401": _UNAUTHORIZED},
        },
    },
    WEB_SERVICE_PATH + "/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}": {
        "parameters": [_DEVICE, _PASS_TYPE],
        "get": {
            "operationId": "updatedSerials", "summary": "Serial numbers of the device's passes changed since a tag",
            "description": "Wallet sends no Authorization: the device library id is the secret.",
            "parameters": [{"name": "passesUpdatedSince", "in": "query", "required": False,
                            "description": "lastUpdated of an earlier answer; absent or foreign means all.",
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Changed passes.", "content": {"application/json": {
                              "schema": {"$ref": "#/components/schemas/SerialNumbers"}}}},
                          "204": {"description": "No matching passes."}, "400": _ERROR},
        },
    },
    WEB_SERVICE_PATH + "/v1/passes/{passTypeIdentifier}/{serialNumber}": {
        "parameters": [_PASS_TYPE, _SERIAL],
        "get": {
            "operationId": "latestPass", "summary": "The latest version of a pass, signed",
            "security": _APPLE_PASS,
            "parameters": [{"name": "If-Modified-Since", "in": "header", "required": False,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The signed pass.", "content": {
                              "application/vnd.apple.pkpass": {"schema": {"type": "string",
                                                                          "contentMediaType": "application/zip"}}}},
                          "304": {"description": "Not modified since If-Modified-Since."},
                          "400": _ERROR, "401": _UNAUTHORIZED},
        },
    },
    WEB_SERVICE_PATH + "/v1/passes/{passTypeIdentifier}/{serialNumber}/personalize": {
        "parameters": [_PASS_TYPE, _SERIAL],
        "post": {
            "operationId": "personalize", "summary": "Rewards enrollment: store the data, sign the token",
            "description": "Wallet sends no Authorization; Wallet verifies the signature it gets back.",
            "requestBody": _json_body({"$ref": "#/components/schemas/PersonalizationDictionary"}),
            "responses": {"200": {"description": "The signed personalization token (PKCS #7, detached).",
                                  "content": {"application/octet-stream": {"schema": {"type": "string"}}}},
                          "400": _ERROR, "401": _UNAUTHORIZED,
                          "404": {"description": "Unknown pass."},
                          "412": {**_ERROR, "description": "The pass asks for no personalization, "
                                                           "or was personalized already."},
                          "413": _TOO_LARGE},
        },
    },
    WEB_SERVICE_PATH + "/v1/log": {
        "post": {
            "operationId": "log", "summary": "Messages Wallet logs about this web service",
            "requestBody": _json_body({"$ref": "#/components/schemas/Logs"}),
            "responses": {"200": {"description": "Stored."}, "400": _ERROR, "413": _TOO_LARGE,
                          "429": {"description": "Too many log entries from this address; try later."}},
        },
    },
}

_SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    "Registration": {"type": "object", "required": ["pushToken"],
                     "properties": {"pushToken": {"type": "string", "pattern": "^[0-9A-Fa-f]{1,512}$",
                                                  "description": "The device's APNs token, hexadecimal."}}},
    "SerialNumbers": {"type": "object", "required": ["serialNumbers", "lastUpdated"],
                      "properties": {"serialNumbers": {"type": "array", "items": {"type": "string"}},
                                     "lastUpdated": {"type": "string"}}},
    "PersonalizationDictionary": {
        "type": "object", "required": ["personalizationToken"],
        "properties": {"personalizationToken": {"type": "string", "minLength": 1, "maxLength": 4096},
                       "requiredPersonalizationInfo": {
                           "type": "object", "additionalProperties": False,
                           "properties": {key: {"type": "string", "maxLength": 512}
                                          for key in sorted(PERSONALIZATION_INFO_KEYS)}}}},
    "Logs": {"type": "object", "required": ["logs"],
             "properties": {"logs": {"type": "array", "items": {"type": "string"}}}},
}


def webservice_document(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "walletservice: Apple Wallet web service", "version": "1",
                 "description": "The endpoints Wallet on iPhone and Apple Watch calls under the pass's "
                                "webServiceURL. Statuses follow Apple's PassKit web service reference."},
        "servers": [{"url": server_url}],
        "paths": _PATHS,
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"applePass": {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`ApplePass <authenticationToken>`: the token from the pass's pass.json."}},
        },
    }


@webservice_openapi_blueprint.get("/openapi.json")
def openapi_document() -> Response:
    return current_app.json.response(webservice_document(current_app.config["WALLET_PUBLIC_URL"]))
