"""APNs HTTP/2 client for Wallet pass-update pushes (pure: no Flask, no SQLAlchemy)."""

from .blocking import BlockingApnsClient
from .client import DEFAULT_EXPIRATION_SECONDS, PAYLOAD, ApnsClient
from .connection import GoAway
from .credentials import CertificateCredential, Credential, TokenCredential, build_ssl_context
from .responses import Outcome, PushResult, classify
from .tokens import ProviderTokenSigner

__all__ = [
    "ApnsClient",
    "BlockingApnsClient",
    "CertificateCredential",
    "Credential",
    "DEFAULT_EXPIRATION_SECONDS",
    "GoAway",
    "Outcome",
    "PAYLOAD",
    "ProviderTokenSigner",
    "PushResult",
    "TokenCredential",
    "build_ssl_context",
    "classify",
]
