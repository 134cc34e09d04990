"""Make the old stores tests/test_upgrades.py upgrades: for every schema version a commit
released, check that commit out (a git worktree), and with its own CLI ingest the same
dated lists into an SQLite file and into a PostgreSQL schema, which is dumped as plain,
schema-neutral SQL. Kept so anyone can make them again; the tests never run it.

    .venv/bin/python tests/data/stores/make_stores.py \
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

The old code runs on this checkout's venv (PYTHONPATH points at the worktree). The lists
(lists/) are written from the bundled sample capture and made-up hf-json entries; every
run writes the same lists. The stores differ from run to run only in their ingest times
(the old code reads the real clock), so the tests never name an ingest time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
LISTS = HERE / "lists"
SAMPLE = ROOT / "service" / "data" / "sample-trending.txt"

# The commit that wrote each schema version: the one the finding names where it names
# one (e59a473, 44891f1), else the last commit of that version.
COMMITS = {2: "e59a473", 3: "c1d21ed", 4: "44891f1", 5: "aa2992d", 6: "a28649f",
           7: "cec4104"}

# (list, --date or None), in ingest order: two captures on different days, an hf-json
# list with --date, one without (the old code dated it itself), a capture dated before
# the lists already stored (a backfill), and an hf-json list with an entry that has no
# publishedAt. A store that can undo (version 5 on) also gets one more list and its undo.
INGESTS: list[tuple[str, str | None]] = [
    ("capture-0317.txt", "2026-03-17"),
    ("capture-0318.txt", "2026-03-18"),
    ("hf-0319.json", "2026-03-19"),
    ("hf-undated.json", None),
    ("capture-0310.txt", "2026-03-10"),
    ("hf-0320.json", "2026-03-20"),
]
UNDONE = ("capture-0321.txt", "2026-03-21")
PLACEHOLDER_SCHEMA = "upgrade_source"

_HEADER = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n" \
          "byAK and the research community\n\n"


def _capture_papers() -> list[tuple[str, str]]:
    """The sample capture's (title, abstract) pairs, each abstract cut to two sentences
    and any sentence holding a link."""
    lines = SAMPLE.read_text().split("\n")
    start = lines.index("Forward Learning of Graph Neural Networks")
    paragraphs = [p for p in lines[start:] if p.strip()]
    out = []
    for title, abstract in zip(paragraphs[::2], paragraphs[1::2], strict=False):
        sentences = re.split(r"(?<=\.) ", abstract)
        kept = sentences[:2] + [s for s in sentences[2:] if "http" in s]
        out.append((title, " ".join(kept)))
    return out


def _capture(day: str, papers: list[tuple[str, str]]) -> str:
    return _HEADER + f"{day}\n\n" + "".join(f"{t}\n\n{a}\n\n" for t, a in papers)


def _hf_entry(arxiv_id: str, title: str, summary: str, submitted: str | None,
              upvotes: int, **paper: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "paper": {"id": arxiv_id, "title": title, "summary": summary, "upvotes": upvotes,
                  "authors": [{"name": f"Author {arxiv_id[-2:]}"}, {"name": "Ada Example"}],
                  "publishedAt": "2026-02-27T15:00:00.000Z",
                  "ai_keywords": [f"topic {arxiv_id[-1]}"], **paper},
        "title": title, "summary": summary, "numComments": 1,
    }
    if submitted is not None:  # when it went on HF's daily list: the old code's date
        entry["publishedAt"] = submitted
    return entry


def write_lists() -> None:
    p = _capture_papers()
    LISTS.mkdir(exist_ok=True)
    h = {n: (f"2603.100{n:02d}", f"A Made-Up Paper Number {n} on Sparse Operators",
             f"We study sparse operator number {n}. It is made up for the upgrade tests.")
         for n in range(1, 7)}

    def hf(n: int, submitted: str | None, upvotes: int, **paper: object) -> dict[str, object]:
        return _hf_entry(*h[n], submitted, upvotes, **paper)

    def as_hf(i: int, arxiv_id: str, submitted: str, upvotes: int) -> dict[str, object]:
        return _hf_entry(arxiv_id, p[i][0], p[i][1], submitted, upvotes)

    files = {
        "capture-0317.txt": _capture("Mar 17", p[0:5]),
        "capture-0318.txt": _capture("Mar 18", [p[2], p[5], p[0], p[6]]),
        "hf-0319.json": [hf(1, "2026-03-02T02:44:20.973Z", 40,
                            githubRepo="https://github.com/example/sparse-one"),
                         as_hf(2, "2603.09902", "2026-03-05T06:00:00.000Z", 31),
                         hf(2, "2026-03-11T06:00:00.000Z", 12,
                            projectPage="https://example.github.io/sparse-two"),
                         as_hf(5, "2603.09905", "2026-03-09T06:00:00.000Z", 7)],
        "hf-undated.json": [hf(2, "2026-03-11T06:00:00.000Z", 25),
                            hf(3, "2026-03-13T08:30:00.000Z", 19),
                            hf(1, "2026-03-02T02:44:20.973Z", 44),
                            hf(4, "2026-03-14T09:15:00.000Z", 3)],
        "capture-0310.txt": _capture("Mar 10", [p[1], p[7], h[3][1:]]),
        "hf-0320.json": [hf(4, "2026-03-14T09:15:00.000Z", 30),
                         as_hf(6, "2603.09907", "2026-03-12T06:00:00.000Z", 11),
                         hf(5, None, 9),
                         hf(1, "2026-03-02T02:44:20.973Z", 46)],
        "capture-0321.txt": _capture("Mar 21", [p[7], p[8], h[5][1:]]),
    }
    for name, content in files.items():
        text = content if isinstance(content, str) else \
            json.dumps(content, indent=1, ensure_ascii=False) + "\n"
        (LISTS / name).write_text(text)


def _cli(worktree: Path, url: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(worktree), "TRENDFEED_DATABASE_URL": url}
    env.pop("TRENDFEED_SOURCE_URL", None)
    done = subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=LISTS, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{worktree.name} {' '.join(args)}: {done.stderr.strip()}")
    print(f"  {' '.join(args)}: {done.stdout.strip()}")


def _ingest_all(worktree: Path, url: str, version: int) -> None:
    for name, date in INGESTS:
        _cli(worktree, url, "ingest", name, *(["--date", date] if date else []))
    if version >= 5:  # the undo journal exists from version 5 on
        name, date = UNDONE
        _cli(worktree, url, "ingest", name, "--date", date)
        _cli(worktree, url, "snapshots", "delete", "latest")


def _sqlite(worktree: Path, version: int) -> None:
    target = HERE / f"v{version}.sqlite"
    target.unlink(missing_ok=True)
    _ingest_all(worktree, f"sqlite:///{target}", version)
    with sqlite3.connect(target) as conn:  # one self-contained, compact file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("VACUUM")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _neutral(dump: str, schema: str) -> str:
    """The dump's statements with the schema name, the session settings and the comments
    taken out: it loads into whatever schema the loading session's search_path names."""
    kept = []
    for line in dump.split("\n"):
        if line.startswith(("--", "SET ", "\\")) or "set_config('search_path'" in line:
            continue
        if line.strip() == f"CREATE SCHEMA {schema};":
            continue
        kept.append(line.replace(f"{schema}.", ""))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip() + "\n"
    assert schema not in text, "the schema name is still in the dump"
    return text


