"""`trendfeed backup PATH`: a consistent copy of an SQLite store that restores to the
same tables; PostgreSQL is pointed to pg_dump."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import cli
from service.store import open_store

from .conftest import ENGINES, HF_JSON, TRENDING, dump, ingest_file


def test_a_backup_restores_to_every_table_as_it_was(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    store = open_store(url)
    ingest_file(store, TRENDING)
    ingest_file(store, HF_JSON)
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", url)
    copy = tmp_path / "copies" / "backup.db"
    copy.parent.mkdir()
    assert cli.main(["backup", str(copy)]) == 0
    assert capsys.readouterr().out.startswith(f"backup: {copy} (")
    restored = open_store(f"sqlite:///{copy}")
    assert dump(restored) == dump(store)  # every table, FTS shadow tables included
    assert restored.paper("2403.99901").id == "forward-learning-of-graph-neural-networks"
    assert not list(copy.parent.glob("*.partial"))
    # an existing file is never overwritten
    assert cli.main(["backup", str(copy)]) == 2
    assert "exists" in capsys.readouterr().err
    restored.close()
    store.close()


@pytest.mark.parametrize("database_url", [ENGINES[1]], indirect=True)
def test_postgresql_is_pointed_to_pg_dump(database_url: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TRENDFEED_DATABASE_URL", database_url)
    assert cli.main(["backup", str(tmp_path / "x.db")]) == 2
    assert "pg_dump" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()
