"""Configuration: one table of settings, environment < instance/config.py < overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from walletservice import _sqlalchemy_url
from walletservice.config import configured_names, load_settings, served_url, settings_table_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_configuration_table_matches_the_code():
    assert settings_table_markdown() in README.read_text()


def test_defaults_use_sqlite_in_the_instance_folder(tmp_path):
    settings = load_settings(environ={}, instance_dir=tmp_path)
    assert settings["WALLET_DATABASE_URL"] == f"sqlite:///{tmp_path / 'walletservice.sqlite3'}"


def test_apns_defaults_to_production_where_wallet_pushes_work(tmp_path):
    # Apple: "A push notification for a pass update works only in the production environment".
    settings = load_settings(environ={}, instance_dir=tmp_path)
    assert settings["WALLET_APNS_URL"] == "https://api.push.apple.com"


def test_environment_then_instance_file_then_overrides(tmp_path):
    (tmp_path / "config.py").write_text('WALLET_PUBLIC_URL = "https://from-file.example/"\nOTHER = 1\n')
    environ = {"WALLET_PUBLIC_URL": "https://from-env.example", "WALLET_MAX_LOG_ENTRIES": "7"}
    settings = load_settings(environ=environ, instance_dir=tmp_path)
    assert settings["WALLET_PUBLIC_URL"] == "https://from-file.example"
    assert settings["WALLET_MAX_LOG_ENTRIES"] == 7
    assert "OTHER" not in settings
    overridden = load_settings(environ=environ, instance_dir=tmp_path,
                               overrides={"WALLET_PUBLIC_URL": "https://o.example"})
    assert overridden["WALLET_PUBLIC_URL"] == "https://o.example"


def test_badly_typed_environment_value_names_the_setting(tmp_path):
    with pytest.raises(ValueError, match="WALLET_MAX_LOG_ENTRIES"):
        load_settings(environ={"WALLET_MAX_LOG_ENTRIES": "many"}, instance_dir=tmp_path)


@pytest.mark.parametrize("given, expected", [
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_postgresql_urls_use_psycopg3(given, expected):
    assert _sqlalchemy_url(given) == expected


def test_sqlite_secret_key_is_generated_once_into_instance(tmp_path):
    from walletservice import create_app

    overrides = {"WALLET_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "WALLET_SECRET_KEY": ""}
    first = create_app(overrides, instance_dir=tmp_path / "instance")
    second = create_app(overrides, instance_dir=tmp_path / "instance")
    assert len(first.config["WALLET_SECRET_KEY"]) >= 32
    assert first.config["WALLET_SECRET_KEY"] == second.config["WALLET_SECRET_KEY"]
    assert oct((tmp_path / "instance" / "secret_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("key", ["", "short-key"])
def test_postgresql_refuses_to_start_without_a_long_secret_key(tmp_path, key):
    """Signed links made with an empty or short key could be forged (docs/security.md)."""
    from walletservice import create_app

    overrides = {"WALLET_DATABASE_URL": "postgresql://postgres@127.0.0.1:9/unused", "WALLET_SECRET_KEY": key}
    with pytest.raises(ValueError, match="WALLET_SECRET_KEY: required with PostgreSQL, at least 32"):
        create_app(overrides, instance_dir=tmp_path / "instance")


def test_configured_names_are_the_ones_an_operator_set(tmp_path):
    (tmp_path / "config.py").write_text('WALLET_PAGES_URL = "https://pages.example"\n')
    names = configured_names({"WALLET_PUBLIC_URL": "https://from-env.example", "PATH": "/bin"}, tmp_path)
    assert names == {"WALLET_PUBLIC_URL", "WALLET_PAGES_URL"}
    assert configured_names({}, tmp_path / "missing") == set()


@pytest.mark.parametrize(("host", "port", "expected"), [
    ("127.0.0.1", 8080, "http://127.0.0.1:8080"), ("0.0.0.0", 8080, "http://127.0.0.1:8080"),
    ("::", 5001, "http://127.0.0.1:5001"), ("::1", 5001, "http://[::1]:5001"),
    ("wallet.local", 80, "http://wallet.local:80"),
])
def test_links_name_the_address_served_when_no_public_url_is_set(host, port, expected):
    assert served_url(host, port) == expected
