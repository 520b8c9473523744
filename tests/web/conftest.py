"""The download page is tested through the real API: the integrator's accounts."""

from tests.api.conftest import account, other_account  # noqa: F401  (fixtures)
