"""The service as `trendfeed serve` ran it before its gevent worker: gunicorn's gthread
worker, 4 threads and 100 connections per worker, the rest of the production settings
unchanged. The benchmark's "before" (bench/workers.py, row b of `python -m bench`),
served on the store that TRENDFEED_DATABASE_URL names."""

from __future__ import annotations

import argparse

from service import create_app
from service.config import Config
from service.serve import run

BEFORE = {"worker_class": "gthread", "threads": 4, "worker_connections": 100}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    config = Config.from_env()
    run(host="127.0.0.1", port=args.port, workers=args.workers,
        load_app=lambda: create_app(config), **BEFORE)


if __name__ == "__main__":
    main()
