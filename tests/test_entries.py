"""Entry-by-entry validity of an hf-json list (SPEC 1.2), and today's upstream fields.

The whole upstream shape (examples/hf-trending.json, 50 entries) damaged one way at a
time, through the three ways in: `trendfeed ingest`, `POST /api/v1/snapshots` and the
refresher (a stub upstream on 127.0.0.1), on both engines. A bad optional field costs
that field only (the rest of the paper is stored, and a warning names entry and field);
an invalid entry refuses the list (nothing written) unless skipping was asked for; the
refresher always skips, and applies the rest when at least 90% of the entries are valid.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from service import cli, create_app
from service.ingest import ingest_bytes, utcnow
from service.model import NormalPaper, Paper, RawPaper
from service.normalize import normalize
from service.refresher import Refresher
from service.sources import SourceError, parse
from service.store import SqlStore, open_store

from .conftest import ENGINES, EXAMPLES, dump
from .stubs import Answer, Upstream, upstream_fixture  # noqa: F401 (a fixture)

FIXTURE = EXAMPLES / "hf-trending.json"
ENTRIES: list[dict[str, Any]] = json.loads(FIXTURE.read_bytes())
AUTH = {"Authorization": "Bearer tok"}
both_engines = pytest.mark.parametrize("database_url", ENGINES, indirect=True)

Damage = Callable[[list[Any]], None]


def _damaged(damage: Damage, entries: list[Any] | None = None) -> bytes:
    document = copy.deepcopy(ENTRIES if entries is None else entries)
    damage(document)
    return json.dumps(document, indent=2).encode()


def _set(index: int, path: str, value: Any) -> Damage:
    """entry[index] at `path` ("paper.projectPage", "numComments") set to `value`."""
    def damage(document: list[Any]) -> None:
        *parents, name = path.split(".")
        target = document[index]
        for parent in parents:
            target = target[parent]
        target[name] = value
    return damage


def _no_summary(index: int, name: str = "summary") -> Damage:
    """Neither paper.<name> nor the entry's <name>: nothing to fall back on."""
    def damage(document: list[Any]) -> None:
        del document[index]["paper"][name], document[index][name]
    return damage


# Each bad optional field: the damage, the entry and field a warning names, and the
# RawPaper attribute that is then absent (the rest of the paper must be as without it).
OPTIONAL = {
    "project page without a scheme": (_set(2, "paper.projectPage", "lab2.github.io/configurable/"),
                                      2, "paper.projectPage", "project_url"),
    "negative comment count": (_set(4, "numComments", -3), 4, "numComments", "comments"),
    "malformed submittedOnDailyAt": (_set(5, "paper.submittedOnDailyAt", "2024-04-09 at 3am"),
                                     5, "paper.submittedOnDailyAt", "hf_daily_at"),
    "organization a string": (_set(0, "paper.organization", "Some Lab"), 0,
                              "paper.organization", "organization"),
    "thumbnail not a URL": (_set(6, "thumbnail", "social-thumbnails/papers/2404.10400.png"),
                            6, "thumbnail", "thumbnail"),
}
optional_damages = pytest.mark.parametrize("damage", list(OPTIONAL))


def _expected(index: int, attribute: str | None = None) -> NormalPaper:
    """What entry `index` of the undamaged fixture becomes, without `attribute`."""
    raw = parse(FIXTURE.read_bytes()).papers[index]
    if attribute is not None:
        raw = dataclasses.replace(raw, **{attribute: None})
    return normalize(raw)


STORED = ("title", "abstract", "arxiv_id", "authors", "keywords", "upvotes", "links",
          "published", "submitter", "ai_summary", "thumbnail", "github_stars", "comments",
          "organization", "hf_daily_at")


def _assert_stored(paper: Paper | None, expected: NormalPaper) -> None:
    assert paper is not None
    for name in STORED:
        assert getattr(paper, name) == getattr(expected, name), name


def _assert_cost_the_field_only(store: SqlStore, damage: str) -> None:
    _, index, _, attribute = OPTIONAL[damage]
    assert store.count_papers() == 50
    arxiv_id = ENTRIES[index]["paper"]["id"]
    _assert_stored(store.paper(arxiv_id), _expected(index, attribute))
    _assert_stored(store.paper(ENTRIES[index + 1]["paper"]["id"]), _expected(index + 1))


