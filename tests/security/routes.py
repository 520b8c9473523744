"""The app's routes as the adversarial suite sees them, read from its url_map: a new
route is attacked without anyone adding it here. Only the exceptions are listed:
routes that are public by design, the state they may change, and the routes whose
answer is a signed pass for whoever holds the link."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from urllib.parse import quote

from walletservice import create_app

ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")

# endpoint -> why anyone may call it without credentials.
PUBLIC = {
    "static": "the app's static files",
    "web.static": "the download page's stylesheet",
    "vendor.static": "vendored third-party browser code (htmx, uPlot, Redoc), public on npm",
    "dashboard.static": "the dashboard's own script and stylesheet",
    "dashboard.login": "the dashboard's sign-in form (a POST needs the form's CSRF token; wrong passwords lock)",
    "operations.healthz": "liveness probe, says nothing",
    "operations.readyz": "readiness probe, says nothing",
    "operations.metrics": "open while WALLET_METRICS_TOKEN is empty (the tests' setting; README says protect it)",
    "api_docs.api_docs": "the API documentation page",
    "v1.v1_openapi_document": "the /v1 OpenAPI document",
    "v2.openapi_document": "the /v2 OpenAPI document",
    "v3.openapi_document": "the /api/v3 OpenAPI document",
    "webservice_openapi.openapi_document": "the Wallet web service's OpenAPI document",
    "v1.v1_ping": "Passworks' ping checks credentials only when given",
    "v2.ping": "Passworks' ping checks credentials only when given",
    "web.download_page": "the download id in the link is the capability",
    "web.download_pkpass": "the download id in the link is the capability",
    "web.pass_stylesheet": "the download id in the link is the capability",
    "web.pass_image": "the download id in the link is the capability",
    "web.custom_stylesheet": "the download id in the link is the capability",
    "web.custom_javascript": "the download id in the link is the capability",
    "web.unlock_with_pin": "the download id in the link is the capability, the PIN its second factor",
    "web.hosted_image": "Wallet downloads upcoming events' images without credentials; the image's SHA-256 "
                        "in the link is the capability",
    "web.bundle_page": "the signed bundle token in the link is the capability",
    "web.bundle_download": "the signed bundle token in the link is the capability",
    "webservice.updated_serials": "Wallet sends no Authorization here: the device library id is the secret",
    "webservice.log": "Wallet posts its logs without Authorization",
    "webservice.personalize": "Wallet posts the personalization without Authorization",
}

# endpoint -> tables a legitimate anonymous call may write, and why (event_day_counts is
# pass_events' daily roll-up, written by a trigger with each event).
WRITES = {
    "web.download_page": ({"pass_events", "event_day_counts", "public_event_windows"},
                          "records the page view, once per client address and window"),
    "web.download_pkpass": ({"pass_events", "event_day_counts", "passes", "pass_bundles", "webhook_deliveries",
                             "public_event_windows"},
                            "records the download (first_downloaded_at) once per client address and window, "
                            "tells the webhook, caches the signed bundle"),
    "web.bundle_page": ({"pass_events", "event_day_counts", "public_event_windows"},
                        "records the page views, once per client address and window"),
    "web.bundle_download": ({"pass_events", "event_day_counts", "passes", "pass_bundles", "webhook_deliveries",
                             "public_event_windows"},
                            "records the downloads once per client address and window, tells the webhook, "
                            "caches the signed bundles"),
    "web.unlock_with_pin": ({"download_pin_attempts"}, "counts PIN attempts to lock out guessing"),
    "webservice.log": ({"device_log_entries", "device_log_client_windows"},
                       "stores what Wallet logs, and counts the caller's calls for the per-address rate limit"),
}

# Dashboard pages answer a browser that is not signed in with a redirect to the sign-in
# form (and htmx calls and posts with 401): no data either way.
SIGN_IN_PAGE = "/dashboard/login"

# Answers that are signed passes by design, to whoever holds the link (the capability).
SIGNED_DOWNLOADS = {"web.download_pkpass", "web.bundle_download"}

# What an unknown object answers where it is not a 4xx.
UNKNOWN_OBJECT_STATUS = {
    "webservice.updated_serials": 204,  # Apple: "no matching passes" is 204
    "webservice.unregister": 200,  # apple-wallet-protocol.md 1.4.4: DELETE is idempotent
}


@dataclass(frozen=True)
class Route:
    rule: str
    method: str
    endpoint: str
    arguments: tuple[tuple[str, str], ...]  # (name, converter)

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"

    @property
    def public(self) -> bool:
        return self.endpoint in PUBLIC

    @property
    def segment(self) -> str:
        """Which collection's objects the ids come from: "/v2/coupons/<campaign_id>" -> "coupons"."""
        parts = self.rule.strip("/").split("/")
        return parts[1] if parts[0] in ("v1", "v2") and len(parts) > 1 else ""

    @property
    def api(self) -> str:
        """Which credentials the route takes: /v1 and /v2 share Passworks' Basic and Bearer."""
        for prefix, api in (("/v1/", "v2"), ("/v2/", "v2"), ("/api/v3/", "v3"), ("/wallet/", "wallet")):
            if self.rule.startswith(prefix):
                return api
        return "web"

    def path(self, values: dict[str, str]) -> str:
        """The rule with each argument replaced by its value, percent-encoded (a path keeps its slashes)."""
        def fill(match: re.Match[str]) -> str:
            safe = "/" if match.group("converter") == "path" else ""
            return quote(values[match.group("name")], safe=safe)
        return ARGUMENT.sub(fill, self.rule)


def app_routes() -> list[Route]:
    with tempfile.TemporaryDirectory() as folder:  # create_app connects to nothing
        app = create_app({"WALLET_DATABASE_URL": f"sqlite:///{folder}/routes.sqlite3"}, instance_dir=folder)
        rules = list(app.url_map.iter_rules())
    routes = []
    for rule in rules:
        arguments = tuple((m.group("name"), m.group("converter") or "default") for m in ARGUMENT.finditer(rule.rule))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append(Route(rule.rule, method, rule.endpoint, arguments))
    return sorted(routes, key=lambda route: route.id)


def body_reading_endpoints() -> set[str]:
    """Endpoints that parse a request body: the ones worth a huge or deeply nested one."""
    from walletservice.api.v1 import v1_api
    from walletservice.api.v2 import v2_api
    from walletservice.api.v3 import v3_api

    endpoints = {"webservice.register", "webservice.personalize", "webservice.log"}
    for registry in (v1_api, v2_api, v3_api):
        endpoints |= {f"{registry.blueprint.name}.{operation.endpoint}" for operation in registry.operations
                      if operation.json_body or operation.form_body}
    return endpoints
