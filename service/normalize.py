"""Normalization (SPEC section 2): pure functions from a RawPaper to a NormalPaper.

Owns what "clean text" means (NFC, one space, no character XML 1.0 forbids), the
title spacing rule, link extraction and classification, the slug id and the title key
that decides whether two records are the same paper.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

from . import bounds
from .model import Links, NormalPaper, RawPaper
from .sources.errors import SourceError
from .words import words

SLUG_MAX_CHARS = 80
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?'\"*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_SPACE_BEFORE_PUNCTUATION = re.compile(r" ([:;,!?])(?= |$)")
CODE_HOSTS = frozenset({"github.com", "www.github.com", "gitlab.com", "bitbucket.org",
                        "codeberg.org", "gitee.com", "sourceforge.net", "git.io"})
PROJECT_HOST_SUFFIXES = (".github.io", ".gitlab.io", ".netlify.app", ".vercel.app",
                         ".pages.dev", ".notion.site")


# What XML 1.0 forbids (C0 controls but tab, newline and CR; lone surrogates; U+FFFE and
# U+FFFF), plus the C1 and DEL controls that validators warn about, as one character
# class, so that clean_text drops it in one C-level pass (a per-character Python loop
# costs seconds on a 20 MiB capture).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """NFC, forbidden characters dropped, whitespace runs to one space, stripped."""
    # Every forbidden character is non-printable, so printable text skips the regex.
    kept = text if text.isprintable() else _XML_FORBIDDEN.sub("", text)
    return " ".join(unicodedata.normalize("NFC", kept).split())


def clean_title(text: str) -> str:
    """clean_text plus title spacing: `DiffRate : Differentiable` -> `DiffRate: Differentiable`."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", clean_text(text))


def title_key(title: str) -> str:
    """Same paper <=> same key: case-, accent-, space- and punctuation-folded title."""
    return " ".join(words(title))


def slugify(title: str) -> str:
    """A URL-safe id from a title: ASCII words joined by '-', at most 80 characters."""
    parts = [w.encode("ascii", "ignore").decode() for w in words(title)]
    slug = ""
    for part in filter(None, parts):
        candidate = f"{slug}-{part}" if slug else part
        if len(candidate) > SLUG_MAX_CHARS:
            break
        slug = candidate
    if not slug:  # no ASCII word fits (a title in another script): a hash of the title
        slug = "paper-" + short_hash(title_key(title) or title)
    return slug


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def trim_url(url: str) -> str:
    """Sentence punctuation and unbalanced closing brackets trimmed off the end of a URL."""
    while url:
        last = url[-1]
        unbalanced = last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])
        if last not in _TRAILING_PUNCTUATION and not unbalanced:
            break
        url = url[:-1]
    return url


def classify(url: str) -> str:
    """'code', 'project' or 'other'."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in CODE_HOSTS:
        return "code"
    if host == "huggingface.co" and parts.path.startswith("/spaces/"):
        return "code"
    if host.endswith(PROJECT_HOST_SUFFIXES) or host == "sites.google.com":
        return "project"
    return "other"


def _canonical_link(url: str, kind: str) -> str:
    if kind == "code" and url.lower().endswith(".git"):
        url = url[:-4]
    return url


def extract_links(abstract: str, code_url: str | None = None,
                  project_url: str | None = None) -> Links:
    """Links of the source's own fields first, then those found in the abstract, deduplicated."""
    found: dict[str, list[str]] = {"code": [], "project": [], "other": []}
    seen: set[str] = set()
    candidates: list[tuple[str, str | None]] = []
    if code_url:
        candidates.append((code_url, "code"))
    if project_url:
        candidates.append((project_url, "project"))
    candidates += [(m.group(0), None) for m in _URL.finditer(abstract)]
    for raw, forced_kind in candidates:
        url = trim_url(clean_text(raw))
        try:
            if not urlsplit(url).hostname:
                continue
        except ValueError:  # e.g. an invalid IPv6 literal
            continue
        kind = forced_kind or classify(url)
        url = _canonical_link(url, kind)
        key = url.rstrip("/").lower()
        if key not in seen:
            seen.add(key)
            found[kind].append(url)
    return Links(code=tuple(found["code"]), project=tuple(found["project"]),
                 other=tuple(found["other"]))


def _clean_list(values: tuple[str, ...], limit: int, what: str, where: str) -> tuple[str, ...]:
    """Cleaned, empty ones dropped, each once in its first place. Refused over `limit`
    before any work, and de-duplicated through a dict: one pass (a list searched per
    value took 207 s for 200,000 keywords)."""
    problem = bounds.count_problem(len(values), limit, what)
    if problem:
        raise SourceError(problem, where)
    return tuple(dict.fromkeys(filter(None, map(clean_text, values))))


class UnusableText(SourceError):
    """Nothing usable is left of a paper's title or abstract once cleaned; `part` says
    which ("title" or "abstract"), so that a list can skip the entry naming its field."""

    def __init__(self, part: str, message: str, where: str) -> None:
        super().__init__(message, where)
        self.part = part


def _optional(text: str | None) -> str | None:
    return clean_text(text) or None if text else None


def normalize(raw: RawPaper) -> NormalPaper:
    """Raises UnusableText (at the paper's place) when nothing is left of its title or
    abstract, or either is longer than SPEC 3's bounds allow. Hard-wrapped text (HF's
    summaries come wrapped at about 72 characters) is joined by the whitespace rule: a
    line break is a space like any other."""
    title = clean_title(raw.title)
    abstract = clean_text(raw.abstract)
    if not words(title):
        raise UnusableText("title", "the title has no letters or digits once cleaned", raw.where)
    if not abstract:
        raise UnusableText("abstract", "the abstract is empty once cleaned",
                           raw.abstract_where or raw.where)
    for part, text, limit, where in (
            ("title", title, bounds.MAX_TITLE, raw.where),
            ("abstract", abstract, bounds.MAX_ABSTRACT, raw.abstract_where or raw.where)):
        if problem := bounds.length_problem(text, limit, part):
            raise UnusableText(part, problem, where)
    return NormalPaper(
        title=title,
        title_key=title_key(title),
        slug=slugify(title),
        abstract=abstract,
        arxiv_id=raw.arxiv_id,
        authors=_clean_list(raw.authors, bounds.MAX_AUTHORS, "authors", raw.where),
        keywords=_clean_list(raw.keywords, bounds.MAX_KEYWORDS, "keywords", raw.where),
        upvotes=raw.upvotes,
        links=extract_links(abstract, raw.code_url, raw.project_url),
        published=raw.published,
        submitter=_optional(raw.submitter),
        ai_summary=_optional(raw.ai_summary),
        thumbnail=_optional(raw.thumbnail),
        github_stars=raw.github_stars,
        comments=raw.comments,
        organization=_optional(raw.organization),
        hf_daily_at=raw.hf_daily_at,
    )
