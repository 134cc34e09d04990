"""SPEC section 4: the JSON shapes of a Paper and a Snapshot, shared by REST, CLI and feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import Paper, RankEntry, Snapshot


def rfc3339(value: dt.datetime) -> str:
    """Naive UTC -> '2026-03-17T00:00:00Z' (whole seconds: feeds and caches want stable text)."""
    return value.replace(microsecond=0).isoformat() + "Z"


def paper_dict(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "arxiv_id": paper.arxiv_id,
        "authors": list(paper.authors),
        "keywords": list(paper.keywords),
        "upvotes": paper.upvotes,
        "links": paper.links.as_dict(),
        "url": paper.url,
        "first_seen": rfc3339(paper.first_seen),
        "last_seen": rfc3339(paper.last_seen),
        "last_list_date": paper.last_list_date.isoformat() if paper.last_list_date else None,
        "published": rfc3339(paper.published) if paper.published else None,
        "submitter": paper.submitter,
        "updated": rfc3339(paper.updated),
        "rank": paper.rank,
        "previous_rank": paper.previous_rank,
        "best_rank": paper.best_rank,
        "appearances": paper.appearances,
        "ai_summary": paper.ai_summary,
        "thumbnail": paper.thumbnail,
        "github_stars": paper.github_stars,
        "comments": paper.comments,
        "organization": paper.organization,
        "hf_daily_at": rfc3339(paper.hf_daily_at) if paper.hf_daily_at else None,
    }


def history_dict(entry: RankEntry) -> dict[str, Any]:
    return {"snapshot_id": entry.snapshot_id, "list_date": entry.list_date.isoformat(),
            "ingested_at": rfc3339(entry.ingested_at), "rank": entry.rank,
            "best_rank": entry.best_rank, "lists": entry.lists,
            "upvotes": entry.upvotes}


def source_kind(source: str) -> str:
    """What a snapshot's stored source says to an HTTP caller: the kind of input only.

    The stored text is what the operator gave (`trendfeed ingest /home/me/list.txt` or
    a URL with a key in it): a server path or a private address, never shown over HTTP
    (SPEC 6), not even its base name. `upload` is a POST, `refresher` the configured
    source, `sample` the bundled list; `url` a list fetched by `trendfeed ingest URL`
    (or by a refresher older than this rule, which stored its URL), `stdin` one read
    from standard input, `file` any other (a path)."""
    if source == "api":
        return "upload"
    if source == "refresher":
        return source
    if source.startswith("bundled:"):
        return "sample"
    if source == "-":
        return "stdin"
    if source[:8].lower().startswith(("http://", "https://")):
        return "url"
    return "file"


def snapshot_dict(snapshot: Snapshot, *, full_source: bool = False) -> dict[str, Any]:
    """`full_source`: the source as stored (the CLI, for the operator); else its kind."""
    return {
        "id": snapshot.id,
        "list_date": snapshot.list_date.isoformat(),
        "ingested_at": rfc3339(snapshot.ingested_at),
        "source": snapshot.source if full_source else source_kind(snapshot.source),
        "format": snapshot.format,
        "sha256": snapshot.sha256,
        "paper_count": snapshot.paper_count,
        "new_count": snapshot.new_count,
    }
