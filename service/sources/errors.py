"""The one error type every source parser raises."""

from __future__ import annotations

from ..model import SkippedEntry


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


class InvalidEntries(SourceError):
    """Entries of a list that cannot become papers (SPEC 1.2: a bad required field). The
    message and place are the first one's; `entries` holds every one, `total` is the
    number of entries in the list. A caller that may skip them applies the rest."""

    def __init__(self, entries: tuple[SkippedEntry, ...], total: int, name: str = "",
                 hint: str = "") -> None:
        first = entries[0]
        where = f"entry {first.index}" + (f", field '{first.field}'" if first.field else "")
        more = len(entries) - 1
        others = ", ".join(f"entry {e.index}" for e in entries[1:6]) + (", ..." if more > 5 else "")
        message = first.message + (f"; {more} more invalid entr{'y' if more == 1 else 'ies'}: "
                                   f"{others}" if more else "") + (f" ({hint})" if hint else "")
        self.entries = entries
        self.total = total
        self.hint = hint
        super().__init__(message, where, name)

    def named(self, name: str) -> SourceError:
        return InvalidEntries(self.entries, self.total, name, self.hint)

    def hinted(self, hint: str) -> InvalidEntries:
        """The same error, saying how the caller skips invalid entries."""
        return InvalidEntries(self.entries, self.total, self.name, hint)
