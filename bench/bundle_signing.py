"""Bundles signed per second (cold), cached fetches per second, and a bare baseline.

    .venv/bin/python bench/bundle_signing.py [--seconds 5]

All three run in this one process on one core, on the same files:
- bare:   cryptography's PKCS#7 builder + zipfile, no validation, no database;
- cold build: walletservice's build_bundle() for a stored, already loaded pass:
          images (from the per-process asset cache), pass.json built and validated,
          manifest, signature, zip;
- cold fetch: pass_bundle() with both caches emptied first, in its own transaction
          (the above plus storing the bytes in the database cache; SQLite);
- cached fetch: pass_bundle() for an unchanged, already loaded pass (the lookup that
          authenticates the device is common to every path and left out);
- cached fetch from the database cache: a new process's first fetch of a version.
Targets (issue 2): cold build >= 70% of bare; cached fetch >= 5x cold build.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.serialization import pkcs7  # noqa: E402

from tests.factories import BOARDING_DESIGN, make_campaign, make_organization, make_pass  # noqa: E402
from walletservice import create_app  # noqa: E402
from walletservice.db import transaction  # noqa: E402
from walletservice.extensions import db  # noqa: E402
from walletservice.models import PassBundle  # noqa: E402
from walletservice.runtime import runtime  # noqa: E402
from walletservice.services.bundles import build_bundle, pass_bundle  # noqa: E402
from walletservice.services.certificates import ensure_dev_certificates  # noqa: E402


def rate(label: str, seconds: float, action) -> float:  # type: ignore[no-untyped-def]
    action()  # warm up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        action()
        count += 1
    per_second = count / (time.perf_counter() - start)
    print(f"{label:<28} {per_second:10.1f} /s")
    return per_second


def bare_build(files: dict[str, bytes], identity) -> bytes:  # type: ignore[no-untyped-def]
    manifest = json.dumps({name: hashlib.sha1(data).hexdigest() for name, data in files.items()}).encode()
    signature = (
        pkcs7.PKCS7SignatureBuilder().set_data(manifest)
        .add_signer(identity.certificate, identity.private_key, hashes.SHA256())
        .add_certificate(identity.wwdr_certificate)
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**files, "manifest.json": manifest, "signature": signature}.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-bundles-"))
    ensure_dev_certificates(root / "certs", "pass.bench.walletservice", "BENCHTEAM1")
    app = create_app({
        "WALLET_DATABASE_URL": f"sqlite:///{root / 'bench.sqlite3'}", "WALLET_CERTS_DIR": str(root / "certs"),
        "WALLET_PUBLIC_URL": "https://wallet.example.test", "WALLET_SECRET_KEY": "bench-secret-key-not-for-production",
    }, instance_dir=root / "instance")
    with app.app_context():
        db.create_all()
        organization, _ = make_organization()
        pass_ = make_pass(make_campaign(organization, BOARDING_DESIGN))
        session = db.session
        pass_ = session.merge(pass_)
        context = runtime().bundles
        identity = runtime().certificates.dev_signer().identity
        sample = zipfile.ZipFile(io.BytesIO(build_bundle(session, pass_, context)))
        files = {n: sample.read(n) for n in sample.namelist() if n not in ("manifest.json", "signature")}

        def cold_build() -> None:
            build_bundle(session, pass_, context)

        def cold_fetch() -> None:
            with transaction() as s:
                s.query(PassBundle).delete()
                context.signed_cache.clear()
                pass_bundle(s, pass_, context)

        def cached() -> None:
            pass_bundle(session, pass_, context)

        def cached_in_database() -> None:
            context.signed_cache.clear()
            pass_bundle(session, pass_, context)

        print(f"files per bundle: {sorted(files)}; {sum(map(len, files.values()))} bytes")
        bare = rate("bare build (pkcs7+zipfile)", args.seconds, lambda: bare_build(files, identity))
        cold_rate = rate("cold build (service)", args.seconds, cold_build)
        rate("cold fetch (build + cache)", args.seconds, cold_fetch)
        pass_bundle(session, pass_, context)
        cached_rate = rate("cached fetch (service)", args.seconds, cached)
        rate("cached fetch (database copy)", args.seconds, cached_in_database)
        print(f"cold build / bare    = {cold_rate / bare:.2f}  (target >= 0.70)")
        print(f"cached / cold build  = {cached_rate / cold_rate:.1f}x (target >= 5x)")


if __name__ == "__main__":
    main()
