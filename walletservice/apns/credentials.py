"""How a client proves who it is to APNs, and the TLS context for it.

Certificate mode is the default: Apple's Wallet docs say pass pushes use "the same
certificate and private key" that signed the pass (digest 3.4). Token mode (an APNs
.p8 key) also works for pass type ids of the key's own team.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from dataclasses import dataclass

from .tokens import ProviderTokenSigner


@dataclass(frozen=True)
class CertificateCredential:
    """A Pass Type ID certificate and its key, used as the TLS client certificate."""

    certificate_pem: bytes
    private_key_pem: bytes

    def __repr__(self) -> str:  # keep the private key out of logs and tracebacks
        return "CertificateCredential(<certificate>, <private key>)"


@dataclass(frozen=True)
class TokenCredential:
    """An APNs auth key: every request carries `authorization: bearer <jwt>`."""

    signer: ProviderTokenSigner


Credential = CertificateCredential | TokenCredential


def build_ssl_context(credential: Credential, *, ca_file: str | None = None) -> ssl.SSLContext:
    """A client TLS context for APNs: TLS 1.2+ (Apple), ALPN h2, optional client cert.

    `ca_file` replaces the system trust store (the simulator's throwaway CA).
    """
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["h2"])
    if isinstance(credential, CertificateCredential):
        load_pem_cert_chain(context, credential.certificate_pem, credential.private_key_pem)
    return context


def load_pem_cert_chain(context: ssl.SSLContext, certificate_pem: bytes, key_pem: bytes) -> None:
    """Load a certificate and key given as bytes (ssl only reads files).

    The files live in a fresh 0700 directory, are created 0600 and are removed
    as soon as OpenSSL has read them.
    """
    with tempfile.TemporaryDirectory(prefix="walletservice-tls-") as directory:
        cert_path = _write_private(os.path.join(directory, "cert.pem"), certificate_pem)
        key_path = _write_private(os.path.join(directory, "key.pem"), key_pem)
        context.load_cert_chain(cert_path, key_path)


def _write_private(path: str, data: bytes) -> str:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return path
