"""Apple's Wallet web service (protocol v1), served under webServiceURL."""

from walletservice.webservice.openapi import webservice_openapi_blueprint
from walletservice.webservice.routes import webservice_blueprint

__all__ = ["webservice_blueprint", "webservice_openapi_blueprint"]
