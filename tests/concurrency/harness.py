"""What the concurrency tests share: requests released together against a real threaded
server, every version of every pass the server writes, and a Wallet device that polls
with If-Modified-Since while the writes run (docs/security.md, Concurrency)."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy import event

from walletservice.models import Pass

STYLES = ("boardingPass", "coupon", "eventTicket", "generic", "storeCard")


def field_value(index: int) -> str:
    return f"v{index:02}"


def fields_set(content: dict[str, Any]) -> int:
    """How many updates this content holds: back fields carrying their update's value."""
    return sum(1 for field in content.get("backFields") or [] if field.get("value") == f"v{field['key'][1:]}")


def style_content(pass_json: dict[str, Any]) -> dict[str, Any]:
    """pass.json's fields dictionary, whatever the style (what Pass.content stores)."""
    return next(pass_json[style] for style in STYLES if style in pass_json)


def at_once(count: int, call: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """call(0..count-1), each in its own thread, released together."""
    barrier = threading.Barrier(count)

    def run(index: int) -> httpx.Response:
        barrier.wait(timeout=30)
        return call(index)
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def client(base_url: str, count: int) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=60,
                        limits=httpx.Limits(max_connections=count, max_keepalive_connections=count))


def no_server_errors(responses: list[httpx.Response]) -> None:
    statuses = sorted(response.status_code for response in responses)
    assert all(status < 500 for status in statuses), \
        (statuses, [response.text[:300] for response in responses if response.status_code >= 500][:2])


@dataclass(frozen=True)
class Target:
    campaign_id: str
    pass_id: str
    pass_type: str
    serial: str
    token: str


@dataclass(frozen=True)
class Version:
    update_tag: int
    modified_at: dt.datetime
    fields: int


class VersionLedger:
    """Every version of every pass written to the database, in the server's own process."""

    def __init__(self) -> None:
        # Per pass, by tag: one transaction may flush its version more than once.
        self.passes: dict[str, dict[int, Version]] = {}
        self._lock = threading.Lock()

    def record(self, _mapper: Any, _connection: Any, pass_: Pass) -> None:
        with self._lock:
            self.passes.setdefault(pass_.id, {})[pass_.update_tag] = Version(
                pass_.update_tag, pass_.modified_at, fields_set(pass_.content))

    def clear(self) -> None:
        with self._lock:
            self.passes.clear()

    def in_order(self, pass_id: str) -> list[Version]:
        return sorted(self.passes.get(pass_id, {}).values(), key=lambda version: version.update_tag)

    def check_last_modified(self) -> None:
        """A later tag never carries an earlier or equal Last-Modified (whole seconds)."""
        for pass_id in list(self.passes):
            by_tag = self.in_order(pass_id)
            for earlier, later in zip(by_tag, by_tag[1:]):
                assert later.modified_at.replace(microsecond=0) > earlier.modified_at.replace(microsecond=0), \
                    f"pass {pass_id}: Last-Modified did not move forward: {earlier} then {later}"

    def check(self, expected_fields: int) -> None:
        """One pass written by single-field updates: each version holds more of them."""
        (pass_id,) = self.passes
        self.check_last_modified()
        by_tag = self.in_order(pass_id)
        for earlier, later in zip(by_tag, by_tag[1:]):
            assert later.fields > earlier.fields, f"a later tag holds fewer updates: {earlier} then {later}"
        assert by_tag[-1].fields == expected_fields


@contextmanager
def listening_ledger() -> Iterator[VersionLedger]:
    ledger = VersionLedger()
    event.listen(Pass, "after_update", ledger.record)
    try:
        yield ledger
    finally:
        event.remove(Pass, "after_update", ledger.record)


class WalletDevice:
    """A Wallet device: registered for the pass, fetching it with If-Modified-Since.
    `growing`: each version holds more updates than the one before (single-field updates)."""

    def __init__(self, http: httpx.Client, target: Target, name: str, *, growing: bool = True) -> None:
        self.http, self.target, self.name, self.growing = http, target, name, growing
        self.held: dict[str, Any] | None = None
        self.last_modified: str | None = None
        self.history: list[tuple[int, str]] = []
        self.errors: list[str] = []

    @property
    def held_fields(self) -> int:
        return -1 if self.held is None else fields_set(self.held)

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"ApplePass {self.target.token}"}

    def register(self) -> None:
        response = self.http.post(
            f"/wallet/v1/devices/{self.name}/registrations/{self.target.pass_type}/{self.target.serial}",
            headers=self._auth, json={"pushToken": "ab" * 32})
        assert response.status_code in (200, 201), response.text

    def fetch(self) -> None:
        headers = dict(self._auth)
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        response = self.http.get(f"/wallet/v1/passes/{self.target.pass_type}/{self.target.serial}", headers=headers)
        if response.status_code == 304:
            return
        if response.status_code != 200:
            self.errors.append(f"{response.status_code} {response.text[:200]}")
            return
        content = style_content(json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("pass.json")))
        last_modified = response.headers["Last-Modified"]
        if self.last_modified and parsedate_to_datetime(last_modified) <= parsedate_to_datetime(self.last_modified):
            self.errors.append(f"Last-Modified went from {self.last_modified} to {last_modified}")
        if self.growing and fields_set(content) < self.held_fields:
            self.errors.append(f"fetched {fields_set(content)} updates after holding {self.held_fields}")
        self.held, self.last_modified = content, last_modified
        self.history.append((fields_set(content), last_modified))

    def poll_until(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.fetch()


@contextmanager
def polling(devices: list[WalletDevice]) -> Iterator[None]:
    """The devices fetch their pass over and over until the block ends."""
    stop = threading.Event()
    pollers = [threading.Thread(target=device.poll_until, args=(stop,)) for device in devices]
    for poller in pollers:
        poller.start()
    try:
        yield
    finally:
        stop.set()
        for poller in pollers:
            poller.join(timeout=30)
