"""REST API v1 (SPEC section 6): papers and snapshots as SPEC section 4 objects."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..http.args import FeedArgs, load
from ..represent import paper_dict
from . import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/papers")
def papers() -> Response:
    args = load(FeedArgs())
    store = services().store
    found = store.query_papers(args["q"], scope=args["scope"], limit=args["limit"])
    return jsonify(items=[paper_dict(p) for p in found],
                   total=store.count_matching(args["q"], scope=args["scope"]))
