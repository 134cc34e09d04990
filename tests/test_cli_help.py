"""The CLI explains itself: every command and option has help written for users, each
default is shown, `--version` answers, and the top level lists every command."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from service import cli_help

TRENDFEED = str(Path(sys.executable).parent / "trendfeed")


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = sub
                found.update({f"{name} {k}": v for k, v in _commands(sub).items()})
    return found


def test_every_command_and_option_has_help_and_says_its_default() -> None:
    commands = _commands(cli_help.parser())
    assert set(commands) >= {"serve", "ingest", "papers", "refresh", "backup", "snapshots",
                             "snapshots list", "snapshots delete"}
    for name, sub in commands.items():
        for action in sub._actions:
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
                continue
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and len(action.help) > 10, (name, action.dest)
            assert "SPEC" not in action.help, (name, action.dest)
        text = sub.format_help()
        for action in sub._actions:
            if action.option_strings and action.default not in (None, False,
                                                                 argparse.SUPPRESS):
                assert f"(default: {action.default})" in " ".join(text.split()), \
                    (name, action.dest)


def test_help_and_version_from_the_installed_command() -> None:
    top = subprocess.run([TRENDFEED, "--help"], capture_output=True, text=True, check=True)
    for name in ("serve", "ingest", "papers", "refresh", "backup", "snapshots"):
        assert f"    {name}" in top.stdout
    assert "Exit status" in top.stdout
    serve = subprocess.run([TRENDFEED, "serve", "--help"], capture_output=True, text=True,
                           check=True).stdout
    assert "(default: 127.0.0.1)" in serve and "(default: 8000)" in serve
    version = subprocess.run([TRENDFEED, "--version"], capture_output=True, text=True,
                             check=True).stdout
    assert version.startswith("trendfeed ") and version.strip() != "trendfeed unknown"
