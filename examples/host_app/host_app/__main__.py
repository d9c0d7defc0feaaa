"""``python -m host_app [--port 8000]``: serve the app on the provider ``prorata.toml`` names."""

from __future__ import annotations

import argparse

import uvicorn

from host_app._app import create_app
from prorata import Billing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--assets", default="assets.sqlite3", help="SQLite file of the entitlements")
    args = parser.parse_args()
    with Billing.from_config() as billing:
        uvicorn.run(create_app(billing, args.assets), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
