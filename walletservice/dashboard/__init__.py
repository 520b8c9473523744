"""The operator dashboard under /dashboard: server-rendered pages over the services
(docs/dashboard.md)."""

from walletservice.dashboard import campaign_pages, integrations  # noqa: F401  (their pages join the blueprint)
from walletservice.dashboard.routes import dashboard_blueprint

__all__ = ["dashboard_blueprint"]
