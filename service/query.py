"""The keyword query language (SPEC section 5): a q string to a parsed, canonical Query.

Pure: no I/O and no regular expression built from user input. The stores turn a
Query into SQL over their search index (`store/search.py`); `Query.canonical()` is the
form used in cache keys and self links, so that `LLM agents` and `agents  llm`, which
mean the same, share one.

Grammar, informally:
    query   := item ('AND'? item)*        items are ANDed ('AND' says so aloud)
    item    := ('-' | 'NOT')? atom | atom ('OR' atom)+
    atom    := [field ':'] (word | '"' words '"') | 'has:code' | 'has:project'
             | 'arxiv:' id | 'upvotes:' ('>' | '>=' | '<' | '<=' | '=')? digits
A term matches a word that starts with it; a term of several words (`"neural operator"`,
`mlp-mixer`) matches those words consecutively, each as a prefix. A bare arXiv id
(`2403.12345`) means "that paper, or text containing that id". An upvotes comparison
is a filter of its own: it cannot be negated or be an OR alternative, and a paper
whose upvotes are unknown never matches it. `AND`, `OR`, `NOT` are operators in upper
case only (as other search boxes write them), else words; an operator with nothing to
act on (`NOT`, `a OR`) and a field with nothing after its colon (`title:`) are errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import arxiv_base
from .words import words

MAX_QUERY_CHARS = 256
MAX_TERMS = 16
# Words in all terms together: each is a step of a phrase match, so a query's cost grows
# with them (a phrase of 125 one-letter words took seconds over 10,000 papers; 32 common
# words still 150-230 ms over 100,000 on a cache miss, 12 about a third of that).
MAX_WORDS = 12
MIN_PREFIX_CHARS = 2  # a shorter word matches whole words only
FIELDS = {"title": "title", "abstract": "abstract", "author": "authors", "authors": "authors",
          "keyword": "keywords", "keywords": "keywords"}
ALL_FIELDS = ("title", "abstract", "authors", "keywords")
HAS_VALUES = ("code", "project")
COMPARISONS = (">=", "<=", ">", "<", "=")  # longest first, for parsing
_EXAMPLE = {"has": "code", "arxiv": "2403.12345", "upvotes": ">=50"}
MAX_UPVOTES_DIGITS = 9
_FIELD_NAME_OF = {"title": "title", "abstract": "abstract", "authors": "author",
                  "keywords": "keyword"}


class QueryError(ValueError):
    """A q that is not in the language; the message names the offending token."""


@dataclass(frozen=True, order=True)
class Text:
    """Consecutive words, each matched as a prefix, in one of `fields` (all when empty)."""

    words: tuple[str, ...]
    fields: tuple[str, ...] = ()

    def canonical(self) -> str:
        prefix = "".join(f"{_FIELD_NAME_OF[f]}:" for f in self.fields)
        body = self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'
        return prefix + body

    @property
    def search_fields(self) -> tuple[str, ...]:
        return self.fields or ALL_FIELDS


@dataclass(frozen=True, order=True)
class Has:
    what: str  # "code" or "project"

    def canonical(self) -> str:
        return f"has:{self.what}"


@dataclass(frozen=True, order=True)
class Arxiv:
    id: str  # new-style, without a version

    def canonical(self) -> str:
        return f"arxiv:{self.id}"


@dataclass(frozen=True, order=True)
class Upvotes:
    op: str  # one of COMPARISONS
    value: int

    def canonical(self) -> str:
        return f"upvotes:{self.op}{self.value}"


Atom = Text | Has | Arxiv | Upvotes


@dataclass(frozen=True)
class Clause:
    alternatives: tuple[Atom, ...]
    negated: bool = False

    def canonical(self) -> str:
        return ("-" if self.negated else "") + " OR ".join(a.canonical() for a in self.alternatives)


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...] = ()

    def canonical(self) -> str:
        return " ".join(c.canonical() for c in self.clauses)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    @property
    def text_clauses(self) -> tuple[Clause, ...]:
        """The clauses the search index answers (all but the upvotes filters)."""
        return tuple(c for c in self.clauses if not isinstance(c.alternatives[0], Upvotes))

    @property
    def upvotes(self) -> tuple[Upvotes, ...]:
        return tuple(a for c in self.clauses for a in c.alternatives if isinstance(a, Upvotes))


OPERATORS = ("AND", "OR", "NOT")
# Field names that make `name:` a field prefix (anything else before a colon is a word).
_PREFIXES = (*FIELDS, "has", "arxiv", "upvotes")


@dataclass
class _Token:
    kind: str  # "atom", or an operator: "and", "or", "not"
    text: str
    atoms: tuple[Atom, ...] = ()
    negated: bool = False


def _scan(q: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(q)
    while i < n:
        if q[i].isspace():
            i += 1
            continue
        start = i
        negated = False
        if q[i] == "-":
            negated = True
            i += 1
        field: str | None = None
        # A field prefix: letters then ':' directly before the term.
        j = i
        while j < n and q[j].isalpha() and q[j].isascii():
            j += 1
        if j < n and j > i and q[j] == ":" and j + 1 < n and not q[j + 1].isspace():
            field = q[i:j].lower()
            i = j + 1
        elif j < n and j > i and q[j] == ":" and q[i:j].lower() in _PREFIXES:
            raise QueryError(f"{q[start:j + 1]!r} needs a term after the colon "
                             f"(such as {q[i:j].lower()}:{_EXAMPLE.get(q[i:j].lower(), 'graph')})")
        quoted = i < n and q[i] == '"'
        if quoted:
            end = q.find('"', i + 1)
            if end < 0:
                raise QueryError(f"unbalanced quote at position {i + 1}: {q[start:start + 40]}")
            body, i = q[i + 1:end], end + 1
        else:
            j = i
            while j < n and not q[j].isspace() and q[j] != '"':
                j += 1
            body, i = q[i:j], j
        text = q[start:i]
        if not negated and field is None and not quoted and body in OPERATORS:
            tokens.append(_Token(body.lower(), text))
            continue
        tokens.append(_Token("atom", text, _atoms(field, body, text), negated))
    return tokens


def _upvotes(body: str, text: str) -> Upvotes:
    op = next((c for c in COMPARISONS if body.startswith(c)), "=")
    digits = body[len(op):] if body.startswith(op) else body
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_UPVOTES_DIGITS:
        raise QueryError(f"{text!r}: expected upvotes:>=N (also >, <=, <, =) with N a "
                         f"whole number of at most {MAX_UPVOTES_DIGITS} digits")
    return Upvotes(op, int(digits))


def _atoms(field: str | None, body: str, text: str) -> tuple[Atom, ...]:
    if field == "has":
        if body.lower() not in HAS_VALUES:
            raise QueryError(f"unknown filter {text!r} (use has:code or has:project)")
        return (Has(body.lower()),)
    if field == "arxiv":
        found_id = arxiv_base(body.strip())
        if found_id is None:
            raise QueryError(f"{text!r}: expected an arXiv id such as arxiv:2403.12345")
        return (Arxiv(found_id),)
    if field == "upvotes":
        return (_upvotes(body.strip(), text),)
    if field is not None and field not in FIELDS:
        known = ", ".join(f"{f}:" for f in ("title", "abstract", "author", "keyword", "has",
                                             "arxiv", "upvotes"))
        raise QueryError(f"unknown field {field + ':'!r} in {text!r} (known: {known})")
    found = tuple(words(body))
    if not found:
        if text in ("-", ""):
            raise QueryError("a '-' must be followed by a term")
        raise QueryError(f"the term {text!r} has no letters or digits")
    term = Text(found, (FIELDS[field],) if field else ())
    bare_id = arxiv_base(body) if field is None else None
    return (term, Arxiv(bare_id)) if bare_id else (term,)


def parse(q: str | None) -> Query:
    """Parse a q string. Raises QueryError naming the offending token."""
    if q is None:
        return Query()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"is {len(q)} characters long; at most {MAX_QUERY_CHARS} are allowed")
    tokens = _scan(q)
    if sum(t.kind == "atom" for t in tokens) > MAX_TERMS:
        raise QueryError(f"has more than {MAX_TERMS} terms")

    clauses: list[Clause] = []
    group: list[_Token] = []
    pending: _Token | None = None  # an operator waiting for the term after it
    for token in tokens:
        if token.kind in ("or", "and"):
            if not group or pending is not None:
                raise QueryError(f"{token.text!r} needs a term on each side")
            pending = token
            continue
        if token.kind == "not":
            if pending is not None and pending.kind in ("or", "not"):
                raise QueryError(f"{pending.text!r} cannot be followed by 'NOT'")
            pending = token
            continue
        if pending is not None and pending.kind == "not":
            if token.negated:
                raise QueryError(f"'NOT' cannot be followed by an excluded term ({token.text!r})")
            token = _Token("atom", f"NOT {token.text}", token.atoms, negated=True)
        if pending is not None and pending.kind == "or":
            group.append(token)
        else:
            clauses += [_clause(group)] if group else []
            group = [token]
        pending = None
    if pending is not None:
        needs = "a term after it" if pending.kind == "not" else "a term on each side"
        raise QueryError(f"{pending.text!r} needs {needs}")
    if group:
        clauses.append(_clause(group))
    return _bounded({written for clause in clauses for written in _written(clause)}, "")


def _bounded(clauses: set[Clause], context: str) -> Query:
    """The canonical Query of `clauses`, checked against the limits as the service will
    write it (a bare arXiv id becomes two terms, a folded word can grow), so that every
    canonical form the service emits in a self or next link is accepted again."""
    query = Query(tuple(sorted(clauses, key=Clause.canonical)))
    terms = sum(len(c.alternatives) for c in query.clauses)
    if terms > MAX_TERMS:
        raise QueryError(f"has {terms} terms{context}; at most {MAX_TERMS} are allowed "
                         "(a bare arXiv id counts as two)")
    word_count = sum(len(a.words) for c in query.clauses for a in c.alternatives
                     if isinstance(a, Text))
    if word_count > MAX_WORDS:
        raise QueryError(f"has {word_count} words{context}; at most {MAX_WORDS} are allowed")
    if len(query.canonical()) > MAX_QUERY_CHARS:
        raise QueryError(f"is {len(query.canonical())} characters long{context} once written "
                         f"in its canonical form; at most {MAX_QUERY_CHARS} are allowed")
    return query


def combine(*queries: Query) -> Query:
    """Papers matching every one of `queries` (a keyword URL narrowed by its q), as one
    canonical Query. Raises QueryError when the whole is over the limits."""
    return _bounded({clause for q in queries for clause in q.clauses},
                    " together with the keyword")


def _clause(group: list[_Token]) -> Clause:
    for token in group:
        if len(group) > 1 and token.negated:
            raise QueryError(f"an excluded term ({token.text!r}) cannot be an OR alternative")
        if any(isinstance(a, Upvotes) for a in token.atoms) and (len(group) > 1
                                                                   or token.negated):
            raise QueryError(f"an upvotes filter ({token.text!r}) cannot be excluded or be an "
                             "OR alternative")
    atoms = sorted({a for t in group for a in t.atoms}, key=lambda a: a.canonical())
    return Clause(tuple(atoms), negated=group[0].negated)


def _written(clause: Clause) -> list[Clause]:
    """An excluded bare arXiv id excludes the paper and the text: `-2403.12345` is
    `-"2403 12345" -arxiv:2403.12345`, which (unlike an excluded OR) can be written back."""
    if clause.negated and len(clause.alternatives) > 1:
        return [Clause((atom,), negated=True) for atom in clause.alternatives]
    return [clause]
