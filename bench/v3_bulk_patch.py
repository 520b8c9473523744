"""A Passcreator v3 bulk PATCH of 10,000 passes, followed through /api/v3/process/{id}.

    .venv/bin/python bench/v3_bulk_patch.py [--passes 10000] [--database sqlite|postgresql] [--chunk 500]
        [--database-name walletservice_bench_v3]

Same fresh database and Toy Town campaign as bench/campaign_merge.py (its dynamic fields
are the v3 additional properties), seeded with --passes passes. Then:
1. PATCH /api/v3/pass/bulk with a query selecting every pass (favorite equals Trucks)
   and data {"favorite": "Dolls", "expirationDate": "2055-12-31 00:00"}: answered 202;
2. a job worker thread runs the job in chunks of --chunk passes (each chunk one
   transaction and one push request) while the client polls the process URL;
3. timed until the process says done; then checks every pass changed and got a new tag.
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

from sqlalchemy import func, select  # noqa: E402

from bench.api_pass_creation import api_headers, build_app, create_toy_town, database_arguments  # noqa: E402
from bench.campaign_merge import seed_passes  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.workers.job_runner import JobWorker  # noqa: E402
from walletservice.models import Pass, PushRequest  # noqa: E402
from walletservice.services.passcreator import jobs as v3_jobs  # noqa: E402

BODY = {"data": {"favorite": "Dolls", "expirationDate": "2055-12-31 00:00"},
        "filter": {"query": {"groups": [[{"field": "favorite", "operator": "equals", "value": ["Trucks"]}]]}}}


def follow(client, headers, process_path: str, poll_seconds: float = 0.2) -> dict:  # type: ignore[no-untyped-def]
    while True:
        process = client.get(process_path, headers=headers).get_json()["data"]
        if process["status"] in ("done", "failed"):
            return process
        time.sleep(poll_seconds)


def verify(count: int, tag_before: int) -> None:
    with transaction(write=False) as session:
        changed = session.scalar(select(func.count()).select_from(Pass).where(
            Pass.update_tag > tag_before, Pass.content["expirationDate"].as_string() == "2055-12-31T00:00:00Z"))
        pushes = session.scalar(select(func.count()).select_from(PushRequest))
    print(f"passes changed: {changed} of {count}; push requests queued: {pushes}")
    if changed != count:
        raise SystemExit("bulk update incomplete")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passes", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=v3_jobs.CHUNK_SIZE)
    database_arguments(parser)
    parser.set_defaults(database_name="walletservice_bench_v3")
    args = parser.parse_args()
    v3_jobs.CHUNK_SIZE = args.chunk
    with tempfile.TemporaryDirectory(prefix="wallet-bench-") as workdir:
        app = build_app(args, Path(workdir))
        with app.app_context():
            v2_headers = api_headers()
            client = app.test_client()
            campaign_id = create_toy_town(client, v2_headers)
            seed_passes(campaign_id, args.passes)
            with transaction(write=False) as session:
                tag_before = session.scalar(select(func.max(Pass.update_tag))) or 0
        headers = {"Authorization": v2_headers["Authorization"].removeprefix("Bearer ")}  # Passcreator's form
        stop = threading.Event()
        worker = threading.Thread(target=JobWorker(app).run, args=(stop,), daemon=True)
        with app.app_context():
            started = time.perf_counter()
            response = client.patch("/api/v3/pass/bulk", json=BODY, headers=headers)
            request_ms = (time.perf_counter() - started) * 1000
            assert response.status_code == 202, response.get_json()
            worker.start()
            process_path = "/api/v3" + response.get_json()["data"]["process"].split("/api/v3", 1)[1]
            process = follow(client, headers, process_path)
            seconds = time.perf_counter() - started
            stop.set()
            worker.join()
            print(f"process {process['status']}: total {process['total']}, processed {process['processed']}, "
                  f"failed {process['failed']}")
            verify(args.passes, tag_before)
    print(f"database: {args.database}; chunk {args.chunk}; bulk PATCH answered 202 in {request_ms:.1f} ms")
    print(f"{args.passes} passes updated in {seconds:.2f} s through the process endpoint: "
          f"{args.passes / seconds:.0f} passes/s")


if __name__ == "__main__":
    main()
