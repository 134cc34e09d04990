"""atheris harness for the query language (SPEC 5): `service.query.parse`.

Each input is a q string (UTF-8; undecodable bytes become U+FFFD, as a URL's would).
The parser must raise QueryError, or return a Query whose canonical form is at most 256
characters, is accepted again, and parses back to the same Query (the same meaning).
Anything else escaping is a crash that atheris reports and saves. See fuzz/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root

with atheris.instrument_imports():
    from service.query import MAX_QUERY_CHARS, MAX_TERMS, MAX_WORDS, QueryError, Text, parse


def TestOneInput(data: bytes) -> None:  # noqa: N802 (atheris's name)
    q = data.decode("utf-8", "replace")
    try:
        query = parse(q)
    except QueryError as exc:
        assert str(exc), "a QueryError without a message"
        return
    canonical = query.canonical()
    assert len(canonical) <= MAX_QUERY_CHARS, (q, canonical)
    assert sum(len(c.alternatives) for c in query.clauses) <= MAX_TERMS, q
    assert sum(len(a.words) for c in query.clauses for a in c.alternatives
               if isinstance(a, Text)) <= MAX_WORDS, q
    again = parse(canonical)  # a QueryError here is a crash: the canonical form is refused
    assert again == query, (q, canonical, again)
    assert again.canonical() == canonical, (q, canonical)


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
