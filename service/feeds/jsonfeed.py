"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), with a `_trendfeed` item extension."""

from __future__ import annotations

import json
from typing import Any

from ..represent import rfc3339
from .common import GENERATOR, FeedData, item_extension, item_html, item_id, item_link


def render_jsonfeed(feed: FeedData) -> bytes:
    items: list[dict[str, Any]] = []
    for paper in feed.papers:
        item: dict[str, Any] = {
            "id": item_id(paper),
            "url": item_link(paper, feed.base_url),
            "title": paper.title,
            "content_html": item_html(paper),
            "date_published": rfc3339(feed.item_date(paper)),
            "date_modified": rfc3339(feed.item_updated(paper)),
            "_trendfeed": {"about": f"{feed.base_url}/docs", **item_extension(paper)},
        }
        if paper.thumbnail:
            item["image"] = paper.thumbnail
        if paper.ai_summary:
            item["summary"] = paper.ai_summary
        if paper.authors:
            item["authors"] = [{"name": name} for name in paper.authors]
        if paper.keywords:
            item["tags"] = list(paper.keywords)
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.page_url,
        "feed_url": feed.self_url,
        "description": feed.description,
        "language": "en",
        "authors": [{"name": GENERATOR}],
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
