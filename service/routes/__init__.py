"""Blueprints, one per surface: feeds, api, pages, ops. `services()` reaches the store."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from werkzeug.routing import BaseConverter

from ..config import Config
from ..store import Store


@dataclass
class Services:
    config: Config
    store: Store


def services() -> Services:
    found: Services = current_app.extensions["trendfeed"]
    return found


class FormatConverter(BaseConverter):
    """A file extension: no dot and no slash, so `v1.5.atom` splits as `v1.5` + `atom`."""

    regex = r"[^/.]+"


class KeywordConverter(BaseConverter):
    """Any text up to the last dot, slashes included (`/feeds/keyword/a/b.atom`)."""

    regex = r"[^/].*?"
    part_isolating = False
