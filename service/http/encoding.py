"""Which bodies a request accepts: gzip or identity (SPEC 7), memoized per header."""

from __future__ import annotations

from typing import Any

from werkzeug.http import parse_accept_header

_ACCEPTS_GZIP: dict[str, bool] = {}  # Accept-Encoding header -> gzip acceptable (memo)


def accepts_gzip(environ: dict[str, Any]) -> bool:
    header = environ.get("HTTP_ACCEPT_ENCODING", "")
    if "gzip" not in header:
        return False
    found = _ACCEPTS_GZIP.get(header)
    if found is None:
        found = parse_accept_header(header)["gzip"] > 0
        if len(_ACCEPTS_GZIP) > 256:  # clients send a handful of distinct values
            _ACCEPTS_GZIP.clear()
        _ACCEPTS_GZIP[header] = found
    return found
