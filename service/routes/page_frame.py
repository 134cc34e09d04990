"""What every web page response shares, its error pages included: the security headers,
the static files the pages link (read once, versioned by their content), and the rule
for text a page echoes from its address.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources

HTML = "text/html; charset=utf-8"
SECURITY_HEADERS = (
    ("Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
     "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)
# The static files: name -> media type. Nothing else is ever served from static/.
STATIC = {"site.css": "text/css; charset=utf-8",
          "site.js": "text/javascript; charset=utf-8",
          "icon.svg": "image/svg+xml"}

# What a page never echoes from its address (a typed q, a paper reference): characters
# HTML forbids (C0 and C1 controls but tab/newline, noncharacters, lone surrogates) and
# the bidi embedding and override controls that would reorder the rest of the line.
_NOT_SHOWN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                        "\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def shown(typed: str) -> str:
    return _NOT_SHOWN.sub("", typed)


@cache
def static_file(name: str) -> tuple[bytes, str]:
    """(bytes, short hash) of a known static file, read once per process."""
    body = resources.files("service").joinpath("static", name).read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:12]


def static_url(root: str, name: str) -> str:
    """The relative URL of a static file, versioned by its content."""
    return f"{root}static/{name}?v={static_file(name)[1]}"
