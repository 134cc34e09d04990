"""atheris harness for the text capture parser (SPEC 1.1) and the normalizer behind it.

Each input is the bytes of a capture. The parser must return a list whose papers keep
their promises, or raise SourceError; anything else escaping (another exception, a
failed assertion) is a crash that atheris reports and saves. See fuzz/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root

with atheris.instrument_imports():
    from service.normalize import normalize
    from service.sources import SourceError, parse
    from service.sources.lines import MAX_TITLE_CHARS


def TestOneInput(data: bytes) -> None:  # noqa: N802 (atheris's name)
    try:
        raw = parse(data, format="text")
    except SourceError as exc:
        assert exc.message, "a SourceError without a message"
        return
    assert raw.papers, "a list without papers"
    for paper in raw.papers:
        assert paper.title and paper.abstract, paper
        assert paper.title == " ".join(paper.title.split()), paper.title
        assert len(paper.title) <= MAX_TITLE_CHARS, paper.title
        assert paper.where.startswith("line "), paper.where
        try:
            normal = normalize(paper)
        except SourceError:
            continue
        assert normal.title and normal.abstract and normal.slug, normal


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
