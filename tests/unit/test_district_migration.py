"""Migration 0008_district on SQLite and PostgreSQL: its tables are the models' (hub.store.district_models),
and it goes down to 0007_minors_data and up again."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import hub.store.store  # noqa: F401 - every model registered on Base.metadata
from hub.store.db import alembic_config, current_revision, head_revision, make_engine
from hub.store.models import Base
from hub.store.testing import new_database_url

TABLES = ("school_plans", "school_plan_versions", "school_plan_reviews", "district_milestones")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path, pg)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    cleanup()


def test_the_district_tables_match_the_models(engine):
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in differences if any(table in repr(d) for table in TABLES)] == []
    assert set(TABLES) <= set(inspect(engine).get_table_names())


def test_down_to_0007_and_up_again(engine):
    config = alembic_config(engine)
    command.downgrade(config, "0007_minors_data")
    assert not set(TABLES) & set(inspect(engine).get_table_names())
    command.upgrade(config, "head")
    assert current_revision(engine) == head_revision() and set(TABLES) <= set(inspect(engine).get_table_names())
