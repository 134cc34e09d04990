"""The store (SPEC 3) and ingest, on SQLite and on PostgreSQL: one suite, both engines."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from service.ingest import ingest_bytes
from service.listing import Listing
from service.sources import SourceError
from service.store import SchemaError, SqlStore, schema
from service.store.migrations import SCHEMA_VERSION

from .conftest import ENGINES, HF_JSON, NOW, TRENDING, dump, ingest_file, ingest_text

pytestmark = pytest.mark.parametrize("database_url", ENGINES, indirect=True)


def _by_title(store: SqlStore, start: str):  # noqa: ANN202
    found = [p for p in store.papers(Listing(scope="all"), limit=None) if p.title.startswith(start)]
    assert len(found) == 1, start
    return found[0]


def test_the_capture_lands_as_74_papers_with_ids_and_links(store: SqlStore) -> None:
    result = ingest_file(store, TRENDING)
    assert result.summary() == "snapshot 1: 74 papers, 74 new"
    papers = store.papers(limit=None)
    assert len(papers) == 74
    first = papers[0]
    assert first.id == "forward-learning-of-graph-neural-networks"
    assert first.rank == 1 and first.best_rank == 1 and first.appearances == 1
    assert first.links.code == ("https://github.com/facebookresearch/forwardgnn",)
    assert first.first_seen == dt.datetime(2026, 3, 17)
    assert _by_title(store, "SineNet").links.code == ("https://github.com/divelab/AIRS",)
    steering = _by_title(store, "Steering Rectified Flow Models in the Vector Field")
    assert steering.links.project == ("https://flowchef.github.io",)
    assert _by_title(store, "DiffRate").title.startswith("DiffRate: Differentiable")
    assert len({p.id for p in papers}) == 74


def test_the_same_content_again_is_unchanged_and_writes_nothing(store: SqlStore) -> None:
    ingest_file(store, TRENDING)
    before = dump(store)
    result = ingest_file(store, TRENDING, now=NOW + dt.timedelta(hours=1))
    assert result.unchanged
    assert result.summary().startswith("unchanged")
    assert dump(store) == before
    assert len(store.snapshots()) == 1


def test_hf_json_after_the_capture_merges_into_the_known_paper(store: SqlStore) -> None:
    ingest_file(store, TRENDING)
    version = store.data_state()[0]
    result = ingest_file(store, HF_JSON, now=NOW + dt.timedelta(days=1))
    assert result.summary() == "snapshot 2: 3 papers, 2 new"
    assert store.data_state()[0] == version + 1
    forward = store.paper("forward-learning-of-graph-neural-networks")
    assert forward is not None
    assert forward.arxiv_id == "2403.99901"
    assert forward.authors == ("Ada Example",)
    assert forward.keywords == ("graph neural networks", "forward-forward algorithm")
    assert forward.first_seen == dt.datetime(2026, 3, 17)  # never moves
    assert forward.appearances == 2 and forward.rank == 2
    assert forward.url == "https://huggingface.co/papers/2403.99901"
    for arxiv_id in ("2509.04664", "2403.99902"):
        paper = store.paper(arxiv_id)
        assert paper is not None and paper.arxiv_id == arxiv_id
    # First on a list this service ingested the day the HF list was ingested; its own
    # publication date is `published`.
    assert store.paper("2509.04664").first_seen == dt.datetime(2026, 11, 28)
    assert store.paper("2509.04664").published == dt.datetime(2025, 9, 4, 21, 26, 31)
    assert store.count_papers() == 76
    assert [h.rank for h in store.history("forward-learning-of-graph-neural-networks")] == [1, 2]


MESSY_CAPTURE = (
    "Get trending papers in your email inbox!\r\n\r\nMar 17\r\n\r\n\r\n"
    "First\u00a0Paper :\tA Study\r\n\r\n"
    "Abstract\x01 with a\x0b control \ufffe and\u00a0NBSP.\r\n\r\n\r\n\r\n"
    "<script>alert(1)</script> & Co\r\n\r\n"
    "An abstract about <b>bold</b> claims & more.\r\n\r\n"
    "FIRST PAPER: a study\r\n\r\n"
    "The same paper again, later in the list.\r\n"
)


def test_a_messy_capture_ingests_with_the_right_count_and_clean_text(store: SqlStore) -> None:
    result = ingest_text(store, MESSY_CAPTURE)
    assert result.snapshot.paper_count == 2
    papers = store.papers(limit=None)
    assert [p.title for p in papers] == ["First Paper: A Study", "<script>alert(1)</script> & Co"]
    assert papers[0].abstract == "Abstract with a control and NBSP."
    for table_rows in dump(store):
        for row in table_rows[1]:
            assert not any(ord(c) < 0x20 and c not in "\t\n\r" for c in row)
            assert "\ufffe" not in row


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"\x00\x01\x02binary", "binary"),
    (b"Title\n\nAbstract\n\nOrphan title\n", "has no abstract"),
    (b'{"not": "an array"}', "expected a JSON array"),
    (b'[{"paper": {"id": "2401.00001", "summary": "s"}}]', "entry 0, field 'paper.title'"),
])
def test_bad_input_raises_and_leaves_the_store_exactly_as_it_was(
        store: SqlStore, content: bytes, message: str) -> None:
    ingest_file(store, TRENDING)
    before = dump(store)
    with pytest.raises(SourceError, match=message):
        ingest_bytes(store, content, source="bad-input", now=NOW)
    assert dump(store) == before


def test_a_failure_inside_the_transaction_writes_nothing(store: SqlStore,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_file(store, TRENDING)
    before = dump(store)

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("service.store.writes.index_rows", explode)
    with pytest.raises(RuntimeError):
        ingest_file(store, HF_JSON, now=NOW + dt.timedelta(days=1))
    assert dump(store) == before


def test_a_paper_dropping_out_and_returning_keeps_id_and_first_seen(store: SqlStore) -> None:
    ingest_text(store, "Mar 17\n\nAlpha Paper\n\nAbout alpha.\n\nBeta Paper\n\nAbout beta.\n")
    ingest_text(store, "Mar 18\n\nGamma Paper\n\nAbout gamma.\n",
                now=NOW + dt.timedelta(days=1))
    ingest_text(store, "Mar 19\n\nBeta Paper\n\nAbout beta.\n\nAlpha Paper\n\nAbout alpha.\n",
                now=NOW + dt.timedelta(days=2))
    alpha = store.paper("alpha-paper")
    assert alpha is not None
    assert alpha.first_seen == dt.datetime(2026, 3, 17)
    assert alpha.last_seen == NOW + dt.timedelta(days=2)  # when it was last on a list
    assert alpha.last_list_date == dt.date(2026, 3, 19)
    assert (alpha.rank, alpha.best_rank, alpha.appearances) == (2, 1, 2)
    assert alpha.updated == alpha.first_seen  # the text never changed
    assert store.paper("gamma-paper").rank is None


def test_a_changed_abstract_moves_updated_but_not_first_seen(store: SqlStore) -> None:
    ingest_text(store, "Mar 17\n\nAlpha Paper\n\nAbout alpha.\n")
    later = NOW + dt.timedelta(days=1)
    ingest_text(store, "Mar 18\n\nAlpha Paper\n\nAbout alpha, revised.\n", now=later)
    alpha = store.paper("alpha-paper")
    assert alpha.abstract == "About alpha, revised."
    assert alpha.first_seen == dt.datetime(2026, 3, 17) and alpha.updated == later


def test_slug_collisions_get_a_hash_suffix(store: SqlStore) -> None:
    # Different papers (the title keys differ) whose ASCII slugs are the same.
    ingest_text(store, "Mar 17\n\nTricks\n\nOne.\n\n\u65e5\u672c Tricks\n\nTwo.\n")
    ids = [p.id for p in store.papers(limit=None)]
    assert ids[0] == "tricks" and ids[1].startswith("tricks-") and len(ids[1]) == 15


def test_a_store_newer_than_the_code_is_refused(store: SqlStore) -> None:
    with store.engine.begin() as conn:
        conn.execute(schema.meta.update().where(schema.meta.c.key == "schema_version")
                     .values(value=SCHEMA_VERSION + 1))
    with pytest.raises(SchemaError, match="newer"):
        store.migrate()


def test_a_date_in_the_future_is_refused(store: SqlStore) -> None:
    with pytest.raises(SourceError, match="in the future"):
        ingest_text(store, "T\n\nA\n", list_date=dt.date(2027, 1, 1))
    assert store.latest_snapshot() is None


def test_stored_json_columns_round_trip(store: SqlStore) -> None:
    ingest_file(store, HF_JSON)
    with store.engine.connect() as conn:
        authors = conn.execute(sa.select(schema.papers.c.authors)
                               .where(schema.papers.c.id == "2403.99902")).scalar()
    assert authors == ["Bé Exemple", "C. Sample"]
