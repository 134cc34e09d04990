"""The keyword query language (SPEC 5): parsing, canonical forms, and the stores' answers
checked against an independent straightforward implementation, on both engines."""

from __future__ import annotations

import json
import operator
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.listing import Listing
from service.model import Paper
from service.query import MAX_TERMS, QueryError, parse
from service.store import SqlStore

from .conftest import ENGINES, HF_JSON, TRENDING, ingest_file, ingest_text

OPERATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
             "=": operator.eq}
# An hf-json list of papers with known upvotes, beside the capture's unknown ones.
UPVOTED = [(f"2501.{1000 + i:05d}", f"Upvoted Study Number {word}", votes)
           for i, (word, votes) in enumerate([("Zero", 0), ("Five", 5), ("Fortynine", 49),
                                              ("Fifty", 50), ("Fiftyone", 51),
                                              ("Thousand", 1000)])]


def upvoted_json() -> bytes:
    return json.dumps([{"paper": {"id": arxiv_id, "title": title, "upvotes": votes,
                                  "summary": f"A diffusion study about {title.lower()}."}}
                       for arxiv_id, title, votes in UPVOTED]).encode()

# -- an independent reference: regexes over the plain text, nothing from service.words --


def ref_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.findall(r"[^\W_]+", plain)


def ref_fields(paper: Paper) -> dict[str, list[str]]:
    return {"title": ref_words(paper.title), "abstract": ref_words(paper.abstract),
            "authors": ref_words(" ".join(paper.authors)),
            "keywords": ref_words(" ".join(paper.keywords))}


def ref_phrase(paper: Paper, terms: list[str], fields: tuple[str, ...] = ()) -> bool:
    for name, found in ref_fields(paper).items():
        if fields and name not in fields:
            continue
        for start in range(len(found) - len(terms) + 1):
            # a term matches words starting with it, a one-character term whole words only
            if all(found[start + i].startswith(t) if len(t) > 1 else found[start + i] == t
                   for i, t in enumerate(terms)):
                return True
    return False


def ref_has_code(paper: Paper) -> bool:
    return any(host in paper.abstract for host in ("github.com/", "gitlab.com/"))


REFERENCE: dict[str, Callable[[Paper], bool]] = {
    "diffusion": lambda p: ref_phrase(p, ["diffusion"]),
    "federated -personalized": lambda p: (ref_phrase(p, ["federated"])
                                          and not ref_phrase(p, ["personalized"])),
    '"neural operator"': lambda p: ref_phrase(p, ["neural", "operator"]),
    "title:transformer": lambda p: ref_phrase(p, ["transformer"], ("title",)),
    "diffusion OR flow": lambda p: ref_phrase(p, ["diffusion"]) or ref_phrase(p, ["flow"]),
    "has:code": ref_has_code,
    "mlp-mixer": lambda p: ref_phrase(p, ["mlp", "mixer"]),
    "NAÏVE": lambda p: ref_phrase(p, ["naive"]),
    "graph -title:graph": lambda p: ref_phrase(p, ["graph"])
    and not ref_phrase(p, ["graph"], ("title",)),
    "upvotes:>=50": lambda p: p.upvotes is not None and p.upvotes >= 50,
    "diffusion upvotes:<50": lambda p: (ref_phrase(p, ["diffusion"]) and p.upvotes is not None
                                        and p.upvotes < 50),
    "upvotes:=0": lambda p: p.upvotes == 0,
    "upvotes:>5 upvotes:<=50": lambda p: p.upvotes is not None and 5 < p.upvotes <= 50,
    "arxiv:2403.99901": lambda p: p.arxiv_id == "2403.99901",
    "2501.01003": lambda p: p.arxiv_id == "2501.01003" or ref_phrase(p, ["2501", "01003"]),
    "arxiv:2501.01001v3 OR title:forward": lambda p: (p.arxiv_id == "2501.01001"
                                                      or ref_phrase(p, ["forward"], ("title",))),
    "diffusion -arxiv:2501.01000": lambda p: (ref_phrase(p, ["diffusion"])
                                              and p.arxiv_id != "2501.01000"),
}


