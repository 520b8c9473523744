"""Certificates for running the simulator locally: its own CA and a server certificate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from walletservice.passkit import devcerts


@dataclass(frozen=True)
class SimulatorFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path


def ensure_simulator_certificates(directory: Path, host: str = "127.0.0.1") -> SimulatorFiles:
    """Write a CA and a TLS certificate for `host` into `directory` unless present."""
    files = SimulatorFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    if all(path.exists() for path in (files.ca_file, files.cert_file, files.key_file)):
        return files
    directory.mkdir(parents=True, exist_ok=True)
    ca = devcerts.generate_ca("walletservice APNs simulator CA")
    server = devcerts.issue_server_certificate(ca, sorted({host, "127.0.0.1", "localhost"}))
    files.ca_file.write_bytes(ca.certificate_pem())
    files.cert_file.write_bytes(server.certificate_pem())
    files.key_file.touch(mode=0o600)
    files.key_file.write_bytes(server.private_key_pem())
    return files
