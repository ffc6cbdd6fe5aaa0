"""The receiving side of a concern flag in the store (``hub.store.concern_verbs``), on the small world of
``hub.store.testing``: school A's psychology teacher ``psy_a`` and school leader ``lead_a`` triage, assign,
follow up, refer, close and reopen; every step is a note and an audit row; the raising mentor sees only the
status change; every other role is refused and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hub.store import Conflict, Invalid, NotFound
from hub.store.models import AuditLog, ConcernNote


@pytest.fixture
def store(fresh_small_world):
    return fresh_small_world


def raise_flag(store, user="m_a", student="sa1", **extra):
    body = {"student_id": student, "level": 1, "signals": ["情绪"], "details": "近两周午饭独自一人，课上常走神", **extra}
    return store.add_flag(store.actor_for(user), body).flag_id


def audit_rows(store, action):
    return store.find_audit(store.actor_for("admin"), action=action)


def count(store, model):
    with store.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_the_queue_names_people_hides_details_puts_unhandled_first_and_is_audited(store):
    calm = raise_flag(store)
    urgent = raise_flag(store, user="ht_a1", student="sa3", level=2, immediate_risk=True)
    store.act_on_flag(store.actor_for("psy_a"), calm, {"action": "triage", "level": 1})
    queue = store.find_flag_queue(store.actor_for("psy_a"))
    assert [f["flag_id"] for f in queue] == [urgent, calm]  # not yet handled first, then the one in hand
    first = queue[0]
    assert (first["student_name"], first["class_id"], first["raised_by_name"]) == ("学生sa3", "A1", "教师ht_a1")
    assert first["status"] == "open" and queue[1]["status"] == "monitoring" and queue[1]["steps"] == 1
    assert all("details" not in f for f in queue)
    (entry, *_) = audit_rows(store, "flag.read_details")
    assert entry.actor == "psy_a" and entry.detail["flag_ids"] == [urgent, calm]
    assert entry.detail["student_ids"] == ["sa1", "sa3"]
    assert [f["flag_id"] for f in store.find_flag_queue(store.actor_for("lead_a"))] == [urgent, calm]


@pytest.mark.parametrize("user", ["m_a", "ht_a1", "adm_a", "plain_a", "m_b", "adm_b", "trainer1", "studio1", "admin"])
def test_no_queue_for_anyone_else(store, user):
    raise_flag(store)
    assert store.find_flag_queue(store.actor_for(user), "all") == []


def test_the_queue_filters_by_status_and_refuses_an_unknown_one(store):
    flag = raise_flag(store)
    psy = store.actor_for("psy_a")
    store.act_on_flag(psy, flag, {"action": "close", "outcome": "经评估无需干预", "note": "与学生谈话后确认是暂时的情绪"})
    assert store.find_flag_queue(psy) == []
    assert [f["outcome"] for f in store.find_flag_queue(psy, "closed")] == ["经评估无需干预"]
    with pytest.raises(Invalid) as refused:
        store.find_flag_queue(psy, "everything")
    assert refused.value.field == "status" and "active" in refused.value.message_zh


def test_one_flag_in_full_for_the_psychology_teacher_and_its_status_for_the_mentor(store):
    flag = raise_flag(store)
    full = store.find_flag(store.actor_for("psy_a"), flag)
    assert full["details"] == "近两周午饭独自一人，课上常走神" and full["notes"] == []
    assert {a["username"] for a in full["assignees"]} == {"psy_a", "lead_a"}
    assert audit_rows(store, "flag.read_details")[0].detail == {"flag_ids": [flag], "student_ids": ["sa1"]}
    status = store.find_flag(store.actor_for("m_a"), flag)
    assert set(status) == {"flag_id", "student_id", "raised_by", "raised_at", "status", "updated_at", "student_name"}
    for user in ("adm_a", "plain_a", "m_b", "admin", "trainer1"):
        with pytest.raises(NotFound):
            store.find_flag(store.actor_for(user), flag)
    with pytest.raises(NotFound):
        store.find_flag(store.actor_for("psy_a"), 10**30)


def test_a_concern_from_triage_to_closing_every_step_noted_and_audited(store):
    flag = raise_flag(store)
    psy, mentor = store.actor_for("psy_a"), store.actor_for("m_a")
    after = store.act_on_flag(psy, flag, {"action": "triage", "level": 2, "note": "约谈后评估为重点关注"})
    assert (after["level"], after["status"], after["triaged_by"]) == (2, "monitoring", "psy_a")
    assert store.find_flags(mentor)[0]["status"] == "monitoring"  # the mentor sees the status change
    after = store.act_on_flag(psy, flag, {"action": "assign", "assignee": "lead_a"})
    assert (after["assigned_to"], after["assigned_to_name"]) == ("lead_a", "教师lead_a")
    lead = store.actor_for("lead_a")
    store.act_on_flag(lead, flag, {"action": "follow_up", "follow_up_method": "与家长沟通",
                                   "note": "电话联系母亲，约定本周五来校面谈"})  # fmt: skip
    after = store.act_on_flag(lead, flag, {"action": "refer", "referred_out_to": "区未成年人心理健康辅导中心",
                                           "guardian_informed": True, "note": "经家长同意转介"})  # fmt: skip
    assert (after["status"], after["referred_out_to"]) == ("referred", "区未成年人心理健康辅导中心")
    assert after["guardian_informed_at"] and after["referred_at"]
    after = store.act_on_flag(psy, flag, {"action": "close", "outcome": "已转介，由校外机构继续跟进",
                                          "note": "中心已接案，学校继续日常关心"})  # fmt: skip
    assert (after["status"], after["outcome"]) == ("closed", "已转介，由校外机构继续跟进") and after["closed_at"]
    assert store.find_flags(mentor)[0]["status"] == "closed"
    assert [(n["action"], n["author"]) for n in after["notes"]] == [
        ("triage", "psy_a"), ("assign", "psy_a"), ("follow_up", "lead_a"), ("refer", "lead_a"), ("close", "psy_a")]
    assert after["notes"][0]["detail"] == {"level_from": 1, "level_to": 2}
    assert after["notes"][1]["assignee_name"] == "教师lead_a"
    steps = [(e.actor, e.action, e.entity_id) for e in reversed(audit_rows(store, "flag.")) if e.action != "flag.read_details"]
    assert steps == [("m_a", "flag.raise", str(flag)), ("psy_a", "flag.triage", str(flag)),
                     ("psy_a", "flag.assign", str(flag)), ("lead_a", "flag.follow_up", str(flag)),
                     ("lead_a", "flag.refer", str(flag)), ("psy_a", "flag.close", str(flag))]  # fmt: skip
    # the audit names what was done, never the free text of the notes
    assert all("电话联系母亲" not in str(e.detail) for e in audit_rows(store, "flag."))


def test_a_closed_concern_takes_no_step_until_reopened(store):
    flag = raise_flag(store)
    psy = store.actor_for("psy_a")
    store.act_on_flag(psy, flag, {"action": "close", "outcome": "情况缓解，结束跟进", "note": "连续三周情绪稳定"})
    with pytest.raises(Conflict) as refused:
        store.act_on_flag(psy, flag, {"action": "follow_up", "follow_up_method": "观察", "note": "课间观察"})
    assert "重新打开" in refused.value.message_zh
    again = store.act_on_flag(psy, flag, {"action": "reopen", "note": "班主任反映又出现独处"})
    assert (again["status"], again["outcome"], again["closed_at"]) == ("monitoring", "", None)
    with pytest.raises(Conflict):
        store.act_on_flag(psy, flag, {"action": "reopen", "note": "再开一次"})


@pytest.mark.parametrize("user", ["m_a", "ht_a1", "adm_a", "plain_a", "m_b", "adm_b", "trainer1", "studio1", "admin",
                                  "nobody"])  # fmt: skip
def test_every_other_role_is_refused_and_nothing_is_written(store, user):
    flag = raise_flag(store)
    notes, audits = count(store, ConcernNote), count(store, AuditLog)
    for body in ({"action": "triage", "level": 3}, {"action": "close", "outcome": "其他", "note": "不该由我结案"},
                 {"action": "assign", "assignee": user}):  # fmt: skip
        with pytest.raises(NotFound):
            store.act_on_flag(store.actor_for(user), flag, body)
    assert (count(store, ConcernNote), count(store, AuditLog)) == (notes, audits)
    assert store.find_flag(store.actor_for("psy_a"), flag)["status"] == "open"


@pytest.mark.parametrize("assignee", ["m_a", "ht_a1", "adm_a", "m_b", "admin", "nobody", ""])
def test_a_concern_is_only_assigned_to_someone_who_may_handle_it(store, assignee):
    flag = raise_flag(store)
    with pytest.raises(Invalid) as refused:
        store.act_on_flag(store.actor_for("psy_a"), flag, {"action": "assign", "assignee": assignee})
    assert refused.value.field == "assignee"
    assert store.find_flag(store.actor_for("psy_a"), flag)["assigned_to"] is None


@pytest.mark.parametrize("body, field", [
    ({"action": "escalate"}, "action"),
    ({}, "action"),
    ({"action": "triage"}, "level"),
    ({"action": "triage", "level": 5}, "level"),
    ({"action": "follow_up", "note": "谈了一次"}, "follow_up_method"),
    ({"action": "follow_up", "follow_up_method": "观察"}, "note"),
    ({"action": "follow_up", "follow_up_method": "观察", "note": "请家长回电 13812345678"}, "note"),
    ({"action": "refer", "referred_out_to": "隔壁学校", "note": "转过去"}, "referred_out_to"),
    ({"action": "close", "note": "结束"}, "outcome"),
    ({"action": "close", "outcome": "其他", "note": "结束", "level": 1}, "level"),
    ({"action": "note", "note": "x"}, "action"),
    ({"action": "follow_up", "follow_up_method": "观察", "note": "x", "rank": 1}, "rank"),
])  # fmt: skip
def test_bad_steps_are_refused_naming_the_field(store, body, field):
    flag = raise_flag(store)
    with pytest.raises(Invalid) as refused:
        store.act_on_flag(store.actor_for("psy_a"), flag, body)
    assert refused.value.field == field or field in refused.value.message_en
    assert refused.value.message_zh
    assert count(store, ConcernNote) == 0


def test_flags_carry_the_students_name_for_whoever_may_read_them(store):
    raise_flag(store)
    assert store.find_flags(store.actor_for("m_a"))[0]["student_name"] == "学生sa1"
    assert store.find_flags(store.actor_for("psy_a"))[0]["student_name"] == "学生sa1"


def test_the_migrated_concern_tables_match_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from hub.store.db import make_engine
    from hub.store.models import Base
    from hub.store.testing import new_database_url

    url, _ = new_database_url("sqlite", tmp_path)
    engine = make_engine(url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in differences if "concern" in repr(d)] == []
    engine.dispose()


def test_a_step_from_the_queue_is_the_dashboards_first_follow_up(store):
    flag = raise_flag(store)
    term = store.current_term()

    def followed_up() -> list:
        with store.reading() as s:
            return store._flag_frame(s.connection(), term, [])["followed_up_at"].notna().tolist()

    assert followed_up() == [False]
    store.act_on_flag(store.actor_for("psy_a"), flag, {"action": "triage", "level": 1})
    assert followed_up() == [True]
