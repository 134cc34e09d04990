"""The command line's words: every command and option of `trendfeed`, with what it does
and its default, written for the people who run it (`trendfeed --help`,
`trendfeed COMMAND --help`). service/cli.py carries the commands out."""

from __future__ import annotations

import argparse
import datetime as dt
from importlib.metadata import PackageNotFoundError, version

from .listing import SCOPES
from .sources import SOURCE_FORMATS

DESCRIPTION = """\
Trending papers as keyword feeds (RSS, Atom, JSON Feed), a REST API and a web page.

Start with `trendfeed serve`: it serves http://localhost:8000 from the embedded store
and loads a sample list into it the first time. Lists come in with `trendfeed ingest`
(a file, standard input or a URL), `POST /api/v1/snapshots`, or the refresher
(TRENDFEED_SOURCE_URL). Settings are TRENDFEED_* environment variables (README.md).
"""
EPILOG = "Exit status: 0 done; 2 bad input or options (nothing written); 1 the store or " \
         "the configuration cannot be used."


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


def _version() -> str:
    try:
        return version("trendfeed")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class _Help(argparse.HelpFormatter):
    """Each option's default after its help, when it has one worth saying."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and action.option_strings:
            text += " (default: %(default)s)"
        return text


def _command(commands: argparse._SubParsersAction, name: str, summary: str,  # type: ignore[type-arg]
             description: str) -> argparse.ArgumentParser:
    found: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description, formatter_class=_Help, epilog=EPILOG)
    return found


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="trendfeed", description=DESCRIPTION, epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"trendfeed {_version()}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = _command(commands, "serve", "serve the feeds, the API and the web page",
                     "Serve with gunicorn (production settings; no proxy needed in front). "
                     "An empty embedded store gets the bundled sample list first. With "
                     "TRENDFEED_SOURCE_URL set, the refresher runs beside it.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on; 0.0.0.0 answers other machines too")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on")
    serve.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")

    ingest = _command(commands, "ingest", "store one trending list",
                      "Store one list: a text capture of the trending page or the "
                      "daily_papers?sort=trending JSON. Prints one line: 'snapshot N: P "
                      "papers, K new', or 'unchanged: ...' when it equals the latest list.")
    ingest.add_argument("source", help="a file, '-' for standard input, or an http(s) URL")
    ingest.add_argument("--format", choices=("auto", *SOURCE_FORMATS), default="auto",
                        help="the input's format; auto detects it from the content")
    ingest.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                        help="the day the list was the trending list (default: a capture's "
                             "date line, else today)")
    ingest.add_argument("--skip-invalid", action="store_true",
                        help="apply an hf-json list without its invalid entries (each is "
                             "named on standard error) instead of refusing it")

    papers = _command(commands, "papers", "list the stored papers",
                      "List stored papers, newest first (scope all) or in the latest "
                      "list's order (scope current).")
    papers.add_argument("--q", metavar="QUERY",
                        help="a keyword query, as in the feeds: diffusion -video, "
                             '"neural operator", author:smith, upvotes:>=50')
    papers.add_argument("--scope", choices=SCOPES, default="all",
                        help="current: the latest list; all: every paper ever seen")
    papers.add_argument("--limit", type=int, help="at most this many (default: all)")
    papers.add_argument("--json", action="store_true",
                        help="print the papers as JSON, as the API represents them")

    refresh = _command(commands, "refresh", "fetch TRENDFEED_SOURCE_URL once, or keep at it",
                       "Fetch the upstream list named by TRENDFEED_SOURCE_URL and apply it "
                       "(conditional GET, size guard, invalid entries skipped). One refresher "
                       "is elected per store; serve runs one for you.")
    refresh.add_argument("--every", type=float, metavar="SECONDS",
                         help="keep running as the store's refresher, attempting every "
                              "SECONDS (default: fetch once and exit)")
    refresh.add_argument("--parent", type=int, help=argparse.SUPPRESS)  # set by serve

    backup = _command(commands, "backup", "write a consistent copy of an SQLite store",
                      "Copy the SQLite store while it is in use (SQLite's online backup). "
                      "For PostgreSQL use pg_dump.")
    backup.add_argument("path", help="the new file to write (it must not exist)")

    snapshots = _command(commands, "snapshots", "list the stored lists, or undo the latest",
                         "Each ingested list is a snapshot.")
    actions = snapshots.add_subparsers(dest="action", required=True, metavar="ACTION")
    listed = actions.add_parser("list", help="the stored lists, newest first",
                                formatter_class=_Help)
    listed.add_argument("--limit", type=int, default=20, help="at most this many")
    listed.add_argument("--json", action="store_true", help="print them as JSON")
    delete = actions.add_parser("delete", help="undo the latest ingest: the store becomes "
                                "what it was before it", formatter_class=_Help)
    delete.add_argument("which", choices=("latest",), help="only the latest can be undone")
    return top
