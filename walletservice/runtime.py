"""Long-lived objects built from configuration once per app (not per request)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from walletservice.services.bundles import BundleContext
from walletservice.services.certificates import CertificateStore

WEB_SERVICE_PATH = "/wallet"  # Apple appends /v1/... to webServiceURL


@dataclass(frozen=True)
class Runtime:
    certificates: CertificateStore
    bundles: BundleContext


def install_runtime(app: Flask) -> None:
    certificates = CertificateStore(app.config["WALLET_CERTS_DIR"], app.config["WALLET_SECRET_KEY"])
    web_service_url = app.config["WALLET_PUBLIC_URL"] + WEB_SERVICE_PATH
    app.extensions["walletservice"] = Runtime(certificates, BundleContext(certificates, web_service_url))


def runtime() -> Runtime:
    return current_app.extensions["walletservice"]  # type: ignore[no-any-return]