def _postgresql(worktree: Path, version: int, admin_url: str) -> None:
    schema = f"{PLACEHOLDER_SCHEMA}_v{version}"
    admin = sa.create_engine(admin_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        _ingest_all(worktree, url.render_as_string(hide_password=False), version)
        plain = make_url(admin_url).set(drivername="postgresql")
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", "--inserts", f"--schema={schema}",
             plain.render_as_string(hide_password=False)],
            check=True, capture_output=True, text=True).stdout
        (HERE / f"v{version}.postgresql.sql").write_text(_neutral(dump, schema))
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="an admin URL of a test database")
    parser.add_argument("--version", type=int, action="append", choices=sorted(COMMITS),
                        help="only these versions (default: all)")
    args = parser.parse_args()
    write_lists()
    for version in args.version or sorted(COMMITS):
        commit = COMMITS[version]
        worktree = Path(tempfile.mkdtemp(prefix=f"trendfeed-v{version}-"))
        shutil.rmtree(worktree)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree),
                        commit], check=True, capture_output=True)
        try:
            print(f"v{version} ({commit}), SQLite")
            _sqlite(worktree, version)
            print(f"v{version} ({commit}), PostgreSQL")
            _postgresql(worktree, version, args.postgres)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(worktree)], check=True)


if __name__ == "__main__":
    main()
