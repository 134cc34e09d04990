"""What the pages say about a paper in words of their own: the list view's author line,
the opening of an abstract, and the rank's move (in the feeds' words, `rank_move`, with
the direction the page colours it by). Pure: a Paper in, text out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..feeds.common import rank_move
from ..model import Paper

SNIPPET_CHARS = 240  # the abstract's opening lines shown before it is expanded
AUTHORS_SHOWN = 3  # names in the list view before "and N more"


def authors_brief(authors: tuple[str, ...], shown_names: int = AUTHORS_SHOWN) -> str:
    """The first few names, then how many more: a list view line, not the whole list."""
    if len(authors) <= shown_names + 1:
        return ", ".join(authors)
    return f"{', '.join(authors[:shown_names])} and {len(authors) - shown_names} more"


def snippet(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The opening of `text`, cut at a word boundary, with an ellipsis when cut."""
    if len(text) <= chars:
        return text
    cut = text[:chars].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return (cut or text[:chars]) + "…"


@dataclass(frozen=True)
class RankMove:
    words: str  # the feeds' words (feeds.common.rank_move): "#3, up from #7"
    direction: str  # up, down, same, new, back: how the page colours it

    @property
    def change(self) -> str:
        """The words less the rank the list shows beside them: "up from #7"."""
        return self.words.partition(", ")[2]


def rank_change(paper: Paper) -> RankMove | None:
    """The rank's move since the list before, or None for a paper off the latest list."""
    words = rank_move(paper)
    if words is None or paper.rank is None:
        return None
    before = paper.previous_rank
    if before is None:
        direction = "new" if paper.appearances == 1 else "back"
    else:
        direction = "up" if before > paper.rank else "down" if before < paper.rank else "same"
    return RankMove(words, direction)
