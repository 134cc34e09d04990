"""RSS 2.0 through feedgen (with atom:link rel=self, language and dc:creator)."""

from __future__ import annotations

from .channel import build
from .common import FeedData


def render_rss(feed: FeedData) -> bytes:
    return bytes(build(feed, atom=False).rss_str(pretty=True))
