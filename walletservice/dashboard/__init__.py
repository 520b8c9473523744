"""The operator dashboard under /dashboard: server-rendered pages over the services
(docs/dashboard.md)."""

from walletservice.dashboard import integrations  # noqa: F401  (its pages join the blueprint)
from walletservice.dashboard import certificate_pages, schedule_pages  # noqa: F401  (as integrations)
from walletservice.dashboard.routes import dashboard_blueprint

__all__ = ["dashboard_blueprint"]
