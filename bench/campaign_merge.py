"""A campaign merge of 10,000 passes through the background job (POST /v2/generics/{id}/merge).

    .venv/bin/python bench/campaign_merge.py [--passes 10000] [--database sqlite|postgresql] [--chunk 500]

Same fresh database as bench/api_pass_creation.py. Creates the Toy Town campaign through
the API, inserts --passes passes in bulk (each composed from the campaign with its own
member name, as the API would store them), changes a fixed field with PATCH, then:
1. times POST .../merge: the request only writes the job and a held push (202);
2. runs the job to the end with JobWorker.run_until_idle() (chunks of --chunk passes,
   each chunk one transaction and one tag allocation), timing the whole merge;
3. checks every pass shows the new value, kept its own member name, got a new tag, and
   that the push was released. Prints total time and passes/s.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench.api_pass_creation import api_headers, build_app, create_toy_town, database_arguments  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.workers.job_runner import JobWorker  # noqa: E402
from walletservice.models import BackgroundJob, Campaign, Pass, PushRequest  # noqa: E402
from walletservice.models.base import utcnow  # noqa: E402
from walletservice.services import campaign_merge  # noqa: E402
from walletservice.services.pass_content import compose_pass_content  # noqa: E402
from walletservice.services.update_tags import allocate_update_tags  # noqa: E402

INSERT_BATCH = 2_000


def seed_passes(campaign_id: str, count: int) -> None:
    """`count` passes as the API stores them, inserted in batches (the API would take minutes)."""
    with transaction() as session:
        campaign = session.get(Campaign, campaign_id)
        last_tag = allocate_update_tags(session, campaign.pass_type_identifier, count)
        now = utcnow().replace(microsecond=0)
        rows = []
        for number in range(count):
            code = f"{number + 1:07d}"
            values = {"fields": {"member": f"Member {number}", "favorite": "Trucks"},
                      "barcode": {"message": code, "altText": code}}
            rows.append({
                "organization_id": campaign.organization_id, "campaign_id": campaign.id,
                "pass_type_identifier": campaign.pass_type_identifier, "team_identifier": campaign.team_identifier,
                "serial_number": secrets.token_hex(16), "authentication_token": secrets.token_urlsafe(24),
                "certificate_id": campaign.certificate_id, "download_id": secrets.token_urlsafe(24),
                "values": values, "content": compose_pass_content(campaign.design, values),
                "update_tag": last_tag - count + 1 + number, "modified_at": now, "redeem_code": code,
                "redeemed_count": 0,
            })
        for start in range(0, count, INSERT_BATCH):
            session.execute(insert(Pass), rows[start:start + INSERT_BATCH])
        campaign.last_redeem_code = count


def verify(campaign_id: str, job_id: str, count: int, tag_before: int) -> None:
    with transaction(write=False) as session:
        job = session.get(BackgroundJob, job_id)
        push = session.get(PushRequest, job.push_request_id)
        merged = 0
        for content, values, tag in session.execute(
                select(Pass.content, Pass.values, Pass.update_tag).where(Pass.campaign_id == campaign_id)):
            level = next(field for field in content["auxiliaryFields"] if field["key"] == "level")
            member = content["primaryFields"][0]["value"]
            if level["value"] == "Diamond" and member == values["fields"]["member"] and tag > tag_before:
                merged += 1
    print(f"job {job.state}: processed {job.processed}, failed {job.failed}; push {push.state}")
    if (job.state, job.processed, merged) != ("done", count, count) or push.state == "waiting":
        raise SystemExit(f"merge incomplete: {merged} of {count} passes merged")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passes", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=campaign_merge.CHUNK_SIZE)
    database_arguments(parser)
    args = parser.parse_args()
    campaign_merge.CHUNK_SIZE = args.chunk
    with tempfile.TemporaryDirectory(prefix="wallet-bench-") as workdir:
        app = build_app(args, Path(workdir))
        with app.app_context():
            headers = api_headers()
            client = app.test_client()
            campaign_id = create_toy_town(client, headers)
            started = time.perf_counter()
            seed_passes(campaign_id, args.passes)
            print(f"seeded {args.passes} passes in {time.perf_counter() - started:.1f} s")
            client.patch(f"/v2/generics/{campaign_id}", headers=headers, json={"generic": {"auxiliary_fields": [
                {"key": "level", "label": "LEVEL", "value": "Diamond"},
                {"key": "favorite", "label": "FAVORITE TOY", "behaviour": "dynamic"}]}})
            with transaction(write=False) as session:
                tag_before = session.scalar(select(func.max(Pass.update_tag))) or 0

            started = time.perf_counter()
            response = client.post(f"/v2/generics/{campaign_id}/merge", json={"push_message": "New levels!"},
                                   headers=headers)
            request_ms = (time.perf_counter() - started) * 1000
            assert response.status_code == 202, response.get_json()
            started = time.perf_counter()
            JobWorker(app).run_until_idle()
            merge_seconds = time.perf_counter() - started
            verify(campaign_id, response.get_json()["job_id"], args.passes, tag_before)
    print(f"database: {args.database}; chunk {args.chunk}; merge request answered 202 in {request_ms:.1f} ms")
    print(f"merged {args.passes} passes in {merge_seconds:.2f} s: {args.passes / merge_seconds:.0f} passes/s")


if __name__ == "__main__":
    main()
