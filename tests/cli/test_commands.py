"""`flask --app app wallet ...` commands, run through Flask's CLI runner."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import func, select

from walletservice.extensions import db
from walletservice.models import Organization, SigningCertificate
from walletservice.passkit import devcerts
from walletservice.services.organizations import authenticate_api_key


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


def test_dev_certs_writes_ca_and_pass_certificate_once(runner, app, tmp_path):
    app.config["WALLET_CERTS_DIR"] = str(tmp_path / "certs")
    first = runner.invoke(args=["wallet", "dev-certs"])
    assert first.exit_code == 0 and "created" in first.output
    dev = tmp_path / "certs" / "dev"
    before = (dev / "pass-type.pem").read_bytes()
    second = runner.invoke(args=["wallet", "dev-certs"])
    assert "kept existing" in second.output
    assert (dev / "pass-type.pem").read_bytes() == before
    assert oct((dev / "pass-type.key").stat().st_mode & 0o777) == "0o600"
    verify = subprocess.run(
        ["openssl", "verify", "-CAfile", str(dev / "wwdr-ca.pem"), str(dev / "pass-type.pem")],
        capture_output=True, text=True,
    )
    assert verify.returncode == 0, verify.stderr


def test_orgs_create_prints_id_and_working_api_key(runner):
    result = runner.invoke(args=["wallet", "orgs", "create", "Toy Town", "--json"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert set(created) == {"organization_id", "id", "api_key"}  # organization_id as demo --json names it
    assert created["id"] == created["organization_id"]
    assert authenticate_api_key(db.session, created["api_key"]).id == created["organization_id"]


def test_orgs_create_with_empty_name_fails_cleanly(runner):
    result = runner.invoke(args=["wallet", "orgs", "create", "  ", "--json"])
    assert result.exit_code != 0
    assert "name" in result.output
    assert db.session.execute(select(func.count()).select_from(Organization)).scalar_one() == 0


def test_demo_prints_a_pass_the_web_service_serves(runner, client):
    result = runner.invoke(args=["wallet", "demo", "--json"])
    assert result.exit_code == 0, result.output
    demo = json.loads(result.output)
    assert set(demo) >= {"pass_type_identifier", "serial_number", "authentication_token",
                         "web_service_url", "pkpass_url", "api_key"}
    assert demo["web_service_url"] == "https://wallet.example.test/wallet"
    fetched = client.get(f"/wallet/v1/passes/{demo['pass_type_identifier']}/{demo['serial_number']}",
                         headers={"Authorization": f"ApplePass {demo['authentication_token']}"})
    assert fetched.status_code == 200
    download = client.get(demo["pkpass_url"].replace("https://wallet.example.test", ""))
    assert download.status_code == 200
    assert download.mimetype == "application/vnd.apple.pkpass"
    again = json.loads(runner.invoke(args=["wallet", "demo", "--json"]).output)
    assert again["serial_number"] == demo["serial_number"]
    assert again["authentication_token"] == demo["authentication_token"]


def _write_pem_identity(tmp_path: Path, *, valid_days: int = 365, pass_type: bool = True,
                        not_before: dt.datetime | None = None) -> tuple[Path, Path, Path]:
    ca = devcerts.generate_ca("Test WWDR G4")
    if pass_type:
        leaf = devcerts.issue_pass_type_certificate(ca, "pass.com.example.imported", "IMPORTED01",
                                                    valid_days=valid_days, not_before=not_before)
    else:
        leaf = devcerts.issue_server_certificate(ca, ["example.test"])
    paths = (tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "wwdr.pem")
    paths[0].write_bytes(leaf.certificate_pem())
    paths[1].write_bytes(leaf.private_key_pem())
    paths[2].write_bytes(ca.certificate_pem())
    return paths


def test_certs_import_pem_stores_encrypted_key(runner, tmp_path):
    cert, key, wwdr = _write_pem_identity(tmp_path)
    result = runner.invoke(args=["wallet", "certs", "import", "--cert", str(cert), "--key", str(key),
                                 "--wwdr", str(wwdr), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["pass_type_identifier"] == "pass.com.example.imported"
    assert summary["team_identifier"] == "IMPORTED01"
    row = db.session.execute(select(SigningCertificate)).scalar_one()
    assert b"PRIVATE KEY" not in row.private_key_encrypted.encode()


def test_certs_import_p12_with_password(runner, tmp_path):
    ca = devcerts.generate_ca("Test WWDR G4")
    leaf = devcerts.issue_pass_type_certificate(ca, "pass.com.example.p12", "P12TEAM001")
    p12 = pkcs12.serialize_key_and_certificates(
        b"pass", leaf.private_key, leaf.certificate, [ca.certificate],
        serialization.BestAvailableEncryption(b"s3cret"),
    )
    (tmp_path / "pass.p12").write_bytes(p12)
    result = runner.invoke(args=["wallet", "certs", "import", "--p12", str(tmp_path / "pass.p12"),
                                 "--password", "s3cret", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["pass_type_identifier"] == "pass.com.example.p12"
    wrong = runner.invoke(args=["wallet", "certs", "import", "--p12", str(tmp_path / "pass.p12"),
                                "--password", "nope"])
    assert wrong.exit_code != 0


@pytest.mark.parametrize("case", ["expired", "not_pass_type", "wrong_wwdr"])
def test_certs_import_refuses_unusable_certificates(runner, tmp_path, case):
    if case == "expired":
        cert, key, wwdr = _write_pem_identity(
            tmp_path, valid_days=10, not_before=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30))
    else:
        cert, key, wwdr = _write_pem_identity(tmp_path, pass_type=case != "not_pass_type")
    if case == "wrong_wwdr":
        wwdr.write_bytes(devcerts.generate_ca("Some other CA").certificate_pem())
    result = runner.invoke(args=["wallet", "certs", "import", "--cert", str(cert), "--key", str(key),
                                 "--wwdr", str(wwdr)])
    assert result.exit_code != 0
    assert {"expired": "expired", "not_pass_type": "Pass Type ID", "wrong_wwdr": "WWDR"}[case] in result.output
    assert db.session.execute(select(func.count()).select_from(SigningCertificate)).scalar_one() == 0


def test_config_table_lists_every_setting(runner):
    from walletservice.config import SETTINGS

    output = runner.invoke(args=["wallet", "config-table"]).output
    for setting in SETTINGS:
        assert f"`{setting.name}`" in output


def test_pass_format_table_prints_the_table_docs_pass_format_md_ends_with(runner):
    from walletservice.passkit.format_table import DOC_PATH

    output = runner.invoke(args=["wallet", "pass-format-table"]).output

    assert output.startswith("| key | iOS | built | validated | v2 | v3 |")
    assert "| `relevantDates[].startDate` | 18.0 | yes | yes | yes | yes |" in output
    assert DOC_PATH.read_text(encoding="utf-8").endswith(output)
