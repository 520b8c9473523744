"""ProviderTokenSigner: Apple's JWT shape and its 20/60-minute renewal window."""

from __future__ import annotations

import threading

import jwt
import pytest

from walletservice.apns import ProviderTokenSigner

from .support import KEY_ID, TEAM_ID, FakeClock

pytestmark = pytest.mark.timeout(30)


def test_token_is_es256_with_kid_header_and_iss_iat_claims(make_signer, pki) -> None:
    clock = FakeClock(1_700_000_000.7)
    token = make_signer(clock).current()
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, pki.auth_public_pem, algorithms=["ES256"], options={"verify_iat": False})
    assert header["alg"] == "ES256" and header["kid"] == KEY_ID
    assert claims == {"iss": TEAM_ID, "iat": 1_700_000_000}


def test_current_token_is_cached_below_50_minutes(make_signer) -> None:
    clock = FakeClock()
    signer = make_signer(clock)
    first = signer.current()
    clock.now += 49 * 60
    assert signer.current() == first


def test_current_token_is_renewed_at_50_minutes(make_signer) -> None:
    clock = FakeClock()
    signer = make_signer(clock)
    first = signer.current()
    clock.now += 50 * 60
    assert signer.current() != first


def test_expired_token_is_not_renewed_within_20_minutes_of_minting(make_signer) -> None:
    # Apple: 429 TooManyProviderTokenUpdates for updates more often than every 20 min.
    clock = FakeClock()
    signer = make_signer(clock)
    first = signer.current()
    clock.now += 19 * 60 + 59
    assert signer.renew_after_expired(first) == first


def test_expired_token_is_renewed_once_after_20_minutes(make_signer) -> None:
    clock = FakeClock()
    signer = make_signer(clock)
    first = signer.current()
    clock.now += 20 * 60
    second = signer.renew_after_expired(first)
    assert second != first
    # A second report about the same rejected token does not mint a third one.
    clock.now += 30 * 60
    assert signer.renew_after_expired(first) == second
    assert signer.current() == second


def test_renewal_reported_by_many_threads_mints_one_token(make_signer) -> None:
    clock = FakeClock()
    signer = make_signer(clock)
    first = signer.current()
    clock.now += 21 * 60
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(signer.renew_after_expired(first))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and results[0] != first


def test_signer_refuses_keys_that_are_not_p256(pki) -> None:
    with pytest.raises(ValueError):
        ProviderTokenSigner(pki.pass_type.private_key_pem(), KEY_ID, TEAM_ID)
