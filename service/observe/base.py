"""Names shared by the observers: environ keys, outcomes, buckets, loggers."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:

    pass


MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# What a request leaves in its WSGI environ for the request observer: the route
# template (set by Flask's routing or by the cache's fast path), whether the response
# came from the cache, and the request id.
ROUTE_KEY = "trendfeed.route"
CACHE_KEY = "trendfeed.cache"
REQUEST_ID_KEY = "trendfeed.request_id"
UNMATCHED = "<unmatched>"  # the route of a request no rule matched (404, 405)

INGEST_OUTCOMES = ("new", "unchanged", "rejected", "failed")
# The refresher's outcomes (service/refresher.py): the three successes, then the kinds
# of failure. Anything else is counted as "other" (and logged as it was given).
REFRESH_SUCCESSES = ("new", "unchanged", "not-modified")
REFRESH_OUTCOMES = (*REFRESH_SUCCESSES, "http", "timeout", "network", "too-large",
                    "invalid", "shrunk", "too-many", "clock", "lost-election", "store",
                    "internal", "other")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                   2.5, 5.0, 10.0)
QUERY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                 0.25, 0.5, 1.0, 2.5)
STATEMENTS = frozenset({"select", "insert", "update", "delete"})

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

logger = logging.getLogger("trendfeed")
logger.addHandler(logging.NullHandler())  # a library's default: silent until configured
request_logger = logging.getLogger("trendfeed.request")
ingest_logger = logging.getLogger("trendfeed.ingest")
refresh_logger = logging.getLogger("trendfeed.refresh")
