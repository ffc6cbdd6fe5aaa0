"""Retention with the clock moved (SQLite and PostgreSQL): nothing expires a day before the rule, the dry run
reports exactly what the run then does, the audit row counts it right, and every other row of every table
is left as it was (the case library, the audit log, other students' records included). Also the command
and the hub's retention service schedule."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from traitlets.config import Config

from hub.cases import library
from hub.cases.command import SHIPPED_FOLDER
from hub.retention import RetentionService, next_run
from hub.store.models import ConcernFlag
from hub.store.privacy_models import RecordVersion
from hub.store.retention_verbs import ANONYMOUS_NAME, RetentionRule

TODAY = dt.date.today()
RULE = RetentionRule(records_years_after_leaving=3, flags_years_after_closing=2, deleted_records_days=180)
KEYS = {  # the primary key column of each table whose rows a run deletes
    "records": "record_id", "record_versions": "version_id", "concern_flags": "flag_id",
    "guardians": "guardian_id", "consents": "consent_id", "guardian_requests": "request_id",
}  # fmt: skip


def talk(student_id, summary="聊了开学以来的适应情况"):
    return {"student_id": student_id, "kind": "talk", "date": TODAY.isoformat(), "talk_type": "例行关怀",
            "summary": summary, "guidance_domains": ["学习辅导"]}  # fmt: skip


def years_later(years: int, days: int = 0) -> dt.date:
    return TODAY.replace(year=TODAY.year + years) + dt.timedelta(days=days)


def snapshot(store) -> dict[str, dict[str, dict]]:
    """Every row of every table, as JSON text keyed by its primary key (or the whole row)."""
    meta = sa.MetaData()
    meta.reflect(store.engine)
    out = {}
    with store.engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            key_columns = [c.name for c in table.primary_key.columns]
            rows = {}
            for row in conn.execute(sa.select(table)).mappings():
                row = dict(row)
                key = json.dumps([row[c] for c in key_columns], default=str) if key_columns else json.dumps(row, default=str)
                rows[key] = json.dumps(row, default=str, sort_keys=True, ensure_ascii=False)
            out[table.name] = rows
    return out


@pytest.fixture
def world(fresh_small_world):
    """sa1 (left the school today): records with history, a guardian and consent, an open flag; sa2: a record
    deleted by its author today; sb1: a flag closed today; sa3: a live record; the case library."""
    store = fresh_small_world
    store.put_cases(library.load_library(SHIPPED_FOLDER))
    mentor = store.actor_for("m_a")
    first = store.add_record(mentor, talk("sa1"))
    store.update_record(mentor, first.record_id, {"summary": "补充：约定每周五再聊"})
    store.update_record(mentor, first.record_id, {"summary": "再补充：家长也同意"})
    second = store.add_record(mentor, talk("sa1", "第二次谈话"))
    gone = store.add_record(mentor, talk("sa2", "写错了学生"))
    store.remove_record(mentor, gone.record_id, reason="写错了学生")
    kept = store.add_record(store.actor_for("ht_a1"), talk("sa3", "班主任的谈话"))
    office = store.actor_for("adm_a")
    guardian = store.add_guardian(office, {"student_id": "sa1", "relation": "母亲", "name": "王某某"})
    consent = store.add_consent(office, {"student_id": "sa1", "guardian_id": guardian.guardian_id,
                                         "scope": "mentor_records", "policy_version": "2026-09",
                                         "given_via": "书面签字"})  # fmt: skip
    open_flag = store.add_flag(mentor, {"student_id": "sa1", "level": 1, "details": "近期情绪低落"})
    closed_flag = store.add_flag(store.actor_for("m_b"), {"student_id": "sb1", "level": 1, "details": "已好转"})
    with store.writing() as s:  # closed today (school B has no psychology teacher in the small world)
        row = s.get(ConcernFlag, closed_flag.flag_id)
        row.status, row.closed_at = "closed", dt.datetime.combine(TODAY, dt.time(8))
    store.mark_students_left(["sa1"], TODAY)
    return store, {"sa1_records": sorted([first.record_id, second.record_id]), "gone": gone.record_id,
                   "kept": kept.record_id, "guardian": guardian.guardian_id, "consent": consent.consent_id,
                   "open_flag": open_flag.flag_id, "closed_flag": closed_flag.flag_id}  # fmt: skip


def test_nothing_expires_before_the_rule_says_so(world):
    store, ids = world
    store.today = lambda: TODAY + dt.timedelta(days=179)
    assert store.plan_retention(RULE).counts() == dict.fromkeys(store.plan_retention(RULE).counts(), 0)
    store.today = lambda: TODAY + dt.timedelta(days=181)  # only the soft-deleted record is due
    plan = store.plan_retention(RULE)
    assert plan.records == [ids["gone"]] and plan.students == [] and plan.flags == []
    store.today = lambda: years_later(2, 1)  # the closed flag too
    assert store.plan_retention(RULE).flags == [ids["closed_flag"]]
    store.today = lambda: years_later(3)  # sa1 left exactly three years ago: not yet
    assert store.plan_retention(RULE).students == []
    store.today = lambda: years_later(4)
    assert store.plan_retention(RULE).students == ["sa1"]
    store.import_roster([], [], [], [{"student_id": "sa1", "display_name": "学生sa1", "school_id": "A",
                                      "class_id": "A1", "birth_year_month": "2012-09"}])  # back on the roster
    assert store.plan_retention(RULE).students == []


def test_dry_run_equals_the_run_the_audit_counts_it_and_nothing_else_is_touched(world):
    store, ids = world
    with store.reading() as s:
        versions = sorted(s.scalars(sa.select(RecordVersion.version_id)))
    before = snapshot(store)
    store.today = lambda: years_later(3, 1)
    dry = store.plan_retention(RULE)
    assert snapshot(store) == before  # the dry run changes nothing
    expected = {"students": ["sa1"], "records": sorted(ids["sa1_records"] + [ids["gone"]]),
                "record_versions": versions, "flags": sorted([ids["open_flag"], ids["closed_flag"]]),
                "guardians": [ids["guardian"]], "consents": [ids["consent"]], "requests": []}  # fmt: skip
    assert dry.ids() == expected
    assert len(versions) == 2
    done = store.run_retention(RULE, actor="tester")
    assert done.ids() == dry.ids()
    entry = store.find_audit(store.actor_for("admin"), action="retention.run")[0]
    assert entry.actor == "tester" and entry.entity_id == years_later(3, 1).isoformat()
    assert entry.detail["counts"] == {"students_anonymised": 1, "records_deleted": 3, "record_versions_deleted": 2,
                                      "flags_deleted": 2, "guardians_deleted": 1, "consents_deleted": 1,
                                      "guardian_requests_deleted": 0}  # fmt: skip
    assert "近期情绪低落" not in json.dumps(entry.detail, ensure_ascii=False)
    after = snapshot(store)
    for table, rows in before.items():
        removed = set(rows) - set(after[table])
        added = set(after[table]) - set(rows)
        changed = {key for key in set(rows) & set(after[table]) if rows[key] != after[table][key]}
        if table in KEYS:
            assert sorted(json.loads(key)[0] for key in removed) == expected[
                {"concern_flags": "flags", "guardian_requests": "requests"}.get(table, table)], table
            assert not added and not changed, table
        elif table == "record_domains":  # a deleted record's domains go with it
            assert {json.loads(key)[0] for key in removed} == set(ids["sa1_records"]) and not added and not changed
        elif table == "students":
            assert changed == {json.dumps(["sa1"])} and not removed and not added
            row = json.loads(after[table][json.dumps(["sa1"])])
            assert (row["display_name"], row["birth_year_month"], row["gender"]) == (ANONYMOUS_NAME, None, "")
            assert row["anonymised_at"] is not None and row["class_id"] == "A1"
        elif table == "audit_log":  # only the run's own row is new
            assert not removed and not changed and len(added) == 1, table
        else:
            assert not removed and not added and not changed, table
    assert store.find_record(store.actor_for("ht_a1"), ids["kept"]).fields["summary"] == "班主任的谈话"
    assert store.run_retention(RULE).counts() == dict.fromkeys(done.counts(), 0)  # a second run: nothing left


def test_a_student_who_left_is_no_longer_anyones_to_read(world):
    store, _ = world
    assert "sa1" not in {s.student_id for s in store.find_students(store.actor_for("m_a"))}


def test_the_command_dry_run_and_run(tmp_path, capsys):
    from hub.cli import main as cli
    from hub.store import open_store
    from hub.store.testing import build_small_world, new_database_url

    url, _ = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    build_small_world(store)
    store.close()
    settings = tmp_path / "mentorhub.yaml"
    settings.write_text("privacy:\n  retention:\n    records_years_after_leaving: 0\n", encoding="utf-8")
    past = (TODAY - dt.timedelta(days=3)).isoformat()
    assert cli(["retention", "left", "sa1", "sa2", "--on", past, "--db", url, "--settings", str(settings)]) == 0
    assert "已登记 2 名学生" in capsys.readouterr().out
    assert cli(["retention", "run", "--dry-run", "--db", url, "--settings", str(settings)]) == 0
    out = capsys.readouterr().out
    assert "演练（未做任何改动）" in out and "学生匿名化：2" in out
    assert cli(["retention", "run", "--db", url, "--settings", str(settings)]) == 0
    assert "学生匿名化：2" in capsys.readouterr().out
    assert cli(["retention", "run", "--dry-run", "--db", url, "--settings", str(settings)]) == 0
    assert "学生匿名化：0" in capsys.readouterr().out
    assert cli(["retention", "left", "sa3", "--on", "3 July", "--db", url, "--settings", str(settings)]) == 2


def test_the_schedule_runs_once_a_day_at_its_time_and_survives_a_failure():
    assert next_run(dt.datetime(2026, 12, 3, 2, 59), "03:00") == dt.datetime(2026, 12, 3, 3, 0)
    assert next_run(dt.datetime(2026, 12, 3, 3, 0), "03:00") == dt.datetime(2026, 12, 4, 3, 0)
    assert next_run(dt.datetime(2026, 12, 31, 23, 30), "00:15") == dt.datetime(2027, 1, 1, 0, 15)
    now = [dt.datetime(2026, 12, 3, 1, 0)]
    slept, runs = [], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += dt.timedelta(seconds=seconds)

    def run_once():
        runs.append(now[0])
        if len(runs) == 1:
            raise RuntimeError("database down")

    service = RetentionService("03:00", run_once, clock=lambda: now[0], sleep=sleep)
    service.step()  # fails: logged, not raised
    service.step()
    assert runs == [dt.datetime(2026, 12, 3, 3, 0), dt.datetime(2026, 12, 4, 3, 0)]
    assert max(slept) <= 3600


def test_the_hub_runs_the_retention_service_unless_switched_off(tmp_path, monkeypatch):
    from hub.config import apply_services
    from hub.runtime import Runtime
    from hub.settings import Settings

    c = Config()
    apply_services(Settings.from_dict({}, base_dir=tmp_path), c, Runtime())
    service = next(s for s in c.JupyterHub.services if s["name"] == "retention")
    assert service["command"][-2:] == ["-m", "hub.retention"] and "url" not in service
    assert json.loads(service["environment"]["MENTORHUB_RETENTION_RULE"])["run_daily_at"] == "03:00"
    c = Config()
    apply_services(Settings.from_dict({"privacy": {"retention": {"run_daily_at": None}}}, base_dir=tmp_path), c,
                   Runtime())  # fmt: skip
    assert "retention" not in {s["name"] for s in c.JupyterHub.services}
    monkeypatch.setenv("PGPASSWORD", "from-the-hub-pod")  # cluster mode: the hub pod's database password
    c = Config()
    apply_services(Settings.from_dict({"mode": "cluster", "database": {"records_url": "postgresql://mh@db/mh"}},
                                      base_dir=tmp_path), c, Runtime())  # fmt: skip
    service = next(s for s in c.JupyterHub.services if s["name"] == "retention")
    assert service["environment"]["PGPASSWORD"] == "from-the-hub-pod"
