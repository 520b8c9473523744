"""A local Google Wallet stand-in (OAuth token endpoint + walletobjects REST subset, TLS on
loopback) with fault injection, for tests, demos and benchmarks; never Google itself."""

from .accounts import write_service_account
from .server import GoogleWalletSimulator, RequestRecord

__all__ = ["GoogleWalletSimulator", "RequestRecord", "write_service_account"]