def _warning(damage: str) -> str:
    _, index, field, _ = OPTIONAL[damage]
    return f"entry {index}, field '{field}': "


# -- the fixture: today's whole shape -------------------------------------------------------

def test_the_fixture_parses_with_no_warning_and_every_field_of_today() -> None:
    raw = parse(FIXTURE.read_bytes())
    assert raw.warnings == () and raw.skipped == () and len(raw.papers) == 50
    for entry, paper in zip(ENTRIES, raw.papers, strict=True):
        up = entry["paper"]
        assert paper.ai_summary == up["ai_summary"]
        assert paper.thumbnail == entry["thumbnail"]
        assert paper.github_stars == up["githubStars"]  # null upstream: None
        assert paper.comments == entry["numComments"]
        organization = (up.get("organization") or entry.get("organization") or {})
        assert paper.organization == organization.get("fullname")
        assert paper.hf_daily_at == dt.datetime.fromisoformat(
            up["submittedOnDailyAt"].replace("Z", "+00:00")).replace(tzinfo=None)
    # every kind of value is there somewhere, so none is checked only as "absent"
    assert sum(p.github_stars is not None for p in raw.papers) >= 10
    assert sum(p.organization is not None for p in raw.papers) == 7
    assert {p.organization for p in raw.papers} >= {"Microsoft", "AI at Meta", "NVIDIA"}


def test_hard_wrapped_summaries_are_joined_by_normalization() -> None:
    """Summaries arrive wrapped at about 72 characters (SPEC 1.2): the stored abstract is
    one paragraph, every line break a single space, nothing else changed."""
    raw = parse(FIXTURE.read_bytes())
    assert all("\n" in e["paper"]["summary"] for e in ENTRIES)  # the fixture is wrapped
    for entry, record in zip(ENTRIES, raw.papers, strict=True):
        paper = normalize(record)
        assert "\n" not in paper.abstract and "  " not in paper.abstract
        assert paper.abstract == " ".join(entry["paper"]["summary"].split())
        assert paper.ai_summary == " ".join(entry["paper"]["ai_summary"].split())
    wrapped = normalize(dataclasses.replace(raw.papers[0], ai_summary="One machine-written\n"
                                            "  summary,\r\nwrapped.\n"))
    assert wrapped.ai_summary == "One machine-written summary, wrapped."


@both_engines
def test_the_fixture_is_stored_with_every_new_field(store: SqlStore) -> None:
    result = ingest_bytes(store, FIXTURE.read_bytes(), source="fixture")
    assert result.warnings == () and result.skipped == ()
    assert result.summary() == "snapshot 1: 50 papers, 50 new"
    for index in range(50):
        _assert_stored(store.paper(ENTRIES[index]["paper"]["id"]), _expected(index))
    microsoft = store.paper(ENTRIES[3]["paper"]["id"])
    assert microsoft is not None and microsoft.organization == "Microsoft"
    assert microsoft.thumbnail is not None and microsoft.thumbnail.startswith("https://")


# -- the parser, field by field ---------------------------------------------------------------

def _one(**fields: Any) -> tuple[RawPaper, str]:
    """One entry with `fields` (`paper__x` for paper.x) parsed: the paper, the warnings."""
    entry: dict[str, Any] = {"paper": {"id": "2401.00001", "title": "T", "summary": "S"}}
    for path, value in fields.items():
        _set(0, path.replace("__", "."), value)([entry])
    raw = parse(json.dumps([entry]).encode())
    return raw.papers[0], "; ".join(raw.warnings)


