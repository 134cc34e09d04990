"""The merge rules (service/merge.py): pure functions, tested without a database."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.merge import Sighting, first_seen, id_candidates, merge, merged_links, new_paper
from service.model import Links, NormalPaper
from service.normalize import short_hash, slugify, title_key

LIST_TIME = dt.datetime(2026, 3, 17)
INGESTED = dt.datetime(2026, 3, 17, 8, 30)
LATER = dt.datetime(2026, 3, 18, 8, 30)
COUNTERS = {"last_seen", "last_list_date", "best_rank", "appearances"}


def entry(title: str = "Alpha Paper", abstract: str = "About alpha.", **fields: Any) -> NormalPaper:
    values: dict[str, Any] = {"title": title, "title_key": title_key(title),
                              "slug": slugify(title), "abstract": abstract, "arxiv_id": None,
                              "authors": (), "keywords": (), "upvotes": None, "links": Links()}
    return NormalPaper(**{**values, **fields})


def stored(**columns: Any) -> dict[str, Any]:
    """A stored paper row (the columns of schema.papers that merge reads)."""
    row: dict[str, Any] = {
        "id": "alpha-paper", "title": "Alpha Paper", "title_key": "alpha paper",
        "abstract": "About alpha.", "arxiv_id": None, "authors": [], "keywords": [],
        "links": {"code": [], "project": [], "other": []}, "upvotes": None,
        "has_code": False, "has_project": False, "first_seen": LIST_TIME,
        "last_seen": INGESTED, "last_list_date": LIST_TIME.date(), "updated_at": LIST_TIME,
        "best_rank": 3, "appearances": 1, "published": None, "submitter": None,
    }
    return {**row, **columns}


def seen(rank: int = 5, *, at: dt.datetime = LATER, list_time: dt.datetime | None = None,
         new_appearance: bool = True) -> Sighting:
    when = list_time if list_time is not None else dt.datetime.combine(at.date(), dt.time())
    return Sighting(rank, when, when.date(), at, new_appearance=new_appearance)


def refresh(at: dt.datetime = LATER) -> Sighting:
    """The same ranking again (no new appearance)."""
    return seen(3, at=at, list_time=LIST_TIME, new_appearance=False)


def apply(row: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {**row, **values}


# -- a new paper ------------------------------------------------------------------------


def test_a_new_paper_is_first_seen_at_its_list_time_when_that_is_earlier() -> None:
    sighting = seen(2, at=INGESTED, list_time=LIST_TIME)
    values = new_paper(entry(), "alpha-paper", sighting)
    assert values["first_seen"] == LIST_TIME == first_seen(sighting)
    assert values["updated_at"] == LIST_TIME
    assert values["last_seen"] == INGESTED and values["last_list_date"] == LIST_TIME.date()
    assert (values["best_rank"], values["appearances"]) == (2, 1)


def test_a_new_paper_is_never_first_seen_after_the_ingest_that_stored_it() -> None:
    sighting = Sighting(1, LATER, LATER.date(), INGESTED)  # the list time is later
    values = new_paper(entry(), "alpha-paper", sighting)
    assert values["first_seen"] == INGESTED == first_seen(sighting)
    assert values["updated_at"] == INGESTED and values["last_seen"] == INGESTED


def test_a_new_paper_takes_every_field_of_its_record() -> None:
    record = entry(arxiv_id="2403.00001", authors=("Ada", "Bob"), keywords=("graphs",),
                   upvotes=7, links=Links(code=("https://github.com/a/b",)),
                   published=dt.datetime(2025, 1, 2), submitter="taesiri")
    values = new_paper(record, "2403.00001", seen(1, at=INGESTED, list_time=LIST_TIME))
    assert values["id"] == "2403.00001" and values["title_key"] == "alpha paper"
    assert values["authors"] == ["Ada", "Bob"] and values["keywords"] == ["graphs"]
    assert values["links"] == {"code": ["https://github.com/a/b"], "project": [], "other": []}
    assert values["has_code"] is True and values["has_project"] is False
    assert values["upvotes"] == 7 and values["submitter"] == "taesiri"
    assert values["published"] == dt.datetime(2025, 1, 2)


# -- appearances ------------------------------------------------------------------------


def test_a_new_appearance_moves_last_seen_list_date_best_rank_and_appearances() -> None:
    change = merge(stored(best_rank=3, appearances=1), entry(), seen(2, at=LATER),
                   title_key_free=True)
    assert change.values == {"last_seen": LATER, "last_list_date": LATER.date(),
                             "best_rank": 2, "appearances": 2}
    assert not change.text_changed and not change.index_changed


def test_a_worse_rank_keeps_the_best_rank() -> None:
    change = merge(stored(best_rank=3, appearances=4), entry(), seen(9), title_key_free=True)
    assert change.values["best_rank"] == 3 and change.values["appearances"] == 5


def test_a_same_ranking_refresh_moves_no_appearance_counter() -> None:
    change = merge(stored(), entry(), refresh(), title_key_free=True)
    assert change.values == {}
    assert not change.text_changed and not change.index_changed


def test_a_refresh_with_new_text_changes_the_text_but_no_counter() -> None:
    change = merge(stored(), entry(abstract="About alpha, revised."), refresh(),
                   title_key_free=True)
    assert change.values == {"abstract": "About alpha, revised.", "updated_at": LATER}
    assert not COUNTERS & set(change.values)


# -- text -------------------------------------------------------------------------------


def test_the_latest_abstract_wins_and_moves_updated_at_to_the_ingest_time() -> None:
    change = merge(stored(), entry(abstract="About alpha, revised."), seen(at=LATER),
                   title_key_free=True)
    assert change.values["abstract"] == "About alpha, revised."
    assert change.values["updated_at"] == LATER
    assert change.text_changed and change.index_changed


def test_updated_at_never_moves_backwards() -> None:
    much_later = LATER + dt.timedelta(days=30)
    change = merge(stored(updated_at=much_later), entry(abstract="Older text."),
                   seen(at=LATER), title_key_free=True)
    assert change.values["abstract"] == "Older text."
    assert change.values["updated_at"] == much_later


def test_a_new_spelling_of_the_same_title_is_taken() -> None:
    change = merge(stored(), entry(title="ALPHA paper"), refresh(), title_key_free=False)
    assert change.values == {"title": "ALPHA paper", "title_key": "alpha paper",
                             "updated_at": LATER}
    assert change.text_changed and change.index_changed


def test_a_title_whose_key_belongs_to_another_paper_is_not_taken() -> None:
    renamed = entry(title="Beta Paper")
    refused = merge(stored(), renamed, refresh(), title_key_free=False)
    assert refused.values == {} and not refused.text_changed
    taken = merge(stored(), renamed, refresh(), title_key_free=True)
    assert taken.values["title"] == "Beta Paper" and taken.values["title_key"] == "beta paper"
    assert taken.text_changed


def test_empty_authors_and_keywords_never_erase_known_ones() -> None:
    known = stored(authors=["Ada"], keywords=["graphs"])
    change = merge(known, entry(authors=(), keywords=()), refresh(), title_key_free=True)
    assert change.values == {}
    newer = merge(known, entry(authors=("Ada", "Bob"), keywords=("graphs", "gnn")), refresh(),
                  title_key_free=True)
    assert newer.values["authors"] == ["Ada", "Bob"]
    assert newer.values["keywords"] == ["graphs", "gnn"]
    assert newer.text_changed and newer.index_changed and newer.values["updated_at"] == LATER


# -- links, flags, arXiv id, published, submitter, upvotes -------------------------------


def test_links_are_only_added_in_order_without_duplicates() -> None:
    known = stored(links={"code": ["https://github.com/a/one"], "project": [],
                          "other": ["https://x.org/1"]})
    record = entry(links=Links(code=("https://github.com/a/two", "https://github.com/a/one"),
                               other=("https://x.org/2",)))
    change = merge(known, record, refresh(), title_key_free=True)
    assert change.values["links"] == {
        "code": ["https://github.com/a/one", "https://github.com/a/two"], "project": [],
        "other": ["https://x.org/1", "https://x.org/2"]}
    assert change.values["has_code"] is True and change.values["has_project"] is False
    assert merged_links(known["links"], Links()) == known["links"]


def test_a_record_without_links_keeps_the_known_links() -> None:
    known = stored(links={"code": ["https://github.com/a/one"], "project": [], "other": []},
                   has_code=True)
    change = merge(known, entry(links=Links()), refresh(), title_key_free=True)
    assert change.values == {}


def test_the_first_code_or_project_link_sets_its_flag_and_changes_the_index() -> None:
    code = merge(stored(), entry(links=Links(code=("https://github.com/a/b",))), refresh(),
                 title_key_free=True)
    assert code.values["has_code"] is True and code.values["has_project"] is False
    assert code.index_changed and not code.text_changed
    project = merge(stored(), entry(links=Links(project=("https://a.github.io",))), refresh(),
                    title_key_free=True)
    assert project.values["has_project"] is True and project.index_changed


def test_another_link_of_a_kind_already_flagged_does_not_change_the_index() -> None:
    known = stored(links={"code": ["https://github.com/a/one"], "project": [], "other": []},
                   has_code=True)
    for links in (Links(code=("https://github.com/a/two",)), Links(other=("https://x.org",))):
        change = merge(known, entry(links=links), refresh(), title_key_free=True)
        assert "links" in change.values
        assert not change.index_changed and not change.text_changed


def test_an_arxiv_id_is_gained_once_and_never_replaced() -> None:
    gained = merge(stored(), entry(arxiv_id="2403.00001"), refresh(), title_key_free=True)
    assert gained.values == {"arxiv_id": "2403.00001"}
    assert gained.index_changed and not gained.text_changed
    kept = merge(stored(arxiv_id="2403.00001"), entry(arxiv_id="2403.99999"), refresh(),
                 title_key_free=True)
    assert kept.values == {} and not kept.index_changed
    absent = merge(stored(arxiv_id="2403.00001"), entry(arxiv_id=None), refresh(),
                   title_key_free=True)
    assert absent.values == {}


def test_published_and_submitter_are_kept_once_known() -> None:
    first = dt.datetime(2025, 1, 2)
    gained = merge(stored(), entry(published=first, submitter="ada"), refresh(),
                   title_key_free=True)
    assert gained.values == {"published": first, "submitter": "ada"}
    assert not gained.index_changed
    kept = merge(stored(published=first, submitter="ada"),
                 entry(published=dt.datetime(2025, 6, 1), submitter="bob"), refresh(),
                 title_key_free=True)
    assert kept.values == {}
    unknown = merge(stored(published=first, submitter="ada"), entry(), refresh(),
                    title_key_free=True)
    assert unknown.values == {}


def test_upvotes_are_the_latest_known_count_and_none_never_erases() -> None:
    changed = merge(stored(upvotes=10), entry(upvotes=7), refresh(), title_key_free=True)
    assert changed.values == {"upvotes": 7}
    assert not changed.index_changed and not changed.text_changed
    assert merge(stored(upvotes=10), entry(upvotes=None), refresh(),
                 title_key_free=True).values == {}
    assert merge(stored(upvotes=10), entry(upvotes=10), refresh(),
                 title_key_free=True).values == {}
    assert merge(stored(upvotes=None), entry(upvotes=0), refresh(),
                 title_key_free=True).values == {"upvotes": 0}


def test_an_unchanged_record_gives_empty_values() -> None:
    known = stored(arxiv_id="2403.00001", authors=["Ada"], keywords=["graphs"], upvotes=4,
                   links={"code": ["https://github.com/a/b"], "project": [], "other": []},
                   has_code=True, published=dt.datetime(2025, 1, 2), submitter="ada")
    record = entry(arxiv_id="2403.00001", authors=("Ada",), keywords=("graphs",), upvotes=4,
                   links=Links(code=("https://github.com/a/b",)),
                   published=dt.datetime(2025, 1, 2), submitter="ada")
    change = merge(known, record, refresh(), title_key_free=True)
    assert change.values == {}
    assert not change.text_changed and not change.index_changed


# -- ids --------------------------------------------------------------------------------


def test_id_candidates_are_the_wanted_id_then_hashed_variants_all_distinct() -> None:
    candidates = id_candidates("tricks", "tricks")
    assert candidates[0] == "tricks"
    assert candidates[1] == f"tricks-{short_hash('tricks')}"
    assert candidates[2] == f"tricks-{short_hash('tricks#1')}"
    assert len(candidates) == len(set(candidates)) == 51
    assert all(re.fullmatch(r"tricks-[0-9a-f]{8}", c) for c in candidates[1:])


def test_id_candidates_differ_between_title_keys_after_the_first() -> None:
    one, other = id_candidates("tricks", "tricks"), id_candidates("tricks", "日本 tricks")
    assert one[0] == other[0]
    assert not set(one[1:]) & set(other[1:])


# -- properties -------------------------------------------------------------------------

_words = st.text(alphabet="abcdefgh ", min_size=1, max_size=20).filter(lambda t: t.strip())
_urls = st.lists(st.sampled_from([f"https://h{i}.org/p" for i in range(6)]), unique=True,
                 max_size=3).map(tuple)
_names = st.lists(st.sampled_from(["Ada", "Bob", "Cy", "Di"]), unique=True, max_size=3).map(tuple)
_times = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 1, 1))


@st.composite
def entries(draw: st.DrawFn) -> NormalPaper:
    title = draw(_words)
    return entry(title=title, abstract=draw(_words),
                 arxiv_id=draw(st.none() | st.sampled_from(["2403.00001", "2403.00002"])),
                 authors=draw(_names), keywords=draw(_names),
                 upvotes=draw(st.none() | st.integers(0, 500)),
                 links=Links(code=draw(_urls), project=draw(_urls), other=draw(_urls)),
                 published=draw(st.none() | _times),
                 submitter=draw(st.none() | st.sampled_from(["ada", "bob"])))


@st.composite
def sightings(draw: st.DrawFn) -> Sighting:
    list_time = draw(_times).replace(hour=0, minute=0, second=0, microsecond=0)
    return Sighting(draw(st.integers(1, 100)), list_time, list_time.date(), draw(_times),
                    new_appearance=draw(st.booleans()))


@settings(max_examples=300, deadline=None)
@given(first=entries(), second=entries(), at_first=sightings(), at_second=sightings(),
       title_key_free=st.booleans())
def test_merging_the_same_entry_twice_changes_only_appearance_counters_the_second_time(
        first: NormalPaper, second: NormalPaper, at_first: Sighting, at_second: Sighting,
        title_key_free: bool) -> None:
    row = new_paper(first, "p", at_first)
    row = apply(row, merge(row, second, at_second, title_key_free=title_key_free).values)
    again = merge(row, second, at_second, title_key_free=title_key_free)
    assert set(again.values) <= COUNTERS
    assert not again.text_changed and not again.index_changed
    if at_second.new_appearance:
        assert again.values["appearances"] == row["appearances"] + 1
        assert again.values["last_seen"] == row["last_seen"]
        assert again.values["best_rank"] == row["best_rank"]
    else:
        assert again.values == {}


@settings(max_examples=300, deadline=None)
@given(first=entries(), second=entries(), at_first=sightings(), at_second=sightings(),
       title_key_free=st.booleans())
def test_a_merge_only_adds_and_never_touches_first_seen_or_the_id(
        first: NormalPaper, second: NormalPaper, at_first: Sighting, at_second: Sighting,
        title_key_free: bool) -> None:
    row = new_paper(first, "p", at_first)
    change = merge(row, second, at_second, title_key_free=title_key_free)
    assert not {"first_seen", "id", "num", "search_key"} & set(change.values)
    after = apply(row, change.values)
    for kind in ("code", "project", "other"):
        assert after["links"][kind][:len(row["links"][kind])] == row["links"][kind]
        assert len(after["links"][kind]) == len(set(after["links"][kind]))
    assert after["has_code"] == bool(after["links"]["code"])
    assert after["has_project"] == bool(after["links"]["project"])
    for name in ("arxiv_id", "published", "submitter"):
        if row[name] is not None:
            assert after[name] == row[name]
    for name in ("authors", "keywords"):
        if row[name]:
            assert after[name]
    if row["upvotes"] is not None:
        assert after["upvotes"] == (second.upvotes if second.upvotes is not None
                                    else row["upvotes"])
    assert after["updated_at"] >= row["updated_at"]
    assert after["appearances"] >= row["appearances"]
    assert after["best_rank"] <= row["best_rank"]
    assert change.text_changed == bool({"title", "abstract", "authors", "keywords"}
                                       & set(change.values))
    if change.index_changed:
        assert change.text_changed or {"arxiv_id", "has_code", "has_project"} & set(change.values)


@settings(max_examples=200, deadline=None)
@given(record=entries(), sighting=sightings())
def test_a_new_paper_merged_with_its_own_record_again_is_unchanged(
        record: NormalPaper, sighting: Sighting) -> None:
    row = new_paper(record, "p", sighting)
    same = Sighting(sighting.rank, sighting.list_time, sighting.list_date,
                    sighting.ingested_at, new_appearance=False)
    assert merge(row, record, same, title_key_free=False).values == {}
    assert row["first_seen"] <= row["last_seen"] and row["updated_at"] == row["first_seen"]
