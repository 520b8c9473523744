"""The APNs client alone, no database: the most one worker process could send."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from walletservice.apns import BlockingApnsClient, CertificateCredential, Outcome
from walletservice.services.certificates import dev_certificate_paths


@dataclass(frozen=True)
class ClientAlone:
    pushes: int
    seconds: float
    cpu_seconds: float
    delivered: int

    @property
    def rate(self) -> float:
        return self.pushes / self.seconds


def measure_client_alone(url: str, certs_dir: Path, ca_file: Path, topic: str, pushes: int,
                         concurrency: int) -> ClientAlone:
    """BlockingApnsClient.send_batch in chunks of `concurrency`, as PushWorker._send_group calls it."""
    paths = dev_certificate_paths(certs_dir)
    credential = CertificateCredential(paths.pass_certificate.read_bytes(), paths.pass_private_key.read_bytes())
    tokens = [f"{index:064x}" for index in range(pushes)]
    with BlockingApnsClient(url, credential, ca_file=str(ca_file), max_concurrency=concurrency) as client:
        client.send_batch([(tokens[0], topic)])  # connect first: a worker's connection is long-lived
        delivered = 0
        cpu, start = time.process_time(), time.perf_counter()
        for first in range(0, pushes, concurrency):
            results = client.send_batch([(token, topic) for token in tokens[first:first + concurrency]])
            delivered += sum(result.outcome is Outcome.DELIVERED for result in results)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return ClientAlone(pushes, seconds, cpu, delivered)
