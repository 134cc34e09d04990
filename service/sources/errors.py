"""The one error type every source parser raises."""

from __future__ import annotations


class SourceError(ValueError):
    """Bad input. `where` is "line 12" / "entry 3, field 'title'" / "" for the whole input."""

    def __init__(self, message: str, where: str = "", name: str = "") -> None:
        self.message = message
        self.where = where
        self.name = name
        super().__init__(str(self))

    def named(self, name: str) -> SourceError:
        return SourceError(self.message, self.where, name)

    def __str__(self) -> str:
        place = ", ".join(p for p in (self.name, self.where) if p)
        return f"{place}: {self.message}" if place else self.message


class TooManyPapers(SourceError):
    """The list holds more papers than TRENDFEED_MAX_PAPERS: too large, not malformed
    (POST answers 413)."""

    def named(self, name: str) -> SourceError:
        return TooManyPapers(self.message, self.where, name)