@pytest.mark.parametrize(("fields", "attribute", "warning"), [
    ({"paper__githubStars": -1}, "github_stars", "expected a count from 0 to 2147483647, found -1"),
    ({"paper__githubStars": 2**31}, "github_stars", "found 2147483648"),
    ({"paper__githubStars": "1.2k"}, "github_stars", "found '1.2k'"),
    ({"paper__githubStars": True}, "github_stars", "found a boolean"),
    ({"numComments": 2.5}, "comments", "found 2.5"),
    ({"thumbnail": "https://"}, "thumbnail", "expected an http(s) URL, found 'https://'"),
    ({"thumbnail": "https://cdn.example/a b.png"}, "thumbnail", "expected an http(s) URL"),
    ({"thumbnail": "https://cdn.example/\u0007.png"}, "thumbnail", "expected an http(s) URL"),
    ({"thumbnail": 7}, "thumbnail", "expected a string, found a number"),
    ({"paper__ai_summary": ["a"]}, "ai_summary", "expected a string, found an array"),
    ({"paper__submittedOnDailyAt": 20240404}, "hf_daily_at", "expected an RFC 3339"),
    ({"paper__organization": {"fullname": 3}}, "organization",
     "field 'paper.organization.fullname': expected a string, found a number"),
    ({"organization": []}, "organization", "field 'organization': expected an object"),
    ({"paper__ai_keywords": "diffusion"}, "keywords", "expected an array, found a string"),
    ({"paper__ai_keywords": ["a", 1]}, "keywords", "field 'paper.ai_keywords[1]'"),
    ({"submittedBy": "ak"}, "submitter", "field 'submittedBy': expected an object"),
])
def test_a_bad_optional_field_is_dropped_naming_entry_and_field(
        fields: dict[str, Any], attribute: str, warning: str) -> None:
    paper, warnings = _one(**fields)
    assert getattr(paper, attribute) in (None, (), ("a",))
    assert paper.title == "T" and paper.abstract == "S"
    assert warnings.startswith("entry 0, field '") and warnings.count("(dropped)") == 1
    assert warning in warnings and warnings.endswith("(dropped)")


def test_the_organization_falls_back_to_the_entrys() -> None:
    """paper.organization.fullname, else the entry's organization.fullname (SPEC 1.2); a
    bad paper.organization is warned about and the entry's is used."""
    assert _one(paper__organization={"fullname": "Lab A"},
                organization={"fullname": "Lab B"})[0].organization == "Lab A"
    assert _one(organization={"fullname": "Lab B"})[0].organization == "Lab B"
    fallen, warnings = _one(paper__organization="Lab A", organization={"fullname": "Lab B"})
    assert fallen.organization == "Lab B" and "'paper.organization'" in warnings
    assert _one(paper__organization={"name": "lab-a"})[0].organization is None


def test_empty_optional_values_are_absent_without_a_warning() -> None:
    paper, warnings = _one(paper__ai_summary="  ", thumbnail="", paper__githubStars=None,
                           paper__organization=None, paper__githubRepo="")
    assert (paper.ai_summary, paper.thumbnail, paper.github_stars, paper.organization,
            paper.code_url) == (None, None, None, None, None)
    assert warnings == ""


@pytest.mark.parametrize(("damage", "field", "message"), [
    (_no_summary(1), "paper.summary", "is missing or empty"),
    (_set(1, "paper.id", 2404.1), "paper.id", "expected a string, found a number"),
    (_no_summary(1, "title"), "paper.title", "is missing or empty"),
    (_set(1, "paper", "2404.10100"), "paper", "expected an object, found a string"),
    (_set(1, "paper.ai_keywords", ["k"] * 101), "paper.ai_keywords", "holds 101 keywords"),
    (_set(1, "paper.authors", [{"name": "a"}] * 1001), "paper.authors", "holds 1001 authors"),
])
def test_a_bad_required_field_makes_the_entry_invalid(damage: Damage, field: str,
                                                      message: str) -> None:
    data = _damaged(damage)
    with pytest.raises(SourceError) as caught:
        parse(data, name="up.json")
    assert str(caught.value).startswith(f"up.json, entry 1, field '{field}': {message}")
    raw = parse(data, skip_invalid=True)
    assert len(raw.papers) == 49 and [(s.index, s.field) for s in raw.skipped] == [(1, field)]
    assert message in raw.skipped[0].message


