"""SPEC 3 bounds: papers per list (TRENDFEED_MAX_PAPERS), authors and keywords per paper,
the length of a title (1,000 characters) and of an abstract (10,000), and every date
(list date, `published`, a query date) between 1991-01-01 and one day after the ingest
time. Each is refused with a message naming the line, the entry and field, or the
parameter, and nothing is written."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from service import cli, create_app
from service.ingest import ingest_bytes
from service.sources import SourceError, parse
from service.store import SqlStore, open_store

from .conftest import ENGINES, HF_JSON, NOW, TRENDING, dump, ingest_file

TOMORROW = NOW.date() + dt.timedelta(days=1)
DAY_AFTER = NOW.date() + dt.timedelta(days=2)


def _capture(date_line: str, published: str = "") -> str:
    lines = f"new\n\n{date_line}\n\nA Bounded Title\n"
    if published:
        lines += f"Submitted by someone\n{published}\n"
    return lines + "\nThe abstract of the bounded paper.\n"


def _entry(index: int, **paper: Any) -> dict[str, Any]:
    return {"paper": {"id": f"2401.{index:05d}", "title": f"Paper number {index}",
                      "summary": f"The abstract of paper {index}.", **paper}}


def _hf(*entries: dict[str, Any]) -> bytes:
    return json.dumps(list(entries)).encode()


def _refused(store: SqlStore, data: bytes, **options: Any) -> SourceError:
    before = dump(store)
    with pytest.raises(SourceError) as caught:
        ingest_bytes(store, data, source="bounds", now=NOW, **options)
    assert dump(store) == before  # nothing written
    return caught.value


# -- dates ---------------------------------------------------------------------------

@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize("date_line", ["Dec 31, 9999", f"{DAY_AFTER:%b %d, %Y}",
                                       "Dec 31, 1990", "Jan 1, 0001"])
def test_a_list_date_out_of_bounds_is_refused_naming_its_line(store: SqlStore,
                                                              date_line: str) -> None:
    error = _refused(store, _capture(date_line).encode())
    assert "line 3" in str(error) and "list date" in error.message


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_list_date_may_be_tomorrow_and_no_later(store: SqlStore) -> None:
    """One day after the ingest time: a list dated in a timezone ahead of UTC."""
    data = _capture(f"{TOMORROW:%b %d, %Y}").encode()
    assert ingest_bytes(store, data, source="bounds", now=NOW).snapshot.list_date == TOMORROW
    assert ingest_file(store, TRENDING, list_date=TOMORROW).snapshot.list_date == TOMORROW
    for day in (DAY_AFTER, dt.date(1990, 12, 31), dt.date(1, 1, 1)):
        error = _refused(store, HF_JSON.read_bytes(), list_date=day)
        assert error.name == "--date", error


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize("published", ["Published on Dec 31, 9999",
                                       "Published on Dec 31, 1990"])
def test_a_published_line_out_of_bounds_is_refused_naming_its_line(store: SqlStore,
                                                                   published: str) -> None:
    error = _refused(store, _capture("Mar 17, 2026", published).encode())
    assert "line 7" in str(error) and "published" in error.message


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize("value", ["9999-12-31T23:59:59Z", "2026-11-28T08:00:01Z",
                                   "1990-12-31T23:59:59Z", "1970-01-01T00:00:00Z"])
@pytest.mark.parametrize("field", ["publishedAt", "submittedOnDailyAt"])
def test_an_hf_json_date_out_of_bounds_is_dropped_naming_entry_and_field(
        store: SqlStore, value: str, field: str) -> None:
    """Refused until issue 17; SPEC 1.2 now says a bad optional field (a date among them)
    costs that field only, with a warning naming entry and field: the paper is stored
    without the date, and the date is never stored."""
    result = ingest_bytes(store, _hf(_entry(0), _entry(1, **{field: value})), source="bounds",
                          now=NOW)
    assert len(result.warnings) == 1, result.warnings
    assert result.warnings[0].startswith(f"entry 1, field 'paper.{field}': the date ")
    assert result.warnings[0].endswith("(dropped)")
    paper = store.paper("2401.00001")
    assert paper is not None and paper.title == "Paper number 1"
    assert paper.published is None and paper.hf_daily_at is None


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_dates_at_the_bounds_are_kept(store: SqlStore) -> None:
    data = _hf(_entry(0, publishedAt="1991-01-01T00:00:00Z",
                      submittedOnDailyAt="1991-01-01T00:00:00Z"),
               _entry(1, publishedAt="2026-11-28T08:00:00Z",
                      submittedOnDailyAt="2026-11-28T08:00:00Z"))
    assert ingest_bytes(store, data, source="bounds", now=NOW).warnings == ()
    published = {p.arxiv_id: p.published for p in store.papers()}
    assert published == {"2401.00000": dt.datetime(1991, 1, 1),
                         "2401.00001": dt.datetime(2026, 11, 28, 8)}
    assert {p.arxiv_id: p.hf_daily_at for p in store.papers()} == published


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_date_parameter_out_of_bounds_over_http_names_date(database_url: str) -> None:
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "ingest_token": "tok"})
    client = app.test_client()
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date()  # HTTP uses the clock
    for day in ("0001-01-01", "1990-12-31", later.isoformat()):
        response = client.post(f"/api/v1/snapshots?date={day}", data=HF_JSON.read_bytes(),
                               content_type="application/json",
                               headers={"Authorization": "Bearer tok"})
        assert response.status_code == 400, response.data
        assert list(response.get_json()["errors"]) == ["date"]
    assert client.get("/api/v1/status").get_json()["totals"]["snapshots"] == 0
    app.extensions["trendfeed"].store.close()


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_published_after_is_rfc_3339_within_the_bounds(client: Any) -> None:
    refused = [
        "0001-01-01T00:00:00+00:01",  # was an OverflowError: a 500
        "0001-01-01", "1990-12-31", "1990-12-31T23:59:59Z", "9999-12-31T23:59:59-23:59",
        "2999-01-01", (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat(),
        # forms fromisoformat takes that RFC 3339 does not
        "2024-W01-1", "20240101", "20240101T000000Z", "2024-01-01T00Z", "2024-01-01T00:00Z",
        "2024-01-01 00:00:00Z", "2024-01-01T00:00:00+0000", "2024-01-01T00:00:00+00",
        "2024-01-01T00:00:00", "2024-01-01T00:00:00.Z", "+2024-01-01", "2024-1-1",
        "2024-01-01T24:00:00Z", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00+24:00",
        "2024-02-30", "２０２４-01-01",
    ]
    for value in refused:
        response = client.get("/api/v1/papers", query_string={"published_after": value})
        assert response.status_code == 400, (value, response.data)
        assert list(response.get_json()["errors"]) == ["published_after"], value
    accepted = ["1991-01-01", "2024-01-01", "2024-01-01T00:00:00Z", "2024-01-01t00:00:00z",
                "2024-01-01T00:00:00.123456789+05:30", "2024-01-01T00:00:00-00:00",
                "1991-01-01T05:00:00+05:00"]
    for value in accepted:
        response = client.get("/api/v1/papers", query_string={"published_after": value})
        assert response.status_code == 200, (value, response.data)


# -- authors and keywords --------------------------------------------------------------

@pytest.mark.parametrize(("field", "count"), [("authors", 1001), ("ai_keywords", 101)])
def test_a_paper_over_the_author_or_keyword_bound_is_refused_naming_entry_and_field(
        field: str, count: int) -> None:
    values: list[Any] = [f"name {n}" for n in range(count)]
    if field == "authors":
        values = [{"name": v} for v in values]
    with pytest.raises(SourceError) as caught:
        parse(_hf(_entry(0), _entry(1, **{field: values})), "hf-json", name="up")
    assert f"entry 1, field 'paper.{field}'" in str(caught.value)
    assert str(count) in str(caught.value)


def test_200000_keywords_are_refused_before_any_deduplication() -> None:
    """A hostile upstream: 200,000 keywords held a worker 207 s (a list-based de-dup)."""
    keywords = [f"k{n}" for n in range(200_000)]
    with pytest.raises(SourceError, match=r"entry 0, field 'paper.ai_keywords'"):
        parse(_hf(_entry(0, ai_keywords=keywords)), "hf-json")


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_1000_authors_and_100_keywords_are_kept_once_each_in_order(store: SqlStore) -> None:
    authors = [{"name": f"Author {n % 600}"} for n in range(1000)]
    keywords = [f" keyword  {n % 60} " for n in range(100)]
    ingest_bytes(store, _hf(_entry(0, authors=authors, ai_keywords=keywords)),
                 source="bounds", now=NOW)
    (paper,) = store.papers()
    assert paper.authors == tuple(f"Author {n}" for n in range(600))
    assert paper.keywords == tuple(f"keyword {n}" for n in range(60))


# -- titles and abstracts --------------------------------------------------------------

LONG_TITLE = "A Title " * 126  # 1,007 characters once cleaned (the last space dropped)
LONG_ABSTRACT = "word " * 2001


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
@pytest.mark.parametrize(("field", "value", "part"), [
    ("title", LONG_TITLE, "title"), ("summary", LONG_ABSTRACT, "abstract")])
def test_an_overlong_title_or_abstract_is_refused_naming_entry_and_field(
        store: SqlStore, field: str, value: str, part: str) -> None:
    """A megabyte title was stored and repeated in every feed; the entry is invalid
    (skippable like any other), and nothing is written."""
    data = _hf(_entry(0), _entry(1, **{field: value}), _entry(2))
    error = _refused(store, data)
    assert f"entry 1, field 'paper.{field}': the {part} is " in str(error)
    assert "characters long, more than the" in str(error)
    result = ingest_bytes(store, data, source="bounds", now=NOW, skip_invalid=True)
    assert [(s.index, s.field) for s in result.skipped] == [(1, f"paper.{field}")]
    assert result.snapshot.paper_count == 2


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_an_overlong_title_or_abstract_in_a_capture_is_refused_naming_its_line(
        store: SqlStore) -> None:
    head = "new\n\nMar 17\n\nA Fine Title\n\nIts abstract.\n\n"
    error = _refused(store, f"{head}{LONG_TITLE}\n\nAn abstract.\n".encode())
    assert "line 9" in str(error) and "1007 characters" in str(error)  # the parser's own
    error = _refused(store, f"{head}Another Title\n\n{LONG_ABSTRACT}\n".encode())
    # the abstract's own line, not its title's (line 9)
    assert "line 11" in str(error) and "the abstract is 10,004 characters long" in str(error)
    card = f"new\n\nMar 17\n\nAnother Title\nSubmitted by someone\n5\n\n{LONG_ABSTRACT}\n"
    error = _refused(store, card.encode())  # the card shape: title line 5
    assert "line 9" in str(error) and "the abstract is 10,004 characters long" in str(error)


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_title_and_an_abstract_at_the_bounds_are_kept(store: SqlStore) -> None:
    title, abstract = "T" * 1000, ("a" * 9 + " ") * 999 + "a" * 10
    ingest_bytes(store, _hf(_entry(0, title=title, summary=abstract)), source="bounds", now=NOW)
    (paper,) = store.papers()
    assert paper.title == title and paper.abstract == abstract


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_post_with_an_overlong_title_is_a_400_naming_entry_and_field(
        database_url: str) -> None:
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "ingest_token": "tok"})
    client = app.test_client()
    response = client.post("/api/v1/snapshots", data=_hf(_entry(0, title="T" * 3_000_000)),
                           content_type="application/json",
                           headers={"Authorization": "Bearer tok"})
    assert response.status_code == 400, response.data
    assert "paper.title" in response.get_data(as_text=True)
    assert "3,000,000 characters" in response.get_data(as_text=True)
    assert client.get("/api/v1/status").get_json()["totals"]["snapshots"] == 0


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_an_overlong_name_keyword_or_optional_text_is_dropped_with_a_warning(
        store: SqlStore) -> None:
    """One bad item of a list is dropped, naming entry and field (SPEC 1.2); the paper
    and the rest stay. (Megabyte names and keywords went into every feed.)"""
    data = _hf(_entry(0, authors=[{"name": "Ann Lee"}, {"name": "N" * 301}],
                      ai_keywords=["graphs", "k" * 301],
                      ai_summary="s" * 10_001, organization={"fullname": "o" * 10_001}))
    result = ingest_bytes(store, data, source="bounds", now=NOW)
    warnings = "; ".join(result.warnings)
    assert "entry 0, field 'paper.authors[1].name': is 301 characters long" in warnings
    assert "entry 0, field 'paper.ai_keywords[1]': is 301 characters long" in warnings
    assert "field 'paper.ai_summary': is 10,001 characters long" in warnings
    assert "organization.fullname': is 10,001 characters long" in warnings
    (paper,) = store.papers()
    assert paper.authors == ("Ann Lee",) and paper.keywords == ("graphs",)
    assert paper.ai_summary is None and paper.organization is None


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_surname_longer_than_a_query_may_be_leaves_the_page_answering(
        database_url: str) -> None:
    """The page's syntax help suggests `author:<the first author's surname>`; a surname of
    250 letters made that example longer than a query may be, and `/` a 500."""
    store = open_store(database_url)
    ingest_bytes(store, _hf(_entry(0, authors=[{"name": "Ann " + "z" * 290}])),
                 source="bounds", now=NOW)
    store.close()
    client = create_app({"database_url": database_url,
                         "base_url": "http://feeds.test"}).test_client()
    for path in ("/", "/?scope=all"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.data[:300])
        assert b"author:zzz" not in response.data


# -- papers per list (TRENDFEED_MAX_PAPERS) ---------------------------------------------

def _entries(count: int) -> bytes:
    return _hf(*(_entry(n) for n in range(count)))


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_list_over_max_papers_is_refused_naming_the_setting(store: SqlStore) -> None:
    error = _refused(store, _entries(4), max_papers=3)
    assert "TRENDFEED_MAX_PAPERS" in str(error) and "4" in error.message
    text = "".join(f"Title number {n}\n\nAbstract number {n}.\n\n" for n in range(4))
    assert "TRENDFEED_MAX_PAPERS" in str(_refused(store, text.encode(), max_papers=3))
    assert ingest_bytes(store, _entries(3), source="bounds", now=NOW,
                        max_papers=3).snapshot.paper_count == 3


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_the_default_bound_is_2000_papers(store: SqlStore) -> None:
    assert "TRENDFEED_MAX_PAPERS (2000)" in str(_refused(store, _entries(2001)))


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_cli_ingest_honours_trendfeed_max_papers(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", database_url)
    monkeypatch.setenv("TRENDFEED_MAX_PAPERS", "3")
    source = tmp_path / "list.json"
    source.write_bytes(_entries(4))
    assert cli.main(["ingest", str(source)]) == 2
    assert "TRENDFEED_MAX_PAPERS (3)" in capsys.readouterr().err
    store = open_store(database_url)
    assert store.latest_snapshot() is None
    store.close()
    source.write_bytes(_entries(3))
    assert cli.main(["ingest", str(source)]) == 0


@pytest.mark.parametrize("database_url", ENGINES, indirect=True)
def test_a_post_over_max_papers_is_a_413_naming_the_setting(database_url: str) -> None:
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "ingest_token": "tok", "max_papers": 3})
    client = app.test_client()
    auth = {"Authorization": "Bearer tok"}
    response = client.post("/api/v1/snapshots", data=_entries(4),
                           content_type="application/json", headers=auth)
    assert response.status_code == 413, response.data
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert list(problem["errors"]) == ["body"]
    assert "TRENDFEED_MAX_PAPERS (3)" in problem["errors"]["body"][0]
    assert client.get("/api/v1/status").get_json()["totals"]["snapshots"] == 0
    response = client.post("/api/v1/snapshots", data=_entries(3),
                           content_type="application/json", headers=auth)
    assert response.status_code == 201, response.data
    app.extensions["trendfeed"].store.close()
