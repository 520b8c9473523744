"""Every setting walletservice reads, in one place.

Each setting is a `WALLET_*` environment variable with a type, a default and one
sentence of documentation. `instance/config.py` may override any of them (plain
Python assignments, `WALLET_PUBLIC_URL = "https://..."`), and `create_app()` takes
overrides last. The README's configuration table is generated from SETTINGS by
`flask --app app wallet config-table`.
"""

from __future__ import annotations

import os
import runpy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from walletservice.mail import smtp_url_parts
from walletservice.sms import sms_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_DIR = PROJECT_ROOT / "instance"


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _smtp_url(raw: str) -> str:
    value = raw.strip()
    if value:
        smtp_url_parts(value)  # its error never echoes the value: it may carry the password
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[str], Any]
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("WALLET_DATABASE_URL", None, str,
            "SQLAlchemy database URL. Default: SQLite file `instance/walletservice.sqlite3`. "
            "Production: `postgresql+psycopg://user:pass@host/db`."),
    Setting("WALLET_PUBLIC_URL", "http://127.0.0.1:5000", str,
            "Base URL that iPhones and customers reach (https in production). "
            "`webServiceURL` and download links are built from it."),
    Setting("WALLET_PAGES_URL", "", str,
            "Base URL of a separate origin (e.g. `https://pages.example.com`) for the download pages, "
            "which may run the campaigns' own CSS and JavaScript: when set, pages are served only there "
            "and the API never answers there; empty: pages with campaign code are sandboxed "
            "(docs/security.md, \"Tenant pages and origins\")."),
    Setting("WALLET_CERTS_DIR", str(PROJECT_ROOT / "certs"), str,
            "Folder holding certificates; `dev/` inside it receives the generated development CA."),
    Setting("WALLET_TEAM_IDENTIFIER", "DEVTEAM123", str,
            "Team identifier used for the development Pass Type ID certificate."),
    Setting("WALLET_DEV_PASS_TYPE_IDENTIFIER", "pass.dev.walletservice", str,
            "Pass type identifier of the generated development certificate."),
    Setting("WALLET_DB_POOL_PRE_PING", False, _bool,
            "Test each pooled PostgreSQL connection before use: survives database restarts without "
            "one failed request per connection, at a round trip per request."),
    Setting("WALLET_SECRET_KEY", "", str,
            "Key that encrypts stored private keys and signs links. Required with PostgreSQL: at least "
            "32 characters, the same in every process; on SQLite one is generated into `instance/secret_key`."),
    Setting("WALLET_MAX_WEBSERVICE_BODY_BYTES", 64 * 1024, int,
            "Largest request body accepted on Apple's web service endpoints."),
    Setting("WALLET_MAX_LOG_ENTRIES", 100, int,
            "Most log messages kept from one POST /v1/log call."),
    Setting("WALLET_MAX_LOG_ENTRY_CHARS", 2000, int,
            "Longest device log message kept; longer ones are truncated."),
    Setting("WALLET_DEVICE_LOG_RATE_PER_MINUTE", 60, int,
            "POST /v1/log calls accepted per client address per minute (shared by all processes); more are "
            "answered 429 with Retry-After. 0: no limit."),
    Setting("WALLET_DEVICE_LOG_MAX_ROWS", 200_000, int,
            "Device log messages kept in all; the oldest are deleted first (checked each time min(1,000, a tenth "
            "of this) more are stored, so the table may briefly hold that many more). 0: no cap."),
    Setting("WALLET_PUBLIC_EVENT_WINDOW_SECONDS", 3600, int,
            "A pass's page views and downloads from one client address are recorded (event, webhook, reports) "
            "once per window of this many seconds; the page and file are served every time. 0: record every one."),
    Setting("WALLET_MAX_DEVICES_PER_PASS", 50, int,
            "Devices a pass may be registered on; a new registration beyond this is answered 403 and stored "
            "nowhere (a device already registered may register again). 0: no cap."),
    Setting("WALLET_TRUSTED_PROXY_HOPS", 0, int,
            "Reverse proxies in front of the service that append X-Forwarded-For; the client address (device "
            "log limit, public event windows, logs) is then taken from that header, this many hops back. 0: the connection's "
            "address, and X-Forwarded-For is ignored."),
    Setting("WALLET_MAX_REQUEST_BYTES", 2 * 1024 * 1024, int,
            "Largest request body accepted anywhere (asset uploads included)."),
    Setting("WALLET_LOG_LEVEL", "INFO", str, "Logging level: DEBUG, INFO, WARNING or ERROR."),
    Setting("WALLET_METRICS_TOKEN", "", str,
            "Token `GET /metrics` requires as `Authorization: Bearer ...`; empty leaves it open "
            "(then allow only the Prometheus server at the proxy)."),
    Setting("WALLET_APNS_URL", "https://api.push.apple.com", str,
            "APNs base URL. Wallet pushes work only on production; point it at the simulator for demos."),
    Setting("WALLET_APNS_CA_BUNDLE", "", str,
            "PEM file of CAs to trust for APNs instead of the system ones (the simulator's CA)."),
    Setting("WALLET_APNS_KEY_FILE", "", str,
            "APNs auth key (.p8) for token auth of the configured team's pass types; empty: certificates only."),
    Setting("WALLET_APNS_KEY_ID", "", str, "Key ID of WALLET_APNS_KEY_FILE (10 characters)."),
    Setting("WALLET_APNS_TEAM_ID", "", str, "Team ID that owns WALLET_APNS_KEY_FILE."),
    Setting("WALLET_APNS_CONCURRENCY", 500, int,
            "Most pushes in flight per APNs connection (also capped by the server's stream limit)."),
    Setting("WALLET_GOOGLE_ISSUER_ID", "", str,
            "Google Wallet issuer id (digits, from the Google Pay & Wallet Console); empty: campaigns with "
            "`gwallet_usage` are recorded as failed to sync (docs/google-wallet.md)."),
    Setting("WALLET_GOOGLE_SERVICE_ACCOUNT_FILE", "", str,
            "The issuer's service account key (JSON, as Google Cloud downloads it): it signs save links, and "
            "its `token_uri` is where access tokens are asked for."),
    Setting("WALLET_GOOGLE_API_URL", "https://walletobjects.googleapis.com", str,
            "Google Wallet REST base URL (`/walletobjects/v1/...` is appended); point it at "
            "`wallet google-sim` for demos and tests."),
    Setting("WALLET_GOOGLE_REQUESTS_PER_SECOND", 20, int,
            "Most Google Wallet API requests per second (Google's default per-project quota)."),
    Setting("WALLET_GOOGLE_CALLBACK_KEYS_URL", "https://pay.google.com/gp/m/issuer/keys", str,
            "Where Google publishes the root keys that sign save/delete callbacks (POST /google/callbacks); "
            "fetched at most hourly. Tests point it at their own keys."),
    Setting("WALLET_GOOGLE_RETIRE_OBJECT_MAX_ATTEMPTS", 8, int,
            "Retryable failures (429, 5xx, no connection) of one Google object being set INACTIVE before it is "
            "recorded as failed and skipped; its tries are spaced by the job retry backoff."),
    Setting("WALLET_GOOGLE_RETIREMENT_MAX_REQUEUES", 10, int,
            "Times housekeeping queues a Google retirement again after its job ended with objects left; "
            "then (or after WALLET_GOOGLE_RETIREMENT_MAX_DAYS) it is recorded as failed and its kept old key deleted."),
    Setting("WALLET_GOOGLE_RETIREMENT_MAX_DAYS", 7, int,
            "Age in days after which housekeeping gives up on an unfinished Google retirement whose job ended: "
            "recorded as failed, its objects dropped and its kept copy of an old issuer key deleted."),
    Setting("WALLET_GOOGLE_CA_BUNDLE", "", str,
            "PEM file of CAs to trust for Google's token and REST endpoints instead of the system ones "
            "(the stand-in's CA)."),
    Setting("WALLET_PUSH_BATCH_SIZE", 1000, int, "Deliveries a worker claims at a time."),
    Setting("WALLET_PUSH_LEASE_SECONDS", 60.0, float,
            "How long a claim lasts; work held by a crashed worker is claimed again after it."),
    Setting("WALLET_PUSH_MAX_ATTEMPTS", 5, int,
            "Attempts per delivery on 429, 5xx and connection errors before it is recorded as failed."),
    Setting("WALLET_PUSH_RETRY_BASE_SECONDS", 2.0, float,
            "First retry delay; doubled per attempt (with jitter) up to 15 minutes."),
    Setting("WALLET_JOB_LEASE_SECONDS", 120.0, float,
            "How long a worker holds a background job (merge, bulk update) between chunks; "
            "a crashed worker's job is continued by another after it."),
    Setting("WALLET_JOB_MAX_ATTEMPTS", 5, int,
            "Times a failing chunk of a background job is retried before the job is recorded as failed."),
    Setting("WALLET_JOB_RETRY_BASE_SECONDS", 5.0, float,
            "First retry delay of a failed job chunk; doubled per attempt, with jitter."),
    Setting("WALLET_WEBHOOK_TIMEOUT_SECONDS", 10.0, float,
            "How long the worker waits for a webhook receiver to answer one POST."),
    Setting("WALLET_WEBHOOK_LEASE_MARGIN_SECONDS", 30.0, float,
            "Added to the longest a batch of webhook POSTs can take (a few timeouts) to make a claim's "
            "lease; a crashed worker's claimed webhooks are sent by another after the lease."),
    Setting("WALLET_WEBHOOK_CONCURRENCY", 8, int, "Webhook POSTs a worker has in flight at once."),
    Setting("WALLET_WEBHOOK_MAX_ATTEMPTS", 8, int,
            "Attempts per webhook on 429, 5xx and connection errors before it is recorded as failed."),
    Setting("WALLET_WEBHOOK_RETRY_BASE_SECONDS", 10.0, float,
            "First webhook retry delay; doubled per attempt (with jitter) up to 15 minutes."),
    Setting("WALLET_WEBHOOK_ALLOW_PRIVATE", False, _bool,
            "Let webhook URLs reach loopback, private and link-local addresses (a local receiver "
            "in development); off in production, so an account cannot make the server call inside "
            "its network."),
    Setting("WALLET_IMAGE_FETCH_ALLOWED_HOSTS", "", str,
            "Comma-separated hosts (`*.example.com` for subdomains) that v3 urlToLogo/urlToThumbnail/"
            "urlToBackground may fetch from; empty disables fetching (400)."),
    Setting("WALLET_IMAGE_FETCH_MAX_BYTES", 5 * 1024 * 1024, int, "Largest image fetched from a URL."),
    Setting("WALLET_IMAGE_FETCH_TIMEOUT_SECONDS", 10.0, float,
            "Time limit of an image fetch: for the connection, each read and the whole download."),
    Setting("WALLET_IMAGE_FETCH_ALLOW_PRIVATE", False, _bool,
            "Allow image fetches to private, loopback and link-local addresses (tests, intranets)."),
    Setting("WALLET_SMTP_URL", "", _smtp_url,
            "Mail server for v3 `emailRecipient` sendouts: `smtp://user:pass@host:587` (STARTTLS, required "
            "unless the host is loopback), `smtps://user:pass@host:465` (TLS from the start); empty: no mail "
            "(a template with an email sendout then refuses emailRecipient with 400)."),
    Setting("WALLET_MAIL_FROM", "", str,
            "From address of sendout mails, e.g. `Toy Town <passes@example.com>`; required with WALLET_SMTP_URL."),
    Setting("WALLET_SMTP_TIMEOUT_SECONDS", 20.0, float,
            "Connect and reply timeout of the mail server; a send that times out is retried as a failed job chunk."),
    Setting("WALLET_SMS_URL", "", sms_url,
            "Twilio-compatible API for v3 `phoneRecipient` sendouts, e.g. `https://api.twilio.com` (messages go to "
            "`{url}/2010-04-01/Accounts/{sid}/Messages.json`); https unless the host is loopback. Empty: no SMS (a "
            "template with an SMS sendout then refuses phoneRecipient with 400)."),
    Setting("WALLET_SMS_ACCOUNT_SID", "", str,
            "Account SID for WALLET_SMS_URL (the user name of its HTTP Basic auth and part of the URL)."),
    Setting("WALLET_SMS_AUTH_TOKEN", "", str,
            "Auth token for WALLET_SMS_URL (the password of its HTTP Basic auth); never logged."),
    Setting("WALLET_SMS_FROM", "", str,
            "Sender of sendout text messages: an E.164 number of the account (`+14155550100`) or a sender id "
            "the provider accepts; required with WALLET_SMS_URL."),
    Setting("WALLET_SMS_TIMEOUT_SECONDS", 10.0, float,
            "Connect and read timeout of one SMS request; a send that times out is retried as a failed job chunk."),
    Setting("WALLET_V3_MAX_PAGE_SIZE", 1000, int,
            "Largest pageSize of GET /api/v3/pass (also its default, as Passcreator's)."),
    Setting("WALLET_DOWNLOAD_PIN_UNLOCK_SECONDS", 3600, int,
            "How long a correct download PIN unlocks the pass's page and .pkpass in that browser (cookie)."),
    Setting("WALLET_DOWNLOAD_PIN_MAX_FAILURES", 5, int,
            "Wrong download PINs in a row that lock a pass's PIN form (shared by all processes)."),
    Setting("WALLET_DOWNLOAD_PIN_LOCK_SECONDS", 900, int,
            "How long a locked PIN form refuses every PIN, the correct one included (429); each "
            "later lock without a correct PIN between lasts twice as long, up to a day."),
    Setting("WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES", 5, int,
            "Wrong passwords in a row for one e-mail address that lock the dashboard's sign-in for it "
            "(shared by all processes; the same mechanism as download PINs)."),
    Setting("WALLET_DASHBOARD_SIGN_IN_LOCK_SECONDS", 900, int,
            "How long a locked dashboard sign-in refuses every password for that address, the right one "
            "included (429); each later lock without a right password between lasts twice as long, up to a day."),
    Setting("WALLET_DASHBOARD_SIGN_IN_MAX_FAILURES_PER_ADDRESS", 30, int,
            "Failed dashboard sign-ins from one client address (an IPv6 client's /64; behind proxies, as "
            "WALLET_TRUSTED_PROXY_HOPS reads it) that lock sign-in from it for every e-mail address, for "
            "WALLET_DASHBOARD_SIGN_IN_LOCK_SECONDS doubling as for one address (429); a right password takes back "
            "only its own attempt."),
    Setting("WALLET_DASHBOARD_STALE_DEVICE_MINUTES", 60, int,
            "Minutes after APNs accepted a push for a pass's new version within which a device must fetch it; "
            "a pass not fetched by then is flagged \"stale\" on the dashboard (docs/dashboard.md, \"Stale devices\")."),
    Setting("WALLET_EMBEDDED_APNS_SIMULATOR", True, _bool,
            "`python app.py` only: start a local APNs simulator and push to it, so the whole loop "
            "works with dev certificates. Set false to push to WALLET_APNS_URL."),
    Setting("WALLET_SCHEDULER_LEASE_SECONDS", 30.0, float,
            "Leader lease of the scheduler; another scheduler takes over this long after the leader dies."),
    Setting("WALLET_SCHEDULER_MISFIRE_GRACE_SECONDS", 300, int,
            "A job or schedule that missed its time by less than this (downtime, leader change) still runs; "
            "a schedule due longer than this before a scheduler was up is recorded as missed."),
    Setting("WALLET_SCHEDULE_POLL_SECONDS", 5.0, float,
            "How often the scheduler looks for due schedules: the most a schedule fires late."),
    Setting("WALLET_SCHEDULE_FIRING_THREADS", 4, int,
            "Threads firing due schedules at once on PostgreSQL (each claims its own); SQLite uses one."),
    Setting("WALLET_RELEVANT_DATE_LEAD_SECONDS", 3 * 3600, int,
            "A campaign's passes are merged and pushed this long before its relevant_date."),
    Setting("WALLET_EXPIRY_INTERVAL_SECONDS", 300, int,
            "How often passes whose expiration_date has passed are marked expired and pushed."),
    Setting("WALLET_HOUSEKEEPING_INTERVAL_SECONDS", 3600, int,
            "How often housekeeping runs (prune logs, remove unregistered devices, certificate warnings)."),
    Setting("WALLET_FETCH_EVENTS_FLUSH_SECONDS", 1.0, float,
            "Devices' pass fetches are counted in batches written this often, off the request path; "
            "0 writes each in its request."),
    Setting("WALLET_DEVICE_LOG_RETENTION_DAYS", 30, int, "Device log messages older than this are deleted."),
    Setting("WALLET_JOB_RETENTION_DAYS", 30, int,
            "Finished background jobs (v3 processes, merges, mails) older than this are deleted, with the "
            "data and e-mail addresses their payloads hold; their /process/{id} then answers 404."),
    Setting("WALLET_PASS_REVISIONS_KEPT", 50, int,
            "Versions of each pass kept for GET .../passes/{id}/revisions and restore (the newest ones, "
            "the current one included); older versions are deleted as new ones are written. At least 2."),
    Setting("WALLET_CERTIFICATE_WARNING_DAYS", 30, int,
            "Warn when a signing certificate expires within this many days."),
    Setting("WALLET_WORKER_POLL_SECONDS", 0.5, float, "How long an idle worker waits before looking again."),
    Setting("WALLET_LOOP_STALE_SECONDS", 60.0, float,
            "A worker or scheduler loop whose heartbeat is older than this is stale: `/readyz` answers 503 "
            "while no process runs that loop with a fresh heartbeat (docs/operations.md)."),
)

SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def default_database_url(instance_dir: Path) -> str:
    return f"sqlite:///{instance_dir / 'walletservice.sqlite3'}"


def load_settings(
    environ: dict[str, str] | None = None,
    instance_dir: Path = DEFAULT_INSTANCE_DIR,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Resolve every setting: default < environment < instance/config.py < overrides."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name)
        if raw is None:
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ValueError(f"{setting.name}: {exc}") from None
    values.update(_instance_file_settings(instance_dir))
    values.update(overrides or {})
    if not values["WALLET_DATABASE_URL"]:
        values["WALLET_DATABASE_URL"] = default_database_url(instance_dir)
    values["WALLET_PUBLIC_URL"] = values["WALLET_PUBLIC_URL"].rstrip("/")
    values["WALLET_PAGES_URL"] = _separate_pages_origin(values["WALLET_PAGES_URL"], values["WALLET_PUBLIC_URL"])
    return values


def configured_names(environ: dict[str, str] | None = None, instance_dir: Path = DEFAULT_INSTANCE_DIR) -> set[str]:
    """The settings an operator set (environment or instance/config.py), not left at their default."""
    environ = dict(os.environ if environ is None else environ)
    return {setting.name for setting in SETTINGS if setting.name in environ} | set(_instance_file_settings(instance_dir))


def served_url(host: str, port: int) -> str:
    """The URL of a server listening on host:port, for links when no public URL is configured.
    A wildcard address is not one a browser can open: links use loopback then."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _separate_pages_origin(pages_url: str, public_url: str) -> str:
    """The pages URL without a trailing slash; it must be an origin other than the API's,
    or campaign scripts would share the API's origin after all."""
    pages_url = (pages_url or "").strip().rstrip("/")
    if not pages_url:
        return ""
    pages, public = urlsplit(pages_url), urlsplit(public_url)
    if pages.scheme not in ("http", "https") or not pages.netloc or pages.path:
        raise ValueError(f"WALLET_PAGES_URL: expected scheme://host[:port], got {pages_url!r}")
    if (pages.scheme, pages.netloc.lower()) == (public.scheme, public.netloc.lower()):
        raise ValueError("WALLET_PAGES_URL: must be another origin than WALLET_PUBLIC_URL")
    return pages_url


def _instance_file_settings(instance_dir: Path) -> dict[str, Any]:
    path = instance_dir / "config.py"
    if not path.exists():
        return {}
    namespace = runpy.run_path(str(path))
    return {key: value for key, value in namespace.items() if key.startswith("WALLET_")}


def settings_table_markdown() -> str:
    """The README's configuration table, generated so docs and code cannot drift."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = setting.default
        shown = "(see meaning)" if default in (None, "") else f"`{default}`"
        if setting.name == "WALLET_CERTS_DIR":
            shown = "`certs/`"
        lines.append(f"| `{setting.name}` | {shown} | {setting.doc} |")
    return "\n".join(lines)