@both_engines
def test_an_entry_with_nothing_left_once_cleaned_is_invalid(store: SqlStore) -> None:
    """A summary of control characters passes the parser (it is a non-empty string) and
    is empty once cleaned: the entry is invalid all the same, named by its field."""
    data = _damaged(lambda d: (_set(1, "paper.summary", "\u0007 \u0008\n")(d),
                               _set(7, "paper.title", "\u2014 ?")(d)))
    before = dump(store)
    with pytest.raises(SourceError) as caught:
        ingest_bytes(store, data, source="up.json")
    assert str(caught.value) == ("up.json, entry 1, field 'paper.summary': the abstract is "
                                 "empty once cleaned; 1 more invalid entry: entry 7")
    assert dump(store) == before
    result = ingest_bytes(store, data, source="up.json", skip_invalid=True)
    assert [str(e) for e in result.skipped] == [
        "entry 1, field 'paper.summary': the abstract is empty once cleaned",
        "entry 7, field 'paper.title': the title has no letters or digits once cleaned"]
    assert result.snapshot.paper_count == 48



@both_engines
def test_a_title_or_summary_from_the_entry_itself_is_named_by_that_field(
        store: SqlStore) -> None:
    """An entry without paper.title (or paper.summary) takes the entry's own `title`
    (`summary`); when that one is unusable, the skipped entry names the field it came
    from, not paper.title, which is not there."""
    def damage(document: list[Any]) -> None:
        del document[2]["paper"]["title"]
        document[2]["title"] = "\u2014 ?"
        del document[4]["paper"]["summary"]
        document[4]["summary"] = "\u0007"
    result = ingest_bytes(store, _damaged(damage), source="up.json", skip_invalid=True)
    assert [str(e) for e in result.skipped] == [
        "entry 2, field 'title': the title has no letters or digits once cleaned",
        "entry 4, field 'summary': the abstract is empty once cleaned"]

# -- trendfeed ingest -----------------------------------------------------------------------

@pytest.fixture
def cli_store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqlStore]:
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", database_url)
    store = open_store(database_url)
    yield store
    store.close()


def _write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "list.json"
    path.write_bytes(data)
    return str(path)


@both_engines
@optional_damages
def test_cli_a_bad_optional_field_costs_that_field_only(
        cli_store: SqlStore, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        damage: str) -> None:
    source = _write(tmp_path, _damaged(OPTIONAL[damage][0]))
    assert cli.main(["ingest", source]) == 0
    out, err = capsys.readouterr()
    assert out == "snapshot 1: 50 papers, 50 new; 1 warning\n"
    assert err.startswith("trendfeed: warning: " + _warning(damage)), err
    assert err.endswith(" (dropped)\n") and err.count("\n") == 1
    _assert_cost_the_field_only(cli_store, damage)


@both_engines
def test_cli_refuses_a_list_with_an_invalid_entry_unless_asked_to_skip(
        cli_store: SqlStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write(tmp_path, _damaged(_no_summary(3)))
    before = dump(cli_store)
    assert cli.main(["ingest", source]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"trendfeed: error: {source}, entry 3, field 'paper.summary': is missing "
                   "or empty (--skip-invalid applies the list without them)\n")
    assert dump(cli_store) == before  # nothing written

    assert cli.main(["ingest", source, "--skip-invalid"]) == 0
    out, err = capsys.readouterr()
    assert out == "snapshot 1: 49 papers, 49 new; 1 entry skipped\n"
    assert err == "trendfeed: skipped entry 3, field 'paper.summary': is missing or empty\n"
    assert cli_store.count_papers() == 49 and cli_store.paper(ENTRIES[3]["paper"]["id"]) is None
    _assert_stored(cli_store.paper(ENTRIES[4]["paper"]["id"]), _expected(4))


@both_engines
def test_cli_names_every_invalid_entry_and_refuses_a_list_of_nothing_but(
        cli_store: SqlStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def two_bad(document: list[Any]) -> None:
        _no_summary(3)(document)
        document[9] = "2404.10900"
        _set(2, "paper.projectPage", "lab2.github.io")(document)
    source = _write(tmp_path, _damaged(two_bad))
    assert cli.main(["ingest", source]) == 2
    err = capsys.readouterr().err
    assert "entry 3, field 'paper.summary': is missing or empty; 1 more invalid entry: " \
           "entry 9 (--skip-invalid" in err
    assert err.endswith("trendfeed: invalid entry 9: expected an object, found a string\n")
    assert cli.main(["ingest", source, "--skip-invalid"]) == 0
    out, err = capsys.readouterr()
    assert out == "snapshot 1: 48 papers, 48 new; 2 entries skipped, 1 warning\n"
    assert err.splitlines() == [
        "trendfeed: skipped entry 3, field 'paper.summary': is missing or empty",
        "trendfeed: skipped entry 9: expected an object, found a string",
        "trendfeed: warning: entry 2, field 'paper.projectPage': expected an http(s) URL, "
        "found 'lab2.github.io' (dropped)"]

    nothing = _write(tmp_path, json.dumps([1, {"paper": {}}]).encode())
    before = dump(cli_store)
    assert cli.main(["ingest", nothing, "--skip-invalid"]) == 2
    assert "every one of the 2 entries is invalid: nothing to apply" in capsys.readouterr().err
    assert dump(cli_store) == before


# -- POST /api/v1/snapshots -----------------------------------------------------------------

@pytest.fixture
def app(database_url: str) -> Iterator[Any]:
    application = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                              "ingest_token": "tok", "version_check": 0})
    yield application
    application.extensions["trendfeed"].store.close()


