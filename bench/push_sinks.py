"""The APNs stand-ins bench/push_fanout.py pushes to, and h2load for the machine's limit.

* the simulator (walletservice.apns_sim) in its own process: answers like APNs,
  checks the client certificate and topic; Python, so it may be the bottleneck;
* nginx (Debian's nginx-light) with TLS, HTTP/2 and `return 200`: so fast the pipeline
  is measured, not the server;
* h2load (Debian's nghttp2-client) against nginx: what one C client gets out of the
  same sink on the same machine.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = Path(__file__).resolve().parent / "nginx-apns-sink.conf"

_SIMULATOR_MAIN = (
    "import sys; from walletservice.apns_sim.server import serve_forever; "
    "serve_forever('127.0.0.1', int(sys.argv[1]), sys.argv[2], sys.argv[3], "
    "client_ca_file=sys.argv[4], log_pushes=False)"
)


@dataclass
class Sink:
    name: str
    url: str
    process: subprocess.Popen  # type: ignore[type-arg]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass(frozen=True)
class H2loadResult:
    command: str
    requests_per_second: float
    seconds: float
    succeeded: int
    failed: int
    status_2xx: int


def missing_tools() -> list[str]:
    """What to install before running, as apt-get lines (empty when all is there)."""
    needed = {"nginx": "nginx-light", "h2load": "nghttp2-client"}
    return [f"sudo apt-get install -y {package}   # provides {tool}"
            for tool, package in needed.items() if shutil.which(tool) is None]


def system_nginx_running() -> bool:
    """A system nginx does not conflict (we use our own port), but it steals CPU."""
    return subprocess.run(["pgrep", "-x", "nginx"], capture_output=True).returncode == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 20) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port} after {seconds:g} s:\n{log.read_text()[-3000:]}")


def start_simulator(workdir: Path, cert: Path, key: Path, client_ca: Path) -> Sink:
    port = free_port()
    log = workdir / "simulator.log"
    process = subprocess.Popen(
        [sys.executable, "-c", _SIMULATOR_MAIN, str(port), str(cert), str(key), str(client_ca)],
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    wait_for_port(port, process, log)
    return Sink("simulator", f"https://127.0.0.1:{port}", process, log)


def start_nginx(workdir: Path, cert: Path, key: Path, client_ca: Path) -> Sink:
    port = free_port()
    directory = workdir / "nginx"
    (directory / "client-body").mkdir(parents=True, exist_ok=True)
    config = NGINX_TEMPLATE.read_text()
    for name, value in {"WORKDIR": directory, "PORT": port, "CERT": cert, "KEY": key, "CLIENT_CA": client_ca}.items():
        config = config.replace(f"@{name}@", str(value))
    config_file = directory / "nginx.conf"
    config_file.write_text(config)
    log = directory / "nginx-stderr.log"
    command = ["nginx", "-p", str(directory), "-c", str(config_file), "-g", "daemon off;"]
    subprocess.run([*command, "-t", "-q"], check=True, stderr=subprocess.STDOUT)
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    wait_for_port(port, process, log)
    return Sink("nginx", f"https://127.0.0.1:{port}", process, log)


def nginx_worker_pids(sink: Sink) -> list[int]:
    """nginx's master forks the worker that does the work; count both."""
    found = subprocess.run(["pgrep", "-P", str(sink.pid)], capture_output=True, text=True).stdout.split()
    return [sink.pid, *map(int, found)]


def stop_sink(sink: Sink) -> str:
    """Stop the sink; returns the simulator's closing line (its push count), if any."""
    if sink.process.poll() is None:
        # The simulator stops on Ctrl-C and logs its count; nginx's SIGINT is a fast stop.
        sink.process.send_signal(signal.SIGINT)
        try:
            sink.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            sink.process.kill()
            sink.process.wait()
    found = re.findall(r"stopping; (\d+) pushes received", sink.log.read_text())
    return found[-1] if found else ""


def run_h2load(sink: Sink, workdir: Path, topic: str, requests: int, connections: int, streams: int) -> H2loadResult:
    payload = workdir / "payload.json"
    payload.write_text("{}")
    token = "ab" * 32
    command = [
        "h2load", "-n", str(requests), "-c", str(connections), "-t", str(connections), "-m", str(streams),
        f"--data={payload}", "-H", f"apns-topic: {topic}", "-H", "apns-priority: 10",
        f"{sink.url}/3/device/{token}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finished = re.search(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s", output)
    counts = re.search(r"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed", output)
    statuses = re.search(r"status codes: (\d+) 2xx", output)
    if not (finished and counts and statuses):
        raise SystemExit(f"could not read h2load's output:\n{output}")
    seconds = float(finished.group(1)) / (1000 if finished.group(2) == "ms" else 1)
    return H2loadResult(
        command=" ".join(command[:-1] + ["https://127.0.0.1:PORT/3/device/<token>"]),
        requests_per_second=float(finished.group(3)), seconds=seconds,
        succeeded=int(counts.group(1)), failed=int(counts.group(2)), status_2xx=int(statuses.group(1)),
    )
