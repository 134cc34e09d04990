"""REST API v1 (SPEC section 6): papers, snapshots, status and ingest over HTTP.

A view has one success response; everything else is a Problem raised from here and
rendered by http/problems.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for

from ..health import PRIVATE_ERRORS, source_health
from ..http.args import IngestArgs, PapersArgs, SnapshotsArgs, load
from ..http.caching import Rendered, cache, cached, json_body, request_base
from ..http.pagination import MAX_ID, Cursor, decode
from ..http.problems import Problem, validation_problem
from ..ingest import MAX_INPUT_BYTES, ingest_bytes, utcnow
from ..listing import Listing, sort_keys
from ..model import SourceState
from ..represent import history_dict, paper_dict, rfc3339, snapshot_dict
from ..sources import InvalidEntries, SourceError, TooManyPapers
from ..store import UndoError
from . import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")
INGEST_TYPES = {"text/plain": "text", "application/json": "hf-json"}


def _next_link(path: str, params: dict[str, Any], cursor: str) -> str:
    query = urlencode({**{k: v for k, v in params.items() if v is not None}, "cursor": cursor})
    return f'<{request_base()}{path}?{query}>; rel="next"'


def _page(items: list[Any], total: int, next_cursor: str | None, path: str,
          params: dict[str, Any]) -> Rendered:
    headers = (("Link", _next_link(path, params, next_cursor)),) if next_cursor else ()
    return json_body({"items": items, "next_cursor": next_cursor, "total": total}, headers)


@bp.get("/papers")
def papers() -> Response:
    args = load(PapersArgs())
    listing = Listing(args["q"], args["scope"], args["sort"], args["published_after"])
    what = {"q": args["q"].canonical(), "scope": listing.scope, "sort": listing.effective_sort}
    if listing.published_after is not None:
        what["published_after"] = rfc3339(listing.published_after)
    if args["cursor"]:
        cursor = decode(args["cursor"], what)
        try:
            after: list[int] | None = sort_keys(listing.effective_sort, cursor.after)
            if (cursor.data_version is None) == listing.order_moves:
                raise ValueError("a data version is in exactly the cursors of such walks")
        except ValueError:
            raise validation_problem({"cursor": ["is not a cursor this service issued"]}) \
                from None
        snapshot_id = cursor.snapshot_id
    else:
        snapshot_id, after = services().store.latest_snapshot_id(), None
    key = (tuple(what.items()), args["limit"], args["cursor"])
    began = cursor.data_version if args["cursor"] else None
    return cached(key, lambda: _papers_page(listing, args["limit"], what, snapshot_id, after,
                                            began))


def _gone(why: str, short: str) -> Problem:
    """The 410 of a walk that cannot go on: start it again without a cursor."""
    return Problem(410, f"cursor: {why}; start again without a cursor",
                   errors={"cursor": [f"{short}; start the walk again"]})


def _papers_page(listing: Listing, limit: int, what: dict[str, Any], snapshot_id: int | None,
                 after: list[int] | None, began: int | None) -> Rendered:
    store = services().store
    version = store.data_state().version if listing.order_moves else None
    if after is not None and snapshot_id is not None and store.snapshot(snapshot_id) is None:
        # Undone since the walk began: its ranks are gone, so the walk could neither go
        # on in its order nor tell what it has already given (it repeated or stopped).
        raise _gone("the list this walk is pinned to was undone since it began",
                    "its list was undone")
    if after is not None and listing.order_moves and began != version:
        # Ordered by counts that every list rewrites: a list ingested since would repeat
        # a paper or skip one (no pinned list can hold the order still).
        raise _gone("the upvotes this walk is ordered by have changed since it began (a "
                    "list was ingested or undone)", "the upvotes changed")
    pinned = snapshot_id if snapshot_id is not None else -1
    rows = store.page(listing, limit=limit + 1, after=after, snapshot_id=pinned)
    total = store.count(listing, snapshot_id=pinned)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = Cursor(what, snapshot_id, rows[-1][1], version).encode()
    params = {"q": what["q"] or None, "scope": listing.scope, "sort": what["sort"],
              "published_after": what.get("published_after"), "limit": limit}
    return _page([paper_dict(p) for p, _ in rows], total, next_cursor, "/api/v1/papers",
                 params)


@bp.get("/papers/<path:paper_id>", merge_slashes=False)
def paper(paper_id: str) -> Response:
    """A paper by its id or its arXiv id: the same representation (its id inside)."""
    return cached(paper_id, lambda: _paper_body(paper_id))


def _paper_body(paper_ref: str) -> Rendered:
    store = services().store
    found = store.paper(paper_ref)
    if found is None:
        raise Problem(404, f"no paper with id {paper_ref[:200]!r}", errors={"id": ["unknown"]})
    body = paper_dict(found)
    body["history"] = [history_dict(h) for h in store.history(found.id)]
    return json_body(body)


@bp.get("/snapshots")
def snapshots() -> Response:
    args = load(SnapshotsArgs())
    before = None
    if args["cursor"]:
        cursor = decode(args["cursor"], {"resource": "snapshots"})
        if len(cursor.after) != 1 or type(cursor.after[0]) is not int or \
                not 0 < cursor.after[0] <= MAX_ID:
            raise validation_problem({"cursor": ["is not a cursor this service issued"]})
        before = cursor.after[0]
    return cached((args["limit"], before), lambda: _snapshots_page(args["limit"], before))


def _snapshots_page(limit: int, before: int | None) -> Rendered:
    store = services().store
    found = store.snapshots(limit=limit + 1, before=before)
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        next_cursor = Cursor({"resource": "snapshots"}, None, [found[-1].id]).encode()
    return _page([snapshot_dict(s) for s in found], store.count_snapshots(), next_cursor,
                 "/api/v1/snapshots", {"limit": limit})


@bp.get("/snapshots/<snapshot_ref>")
def snapshot(snapshot_ref: str) -> Response:
    return cached(snapshot_ref, lambda: _snapshot_body(snapshot_ref))


def _snapshot_body(snapshot_ref: str) -> Rendered:
    store = services().store
    if snapshot_ref == "latest":
        found = store.latest_snapshot()
    elif snapshot_ref.isascii() and snapshot_ref.isdigit() and int(snapshot_ref) <= MAX_ID:
        found = store.snapshot(int(snapshot_ref))
    else:
        found = None
    if found is None:
        raise Problem(404, f"no snapshot {snapshot_ref[:200]!r} (use an id or 'latest')",
                      errors={"id": ["unknown"]})
    body = snapshot_dict(found)
    body["entries"] = [{"rank": rank, "paper": paper_dict(p)}
                       for rank, p in store.snapshot_entries(found.id)]
    return json_body(body)


def authenticated() -> bool:
    """The request carries `Authorization: Bearer $TRENDFEED_INGEST_TOKEN` (never true
    when the server has no token)."""
    token = services().config.ingest_token
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(
        credentials.strip().encode("utf-8", "replace"), token.encode())


def _authorize() -> None:
    """Writes need the bearer token. One answer for every caller without it, so that
    nobody learns whether writes are enabled at all."""
    if not authenticated():
        raise Problem(401, "writes need 'Authorization: Bearer <TRENDFEED_INGEST_TOKEN>'",
                      headers={"WWW-Authenticate": "Bearer"})


def _body() -> bytes:
    """The request body, at most MAX_INPUT_BYTES; more is a 413. Read from the server's
    input stream itself: for a chunked body (no Content-Length) Werkzeug's limited stream
    would stop at the limit without saying so, and a cut list would be ingested."""
    stream = request.environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_INPUT_BYTES:
        chunk = stream.read(min(1 << 20, MAX_INPUT_BYTES + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise Problem(413, f"the body is over {MAX_INPUT_BYTES // (1024 * 1024)} MiB")


@bp.post("/snapshots")
def ingest() -> tuple[Response, int, dict[str, str]]:
    svc = services()
    _authorize()
    args = load(IngestArgs())
    media_type = request.mimetype
    if media_type not in INGEST_TYPES:
        raise Problem(415, f"send the list as text/plain or application/json, not "
                      f"{media_type or 'an untyped body'!r}")
    fmt = args["format"] if args["format"] != "auto" else INGEST_TYPES[media_type]
    try:
        result = ingest_bytes(svc.store, _body(), source="api", format=fmt,
                              list_date=args["date"], max_papers=svc.config.max_papers,
                              skip_invalid=args["skip_invalid"])
    except TooManyPapers as exc:  # too large rather than malformed: split the list
        raise Problem(413, str(exc), errors={"body": [str(exc)]}) from None
    except InvalidEntries as exc:  # every invalid entry named, one message each
        if not args["skip_invalid"]:  # (with it: every entry is invalid)
            exc = exc.hinted("?skip_invalid=true applies the list without them")
        raise Problem(400, f"body: {exc}", title="Invalid request parameters",
                      errors={"body": [str(exc)] + [str(e) for e in exc.entries[1:]]}) from None
    except SourceError as exc:
        if exc.name == "--date":  # the parameter, not the body
            raise validation_problem({"date": [exc.message]}) from None
        raise validation_problem({"body": [str(exc)]}) from None
    if not result.unchanged:
        cache().invalidate()
    status = 200 if result.unchanged else 201
    location = url_for("api.snapshot", snapshot_ref=str(result.snapshot.id))
    body = {**snapshot_dict(result.snapshot), "unchanged": result.unchanged,
            "updated_count": result.updated_count, "summary": result.summary(),
            "skipped": [e.as_dict() for e in result.skipped],
            "warnings": list(result.warnings)}
    return jsonify(body), status, {"Location": location}


@bp.delete("/snapshots/<snapshot_ref>")
def undo(snapshot_ref: str) -> Response:
    """Undo the latest ingest: the store becomes what it was before it. Only `latest` can
    be deleted (an older snapshot has later ones built on it)."""
    _authorize()
    if snapshot_ref != "latest":
        raise Problem(404, "only the latest snapshot can be deleted: DELETE "
                      "/api/v1/snapshots/latest", errors={"snapshot_ref": ["must be 'latest'"]})
    try:
        removed = services().store.undo_latest()
    except UndoError as exc:
        raise Problem(409, str(exc)) from None
    cache().invalidate()
    latest = services().store.latest_snapshot()
    return jsonify(removed=snapshot_dict(removed),
                   latest_snapshot=snapshot_dict(latest) if latest else None)


def _source_status(url: str, interval: int, state: SourceState | None,
                   details: bool) -> dict[str, Any]:
    """The upstream's health as the refresher last recorded it, "degraded" also when its
    next attempt is overdue by more than an interval (a stalled or dead refresher).
    Without `details` (an anonymous caller, unless configured public) the source URL,
    the refresher's host, and any error text that could name the source, the store or
    a driver are left out; the kind of failure and the times are always shown."""
    def moment(value: dt.datetime | None) -> str | None:
        return rfc3339(value) if value else None

    health, late = source_health(url, state, interval, utcnow())
    found = state if health not in ("off", "never") else None
    error = found.last_error if found else None
    if found is not None and not details:
        error = error.replace(url, "<source>") if error else None
        if found.last_outcome in PRIVATE_ERRORS:  # a store's or a program's own words
            error = f"the attempt failed ({found.last_outcome}): details for token holders"
        found = dataclasses.replace(found, holder=None)
    return {"url": (url or None) if details else None, "refresh_interval": interval,
            "health": health, "overdue": late,
            "last_attempt": moment(found.last_attempt) if found else None,
            "last_success": moment(found.last_success) if found else None,
            "last_outcome": found.last_outcome if found else None,
            "last_error": error,
            "last_error_at": moment(found.last_error_at) if found else None,
            "next_attempt": moment(found.next_attempt) if found else None,
            "failures": found.failures if found else 0,
            "refresher": found.holder if found else None,
            # the last list applied (or found unchanged): its entries left out, its fields
            # dropped (SPEC 1.2); upstream's own words, public as the papers are
            "skipped": [e.as_dict() for e in found.last_skipped] if found else [],
            "warnings": list(found.last_warnings) if found else []}


@bp.get("/status")
def status() -> Response:
    svc = services()
    store = svc.store
    latest = store.latest_snapshot()
    return jsonify(
        data_version=store.data_state()[0],
        latest_snapshot=snapshot_dict(latest) if latest else None,
        totals={"papers": store.count_papers(), "snapshots": store.count_snapshots()},
        source=_source_status(svc.config.source_url, svc.config.refresh_interval,
                              store.source_state(),
                              svc.config.status_details == "public" or authenticated()),
        cache=cache().snapshot_stats(),
    )
