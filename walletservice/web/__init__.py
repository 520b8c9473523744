"""Customer-facing pages and downloads."""

from walletservice.web.routes import web_blueprint

__all__ = ["web_blueprint"]