# -- parsing -----------------------------------------------------------------


def test_equivalent_queries_share_one_canonical_form() -> None:
    assert parse("LLM agents").canonical() == parse("agents  llm").canonical() == "agents llm"
    assert parse("flow OR diffusion").canonical() == parse("Diffusion OR Flow").canonical()
    assert parse('"Neural   Operator"').canonical() == '"neural operator"'
    assert parse("mlp-mixer").canonical() == '"mlp mixer"'
    assert parse("Title:Transformer -HAS:code").canonical() == "-has:code title:transformer"
    assert parse("") == parse("   ") == parse(None)
    assert not parse("")


@pytest.mark.parametrize(("q", "message"), [
    ('"unbalanced', "unbalanced quote at position 1"),
    ('ok "open phrase', "unbalanced quote at position 4"),
    ("venue:neurips", "unknown field 'venue:'"),
    ("has:tests", "unknown filter 'has:tests'"),
    ("a OR", "'OR' needs a term on each side"),
    ("OR a", "'OR' needs a term on each side"),
    ("a OR OR b", "'OR' needs a term on each side"),
    ("a OR -b", "cannot be an OR alternative"),
    ("-", "must be followed by a term"),
    ("+++", "the term '+++' has no letters or digits"),
    ("x" * 257, "at most 256"),
    (" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), "more than 16 terms"),
    ("arxiv:graph", "expected an arXiv id such as arxiv:2403.12345"),
    ("arxiv:\u0662\u0664\u0660\u0663.12345", "expected an arXiv id"),
    ("upvotes:>=many", "expected upvotes:>=N"),
    ("upvotes:>=1234567890", "at most 9 digits"),
    ("-upvotes:>=5", "cannot be excluded or be an OR alternative"),
    ('"' + " ".join("a" * 13) + '"', "has 13 words; at most 12"),
    (" ".join(["2403.12345", "2403.12346", "2403.12347", "2403.12348", "2403.12349",
               "2403.12350", "2403.12351", "2403.12352", "2403.12353"]),
     "has 18 terms; at most 16 are allowed (a bare arXiv id counts as two)"),
    (" ".join("\ufb03" * 7 + c for c in "abcdefghijkl"), "275 characters long once"),
    ("diffusion OR upvotes:>=5", "cannot be excluded or be an OR alternative"),
    ("title:", "'title:' needs a term after the colon"),
    ("graph author: smith", "'author:' needs a term after the colon"),
    ("-has:", "'-has:' needs a term after the colon"),
    ("NOT", "'NOT' needs a term after it"),
    ("diffusion NOT", "'NOT' needs a term after it"),
    ("NOT NOT video", "'NOT' cannot be followed by 'NOT'"),
    ("NOT -video", "'NOT' cannot be followed by an excluded term"),
    ("a OR NOT b", "'OR' cannot be followed by 'NOT'"),
    ("NOT a OR b", "an excluded term ('NOT a') cannot be an OR alternative"),
    ("AND", "'AND' needs a term on each side"),
    ("graph AND", "'AND' needs a term on each side"),
    ("AND graph", "'AND' needs a term on each side"),
    ("graph AND OR flow", "'OR' needs a term on each side"),
    ("NOT upvotes:>=5", "cannot be excluded or be an OR alternative"),
])
def test_malformed_queries_name_the_offending_token(q: str, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        parse(q)


def test_arxiv_ids_and_upvotes_have_canonical_forms() -> None:
    assert parse("ARXIV:2403.12345v2").canonical() == "arxiv:2403.12345"
    assert parse("2403.12345").canonical() == '"2403 12345" OR arxiv:2403.12345'
    assert parse("upvotes:50").canonical() == parse("upvotes:=050").canonical() == "upvotes:=50"
    assert parse("upvotes:>=50 diffusion").canonical() == "diffusion upvotes:>=50"
    assert parse("-2403.12345").canonical() == '-"2403 12345" -arxiv:2403.12345'
    for q in ("2403.12345", "upvotes:>=50 diffusion", "-arxiv:2403.12345 graph",
              "-2403.12345 graph"):
        assert parse(parse(q).canonical()) == parse(q)


def test_a_quoted_or_is_a_word_not_the_operator() -> None:
    assert parse('"OR"').canonical() == "or"
    assert parse('graph "OR" flow').canonical() == "flow graph or"
    assert parse(parse('"OR"').canonical()) == parse('"OR"')


def test_the_service_never_writes_a_canonical_form_it_would_refuse() -> None:
    # "\ufb03" folds to three letters: 12 such terms of 107 characters are 275 once
    # folded, and refused up front (above); 11 of them (252) are accepted, and so is their
    # canonical form
    ligatures = " ".join("\ufb03" * 7 + c for c in "abcdefghijk")
    assert len(parse(ligatures).canonical()) == 252
    for q in (ligatures, " ".join(f"w{i}" for i in range(12)), "2403.12345 " * 8):
        assert parse(parse(q).canonical()) == parse(q)


def test_lowercase_or_is_a_word_and_a_colon_without_a_term_is_text() -> None:
    assert parse("rock or roll").canonical() == "or rock roll"
    assert parse("ratio: 2").canonical() == "2 ratio"


def test_and_and_not_mean_what_other_search_boxes_mean() -> None:
    assert parse("diffusion NOT video").canonical() == parse("diffusion -video").canonical()
    assert parse("diffusion AND flow").canonical() == "diffusion flow"
    assert parse("graph AND NOT video AND flow OR diffusion").canonical() == \
        parse("graph -video flow OR diffusion").canonical()
    assert parse('NOT "image generation"').canonical() == '-"image generation"'
    # lower case, and quoted, they are words
    assert parse("war and not peace").canonical() == "and not peace war"
    assert parse('"NOT" "AND"').canonical() == "and not"
    for q in ("diffusion NOT video", "a AND b", 'NOT "x y" z'):
        assert parse(parse(q).canonical()) == parse(q)


query_terms = st.sampled_from(["graph", "neural", "operator", "diffusion", "flow", "transformer",
                               "a", "x", "3", "of",
                               "vision", "federated", "learning", "token", "mixer", "naïve",
                               "Attention", "frequency", "model", "imag", "3d", "zzzz"])
fields = st.sampled_from(["", "title:", "abstract:", "author:", "keyword:"])


ARXIV_IDS = ["2403.99901", "2509.04664", "2501.01002", "2501.01005", "2201.00000"]


@st.composite
def atoms(draw: Any) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["word", "phrase", "has", "arxiv"]))
    if kind == "arxiv":
        arxiv_id = draw(st.sampled_from(ARXIV_IDS))
        return f"arxiv:{arxiv_id}", ("arxiv", arxiv_id)
    if kind == "has":
        what = draw(st.sampled_from(["code", "project"]))
        return f"has:{what}", ("has", what)
    field = draw(fields)
    words = draw(st.lists(query_terms, min_size=1, max_size=1 if kind == "word" else 3))
    text = words[0] if kind == "word" else '"' + " ".join(words) + '"'
    return field + text, ("text", field.rstrip(":"), [ref_words(w)[0] for w in words])


