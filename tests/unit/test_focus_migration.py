"""Migration 0009_focus_reminders on SQLite and PostgreSQL: its tables are the models' (``focus_models``), and it
goes down and up again."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import hub.store.focus_models  # noqa: F401 -- the tables into Base.metadata
from hub.store.db import alembic_config, current_revision, head_revision, make_engine
from hub.store.models import Base

TABLES = ("focus_nominations", "focus_decisions")


@pytest.fixture
def database(fresh_database_url):
    return fresh_database_url


def test_the_focus_tables_match_the_models(database):
    engine = make_engine(database)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in differences if any(table in repr(d) for table in TABLES)] == []
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_the_migration_goes_down_and_up(database):
    engine = make_engine(database)
    config = alembic_config(engine)
    command.downgrade(config, "0007_minors_data")
    assert not set(TABLES) & set(inspect(engine).get_table_names())
    command.upgrade(config, "head")
    assert set(TABLES) <= set(inspect(engine).get_table_names())
    engine.dispose()
