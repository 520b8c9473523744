"""POST /google/callbacks: Google Wallet's signed save and delete callbacks."""

from walletservice.google_callbacks.routes import google_callbacks_blueprint

__all__ = ["google_callbacks_blueprint"]
