"""The merge rules: how one list's record of a paper folds into what is stored.

Pure functions over plain values (a stored paper's columns as a mapping, a NormalPaper
from normalize), so the rules are tested without a database; store/writes.py applies
what they return. The rules:
- first_seen is the time of the first list that held the paper, never later than the
  ingest that stored it, and never moves afterwards;
- the latest text wins (title, abstract, and authors or keywords when the list has
  any): the paper's `updated_at` becomes the ingest time; a title whose key belongs
  to another stored paper is not taken;
- links are only ever added; an arXiv id, a publication date, a submitter and the day
  HF put it on its daily list, once known, are kept; upvotes, GitHub stars and comments
  are the latest known count; the AI summary, the thumbnail and the organization are
  the latest known value (a list without them keeps the old one);
- an id is the arXiv id or the slug, with a short hash of the title key when taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Links, NormalPaper
from .normalize import short_hash

LINK_KINDS = ("code", "project", "other")
# Today's upstream fields (SPEC 1.2): the latest known value wins, or the first is kept.
LATEST_KNOWN = ("ai_summary", "thumbnail", "github_stars", "comments", "organization")
KEPT_ONCE_KNOWN = ("hf_daily_at",)


@dataclass(frozen=True)
class Sighting:
    """One list holding the paper."""

    rank: int
    list_time: dt.datetime  # when the list was the trending list
    list_date: dt.date
    ingested_at: dt.datetime
    new_appearance: bool = True  # False: the same ranking again, text and upvotes only


@dataclass(frozen=True)
class Merge:
    values: dict[str, Any]  # the columns to update (empty: nothing changes)
    text_changed: bool  # title, abstract, authors or keywords
    index_changed: bool  # anything the search index holds


def id_candidates(wanted: str, title_key: str) -> list[str]:
    """The ids a new paper may take, in order of preference."""
    candidates = [wanted, f"{wanted}-{short_hash(title_key)}"]
    return candidates + [f"{wanted}-{short_hash(f'{title_key}#{i}')}" for i in range(1, 50)]


def first_seen(sighting: Sighting) -> dt.datetime:
    return min(sighting.list_time, sighting.ingested_at)


def new_paper(entry: NormalPaper, paper_id: str, sighting: Sighting) -> dict[str, Any]:
    """The columns of a paper stored for the first time (search_key comes with its num)."""
    seen = first_seen(sighting)
    return {
        "id": paper_id, "title": entry.title, "title_key": entry.title_key,
        "abstract": entry.abstract, "arxiv_id": entry.arxiv_id,
        "authors": list(entry.authors), "keywords": list(entry.keywords),
        "links": entry.links.as_dict(), "upvotes": entry.upvotes,
        "has_code": bool(entry.links.code), "has_project": bool(entry.links.project),
        "first_seen": seen, "last_seen": sighting.ingested_at,
        "last_list_date": sighting.list_date, "updated_at": seen,
        "best_rank": sighting.rank, "appearances": 1, "published": entry.published,
        "submitter": entry.submitter,
        **{name: getattr(entry, name) for name in (*LATEST_KNOWN, *KEPT_ONCE_KNOWN)},
    }


def merged_links(old: Mapping[str, Sequence[str]], new: Links) -> dict[str, list[str]]:
    return {kind: list(dict.fromkeys([*old.get(kind, ()), *getattr(new, kind)]))
            for kind in LINK_KINDS}


def merge(stored: Mapping[str, Any], entry: NormalPaper, sighting: Sighting, *,
          title_key_free: bool) -> Merge:
    """What changes in `stored` when `entry` is seen again. `title_key_free`: no other
    stored paper has entry.title_key."""
    values: dict[str, Any] = {}
    if sighting.new_appearance:
        values.update(last_seen=sighting.ingested_at, last_list_date=sighting.list_date,
                      best_rank=min(stored["best_rank"], sighting.rank),
                      appearances=stored["appearances"] + 1)
    if entry.arxiv_id and not stored["arxiv_id"]:
        values["arxiv_id"] = entry.arxiv_id
    for name in ("published", "submitter", *KEPT_ONCE_KNOWN):
        if getattr(entry, name) is not None and stored[name] is None:
            values[name] = getattr(entry, name)
    for name in ("upvotes", *LATEST_KNOWN):
        if getattr(entry, name) is not None and getattr(entry, name) != stored[name]:
            values[name] = getattr(entry, name)
    links = merged_links(stored["links"], entry.links)
    if links != {kind: list(stored["links"].get(kind, ())) for kind in LINK_KINDS}:
        values.update(links=links, has_code=bool(links["code"]),
                      has_project=bool(links["project"]))

    text_changed = False
    if entry.title != stored["title"] and (entry.title_key == stored["title_key"]
                                           or title_key_free):
        values.update(title=entry.title, title_key=entry.title_key)
        text_changed = True
    if entry.abstract != stored["abstract"]:
        values["abstract"] = entry.abstract
        text_changed = True
    for name in ("authors", "keywords"):
        new_values = list(getattr(entry, name))
        if new_values and new_values != list(stored[name]):
            values[name] = new_values
            text_changed = True
    if text_changed:
        values["updated_at"] = max(sighting.ingested_at, stored["updated_at"])
    flags_changed = (values.get("has_code", stored["has_code"]),
                     values.get("has_project", stored["has_project"])) != \
        (stored["has_code"], stored["has_project"])
    index_changed = text_changed or flags_changed or "arxiv_id" in values
    return Merge(values, text_changed, index_changed)
