"""Code in the operator's guide that can run here, run as written (docs code that never runs goes stale)."""

from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
import sys

import pytest

from tests.docs_support import DOCS_DIR

pytestmark = pytest.mark.docs


def backup_python_code() -> str:
    """The ``python -c "..."`` program of backup.md's SQLite section."""
    text = (DOCS_DIR / "operators" / "backup.md").read_text(encoding="utf-8")
    section = text.split("## SQLite", 1)[1].split("\n## ", 1)[0]
    command = re.search(r'python -c ("[^"]+")', section)
    assert command, "backup.md's SQLite section no longer shows a python -c backup"
    return shlex.split(command.group(1))[0]


def test_the_sqlite_backup_in_the_guide_copies_a_database_in_use(tmp_path):
    live = tmp_path / "records.sqlite"
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # as while the hub runs: committed rows still in the WAL file
    writer.execute("CREATE TABLE records (id INTEGER PRIMARY KEY, text TEXT)")
    writer.executemany("INSERT INTO records (text) VALUES (?)", [(f"家访 {n}",) for n in range(50)])
    writer.commit()
    assert (tmp_path / "records.sqlite-wal").stat().st_size > 0

    copy = tmp_path / "records-backup.sqlite"
    subprocess.run([sys.executable, "-c", backup_python_code(), str(live), str(copy)], check=True, timeout=60)
    writer.close()
    with sqlite3.connect(copy) as restored:
        assert restored.execute("SELECT count(*) FROM records").fetchone() == (50,)
