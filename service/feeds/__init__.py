"""Feed rendering: a FeedData in, bytes out, one module per wire format.

`common.py` is the one place that turns a Paper into a feed item; the format modules
only lay items out (feedgen for RSS and Atom, set up in `channel.py`; json for JSON
Feed; ElementTree for OPML).
Rendering is a pure function of its input: the same data gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from .atom import render_atom
from .common import FeedData
from .jsonfeed import render_jsonfeed
from .opml import render_opml
from .rss import render_rss

# feed format (the URL's extension) -> (content type, renderer)
RENDERERS: dict[str, tuple[str, Callable[[FeedData], bytes]]] = {
    "rss": ("application/rss+xml; charset=utf-8", render_rss),
    "atom": ("application/atom+xml; charset=utf-8", render_atom),
    "json": ("application/feed+json; charset=utf-8", render_jsonfeed),
}

__all__ = ["RENDERERS", "FeedData", "render_opml"]
