"""The ceiling: a minimal Flask app that returns a constant body, served under the very
same gunicorn settings as the service. A cached feed hit cannot beat it; the benchmark
reports the service's figures as fractions of it."""

from __future__ import annotations

import argparse

from flask import Flask, Response

from service.serve import run


def make_app(body_size: int, content_type: str) -> Flask:
    app = Flask(__name__)
    body = (b"<x>" + b"." * max(0, body_size - 7) + b"</x>")[:body_size]

    @app.get("/")
    def constant() -> Response:
        return Response(body, content_type=content_type)

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--body-size", type=int, required=True)
    parser.add_argument("--content-type", default="application/atom+xml; charset=utf-8")
    args = parser.parse_args()
    app = make_app(args.body_size, args.content_type)
    run(host="127.0.0.1", port=args.port, workers=args.workers, load_app=lambda: app)


if __name__ == "__main__":
    main()
