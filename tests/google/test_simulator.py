"""The stand-in refuses what Google refuses: foreign assertions, unknown tokens, missing fields."""

from __future__ import annotations

import ssl

import httpx
import pytest

from tests.google.conftest import ISSUER_ID
from walletservice.google_sim.accounts import write_service_account
from walletservice.google_wallet.accounts import load_service_account
from walletservice.google_wallet.client import GoogleApiError, Resource, WalletObjectsClient
from walletservice.google_wallet.credentials import AccessTokens


def wallet_client(google_sim, google_tls, account_file) -> WalletObjectsClient:
    http = httpx.Client(verify=ssl.create_default_context(cafile=str(google_tls.ca_file)), timeout=10)
    return WalletObjectsClient(google_sim.url, AccessTokens(load_service_account(account_file), http), http)


def test_an_assertion_signed_by_another_key_gets_no_token(google_sim, google_tls, tmp_path):
    stranger = tmp_path / "stranger.json"
    write_service_account(stranger, google_sim.token_url)  # same e-mail, a key the stand-in never saw

    with pytest.raises(GoogleApiError, match="invalid_grant"):
        wallet_client(google_sim, google_tls, stranger).get(Resource("generic", "Class", f"{ISSUER_ID}.x"))
    assert google_sim.tokens_issued == 0


def test_an_unknown_bearer_token_is_401(google_sim, google_tls):
    with httpx.Client(verify=ssl.create_default_context(cafile=str(google_tls.ca_file))) as http:
        answer = http.get(f"{google_sim.url}/walletobjects/v1/genericClass/{ISSUER_ID}.x",
                          headers={"Authorization": "Bearer made-up"})
    assert answer.status_code == 401


def test_missing_required_fields_and_foreign_ids_are_400(google_sim, google_tls, service_account_file):
    client = wallet_client(google_sim, google_tls, service_account_file)
    with pytest.raises(GoogleApiError, match="programLogo is required") as refused:
        client.insert(Resource("loyalty", "Class", f"{ISSUER_ID}.c"), {"issuerName": "x", "programName": "y",
                                                                       "reviewStatus": "UNDER_REVIEW"})
    assert (refused.value.status, refused.value.retryable) == (400, False)
    with pytest.raises(GoogleApiError, match="issuer id"):
        client.insert(Resource("generic", "Class", "999.c"), {})


def test_an_object_needs_its_class_and_a_duplicate_insert_is_409(google_sim, google_tls, service_account_file):
    client = wallet_client(google_sim, google_tls, service_account_file)
    body = {"classId": f"{ISSUER_ID}.c", "state": "ACTIVE"}
    with pytest.raises(GoogleApiError) as missing:
        client.insert(Resource("offer", "Object", f"{ISSUER_ID}.o"), body)
    assert missing.value.status == 404
    client.insert(Resource("generic", "Class", f"{ISSUER_ID}.c"), {})
    with pytest.raises(GoogleApiError) as duplicate:
        client.insert(Resource("generic", "Class", f"{ISSUER_ID}.c"), {})
    assert duplicate.value.status == 409


def test_injected_faults_are_retryable_errors(google_sim, google_tls, service_account_file):
    client = wallet_client(google_sim, google_tls, service_account_file)
    google_sim.faults.fail_next(1, 500)
    with pytest.raises(GoogleApiError) as failed:
        client.get(Resource("generic", "Class", f"{ISSUER_ID}.c"))
    assert (failed.value.status, failed.value.retryable) == (500, True)
    assert client.get(Resource("generic", "Class", f"{ISSUER_ID}.c")) is None  # the next one is answered
