"""Migration 0007_minors_data on SQLite and PostgreSQL: the schema it makes is the models' (its tables and
columns), it goes down and up again, and records written before it get version 1 and a history."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

import hub.store.store  # noqa: F401 - every model registered on Base.metadata (run alone too)
from hub.store import (
    open_store,
    privacy_models,  # noqa: F401 - its tables belong to the models' metadata
    upgrade,
)
from hub.store.db import alembic_config, current_revision, head_revision, make_engine
from hub.store.models import Base, Record
from hub.store.testing import build_small_world

OURS = ("record_versions", "guardian_requests", "'version'", "'updated_by'", "'left_on'", "'anonymised_at'",
        "'recorded_by'", "'withdrawn_by'", "'withdrawal_method'", "'contact_channel'", "'created_at'")  # fmt: skip
BEFORE = "0004_account_hub_binding"


@pytest.fixture
def database(fresh_database_url):
    return fresh_database_url


def test_the_migrated_schema_matches_the_models(database):
    engine = make_engine(database)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in differences if any(name in repr(d) for name in OURS)
            and any(t in repr(d) for t in ("records", "students", "guardians", "consents", "record_versions",
                                           "guardian_requests"))]  # fmt: skip
    if engine.dialect.name == "sqlite":  # the migration leaves SQLite's VARCHAR(100), which holds any length
        ours = [d for d in ours if "contact_channel" not in repr(d)]
    assert ours == []
    engine.dispose()


def test_records_written_before_the_migration_get_a_history_after_it(database):
    engine = make_engine(database)
    command.downgrade(alembic_config(engine), BEFORE)
    assert current_revision(engine) == BEFORE
    # the small world's verbs need 0007's columns: one record written with plain SQL at 0004 instead
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO schools (school_id, name, district, stage) VALUES ('S', '甲校', '', '')")
        conn.exec_driver_sql("INSERT INTO classes (class_id, school_id, grade, name) VALUES ('S1', 'S', 7, '七1')")
        conn.exec_driver_sql("INSERT INTO students (student_id, display_name, school_id, class_id, gender, "
                             "needs_mentors, active) VALUES ('p1', '学生', 'S', 'S1', '', 1, true)")
        conn.exec_driver_sql(f"INSERT INTO terms (term_id, academic_year, term_no, start_date, end_date, key_timepoints)"
                             f" VALUES ('T', '2026', 1, '{dt.date.today() - dt.timedelta(days=9)}', "
                             f"'{dt.date.today() + dt.timedelta(days=9)}', '[]')")
        conn.exec_driver_sql(f"INSERT INTO records (kind, student_id, author, term_id, event_date, fields, created_at, "
                             f"updated_at) VALUES ('talk', 'p1', 'm', 'T', '{dt.date.today()}', "
                             f"'{{\"summary\": \"旧记录\"}}', '2026-01-01 08:00:00', '2026-01-01 08:00:00')")
    assert upgrade(engine) == head_revision()
    store = open_store(engine)
    with store.reading() as s:
        record = s.scalars(select(Record)).one()
    assert record.version == 1 and record.updated_by is None
    store.close()


def test_down_and_up_again(database):
    engine = make_engine(database)
    store = open_store(engine)
    build_small_world(store)
    command.downgrade(alembic_config(engine), BEFORE)
    assert upgrade(engine) == head_revision()
    engine.dispose()
