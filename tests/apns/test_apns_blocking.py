"""BlockingApnsClient: the synchronous facade used by worker threads."""

from __future__ import annotations

import threading

import pytest

from walletservice.apns import BlockingApnsClient, Outcome

from .support import PASS_TYPE_ID, device_token

pytestmark = pytest.mark.timeout(30)


def test_plain_threads_share_one_connection_and_get_results_in_order(simulator, cert_credential, pki) -> None:
    batches = {n: [(device_token(n * 1000 + i), PASS_TYPE_ID) for i in range(50)] for n in range(4)}
    results: dict[int, list] = {}
    with BlockingApnsClient(simulator.url, cert_credential, ca_file=pki.ca_file) as client:

        def work(n: int) -> None:
            results[n] = client.send_batch(batches[n])

        threads = [threading.Thread(target=work, args=(n,)) for n in batches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        connections = client.client.connections_opened

    for n, batch in batches.items():
        assert [r.token for r in results[n]] == [token for token, _ in batch]
        assert all(r.outcome is Outcome.DELIVERED for r in results[n])
    assert connections == 1


def test_batch_mixes_outcomes_per_token(simulator, cert_credential, pki) -> None:
    simulator.mark_bad(device_token(2))
    with BlockingApnsClient(simulator.url, cert_credential, ca_file=pki.ca_file) as client:
        results = client.send_batch([(device_token(i), PASS_TYPE_ID) for i in range(4)])
    assert [r.outcome for r in results] == [
        Outcome.DELIVERED, Outcome.DELIVERED, Outcome.DROP_TOKEN, Outcome.DELIVERED,
    ]


def test_closed_client_refuses_batches_and_closes_twice_quietly(simulator, cert_credential, pki) -> None:
    client = BlockingApnsClient(simulator.url, cert_credential, ca_file=pki.ca_file)
    assert client.send_batch([]) == []
    client.close()
    client.close()
    with pytest.raises(RuntimeError):
        client.send_batch([(device_token(1), PASS_TYPE_ID)])
