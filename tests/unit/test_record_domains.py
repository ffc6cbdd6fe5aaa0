"""Guidance domains in their own table (``record_domains``, migration 0003) on SQLite and PostgreSQL:
written with every record the store adds, replaced on update, dropped on soft delete; the dashboards'
domain counts from that table equal a count over the records' own JSON (district and school scope,
inactive students left out); and the migration fills the table for records written before it existed."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import select, update

from hub.store import Conflict, open_store, upgrade
from hub.store.dashboard_verbs import DashboardVerbs
from hub.store.db import alembic_config, head_revision, make_engine
from hub.store.models import Base, Record, RecordDomain, Student
from hub.store.record_domains import domains_of
from hub.store.testing import build_small_world

TODAY = dt.date.today()
BEFORE = "0002_case_discussions"


@pytest.fixture
def database(fresh_database_url):
    return fresh_database_url


@pytest.fixture
def store(database):
    st = open_store(database)
    build_small_world(st)
    yield st
    st.close()


def talk(student_id, domains=None):
    extra = {"guidance_domains": domains} if domains is not None else {}
    return {"student_id": student_id, "kind": "talk", "date": TODAY.isoformat(), "talk_type": "例行关怀",
            "summary": "谈了谈开学以来的适应情况", **extra}  # fmt: skip


def guidance(student_id, domains):
    return {"student_id": student_id, "kind": "guidance", "date": TODAY.isoformat(), "domains": domains,
            "summary": "一起制定了每周的复习计划"}  # fmt: skip


def domain_table(store) -> set[tuple]:
    with store.reading() as s:
        return set(s.execute(select(RecordDomain.record_id, RecordDomain.domain, RecordDomain.term_id,
                                    RecordDomain.student_id)).all())  # fmt: skip


def expected_from_json(store) -> set[tuple]:
    """The oracle: the domain rows read back from every live record's JSON."""
    with store.reading() as s:
        records = s.scalars(select(Record).where(Record.deleted_at.is_(None))).all()
    return {(r.record_id, d, r.term_id, r.student_id) for r in records for d in domains_of(r.fields)}


def counted(store, schools=None) -> dict[str, tuple[int, int]]:
    term = store.current_term()
    with store.reading() as s:
        rows = DashboardVerbs._domain_rows(s.connection(), term, schools)
    return {domain: (records, students) for domain, records, students in rows if records}


def counted_from_json(store, schools=None) -> dict[str, tuple[int, int]]:
    with store.reading() as s:
        active = {st.student_id: st.school_id for st in s.scalars(select(Student).where(Student.active.is_(True)))}
        records = s.scalars(select(Record).where(Record.deleted_at.is_(None))).all()
    tally: dict[str, list] = {}
    for record in records:
        if record.student_id in active and (schools is None or active[record.student_id] in schools):
            for domain in domains_of(record.fields):
                tally.setdefault(domain, []).append(record.student_id)
    return {domain: (len(ids), len(set(ids))) for domain, ids in tally.items()}


def test_domains_of_prefers_domains_and_names_each_once():
    assert domains_of({"domains": ["学习辅导", "学习辅导", "心理疏导"], "guidance_domains": ["生涯指导"]}) == [
        "学习辅导", "心理疏导"]
    assert domains_of({"guidance_domains": ["生涯指导"]}) == ["生涯指导"]
    assert domains_of({"text": "成长寄语"}) == [] and domains_of(None) == []


def test_rows_follow_every_write_and_the_counts_match_the_json(store):
    mentor, other = store.actor_for("m_a"), store.actor_for("m_b")
    first = store.add_record(mentor, guidance("sa1", ["学习辅导", "心理疏导"]))
    second = store.add_record(mentor, talk("sa2", ["学习辅导"]))
    store.add_record(mentor, talk("sa1"))  # no domains: no rows
    store.add_record(other, guidance("sb1", ["生涯指导"]))
    assert domain_table(store) == expected_from_json(store)
    assert len(domain_table(store)) == 4

    store.update_record(mentor, first.record_id, {"domains": ["生活指导"]})
    store.update_record(mentor, second.record_id, {"guidance_domains": []})  # cleared
    assert domain_table(store) == expected_from_json(store)
    assert {row[1] for row in domain_table(store) if row[0] == first.record_id} == {"生活指导"}
    assert not [row for row in domain_table(store) if row[0] == second.record_id]

    third = store.add_record(mentor, guidance("sa2", ["思想引导", "生涯指导"]))
    store.remove_record(mentor, third.record_id, reason="重复录入")
    assert not [row for row in domain_table(store) if row[0] == third.record_id]
    assert domain_table(store) == expected_from_json(store)

    assert counted(store) == counted_from_json(store) == {"生活指导": (1, 1), "生涯指导": (1, 1)}
    assert counted(store, ["A"]) == counted_from_json(store, ["A"]) == {"生活指导": (1, 1)}


