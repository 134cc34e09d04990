"""deploy/nginx.conf on one machine, for the benchmark and tests/test_deploy.py.

`render()` turns the compose configuration into one for loopback: the four lines marked
"rendered" get 127.0.0.1 addresses and a cache folder of our own, and the temporary
files go to that folder too; everything else is the deployed file, byte for byte.
`running()` starts nginx on such a copy in the foreground, with its pid file and logs in
a folder of ours, and stops it afterwards. nginx runs as the user who starts it (as
root, its workers run as root too, so that they can read a pytest tmp_path).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

DEPLOY_CONF = Path(__file__).parent.parent / "deploy" / "nginx.conf"
# What compose names, on the lines marked "rendered" (each must be there exactly once).
UPSTREAM_A = "server trendfeed-a:8000 "
UPSTREAM_B = "server trendfeed-b:8000 "
LISTEN = "listen 80;"
CACHE = "proxy_cache_path /var/cache/nginx/trendfeed "
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


class NginxError(RuntimeError):
    pass


def installed() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None)


def render(folder: Path, *, upstreams: tuple[str, str], port: int, extra: str = "",
           source: Path = DEPLOY_CONF) -> Path:
    """Write folder/nginx.conf: `source` with the upstreams (host:port), the listening
    port and the cache folder (folder/cache) replaced, temporary files in folder, and
    `extra` (more http-level directives or servers) at the end of the http block."""
    text = source.read_text()
    replacements = {
        UPSTREAM_A: f"server {upstreams[0]} ",
        UPSTREAM_B: f"server {upstreams[1]} ",
        LISTEN: f"listen 127.0.0.1:{port};",
        CACHE: f"proxy_cache_path {folder / 'cache'} ",
    }
    marked = [line for line in text.splitlines() if "# rendered" in line]
    for old, new in replacements.items():
        found = text.count(old)
        if found != 1 or not any(old in line for line in marked):
            raise NginxError(f"{source}: expected {old.strip()!r} once, on a line marked "
                             f"'# rendered' (found it {found} times)")
        text = text.replace(old, new)
    if len(marked) != len(replacements):
        raise NginxError(f"{source}: {len(marked)} lines are marked '# rendered'; "
                         f"bench/nginx.py renders {len(replacements)}")
    temp = "".join(f"    {name}_temp_path {folder / 'temp' / name};\n" for name in TEMP_PATHS)
    body, closing = text.rstrip().rsplit("}", 1)  # the http block's closing brace
    if closing.strip():
        raise NginxError(f"{source}: expected the http block to close the file")
    target = folder / "nginx.conf"
    target.write_text(f"{body.rstrip()}\n\n    # added by bench/nginx.py\n{temp}{extra}}}\n")
    (folder / "temp").mkdir(exist_ok=True)
    return target


def command(folder: Path, conf: Path, *args: str) -> list[str]:
    directives = f"daemon off; pid {folder / 'nginx.pid'};"
    if os.geteuid() == 0:
        directives += " user root;"
    return [installed() or "nginx", "-p", str(folder), "-c", str(conf), "-e", "stderr",
            "-g", directives, *args]


def check(folder: Path, conf: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on a rendered configuration."""
    return subprocess.run(command(folder, conf, "-t"), capture_output=True, text=True,
                          timeout=30)


@contextlib.contextmanager
def running(folder: Path, conf: Path, port: int, ready: str = "/livez") -> Iterator[str]:
    """nginx on `conf` until the block ends; yields its base URL once `ready` answers 200
    through it. Its access log is folder/access.log, its error log folder/error.log."""
    base = f"http://127.0.0.1:{port}"
    with (folder / "access.log").open("w") as out, (folder / "error.log").open("w") as err:
        process = subprocess.Popen(command(folder, conf), stdout=out, stderr=err,
                                   start_new_session=True)
    try:
        for _ in range(100):
            if process.poll() is not None:
                raise NginxError((folder / "error.log").read_text())
            try:
                if httpx.get(base + ready, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise NginxError(f"nginx did not answer {ready}: "
                             f"{(folder / 'error.log').read_text()[-2000:]}")
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # fast shutdown
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
