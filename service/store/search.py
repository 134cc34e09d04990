"""The search index of both stores and the translation of a Query into SQL over it.

Both engines are fed the words of `service.words` (already folded and split), so they
agree on what a word is; a term is a prefix, a phrase is consecutive prefixes:
SQLite FTS5 `{title}: "neural"* + "operat"*`, PostgreSQL `'neural':* <-> 'operat':*`
on a GIN-indexed tsvector per field.
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


def index_rows(conn: sa.Connection, rows: Iterable[Any]) -> None:
    """(Re)index papers given as rows of (num, title, abstract, authors JSON, keywords JSON)."""
    entries = []
    for num, title, abstract, authors, keywords in rows:
        found = field_words(title, abstract, json.loads(authors), json.loads(keywords))
        entries.append((num, found))
    if not entries:
        return
    nums = [num for num, _ in entries]
    if conn.dialect.name == "sqlite":
        table = paper_search_sqlite
        conn.execute(table.delete().where(table.c.rowid.in_(nums)))
        conn.execute(table.insert(), [
            {"rowid": num, **{f: " ".join(found[f]) for f in SEARCH_FIELDS}}
            for num, found in entries])
    else:
        table = paper_search_pg
        conn.execute(table.delete().where(table.c.num.in_(nums)))
        conn.execute(
            table.insert().values(
                num=sa.bindparam("n"),
                **{f: sa.cast(sa.bindparam(f"w_{f}"), postgresql.TSVECTOR) for f in SEARCH_FIELDS}),
            [{"n": num, **{f"w_{f}": _tsvector_literal(found[f]) for f in SEARCH_FIELDS}}
             for num, found in entries])


def _text_criterion(atom: Text, dialect: str) -> sa.ColumnElement[bool]:
    if dialect == "sqlite":
        table = paper_search_sqlite
        phrase = " + ".join(f'"{w}"*' for w in atom.words)
        match = "{" + " ".join(atom.search_fields) + "}: " + phrase
        inner = sa.select(table.c.rowid).where(table.c.paper_search.op("MATCH")(match))
    else:
        table = paper_search_pg
        tsquery = sa.cast(" <-> ".join(f"'{w}':*" for w in atom.words), postgresql.TSQUERY)
        inner = sa.select(table.c.num).where(
            sa.or_(*(table.c[f].op("@@")(tsquery) for f in atom.search_fields)))
    return papers.c.num.in_(inner)


def _atom_criterion(atom: Text | Has, dialect: str) -> sa.ColumnElement[bool]:
    if isinstance(atom, Has):
        column = papers.c.has_code if atom.what == "code" else papers.c.has_project
        return column.is_(True)
    return _text_criterion(atom, dialect)


def _clause_criterion(clause: Clause, dialect: str) -> sa.ColumnElement[bool]:
    alternatives = [_atom_criterion(a, dialect) for a in clause.alternatives]
    combined = alternatives[0] if len(alternatives) == 1 else sa.or_(*alternatives)
    return sa.not_(combined) if clause.negated else combined


def criterion(query: Query, dialect: str) -> sa.ColumnElement[bool] | None:
    """A WHERE criterion on `papers` selecting the papers that match; None for no filter."""
    if not query:
        return None
    return sa.and_(*(_clause_criterion(c, dialect) for c in query.clauses))
