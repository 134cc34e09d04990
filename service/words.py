"""The project's one tokenizer: text to folded words.

Used for search (both stores index exactly these words), for the query language and
for the "same paper" title key, so that all of them agree on what a word is: a maximal
run of letters and digits after case folding and accent removal (`Naïve` -> `naive`,
`Transformer-based` -> `transformer`, `based`).
"""

from __future__ import annotations

import unicodedata

MAX_WORD_CHARS = 100  # PostgreSQL rejects index words over 2 KiB; prefixes this long are unique


def fold(text: str) -> str:
    """Case- and accent-folded text (compatibility forms decomposed, combining marks dropped)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    out: list[str] = []
    current: list[str] = []
    for ch in fold(text):
        if ch.isalnum():
            current.append(ch)
        elif current:
            out.append("".join(current)[:MAX_WORD_CHARS])
            current = []
    if current:
        out.append("".join(current)[:MAX_WORD_CHARS])
    return out
