"""Atom 1.0 through feedgen."""

from __future__ import annotations

from .channel import build
from .common import FeedData


def render_atom(feed: FeedData) -> bytes:
    return bytes(build(feed, atom=True).atom_str(pretty=True))
