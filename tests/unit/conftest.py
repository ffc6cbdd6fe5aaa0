"""Fixtures shared by the unit tests.

- ``fresh_small_world`` (function scope, SQLite and PostgreSQL): a new migrated store holding
  ``hub.store.testing.build_small_world``; the PostgreSQL case needs ``MENTORHUB_TEST_PG_URL``.
- ``fresh_database_url`` (SQLite and PostgreSQL): the URL of a new migrated, empty database (for the
  migration tests, which open it themselves).
- ``keyed_small_world``: the same, with a field key ring (the store then encrypts what the privacy rules
  say; ``hub.store.crypto``).
- ``small_world_url`` (function scope): the URL of such a store in SQLite, closed, for code under test
  that opens the store itself.
- ``empty_store`` (function scope): a new migrated SQLite store with nothing in it (rosters are imported
  into it by the test).
"""

from __future__ import annotations

import pytest

from hub.store import open_store
from hub.store.crypto import ensure_key_file
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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database_url(request, tmp_path):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path, pg)
    yield url
    cleanup()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def keyed_small_world(request, tmp_path):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path, pg)
    store = open_store(url, keyring=ensure_key_file(tmp_path / "field-keys.json"))
    build_small_world(store)
    yield store
    store.close()
    cleanup()


@pytest.fixture
def small_world_url(tmp_path):
    url, cleanup = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    try:
        build_small_world(store)
    finally:
        store.close()
    yield url
    cleanup()


@pytest.fixture
def empty_store(tmp_path):
    url, cleanup = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    yield store
    store.close()
    cleanup()
