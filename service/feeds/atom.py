"""Atom 1.0 through feedgen."""

from __future__ import annotations

from .common import FeedData
from .xml import build


def render_atom(feed: FeedData) -> bytes:
    return bytes(build(feed, atom=True).atom_str(pretty=True))
