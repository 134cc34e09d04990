"""Every error the service answers is built here and only here: RFC 9457 problem+json,
or, for a browser asking for a web page, the HTML page the web pages register (SPEC 6:
"the web pages answer a browser with an HTML page that says the same").
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ..observe import REQUEST_ID_KEY
from ..store import StoreError

PROBLEM_TYPE = "about:blank"
MEDIA_TYPE = "application/problem+json"
# What every caller is told when the store fails: the error itself names the database
# URL or file and carries the driver's message, so it goes to the log only (SPEC 6).
STORE_UNAVAILABLE = "the store is unavailable; try again shortly"
STORE_RETRY_AFTER = "5"
_log = logging.getLogger("trendfeed.store")
ERROR_PAGES = "trendfeed.error_pages"  # app.extensions key of the registered ErrorPages
# What a problem answer may be, in the order that wins a tie: a client that takes both
# equally (`*/*`, or no Accept at all: curl, httpx, a feed reader) gets problem+json.
_ANSWER_TYPES = (MEDIA_TYPE, "application/json", "text/html")


@dataclass(frozen=True)
class ErrorPages:
    """How the web pages answer an error to a browser (registered by routes/pages.py):
    `serves()` says whether the current request is one for a web page, `render(status,
    title, detail)` returns the HTML page saying the problem."""

    serves: Callable[[], bool]
    render: Callable[[int, str, str], Response]


def prefers_html() -> bool:
    """The request's Accept ranks text/html above problem+json, as a browser's does
    (`text/html,...,*/*;q=0.8`); `*/*` alone, no Accept and JSON types do not."""
    return request.accept_mimetypes.best_match(_ANSWER_TYPES) == "text/html"


class Problem(HTTPException):
    """Raise from a view to answer a problem: `raise Problem(400, "limit: ...", errors=...)`."""

    def __init__(self, status: int, detail: str, *, title: str | None = None,
                 errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.errors = errors
        self.extra_headers = headers or {}


def problem_response(status: int, detail: str, *, title: str | None = None,
                     errors: dict[str, list[str]] | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _answer(status: int, detail: str, *, title: str | None = None,
            errors: dict[str, list[str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """The problem as problem+json, or as a web page for a browser asking for one. Either
    way never cached (no-store), and varying by Accept where the page is an option."""
    pages: ErrorPages | None = current_app.extensions.get(ERROR_PAGES)
    if pages is None or not pages.serves():
        return problem_response(status, detail, title=title, errors=errors, headers=headers)
    if prefers_html():
        response = pages.render(status, title or HTTPStatus(status).phrase, detail)
        response.headers["Cache-Control"] = "no-store"
        for name, value in (headers or {}).items():
            response.headers[name] = value
    else:
        response = problem_response(status, detail, title=title, errors=errors,
                                    headers=headers)
    response.vary.add("Accept")
    return response


def validation_problem(errors: dict[str, list[str]]) -> Problem:
    detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    return Problem(400, detail, title="Invalid request parameters", errors=errors)


def _http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, Problem):
        return _answer(status, exc.description or "", title=exc.title,
                       errors=exc.errors, headers=exc.extra_headers)
    headers = {}
    valid_methods = getattr(exc, "valid_methods", None)  # MethodNotAllowed
    if valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    detail = exc.description or ""
    if isinstance(exc, InternalServerError):
        detail = "the server failed to answer this request"
    return _answer(status, detail, headers=headers)


def _store_error(exc: StoreError) -> Response:
    _log.error("store unavailable", extra={"fields": {
        "request_id": request.environ.get(REQUEST_ID_KEY), "method": request.method,
        "path": request.path, "error": str(exc)}})
    return _answer(503, STORE_UNAVAILABLE, headers={"Retry-After": STORE_RETRY_AFTER})


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(StoreError, _store_error)
