"""`trendfeed serve | ingest | papers | refresh | snapshots`: a thin layer over ingest
and the store.

Exit codes: 0 done; 2 bad input (the message names the file and line, the entry and
field, or the option) and nothing written; 1 the store or configuration is unusable.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from . import query
from .cli_help import parser
from .config import Config, ConfigError
from .http.hosts import LinkBases
from .ingest import ingest_bytes, load
from .listing import Listing
from .represent import paper_dict, snapshot_dict
from .sources import InvalidEntries, SourceError
from .store import Store, StoreError, UndoError, open_store
from .store.backup import BackupError
from .store.engine import safe_url
from .supervise import Supervisor, watch_parent

SAMPLE_NAME = "sample-trending.txt"


class UsageError(Exception):
    pass




def load_sample_if_empty(store: Store) -> str | None:
    """A newcomer sees papers at once: an empty store gets the bundled sample list."""
    if store.latest_snapshot() is not None:
        return None
    data = resources.files("service").joinpath("data", SAMPLE_NAME).read_bytes()
    return ingest_bytes(store, data, source=f"bundled:{SAMPLE_NAME}").summary()


def _ingest(config: Config, source: str, **options: object) -> int:
    """The summary line on standard output (what a script reads); each skipped entry
    and each warning on standard error, where diagnostics go."""
    data = load(source)
    store = open_store(config.database_url)
    try:
        result = ingest_bytes(store, data, source=source, max_papers=config.max_papers,
                              **options)  # type: ignore[arg-type]
    except InvalidEntries as exc:  # the error line names the first; then every other
        if not options.get("skip_invalid"):  # (with it: every entry is invalid)
            exc = exc.hinted("--skip-invalid applies the list without them")
        print(f"trendfeed: error: {exc}", file=sys.stderr)
        for entry in exc.entries[1:]:
            print(f"trendfeed: invalid {entry}", file=sys.stderr)
        return 2
    print(result.summary())
    for line in result.details():
        print(f"trendfeed: {line}", file=sys.stderr)
    return 0


def _cmd_ingest(args: argparse.Namespace, config: Config) -> int:
    return _ingest(config, args.source, format=args.format, list_date=args.date,
                   skip_invalid=args.skip_invalid)


def _cmd_papers(args: argparse.Namespace, config: Config) -> int:
    try:
        parsed = query.parse(args.q)
    except query.QueryError as exc:
        raise UsageError(f"--q: {exc}") from None
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    store = open_store(config.database_url)
    found = store.papers(Listing(parsed, args.scope), limit=args.limit)
    if args.json:
        json.dump([paper_dict(p) for p in found], sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for paper in found:
            rank = f"#{paper.rank}" if paper.rank else "-"
            print(f"{rank:>4}  {paper.first_seen.date()}  {paper.id}  {paper.title}")
    return 0


def _cmd_refresh(args: argparse.Namespace, config: Config) -> int:
    from .refresher import Refresher

    if not config.source_url:
        raise UsageError("TRENDFEED_SOURCE_URL is not set: nothing to refresh from")
    if args.every is not None:
        if args.every < 1:
            raise UsageError("--every must be at least 1 (seconds)")
        config = dataclasses.replace(config, refresh_interval=args.every)
    store = open_store(config.database_url)
    refresher = Refresher(config, store)
    if args.every is None:  # one attempt, as the store's refresher: elected like any other
        with store.refresher_lock() as lock:
            if not lock.ensure():
                print("trendfeed: another refresher holds this store's election: not "
                      "fetched (its outcomes are in /api/v1/status)", file=sys.stderr)
                return 1
            state = refresher.run_once(lock)
        if not state.healthy:
            raise UsageError(f"{config.source_url}: {state.last_error} (not applied)")
        print(f"{state.last_outcome}: {config.source_url}")
        return 0
    from .observe import configure_logging

    configure_logging()  # a serving process: its outcomes as JSON lines on stderr
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if args.parent is not None:  # started by `serve`: stop when it is gone
        watch_parent(stop, args.parent)
    refresher.run(stop)
    return 0


def _cmd_backup(args: argparse.Namespace, config: Config) -> int:
    store = open_store(config.database_url)
    try:
        size = store.backup(Path(args.path))
    except BackupError as exc:
        raise UsageError(str(exc)) from None
    print(f"backup: {args.path} ({size} bytes) from {safe_url(config.database_url)}")
    return 0


def _cmd_snapshots(args: argparse.Namespace, config: Config) -> int:
    store = open_store(config.database_url)
    if args.action == "delete":
        try:
            removed = store.undo_latest()
        except UndoError as exc:
            raise UsageError(str(exc)) from None
        latest = store.latest_snapshot()
        now = f"snapshot {latest.id} is the latest" if latest else "the store is empty"
        print(f"removed snapshot {removed.id} ({removed.paper_count} papers, "
              f"{removed.new_count} new); {now}")
        return 0
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    found = store.snapshots(limit=args.limit)
    if args.json:
        json.dump([snapshot_dict(s, full_source=True) for s in found], sys.stdout,
                  ensure_ascii=False, indent=2)
        print()
    else:
        for s in found:
            print(f"{s.id:>5}  {s.list_date}  {s.ingested_at:%Y-%m-%d %H:%M}  "
                  f"{s.paper_count:>4} papers {s.new_count:>4} new  {s.format}  {s.source}")
    return 0


def _start_refresher(config: Config) -> Supervisor | None:
    """`trendfeed refresh --every` beside the server when a source is configured, started
    again whenever it exits; it is elected per store, so several servers on one store
    run one refresher between them."""
    if not config.source_url:
        return None
    command = [sys.executable, "-m", "service.cli", "refresh",
               "--every", str(config.refresh_interval), "--parent", str(os.getpid())]
    print(f"refresher: {config.source_url} every {config.refresh_interval} s "
          "(elected per store, restarted when it exits)", file=sys.stderr)
    return Supervisor(command, interval=config.refresh_interval).start()


def _cmd_serve(args: argparse.Namespace, config: Config) -> int:
    from . import create_app
    from .serve import instance, run

    if not config.base_url_fixed:  # links follow the Host a request used (http/hosts.py)
        every_address = args.host in ("0.0.0.0", "::", "")
        host = "localhost" if every_address or args.host == "127.0.0.1" else args.host
        allowed = [config.allowed_hosts, "" if every_address else args.host]
        config = dataclasses.replace(config, base_url=f"http://{host}:{args.port}",
                                     allowed_hosts=",".join(filter(None, allowed)))
    print(f"store: {safe_url(config.database_url)}", file=sys.stderr)
    print(f"links: {LinkBases(config).describe()}", file=sys.stderr)
    store = open_store(config.database_url)
    if config.loads_sample:
        loaded = load_sample_if_empty(store)
        if loaded:
            print(f"empty store: loaded the bundled sample list ({loaded})", file=sys.stderr)
    store.close()
    with instance() as folder:  # the refresher started inside writes /metrics' files too
        refresher = _start_refresher(config)
        try:
            return run(host=args.host, port=args.port, workers=args.workers,
                       load_app=lambda: create_app(config), folder=folder)
        finally:
            if refresher is not None:
                refresher.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handler = {"ingest": _cmd_ingest, "papers": _cmd_papers, "refresh": _cmd_refresh,
               "serve": _cmd_serve, "snapshots": _cmd_snapshots,
               "backup": _cmd_backup}[args.command]
    try:
        return handler(args, Config.from_env())
    except (SourceError, UsageError) as exc:
        print(f"trendfeed: error: {exc}", file=sys.stderr)
        return 2
    except (StoreError, ConfigError) as exc:
        print(f"trendfeed: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `trendfeed papers | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
