"""An APNs simulator (HTTP/2 + TLS on loopback) with fault injection, for tests and benchmarks."""

from .faults import Faults
from .records import PushRecord
from .server import ApnsSimulator, serve_forever

__all__ = ["ApnsSimulator", "Faults", "PushRecord", "serve_forever"]
