"""Operator endpoints: /healthz (liveness), /readyz (readiness) and /metrics (Prometheus)."""

from walletservice.operations.routes import operations_blueprint

__all__ = ["operations_blueprint"]
