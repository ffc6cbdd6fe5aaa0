"""Fixtures shared by the unit tests.

- ``fresh_small_world`` (function scope, SQLite and PostgreSQL): a new migrated store holding
  ``hub.store.testing.build_small_world``; the PostgreSQL case needs ``MENTORHUB_TEST_PG_URL``.
"""

from __future__ import annotations

import pytest

from hub.store import open_store
from hub.store.testing import build_small_world, new_database_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_small_world(request, tmp_path):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path, pg)
    store = open_store(url)
    build_small_world(store)
    yield store
    store.close()
    cleanup()