def _post(app: Any, data: bytes, query: str = "") -> Any:
    return app.test_client().post(f"/api/v1/snapshots{query}", data=data,
                                  content_type="application/json", headers=AUTH)


@both_engines
@optional_damages
def test_post_a_bad_optional_field_costs_that_field_only(app: Any, damage: str) -> None:
    response = _post(app, _damaged(OPTIONAL[damage][0]))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["summary"] == "snapshot 1: 50 papers, 50 new; 1 warning"
    assert body["skipped"] == [] and len(body["warnings"]) == 1
    assert body["warnings"][0].startswith(_warning(damage))
    _assert_cost_the_field_only(app.extensions["trendfeed"].store, damage)


@both_engines
def test_post_refuses_a_list_with_an_invalid_entry_unless_asked_to_skip(app: Any) -> None:
    store = app.extensions["trendfeed"].store
    data = _damaged(_no_summary(3))
    before = dump(store)
    for query in ("", "?skip_invalid=false", "?skip_invalid=0"):
        refused = _post(app, data, query)
        assert refused.status_code == 400 and refused.content_type == "application/problem+json"
        assert refused.get_json()["errors"] == {"body": [
            "api, entry 3, field 'paper.summary': is missing or empty (?skip_invalid=true "
            "applies the list without them)"]}
        assert dump(store) == before  # nothing written

    created = _post(app, data, "?skip_invalid=true")
    assert created.status_code == 201
    body = created.get_json()
    assert body["skipped"] == [{"index": 3, "field": "paper.summary",
                                "message": "is missing or empty"}]
    assert body["warnings"] == [] and body["paper_count"] == 49
    assert body["summary"] == "snapshot 1: 49 papers, 49 new; 1 entry skipped"
    assert store.paper(ENTRIES[3]["paper"]["id"]) is None
    _assert_stored(store.paper(ENTRIES[2]["paper"]["id"]), _expected(2))
    again = _post(app, data, "?skip_invalid=true")  # the same bytes: the same content
    assert again.status_code == 200 and again.get_json()["unchanged"] is True
    assert again.get_json()["skipped"] == body["skipped"]

    nothing = _post(app, json.dumps(["x", None]).encode(), "?skip_invalid=true")
    assert nothing.status_code == 400
    assert nothing.get_json()["errors"]["body"] == [
        "api, entry 0: expected an object, found a string; 1 more invalid entry: entry 1 "
        "(every one of the 2 entries is invalid: nothing to apply)",
        "entry 1: expected an object, found null"]
    assert store.count_snapshots() == 1


def test_post_skip_invalid_must_be_a_boolean(database_url: str, app: Any) -> None:
    response = _post(app, FIXTURE.read_bytes(), "?skip_invalid=perhaps")
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == ["skip_invalid"]


# -- the refresher --------------------------------------------------------------------------

class _Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def __call__(self, outcome: str, reason: str, **fields: Any) -> None:
        self.lines.append((outcome, reason, fields))


def _refresh(database_url: str, upstream: Upstream, body: bytes) -> tuple[Any, Any, _Log]:
    """One attempt of a refresher on `body`; (the state, the app, its log)."""
    upstream.script = [Answer(200, body)]
    app = create_app({"database_url": database_url, "base_url": "http://feeds.test",
                      "version_check": 0, "source_url": upstream.url, "refresh_interval": 60,
                      "ingest_token": "tok"})
    log = _Log()
    start = utcnow().replace(microsecond=0)
    refresher = Refresher(app.extensions["trendfeed"].config, app.extensions["trendfeed"].store,
                          clock=lambda: start, rand=lambda: 0.5, report=log)
    return refresher.run_once(), app, log