@st.composite
def queries(draw: Any) -> tuple[str, list[tuple[bool, list[Any]]]]:
    clauses = []
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        alternatives = draw(st.lists(atoms(), min_size=1, max_size=3))
        negated = len(alternatives) == 1 and draw(st.booleans())
        if parts and draw(st.booleans()):
            parts.append("AND")  # the implicit AND, said aloud
        exclude = draw(st.sampled_from(["-", "NOT "])) if negated else ""
        parts.append(exclude + " OR ".join(text for text, _ in alternatives))
        clauses.append((negated, [tree for _, tree in alternatives]))
    if draw(st.booleans()):  # an upvotes filter: a clause of its own, never negated
        op = draw(st.sampled_from(list(OPERATORS)))
        value = draw(st.sampled_from([0, 5, 26, 41, 49, 50, 51, 1000, 5000]))
        parts.append(f"upvotes:{op}{value}")
        clauses.append((False, [("upvotes", op, value)]))
    return " ".join(parts), clauses


FIELD_NAMES = {"title": "title", "abstract": "abstract", "author": "authors",
               "keyword": "keywords"}


def ref_evaluate(paper: Paper, clauses: list[tuple[bool, list[Any]]]) -> bool:
    def atom(tree: Any) -> bool:
        if tree[0] == "arxiv":
            return paper.arxiv_id == tree[1]
        if tree[0] == "upvotes":  # unknown upvotes never match
            return paper.upvotes is not None and OPERATORS[tree[1]](paper.upvotes, tree[2])
        if tree[0] == "has":
            return bool(paper.links.code if tree[1] == "code" else paper.links.project)
        _, field, terms = tree
        return ref_phrase(paper, terms, (FIELD_NAMES[field],) if field else ())

    return all(any(atom(t) for t in alts) != negated for negated, alts in clauses)


