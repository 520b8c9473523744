"""10,000 pass updates synced to Google Wallet (the local stand-in) at the configured rate.

    .venv/bin/python bench/google_sync.py [--passes 10000] [--rate 20] [--workers 2] [--database sqlite|postgresql]

Builds a fresh database (as bench/api_pass_creation.py), creates the Toy Town campaign,
inserts --passes passes and records them as already held by Google (class and objects
in the stand-in, sync state rows), then turns on gwallet_usage and merges a changed
field into every pass (POST .../merge): every pass changes, and each change queues its
Google sync in the same transaction. --workers job workers (threads of this process)
run the merge and the syncs until no job is open. The figures come from the stand-in's
request log: object PATCHes seen, the span from the first to the last request, the mean
rate and the most requests in any one second, against WALLET_GOOGLE_REQUESTS_PER_SECOND.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.api_pass_creation import api_headers, build_app, create_toy_town, database_arguments  # noqa: E402
from bench.campaign_merge import seed_passes  # noqa: E402
from walletservice.apns_sim.local import ensure_simulator_certificates  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.google_sim import GoogleWalletSimulator, write_service_account  # noqa: E402
from walletservice.google_sim.accounts import SIM_CLIENT_EMAIL  # noqa: E402
from walletservice.models import BackgroundJob, Campaign, GoogleWalletObject, Pass  # noqa: E402
from walletservice.services import google_sync  # noqa: E402
from walletservice.workers.job_runner import JobWorker  # noqa: E402

ISSUER_ID = "3388000000000000042"


def most_in_one_second(times: list[float]) -> int:
    times, most, start = sorted(times), 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def held_by_google(simulator: GoogleWalletSimulator, campaign_id: str) -> None:
    """Record every pass as already synced: the stand-in holds class and objects, we hold their tags."""
    class_id = google_sync.class_id(ISSUER_ID, campaign_id)
    simulator.resources[("genericClass", class_id)] = {"id": class_id}
    title = {"defaultValue": {"language": "en", "value": "Toy Town"}}
    with transaction() as session:
        passes = session.execute(select(Pass.id, Pass.update_tag).where(Pass.campaign_id == campaign_id)).all()
        session.execute(insert(GoogleWalletObject), [
            {"pass_id": pass_id, "synced_tag": tag, "unnotified_messages": 0} for pass_id, tag in passes])
        for pass_id, _tag in passes:
            object_id = google_sync.object_id(ISSUER_ID, pass_id)
            simulator.resources[("genericObject", object_id)] = {
                "id": object_id, "classId": class_id, "cardTitle": title, "header": title}
        google_sync.set_sync_status(session, campaign_id, google_sync.SYNC_DONE)
        campaign = session.get(Campaign, campaign_id)
        campaign.settings = {**(campaign.settings or {}), google_sync.USAGE_SETTING: True}


def open_jobs() -> int:
    with transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(BackgroundJob)
                              .where(BackgroundJob.state.in_(("queued", "running")))) or 0


def run_workers(app, count: int) -> None:  # type: ignore[no-untyped-def]
    def work() -> None:
        worker = JobWorker(app)
        with app.app_context():
            while True:
                worker.run_until_idle()
                if not open_jobs():
                    return
                time.sleep(0.2)  # a retry waiting for its delay
    if count == 1:  # in this thread, so a profiler sees it
        work()
        return
    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passes", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=20, help="WALLET_GOOGLE_REQUESTS_PER_SECOND")
    parser.add_argument("--workers", type=int, default=2)
    database_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wallet-bench-") as workdir:
        app = build_app(args, Path(workdir))
        tls = ensure_simulator_certificates(Path(workdir) / "google-tls")
        simulator = GoogleWalletSimulator(str(tls.cert_file), str(tls.key_file), accounts={}, issuer_id=ISSUER_ID)
        account_file = Path(workdir) / "service-account.json"
        simulator.accounts[SIM_CLIENT_EMAIL] = write_service_account(account_file, simulator.token_url)
        app.config.update({
            "WALLET_GOOGLE_ISSUER_ID": ISSUER_ID, "WALLET_GOOGLE_SERVICE_ACCOUNT_FILE": str(account_file),
            "WALLET_GOOGLE_API_URL": simulator.url, "WALLET_GOOGLE_CA_BUNDLE": str(tls.ca_file),
            "WALLET_GOOGLE_REQUESTS_PER_SECOND": args.rate,
        })
        with simulator, app.app_context():
            headers = api_headers()
            client = app.test_client()
            campaign_id = create_toy_town(client, headers)
            seed_passes(campaign_id, args.passes)
            held_by_google(simulator, campaign_id)
            client.patch(f"/v2/generics/{campaign_id}", headers=headers, json={"generic": {"auxiliary_fields": [
                {"key": "level", "label": "LEVEL", "value": "Diamond"},
                {"key": "favorite", "label": "FAVORITE TOY", "behaviour": "dynamic"}]}})
            response = client.post(f"/v2/generics/{campaign_id}/merge", headers=headers)
            assert response.status_code == 202, response.get_json()
            started = time.perf_counter()
            run_workers(app, args.workers)
            elapsed = time.perf_counter() - started
    patches = simulator.requests("PATCH", "genericObject")
    times = [record.at for record in simulator.records]
    span = max(times) - min(times)
    statuses = sorted({record.status for record in simulator.records})
    print(f"database {args.database}; {args.workers} workers; configured {args.rate} requests/s")
    print(f"{len(patches)} object PATCHes for {args.passes} passes; {len(times)} requests in all, answered {statuses}")
    print(f"synced in {elapsed:.1f} s; requests span {span:.1f} s: mean {(len(times) - 1) / span:.2f}/s, "
          f"most in any one second {most_in_one_second(times)}")
    if len(patches) != args.passes or statuses != [200]:
        raise SystemExit("not every pass was patched exactly once")


if __name__ == "__main__":
    main()
