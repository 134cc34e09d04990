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
        "best_rank": paper.best_rank,
        "appearances": paper.appearances,
    }


def history_dict(entry: RankEntry) -> dict[str, Any]:
    return {"snapshot_id": entry.snapshot_id, "list_date": entry.list_date.isoformat(),
            "ingested_at": rfc3339(entry.ingested_at), "rank": entry.rank,
            "upvotes": entry.upvotes}


def snapshot_dict(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "id": snapshot.id,
        "list_date": snapshot.list_date.isoformat(),
        "ingested_at": rfc3339(snapshot.ingested_at),
        "source": snapshot.source,
        "format": snapshot.format,
        "sha256": snapshot.sha256,
        "paper_count": snapshot.paper_count,
        "new_count": snapshot.new_count,
    }
