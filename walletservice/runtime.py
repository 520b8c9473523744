"""Long-lived objects built from configuration once per app (not per request)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app

from walletservice.services.bundles import BundleContext
from walletservice.services.certificates import CertificateStore

if TYPE_CHECKING:
    from walletservice.workers.fetch_recorder import FetchRecorder

WEB_SERVICE_PATH = "/wallet"  # Apple appends /v1/... to webServiceURL


@dataclass(frozen=True)
class Runtime:
    certificates: CertificateStore
    bundles: BundleContext
    # None: fetches are recorded in the request (WALLET_FETCH_EVENTS_FLUSH_SECONDS = 0).
    fetches: FetchRecorder | None = None


def install_runtime(app: Flask) -> None:
    certificates = CertificateStore(app.config["WALLET_CERTS_DIR"], app.config["WALLET_SECRET_KEY"])
    web_service_url = app.config["WALLET_PUBLIC_URL"] + WEB_SERVICE_PATH
    from walletservice.workers.fetch_recorder import FetchRecorder  # imports the routes, which import us

    flush_seconds = app.config["WALLET_FETCH_EVENTS_FLUSH_SECONDS"]
    fetches = FetchRecorder(app, flush_seconds) if flush_seconds > 0 else None
    images_url = app.config["WALLET_PAGES_URL"] or app.config["WALLET_PUBLIC_URL"]
    bundles = BundleContext(certificates, web_service_url, images_url=images_url)
    app.extensions["walletservice"] = Runtime(certificates, bundles, fetches)


def runtime() -> Runtime:
    return current_app.extensions["walletservice"]  # type: ignore[no-any-return]