def _status(app: Any) -> dict[str, Any]:
    source: dict[str, Any] = app.test_client().get("/api/v1/status").get_json()["source"]
    return source


@both_engines
@optional_damages
def test_the_refresher_a_bad_optional_field_costs_that_field_only(
        database_url: str, upstream: Upstream, damage: str) -> None:
    state, app, log = _refresh(database_url, upstream, _damaged(OPTIONAL[damage][0]))
    assert state.last_outcome == "new" and state.healthy
    (outcome, reason, fields), = log.lines
    assert reason == "snapshot 1: 50 papers, 50 new; 1 warning"
    assert fields["skipped"] == [] and fields["warnings"][0].startswith(_warning(damage))
    status = _status(app)
    assert status["health"] == "ok" and status["skipped"] == []
    assert len(status["warnings"]) == 1 and status["warnings"][0].startswith(_warning(damage))
    _assert_cost_the_field_only(app.extensions["trendfeed"].store, damage)
    app.extensions["trendfeed"].store.close()


@both_engines
def test_the_refresher_skips_an_invalid_entry_and_names_it(database_url: str,
                                                           upstream: Upstream) -> None:
    state, app, log = _refresh(database_url, upstream, _damaged(_no_summary(3)))
    assert state.last_outcome == "new" and state.healthy
    skipped = [{"index": 3, "field": "paper.summary", "message": "is missing or empty"}]
    (outcome, reason, fields), = log.lines
    assert (outcome, reason) == ("new", "snapshot 1: 49 papers, 49 new; 1 entry skipped")
    assert fields["skipped"] == skipped
    for public in (True, False):  # the token holder and an anonymous caller alike
        headers = AUTH if public else {}
        source = app.test_client().get("/api/v1/status", headers=headers).get_json()["source"]
        assert source["health"] == "ok" and source["last_outcome"] == "new"
        assert source["skipped"] == skipped and source["warnings"] == []
    store = app.extensions["trendfeed"].store
    assert store.count_papers() == 49 and store.paper(ENTRIES[3]["paper"]["id"]) is None
    app.extensions["trendfeed"].store.close()


def _hundred(invalid: int) -> bytes:
    """100 entries (the fixture's 50 twice over, with new ids), `invalid` of them without
    a summary, spread through the list."""
    entries = copy.deepcopy(ENTRIES) + copy.deepcopy(ENTRIES)
    for n, entry in enumerate(entries):
        entry["paper"]["id"] = f"2405.{10000 + n}"
        entry["paper"]["title"] = entry["title"] = f"{entry['title']} ({n})"
    return _damaged(lambda d: [_no_summary(n * 9)(d) for n in range(invalid)], entries)


@both_engines
@pytest.mark.parametrize("invalid", [10, 11])
def test_the_refresher_applies_a_list_with_at_least_90_percent_valid_entries(
        database_url: str, upstream: Upstream, invalid: int) -> None:
    data = _hundred(invalid)
    store = open_store(database_url)
    before = dump(store)
    state, app, log = _refresh(database_url, upstream, data)
    status = _status(app)
    if invalid == 10:  # 90% valid: applied, every skipped entry named
        assert state.last_outcome == "new" and store.count_papers() == 90
        assert [e["index"] for e in status["skipped"]] == [n * 9 for n in range(10)]
        assert len(log.lines[0][2]["skipped"]) == 10
    else:  # 89%: not applied, the count named, nothing written but the source's state
        assert state.last_outcome == "invalid" and status["health"] == "degraded"
        assert status["last_error"].startswith("refresher: 11 of the 100 entries are invalid, "
                                               "more than the 10% that may be skipped")
        assert "entry 0, field 'paper.summary': is missing or empty" in status["last_error"]
        after = [table for table in dump(store) if table[0] != "source_state"]
        assert after == [table for table in before if table[0] != "source_state"]
    store.close()
    app.extensions["trendfeed"].store.close()
