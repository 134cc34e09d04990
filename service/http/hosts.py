"""Which base URL a request's absolute links get (SPEC 8): links that work where the
service is reached, and no request header that changes what anyone else is served.

With TRENDFEED_BASE_URL set, it alone is used. Unset, a request's links follow the
`Host` it used when that host is one the service answers for: a loopback name or
address, this machine's names and addresses, the address `serve` binds, or a name in
TRENDFEED_ALLOWED_HOSTS. Any other `Host` (a forged one, a name a proxy passed on)
gets the default base (`http://localhost:<port>` under `trendfeed serve`). The cache
keys every body by the base it was rendered for, so one caller's `Host` can only ever
change that caller's own links.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from typing import Any

from ..config import Config

BASE_KEY = "trendfeed.base"  # the environ key a request's base is kept under
_MEMO_SIZE = 1024  # distinct (Host, scheme) pairs remembered per worker
# host [":" port]: a DNS name, an IPv4 address, or an IPv6 literal in brackets.
_HOST = re.compile(r"(?P<host>[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])"
                   r"(?::(?P<port>[0-9]{1,5}))?", re.ASCII)


def machine_names() -> set[str]:
    """This machine's names and the addresses they resolve to (best effort: a name that
    does not resolve adds nothing)."""
    names = {"localhost"}
    for name in {socket.gethostname(), socket.getfqdn()}:
        if not name:
            continue
        names.add(name.lower())
        try:
            found = socket.getaddrinfo(name, None)
        except OSError:
            continue
        names.update(str(info[4][0]).lower() for info in found)
    return names


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")


class LinkBases:
    """The base of each request's links; thread safe (the memo is a plain dict)."""

    def __init__(self, config: Config, names: Iterable[str] | None = None) -> None:
        self.fixed = config.base if config.base_url_fixed else None
        self.default = config.base
        allowed = set(machine_names() if names is None else names)
        allowed.update(h.strip().lower() for h in config.allowed_hosts.split(",") if h.strip())
        self.allowed = frozenset(h.strip("[]") for h in allowed)
        self._memo: dict[tuple[str, str], str] = {}

    def describe(self) -> str:
        """What `serve` prints at start: the base(s) links will use."""
        if self.fixed is not None:
            return f"{self.fixed} (TRENDFEED_BASE_URL)"
        names = ", ".join(sorted(self.allowed | {"127.0.0.1", "::1"}))
        return (f"the host a request used when it is one of {names} (or any loopback "
                f"address; TRENDFEED_ALLOWED_HOSTS adds names), else {self.default}; "
                "TRENDFEED_BASE_URL fixes one")

    def for_environ(self, environ: dict[str, Any]) -> str:
        if self.fixed is not None:
            return self.fixed
        key = (environ.get("HTTP_HOST", ""), environ.get("wsgi.url_scheme", "http"))
        found = self._memo.get(key)
        if found is None:
            found = self._decide(*key)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _decide(self, header: str, scheme: str) -> str:
        match = _HOST.fullmatch(header.strip().lower().removesuffix("."))
        if match is None or scheme not in ("http", "https"):
            return self.default
        host, port = match["host"], match["port"]
        if port is not None and not 0 < int(port) < 65536:
            return self.default
        if not (_is_loopback(host) or host.strip("[]") in self.allowed):
            return self.default
        return f"{scheme}://{host}" + (f":{int(port)}" if port else "")


def link_base(environ: dict[str, Any], bases: LinkBases) -> str:
    """The request's base, decided once per request and kept in its environ."""
    found = environ.get(BASE_KEY)
    if found is None:
        found = environ[BASE_KEY] = bases.for_environ(environ)
    return str(found)
