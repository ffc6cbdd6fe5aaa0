"""Migration 0010_focus_withdraw on SQLite and PostgreSQL: the nominations' two new columns (who withdrew a
nomination and when) are the model's (``focus_models.FocusNomination``), and it goes down to
0009_focus_reminders (dropping only those columns: the nominations stay, sealed reasons readable) and up again."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import hub.store.store  # noqa: F401 - every model registered on Base.metadata
from hub.store.db import alembic_config, current_revision, head_revision
from hub.store.models import Base

NEW = {"withdrawn_at", "withdrawn_by"}


@pytest.fixture
def store(keyed_small_world):
    return keyed_small_world


def columns(engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("focus_nominations")}


def test_the_nominations_table_matches_the_model(store):
    assert current_revision(store.engine) == head_revision() == "0010_focus_withdraw"
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in differences if "focus_nominations" in repr(d)] == []
    assert NEW <= columns(store.engine)


def test_down_to_0009_and_up_again_keeping_the_nominations(store):
    actor = store.actor_for("m_a")
    open_one = store.add_focus_nomination(actor, {"student_id": "sa1", "reason": "期中后明显退缩，不愿交流。"})
    withdrawn = store.add_focus_nomination(actor, {"student_id": "sa2", "reason": "家里刚添了弟弟，情绪起伏。"})
    store.withdraw_focus_nomination(actor, withdrawn["nomination_id"])
    store.engine.dispose()
    config = alembic_config(store.engine)
    command.downgrade(config, "0009_focus_reminders")
    assert not NEW & columns(store.engine) and "reason" in columns(store.engine)
    with store.engine.connect() as conn:  # the rows stay (0009 knows no withdrawal)
        assert conn.execute(text("SELECT count(*) FROM focus_nominations")).scalar() == 2
    command.upgrade(config, "head")
    assert current_revision(store.engine) == head_revision() and NEW <= columns(store.engine)
    mine = {n["nomination_id"]: n for n in store.find_my_nominations(actor)}
    assert mine[open_one["nomination_id"]]["reason"] == "期中后明显退缩，不愿交流。"  # still sealed and readable
    assert {n["status"] for n in mine.values()} == {"open"}  # the migration says so: 0009 has no withdrawal
