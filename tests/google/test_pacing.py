"""Requests to Google are spaced to the configured rate (google_wallet.pacing)."""

import pytest

from walletservice.google_wallet.pacing import RequestPacer


def test_requests_are_spaced_evenly_a_little_under_the_rate():
    now, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = RequestPacer(20, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        pacer.wait()
    # 20/s with the timing margin: 1.05 s / 20, so 20 arrivals never fit in one second.
    assert slept == pytest.approx([0.0525] * 4)
    assert now[0] == pytest.approx(100.21)


def test_zero_means_no_limit():
    pacer = RequestPacer(0, sleep=lambda _s: (_ for _ in ()).throw(AssertionError("slept")))
    pacer.wait()
    pacer.wait()


def send_times(oversleeps: list[float], requests: int = 3) -> list[float]:
    """When each of `requests` paced calls at 20/s went, the sleeps overrunning by `oversleeps`."""
    now, sent = [100.0], []
    oversleep = iter(oversleeps)

    def sleep(seconds: float) -> None:
        now[0] += seconds + next(oversleep)

    pacer = RequestPacer(20, clock=lambda: now[0], sleep=sleep)
    for _ in range(requests):
        pacer.wait()
        sent.append(now[0])
    return sent


def test_a_caller_that_wakes_too_late_takes_a_new_slot_instead_of_crowding_the_next():
    # The second caller's slot was 100.0525 but it woke at 100.1325: on that stale slot the third
    # (slot 100.105) would have gone at the same moment. It took a new slot, so they stay apart.
    assert send_times([0.08, 0.0, 0.0]) == pytest.approx([100.0, 100.1325, 100.185])


def test_a_caller_slightly_late_keeps_its_slot():
    # Within the late allowance (20 ms) it sends at once.
    assert send_times([0.015, 0.0]) == pytest.approx([100.0, 100.0675, 100.105])