def _within_limits(q: str) -> bool:
    try:
        parse(q)
    except QueryError:  # over the limits (characters, terms, words): tested above
        return False
    return True


queries_within_limits = queries().filter(lambda generated: _within_limits(generated[0]))


@settings(max_examples=300, deadline=None)
@given(queries_within_limits)
def test_canonical_form_parses_back_to_the_same_query(generated: Any) -> None:
    q, _ = generated
    parsed = parse(q)
    assert parse(parsed.canonical()) == parsed


# -- evaluation on both stores -----------------------------------------------------




@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
class TestEvaluation:
    @pytest.fixture(autouse=True)
    def _data(self, store: SqlStore) -> None:
        ingest_file(store, TRENDING)
        ingest_file(store, HF_JSON)
        ingest_text(store, upvoted_json().decode())
        ingest_text(store, "Mar 18\n\nNaïve Bayes Revisited\n\nA classic, reconsidered.\n\n"
                    "MLP-Mixer Variants\n\nMixers of tokens.\n\nMixer MLP Inversions\n\n"
                    "Not the phrase.\n")
        self.store = store
        self.papers = store.papers(Listing(scope="all"), limit=None)

    def found(self, q: str, scope: str = "all") -> set[str]:
        return {p.id for p in self.store.papers(Listing(parse(q), scope), limit=None)}

    @pytest.mark.parametrize("q", list(REFERENCE))
    def test_the_spec_examples_match_the_reference(self, q: str) -> None:
        expected = {p.id for p in self.papers if REFERENCE[q](p)}
        assert self.found(q) == expected
        assert expected, f"{q!r} should match something in the fixture"
        assert self.store.count(Listing(parse(q), "all")) == len(expected)

    def test_diffusion_matches_words_starting_with_it_case_insensitively(self) -> None:
        found = self.found("diffusion")
        for paper in self.papers:
            text = " ".join([paper.title, paper.abstract, *paper.authors, *paper.keywords])
            has_word = re.search(r"(?<![^\W_])diffusion", text, re.IGNORECASE) is not None
            assert (paper.id in found) == has_word, paper.title

    def test_phrases_need_consecutive_words(self) -> None:
        assert "mlp-mixer-variants" in self.found("mlp-mixer")
        assert "mixer-mlp-inversions" not in self.found("mlp-mixer")
        assert "mixer-mlp-inversions" in self.found("mlp mixer")

    def test_current_scope_is_the_latest_list(self) -> None:
        assert self.found("naive", scope="current") == {"naive-bayes-revisited"}
        assert self.found("diffusion", scope="current") == set()

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(generated=queries_within_limits)
    def test_generated_queries_match_the_reference(self, generated: Any) -> None:
        q, clauses = generated
        expected = {p.id for p in self.papers if ref_evaluate(p, clauses)}
        assert self.found(q) == expected, q
