"""What every web page response shares, its error pages included: the security headers,
the static files the pages link (read once, versioned by their content), the rule for
text a page echoes from its address, and which thumbnails a page may show.

The Content-Security-Policy lets a page load images from this origin and from the
origins of the thumbnails it shows, nothing else: it is computed per page from its
papers (`page_headers`), so a page without thumbnails allows `'self'` only, and it
travels with the cached body (a cached entry keeps the headers its render returned).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from ..model import Paper

HTML = "text/html; charset=utf-8"
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def security_headers(image_origins: Iterable[str] = ()) -> tuple[tuple[str, str], ...]:
    """The headers of a page that shows images from `image_origins` (each a checked
    `https://host[:port]`, see thumbnail_origin) besides its own."""
    images = " ".join(["'self'", *sorted(set(image_origins))])
    return (("Content-Security-Policy", _CSP.format(images=images)),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "strict-origin-when-cross-origin"))


SECURITY_HEADERS = security_headers()  # a page that shows no thumbnail, an error page

# A thumbnail the pages show: https, a host name of ASCII letters, digits and hyphens
# whose last label starts with a letter (no IP literal, which browsers rewrite, e.g.
# 0x7f.1 -> 127.0.0.1, so the CSP would name another origin than the one loaded), no
# user info, an optional port, then the path. Anything else is not shown: what the CSP
# names must be exactly the origin the browser loads, and a header never carries
# anything but these characters.
_THUMBNAIL = re.compile(
    r"https://((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?::[1-9][0-9]{0,4})?)(?:[/?#]|\Z)", re.IGNORECASE | re.ASCII)


def thumbnail_origin(url: str | None) -> str | None:
    """`https://host[:port]` of a thumbnail the pages show, or None (not shown)."""
    found = _THUMBNAIL.match(url) if url else None
    return f"https://{found.group(1).lower()}" if found else None


def shown_thumbnail(paper: Paper) -> str | None:
    """The paper's thumbnail URL when a page shows it (an https URL of a plain host)."""
    return paper.thumbnail if thumbnail_origin(paper.thumbnail) else None


def page_headers(papers: Iterable[Paper]) -> tuple[tuple[str, str], ...]:
    """The security headers of a page showing `papers`: its images' origins allowed."""
    return security_headers(origin for paper in papers
                            if (origin := thumbnail_origin(paper.thumbnail)))


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
