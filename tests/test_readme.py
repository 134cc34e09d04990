"""The README's Use section, run as written on a fresh store after its serve command: each
command prints what its comment shows, and every URL answers with papers. The commands
and URLs are read from README.md itself, so the two cannot drift apart."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from .conftest import ROOT, serving

README = ROOT / "README.md"
BIN = Path(sys.executable).parent


def use_section() -> list[str]:
    """The lines of the Use section's shell blocks, in order."""
    text = README.read_text()
    section = text[text.index("## Use\n"):]
    section = section[:section.index("\n## ", 1)]
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        joined = block.replace("\\\n", " ")
        lines += [line.strip() for line in joined.splitlines() if line.strip()]
    return lines


def split_comment(line: str) -> tuple[list[str], str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words = list(lexer)
    comment = line.split("  # ", 1)[1].strip() if "  # " in line else ""
    return words, comment


def matches(comment: str, output: str) -> bool:
    """`...` stands for anything; runs of spaces for any white space."""
    pieces = [r"\s+".join(map(re.escape, part.split())) for part in comment.split("...")]
    return re.search(".*?".join(pieces), output, re.S) is not None


def has_papers(url: str, body: bytes) -> int:
    """How many papers (or outlines) the answer at `url` names."""
    path = url.split("?", 1)[0]
    if path.endswith((".atom", ".rss")):
        return len(feedparser.parse(body).entries)
    if path.endswith(".json"):
        return len(json.loads(body)["items"])
    if path.endswith(".opml"):
        return len(ET.fromstring(body).findall(".//outline"))
    found = json.loads(body)
    return len(found["items"]) if "items" in found else int(bool(found.get("id")))


def test_the_use_section_runs_as_written(tmp_path: Path) -> None:
    lines = use_section()
    assert sum(line.startswith("curl ") for line in lines) >= 5
    home = tmp_path / "home"
    env = {"TRENDFEED_HOME": str(home), "HOME": str(tmp_path), "TRENDFEED_SAMPLE": "auto"}
    with serving(tmp_path, {**env, "TRENDFEED_DATABASE_URL": ""}, ready="/readyz") as server:
        port = server.base.rsplit(":", 1)[1]
        run_env = {k: v for k, v in os.environ.items() if k != "TRENDFEED_DATABASE_URL"}
        run_env.update(env)
        for line in lines:
            words, comment = split_comment(line.replace("localhost:8000", f"localhost:{port}"))
            if words[0] == ".venv/bin/trendfeed":
                words[0] = str(BIN / "trendfeed")
            done = subprocess.run(words, cwd=ROOT if "examples/" in line else tmp_path,
                                  env=run_env, capture_output=True, timeout=60)
            output = done.stdout.decode()
            assert done.returncode == 0, (line, output, done.stderr.decode())
            if words[0] == "curl":
                url = next(w for w in words if w.startswith("http"))
                body = done.stdout.split(b"\r\n\r\n", 1)[-1] if "-i" in words else done.stdout
                if "--data-urlencode" in words:
                    url += "?" + words[words.index("--data-urlencode") + 1]
                assert has_papers(url, body) > 0, (line, body[:300])
                if ".opml" in url:
                    for outline in ET.fromstring(body).findall(".//outline"):
                        feed = subprocess.run(["curl", "-s", outline.get("xmlUrl")],
                                              capture_output=True, timeout=30).stdout
                        assert has_papers(".atom", feed) > 0, outline.get("xmlUrl")
            elif comment:
                assert matches(comment, output), (line, output)
        page = subprocess.run(["curl", "-s", f"http://localhost:{port}/"],
                              capture_output=True, timeout=30).stdout.decode()
        assert page.count('class="paper"') > 0 or "/papers/" in page
    assert "empty store: loaded the bundled sample list" in server.log()


@pytest.mark.parametrize(("comment", "output", "expected"), [
    ("snapshot 2: 50 papers, 0 new", "snapshot 2: 50 papers, 0 new\n", True),
    ("snapshot 2: 50 papers, 0 new", "snapshot 3: 50 papers, 0 new\n", False),
    ("backup: x.db (... bytes) from sqlite:///...", "backup: x.db (12 bytes) from sqlite:///a",
     True),
    ("1  2026-03-17  ...  74 papers   74 new", "    1  2026-03-17  2026-12-01 09:03    74 "
     "papers   74 new  text", True),
])
def test_a_comment_is_checked_against_the_output(comment: str, output: str,
                                                 expected: bool) -> None:
    assert matches(comment, output) is expected
