"""The search index of both stores and the translation of a Query into SQL over it.

Both engines are fed the words of `service.words` (already folded and split), so they
agree on what a word is; a term is a prefix, a phrase is consecutive prefixes:
SQLite FTS5 `{title}: "neural"* + "operat"*` (the whole query is one MATCH expression,
its rowid the paper's search_key, so "newest first" is an index scan that stops after
`limit` matches), PostgreSQL `'neural':* <-> 'operat':*` on a GIN-indexed tsvector per
field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..query import Clause, Has, Query, Text
from ..words import words
from .schema import SEARCH_FIELDS, paper_search_pg, paper_search_sqlite, papers

MAX_INDEXED_WORDS = 5000  # per field; PostgreSQL positions stop at 16383


def field_words(title: str, abstract: str, authors: Sequence[str],
                keywords: Sequence[str]) -> dict[str, list[str]]:
    texts = {"title": title, "abstract": abstract, "authors": " ".join(authors),
             "keywords": " ".join(keywords)}
    return {field: words(text)[:MAX_INDEXED_WORDS] for field, text in texts.items()}


def _tsvector_literal(found: list[str]) -> str:
    positions: dict[str, list[int]] = {}
    for position, word in enumerate(found, start=1):
        positions.setdefault(word, []).append(position)
    return " ".join(f"'{w}':{','.join(map(str, p))}" for w, p in positions.items())


def _index_select() -> sa.Select[Any]:
    return sa.select(papers.c.num, papers.c.search_key, papers.c.title, papers.c.abstract,
                     papers.c.authors, papers.c.keywords, papers.c.has_code,
                     papers.c.has_project)


def _flags(has_code: bool, has_project: bool) -> str:
    return " ".join(["any", *(["hascode"] if has_code else []),
                     *(["hasproject"] if has_project else [])])


def index_rows(conn: sa.Connection, nums: Sequence[int]) -> None:
    """(Re)index the papers numbered `nums` from their stored text and flags."""
    for start in range(0, len(nums), 500):
        _index(conn, conn.execute(_index_select().where(
            papers.c.num.in_(nums[start:start + 500]))).all())


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
        found = field_words(row.title, row.abstract, json.loads(row.authors),
                            json.loads(row.keywords))
        entries.append((row, found))
    if not entries:
        return
    if conn.dialect.name == "sqlite":
        table = paper_search_sqlite
        if not fresh:
            conn.execute(table.delete().where(
                table.c.rowid.in_([row.search_key for row, _ in entries])))
        conn.execute(table.insert(), [
            {"rowid": row.search_key, "flags": _flags(row.has_code, row.has_project),
             **{f: " ".join(found[f]) for f in SEARCH_FIELDS}}
            for row, found in entries])
    else:
        pg = paper_search_pg
        if not fresh:
            conn.execute(pg.delete().where(pg.c.num.in_([row.num for row, _ in entries])))
        conn.execute(
            pg.insert().values(
                num=sa.bindparam("n"),
                **{f: sa.cast(sa.bindparam(f"w_{f}"), postgresql.TSVECTOR) for f in SEARCH_FIELDS}),
            [{"n": row.num, **{f"w_{f}": _tsvector_literal(found[f]) for f in SEARCH_FIELDS}}
             for row, found in entries])


# -- SQLite: the whole query as one FTS5 expression -----------------------------------


def _fts_atom(atom: Text | Has) -> str:
    if isinstance(atom, Has):
        return f'flags : "has{atom.what}"'
    phrase = " + ".join(f'"{w}"*' for w in atom.words)
    return "{" + " ".join(atom.search_fields) + "} : " + phrase


def fts_expression(query: Query) -> str:
    """`query` as an FTS5 MATCH expression over the `paper_search` table."""
    positive: list[str] = []
    negative: list[str] = []
    for clause in query.clauses:
        alternatives = " OR ".join(f"({_fts_atom(a)})" for a in clause.alternatives)
        (negative if clause.negated else positive).append(f"({alternatives})")
    expression = " AND ".join(positive) if positive else 'flags : "any"'
    return expression + "".join(f" NOT {n}" for n in negative)


def fts_match(query: Query) -> sa.ColumnElement[bool]:
    return paper_search_sqlite.c.paper_search.op("MATCH")(fts_expression(query))


# -- PostgreSQL: one criterion per atom over the GIN-indexed tsvectors -----------------


def _text_criterion(atom: Text) -> sa.ColumnElement[bool]:
    table = paper_search_pg
    tsquery = sa.cast(" <-> ".join(f"'{w}':*" for w in atom.words), postgresql.TSQUERY)
    inner = sa.select(table.c.num).where(
        sa.or_(*(table.c[f].op("@@")(tsquery) for f in atom.search_fields)))
    return papers.c.num.in_(inner)


def _atom_criterion(atom: Text | Has) -> sa.ColumnElement[bool]:
    if isinstance(atom, Has):
        column = papers.c.has_code if atom.what == "code" else papers.c.has_project
        return column.is_(True)
    return _text_criterion(atom)


def _clause_criterion(clause: Clause) -> sa.ColumnElement[bool]:
    alternatives = [_atom_criterion(a) for a in clause.alternatives]
    combined = alternatives[0] if len(alternatives) == 1 else sa.or_(*alternatives)
    return sa.not_(combined) if clause.negated else combined


def criterion(query: Query, dialect: str) -> sa.ColumnElement[bool] | None:
    """A WHERE criterion on `papers` selecting the papers that match; None for no filter."""
    if not query:
        return None
    if dialect == "sqlite":
        inner = sa.select(paper_search_sqlite.c.rowid).where(fts_match(query))
        return papers.c.search_key.in_(inner)
    return sa.and_(*(_clause_criterion(c) for c in query.clauses))
