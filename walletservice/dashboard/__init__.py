"""The operator dashboard under /dashboard: server-rendered pages over the services
(docs/dashboard.md)."""

from walletservice.dashboard import (  # noqa: F401  (their pages join the blueprint)
    campaign_pages,
    certificate_pages,
    integrations,
    schedule_pages,
)
from walletservice.dashboard.routes import dashboard_blueprint

__all__ = ["dashboard_blueprint"]