def test_inactive_students_are_left_out_in_every_scope(store):
    mentor = store.actor_for("m_a")
    for student in ("sa1", "sa2", "sa3"):
        store.add_record(mentor if student != "sa3" else store.actor_for("ht_a1"), guidance(student, ["学习辅导"]))
    store.add_record(mentor, guidance("sa1", ["学习辅导", "思想引导"]))
    store.add_record(store.actor_for("m_b"), guidance("sb1", ["学习辅导"]))
    with store.writing() as s:  # the student left the school (a roster change)
        s.execute(update(Student).where(Student.student_id == "sa1").values(active=False))
    assert counted(store) == counted_from_json(store) == {"学习辅导": (3, 3)}
    assert counted(store, ["A"]) == counted_from_json(store, ["A"]) == {"学习辅导": (2, 2)}
    assert counted(store, ["B"]) == {"学习辅导": (1, 1)}


def test_a_failed_write_leaves_no_domain_rows(store):
    mentor = store.actor_for("m_a")
    store.add_record(mentor, {**guidance("sa1", ["学习辅导"]), "client_ref": "form-1"})
    with pytest.raises(Conflict):
        store.add_record(mentor, {**guidance("sa1", ["心理疏导"]), "client_ref": "form-1"})
    assert {row[1] for row in domain_table(store)} == {"学习辅导"}


# --- migration 0003 ------------------------------------------------------------------------------

def records_table():
    return Base.metadata.tables["records"]


def seed_at_0002(engine) -> dict[int, list[str]]:
    """A term, a school, students and records of every shape, written with the 0002 schema."""
    meta = Base.metadata.tables
    with engine.begin() as conn:
        conn.execute(sa.insert(meta["terms"]), [{"term_id": "T", "academic_year": "2026", "term_no": 1,
                                                 "start_date": TODAY - dt.timedelta(days=30),
                                                 "end_date": TODAY + dt.timedelta(days=30), "key_timepoints": []}])  # fmt: skip
        conn.execute(sa.insert(meta["schools"]), [{"school_id": "S", "name": "甲校", "district": "", "stage": ""}])
        conn.execute(sa.insert(meta["classes"]), [{"class_id": "S1", "school_id": "S", "grade": 7, "name": "七(1)班"}])
        conn.execute(sa.insert(meta["students"]), [
            {"student_id": f"p{n}", "display_name": "", "school_id": "S", "class_id": "S1", "gender": "",
             "needs_mentors": 1, "active": True} for n in range(4)])  # fmt: skip
        shapes = [
            ("guidance", {"domains": ["学习辅导", "心理疏导"], "summary": "x"}, None),
            ("talk", {"guidance_domains": ["生涯指导"], "summary": "x"}, None),
            ("talk", {"summary": "没有领域"}, None),
            ("growth_message", {"text": "一段足够长的成长寄语文字。"}, None),
            ("guidance", {"domains": ["思想引导"], "guidance_domains": ["生活指导"], "summary": "x"}, None),
            ("guidance", {"domains": ["生活指导"], "summary": "已删除"}, dt.datetime(2026, 1, 1)),
        ]
        rows = [{"kind": kind, "student_id": f"p{n % 4}", "author": "m", "term_id": "T", "event_date": TODAY,
                 "fields": fields, "deleted_at": deleted}
                for n in range(12) for kind, fields, deleted in [shapes[n % len(shapes)]]]  # fmt: skip
        conn.execute(sa.insert(records_table()), rows)
        stored = conn.execute(select(records_table().c.record_id, records_table().c.fields,
                                     records_table().c.deleted_at)).all()  # fmt: skip
    return {record_id: domains_of(fields) for record_id, fields, deleted in stored if deleted is None}


def test_the_upgrade_from_0002_fills_the_domains_of_existing_records(database):
    engine = make_engine(database)
    command.downgrade(alembic_config(engine), BEFORE)  # the database as it was before this revision
    with engine.connect() as conn:
        assert "record_domains" not in sa.inspect(conn).get_table_names()
    expected = seed_at_0002(engine)
    assert upgrade(engine) == head_revision()  # through 0003, which fills the domains
    with engine.connect() as conn:
        rows = conn.execute(select(RecordDomain.record_id, RecordDomain.domain, RecordDomain.term_id,
                                   RecordDomain.student_id)).all()  # fmt: skip
        students = dict(conn.execute(select(records_table().c.record_id, records_table().c.student_id)).all())
    assert sorted(rows) == sorted((rid, d, "T", students[rid]) for rid, ds in expected.items() for d in ds)
    assert {d for _, d, _, _ in rows} == {"学习辅导", "心理疏导", "生涯指导", "思想引导"}  # 生活指导: deleted or shadowed
    store = open_store(engine)
    assert counted(store) == counted_from_json(store)
    store.close()
    engine.dispose()


def test_the_migrated_schema_matches_the_models(database):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(database)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in differences if any(name in repr(d) for name in ("record_domains", "training_results"))]
    assert ours == []
    engine.dispose()
