"""Embedded run: `python app.py` serves everything from one process on SQLite.

`flask --app app ...` finds `create_app` here for the CLI commands.
"""

from __future__ import annotations

import argparse

from walletservice import create_app
from walletservice.embedded import run_embedded

__all__ = ["create_app"]


def main() -> None:
    parser = argparse.ArgumentParser(description="Run walletservice (web, worker and scheduler).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    run_embedded(args.host, args.port)


if __name__ == "__main__":
    main()
