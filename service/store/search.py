"""The search index of both stores and the translation of a Query into SQL over it.

Both engines are fed the words of `service.words` (already folded and split), so they
agree on what a word is; a term is a prefix, a phrase is consecutive prefixes:
SQLite FTS5 `{title}: "neural"* + "operat"*`, PostgreSQL `'neural':*A <-> 'operat':*A`.
On both, the whole query is one expression (MATCH, tsquery) over a table keyed by the
paper's search_key, so "newest first" can walk that key and stop after `limit` matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..query import MIN_PREFIX_CHARS, Arxiv, Has, Query, Text, Upvotes
from ..words import words
from .schema import SEARCH_FIELDS, paper_search_pg, paper_search_sqlite, papers

# Words indexed per field (both engines), and where each field's positions start in
# PostgreSQL's one tsvector (positions stop at 16383; the gaps keep phrases in a field).
FIELD_LIMITS = {"title": 1000, "abstract": 5000, "authors": 5000, "keywords": 3900}
FIELD_OFFSETS = {"title": 0, "abstract": 1100, "authors": 7200, "keywords": 12400}
FIELD_WEIGHTS = {"title": "A", "abstract": "B", "authors": "C", "keywords": "D"}


def field_words(title: str, abstract: str, authors: Sequence[str],
                keywords: Sequence[str]) -> dict[str, list[str]]:
    texts = {"title": title, "abstract": abstract, "authors": " ".join(authors),
             "keywords": " ".join(keywords)}
    return {field: words(text)[:FIELD_LIMITS[field]] for field, text in texts.items()}


def _tsvector_literal(found: dict[str, list[str]], row: Any) -> str:
    positions: dict[str, list[str]] = {}
    for field, field_found in found.items():
        offset, weight = FIELD_OFFSETS[field], FIELD_WEIGHTS[field]
        for position, word in enumerate(field_found, start=offset + 1):
            positions.setdefault(word, []).append(f"{position}{weight}")
    lexemes = [f"'{w}':{','.join(p)}" for w, p in positions.items()]
    lexemes += ["'has:code'"] * row.has_code + ["'has:project'"] * row.has_project
    if row.arxiv_id:
        lexemes.append(f"'arxiv:{row.arxiv_id}'")
    return " ".join(lexemes)


def _index_select() -> sa.Select[Any]:
    return sa.select(papers.c.num, papers.c.search_key, papers.c.title, papers.c.abstract,
                     papers.c.authors, papers.c.keywords, papers.c.has_code,
                     papers.c.has_project, papers.c.arxiv_id)


def _arxiv_token(arxiv_id: str) -> str:
    """One FTS5 token for an arXiv id (its tokenizer would split at the dot)."""
    return "arxiv" + arxiv_id.replace(".", "x")


def _flags(row: Any) -> str:
    return " ".join(["any", *(["hascode"] if row.has_code else []),
                     *(["hasproject"] if row.has_project else []),
                     *([_arxiv_token(row.arxiv_id)] if row.arxiv_id else [])])


def index_rows(conn: sa.Connection, nums: Sequence[int]) -> None:
    """(Re)index the papers numbered `nums` from their stored text and flags."""
    for start in range(0, len(nums), 500):
        _index(conn, conn.execute(_index_select().where(
            papers.c.num.in_(nums[start:start + 500]))).all())


def unindex(conn: sa.Connection, nums: Sequence[int]) -> None:
    """Drop the index rows of the papers numbered `nums` (before they change or go)."""
    for start in range(0, len(nums), 500):
        chunk = nums[start:start + 500]
        if conn.dialect.name == "sqlite":
            keys = sa.select(papers.c.search_key).where(papers.c.num.in_(chunk))
            conn.execute(paper_search_sqlite.delete().where(
                paper_search_sqlite.c.rowid.in_(keys.scalar_subquery())))
        else:
            conn.execute(paper_search_pg.delete().where(paper_search_pg.c.num.in_(chunk)))


def reindex_all(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(paper_search_sqlite.delete())
    else:
        conn.execute(paper_search_pg.delete())
    result = conn.execute(_index_select().execution_options(yield_per=1000))
    for batch in result.partitions():
        _index(conn, batch, fresh=True)


def _index(conn: sa.Connection, rows: Iterable[Any], fresh: bool = False) -> None:
    entries = []
    for row in rows:
        found = field_words(row.title, row.abstract, row.authors, row.keywords)
        entries.append((row, found))
    if not entries:
        return
    if conn.dialect.name == "sqlite":
        table = paper_search_sqlite
        if not fresh:
            conn.execute(table.delete().where(
                table.c.rowid.in_([row.search_key for row, _ in entries])))
        conn.execute(table.insert(), [
            {"rowid": row.search_key, "flags": _flags(row),
             **{f: " ".join(found[f]) for f in SEARCH_FIELDS}}
            for row, found in entries])
    else:
        pg = paper_search_pg
        if not fresh:
            conn.execute(pg.delete().where(pg.c.num.in_([row.num for row, _ in entries])))
        conn.execute(
            pg.insert().values(num=sa.bindparam("n"), search_key=sa.bindparam("k"),
                               doc=sa.cast(sa.bindparam("d"), postgresql.TSVECTOR)),
            [{"n": row.num, "k": row.search_key,
              "d": _tsvector_literal(found, row)}
             for row, found in entries])


# -- SQLite: the whole query as one FTS5 expression -----------------------------------


def _fts_atom(atom: Text | Has | Arxiv | Upvotes) -> str:
    if isinstance(atom, Has):
        return f'flags : "has{atom.what}"'
    if isinstance(atom, Arxiv):
        return f'flags : "{_arxiv_token(atom.id)}"'
    assert isinstance(atom, Text), "upvotes filters are not in the index"
    phrase = " + ".join(f'"{w}"*' if len(w) >= MIN_PREFIX_CHARS else f'"{w}"'
                        for w in atom.words)
    return "{" + " ".join(atom.search_fields) + "} : " + phrase


def fts_expression(query: Query) -> str:
    """`query` as an FTS5 MATCH expression over the `paper_search` table."""
    positive: list[str] = []
    negative: list[str] = []
    for clause in query.text_clauses:
        alternatives = " OR ".join(f"({_fts_atom(a)})" for a in clause.alternatives)
        (negative if clause.negated else positive).append(f"({alternatives})")
    expression = " AND ".join(positive) if positive else 'flags : "any"'
    return expression + "".join(f" NOT {n}" for n in negative)


def fts_match(query: Query) -> sa.ColumnElement[bool]:
    return paper_search_sqlite.c.paper_search.op("MATCH")(fts_expression(query))


# -- PostgreSQL: the whole query as one tsquery -----------------------------------------


def _tsquery_atom(atom: Text | Has | Arxiv | Upvotes) -> str:
    if isinstance(atom, Has):
        return f"'has:{atom.what}'"
    if isinstance(atom, Arxiv):
        return f"'arxiv:{atom.id}'"
    assert isinstance(atom, Text), "upvotes filters are not in the index"
    weights = "".join(FIELD_WEIGHTS[f] for f in atom.fields)  # none: every field
    return "(" + " <-> ".join(
        f"'{w}':*{weights}" if len(w) >= MIN_PREFIX_CHARS
        else f"'{w}':{weights}" if weights else f"'{w}'"
        for w in atom.words) + ")"


def tsquery_expression(query: Query) -> str:
    """`query` as a tsquery over `paper_search.doc`."""
    clauses = []
    for clause in query.text_clauses:
        alternatives = " | ".join(_tsquery_atom(a) for a in clause.alternatives)
        clauses.append(f"!({alternatives})" if clause.negated else f"({alternatives})")
    return " & ".join(clauses)


def _pg_matches(doc: sa.ColumnElement[Any], query: Query) -> sa.ColumnElement[bool]:
    return doc.op("@@")(sa.cast(tsquery_expression(query), postgresql.TSQUERY))


def pg_match(query: Query) -> sa.ColumnElement[bool]:
    return _pg_matches(paper_search_pg.c.doc, query)


# How many index rows, from the walk's start, PostgreSQL's "first matches" reads before it
# stops walking and sorts every match instead (see pg_first_matches).
PG_WALK_WINDOW = 2000


def pg_first_matches(query: Query, *, descending: bool, limit: int,
                     after: int | None) -> sa.CompoundSelect:
    """The search_keys of the first `limit` matches in search_key order (descending: the
    newest first) strictly beyond `after`, on PostgreSQL.

    Walking the search_key index and stopping after `limit` matches is fast when matches
    are dense, but the planner cannot tell how dense they are: a prefix it has no
    statistics for (a term that matches nothing) is estimated at 0.5% of the papers, and
    the walk then reads the whole index (62 ms over 100,000 papers). So the walk is
    bounded: it reads at most PG_WALK_WINDOW index rows. When those hold `limit` matches,
    they are the answer (the walk's own order); when they do not, matches are sparse, and
    every match is taken from the GIN index and sorted. Each branch runs only when its
    one-time filter (the count of the bounded walk) lets it; the same papers either way.
    """
    table = paper_search_pg
    key = table.c.search_key

    def beyond(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        return column < after if descending else column > after

    def ordered(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return column.desc() if descending else column

    window = sa.select(key, table.c.doc)
    every = sa.select(key).where(pg_match(query))
    if after is not None:
        window, every = window.where(beyond(key)), every.where(beyond(key))
    walked = window.order_by(ordered(key)).limit(PG_WALK_WINDOW).subquery("walked")
    walk = (sa.select(walked.c.search_key).where(_pg_matches(walked.c.doc, query))
            .order_by(ordered(walked.c.search_key)).limit(limit)
            .cte("walk").prefix_with("MATERIALIZED"))
    matches = every.cte("matches").prefix_with("MATERIALIZED")
    found = sa.select(sa.func.count()).select_from(walk).scalar_subquery()
    return sa.union_all(
        sa.select(walk.c.search_key).where(found >= limit),
        sa.select(matches.c.search_key).where(found < limit)
        .order_by(ordered(matches.c.search_key)).limit(limit))


def search_table(dialect: str) -> tuple[Any, sa.ColumnElement[Any]]:
    """(the search table, its column holding papers.search_key) on this engine."""
    if dialect == "sqlite":
        return paper_search_sqlite, paper_search_sqlite.c.rowid
    return paper_search_pg, paper_search_pg.c.search_key


def match(query: Query, dialect: str) -> sa.ColumnElement[bool]:
    return fts_match(query) if dialect == "sqlite" else pg_match(query)


_COMPARE = {">": "__gt__", ">=": "__ge__", "<": "__lt__", "<=": "__le__", "=": "__eq__"}


def criterion(query: Query, dialect: str) -> sa.ColumnElement[bool] | None:
    """A WHERE criterion on `papers` selecting the papers that match; None for no filter.
    Upvotes filters compare the column (null, unknown, never matches)."""
    parts: list[sa.ColumnElement[bool]] = []
    if query.text_clauses:
        _, key = search_table(dialect)
        parts.append(papers.c.search_key.in_(sa.select(key).where(match(query, dialect))))
    for upvotes in query.upvotes:
        parts.append(getattr(papers.c.upvotes, _COMPARE[upvotes.op])(upvotes.value))
    return sa.and_(*parts) if parts else None
