"""Rebuild the seed corpora (`python fuzz/seed_corpus.py`) from the project's fixtures:
slices of examples/trending-page.txt and every tests/data/captures/*.txt for the text
parser; the examples of docs/query-language.md (and a few more) for the query parser.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
EXTRA_QUERIES = [
    "", "diffusion -video", '"neural operator" OR "operator learning"',
    "title:transformer has:code", "keyword:agents upvotes:>=50", "graph -title:graph",
    "NAÏVE", "ﬃ ½ ٢٤", "rock or roll", "ratio: 2", '"OR"', "2403.12345 " * 8,
    '"' + " ".join("a" * 33) + '"', " ".join(f"w{i}" for i in range(17)),
]


def _write(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def text_seeds() -> dict[str, bytes]:
    lines = (ROOT / "examples" / "trending-page.txt").read_text().splitlines(keepends=True)
    seeds = {
        "trending-head.txt": "".join(lines[:20]),  # the header, the date, the first papers
        "trending-middle.txt": "".join(lines[60:80]),
        "trending-tail.txt": "".join(lines[-9:]),
        "trending-crlf.txt": "".join(lines[:14]).replace("\n", "\r\n"),
        "trending-trailing-title.txt": "".join(lines[:13]),
    }
    out = {name: text.encode() for name, text in seeds.items()}
    for path in sorted((ROOT / "tests" / "data" / "captures").glob("*.txt")):
        out[path.name] = path.read_bytes()
    return out


def query_seeds() -> list[str]:
    doc = (ROOT / "docs" / "query-language.md").read_text()
    found = re.findall(r"^\| `([^`]*)` \|", doc, flags=re.MULTILINE)
    found += [line.split("  ")[0].strip() for line in doc.split("```")[1].splitlines()
              if line.strip()]
    return list(dict.fromkeys(found + EXTRA_QUERIES))


def main() -> None:
    for name, data in text_seeds().items():
        _write(CORPUS / "text", name, data)
    for q in query_seeds():
        data = q.encode()
        _write(CORPUS / "query", hashlib.sha1(data).hexdigest()[:12] + ".txt", data)


if __name__ == "__main__":
    main()
