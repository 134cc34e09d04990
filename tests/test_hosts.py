"""Links that work where the service is reached (SPEC 8): with TRENDFEED_BASE_URL unset,
a request's links follow the Host it used when the service answers for that host, any
other Host gets the default base, and no Host changes what another caller is served."""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from service.config import Config
from service.http.hosts import LinkBases

from .conftest import serving

ATOM = "{http://www.w3.org/2005/Atom}"
NAMES = {"feeds-host", "10.1.2.3", "fe80::1"}


def base(bases: LinkBases, host: str, scheme: str = "http") -> str:
    return bases.for_environ({"HTTP_HOST": host, "wsgi.url_scheme": scheme})


def test_links_follow_a_host_the_service_answers_for() -> None:
    bases = LinkBases(_unfixed("http://localhost:8000"), names=NAMES)
    assert base(bases, "127.0.0.2:8000") == "http://127.0.0.2:8000"
    assert base(bases, "LOCALHOST:8000") == "http://localhost:8000"
    assert base(bases, "feeds-host:9000") == "http://feeds-host:9000"
    assert base(bases, "10.1.2.3") == "http://10.1.2.3"
    assert base(bases, "[::1]:8000") == "http://[::1]:8000"
    assert base(bases, "[fe80::1]:8000") == "http://[fe80::1]:8000"
    assert base(bases, "feeds-host:9000", "https") == "https://feeds-host:9000"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "", "feeds-host:99999",
                                  "feeds-host@evil.example", "feeds-host/x", "a b",
                                  "feeds-host:80:80", "[::1", "127.0.0.2:8000\r\nX: y",
                                  "x" * 300, "feeds-host.evil.example"])
def test_any_other_host_gets_the_default_base(host: str) -> None:
    assert base(LinkBases(_unfixed("http://localhost:8000"), names=NAMES), host) == \
        "http://localhost:8000"


def test_a_configured_base_alone_is_used() -> None:
    bases = LinkBases(Config.from_env({}, base_url="https://feeds.example.org/"), names=NAMES)
    assert base(bases, "127.0.0.2:8000") == "https://feeds.example.org"
    assert "TRENDFEED_BASE_URL" in bases.describe()


def test_allowed_hosts_add_names() -> None:
    config = _unfixed("http://localhost:8000", allowed_hosts="papers.lan, Other.Lan")
    bases = LinkBases(config, names=())
    assert base(bases, "papers.lan:8000") == "http://papers.lan:8000"
    assert base(bases, "other.lan") == "http://other.lan"


def _unfixed(url: str, **more: str) -> Config:
    """A Config whose base is only the default (as `serve` makes it without
    TRENDFEED_BASE_URL)."""
    return dataclasses.replace(Config.from_env({}, **more), base_url=url)


def _links(response: httpx.Response) -> set[str]:
    return set(re.findall(r'https?://[^"<>\s]+', response.text))


def test_another_machine_gets_links_to_the_address_it_used(tmp_path: Path) -> None:
    """127.0.0.2 stands in for another machine: what it fetches names 127.0.0.2, what
    127.0.0.1 fetches names 127.0.0.1 (localhost), and a forged Host changes nothing."""
    env = {"TRENDFEED_DATABASE_URL": f"sqlite:///{tmp_path / 'hosts.db'}",
           "TRENDFEED_SAMPLE": "on"}
    with serving(tmp_path, env, ready="/readyz", args=("--host", "0.0.0.0")) as server:
        port = server.base.rsplit(":", 1)[1]
        assert "links: the host a request used" in server.log()
        other = f"http://127.0.0.2:{port}"
        with httpx.Client(timeout=10) as http:
            forged = http.get(f"{other}/feeds/trending.atom", headers={"Host": "evil.example"})
            assert forged.status_code == 200 and "evil.example" not in forged.text
            for path in ("/feeds/trending.atom", "/feeds.opml?q=graph&q=diffusion", "/",
                         "/feeds/trending.rss?q=graph"):
                answer = http.get(other + path)
                assert answer.status_code == 200, (path, answer.text[:300])
                named = {link.split("/")[2] for link in _links(answer)
                         if f":{port}" in link}
                assert named == {f"127.0.0.2:{port}"}, (path, named)
            paged = http.get(f"{other}/api/v1/papers?limit=1")
            assert paged.headers["link"].startswith(f"<{other}/api/v1/papers?")
            feed = ET.fromstring(http.get(f"{server.base}/feeds/trending.atom").content)
            self_link = next(link.get("href") for link in feed.findall(f"{ATOM}link")
                             if link.get("rel") == "self")
            assert self_link == f"http://127.0.0.1:{port}/feeds/trending.atom"
            again = http.get(f"{other}/feeds/trending.atom", headers={"Host": "evil.example"})
            assert again.content == forged.content  # the forger's own entry, nobody else's
            assert f"localhost:{port}" in forged.text
