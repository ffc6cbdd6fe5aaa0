"""The access policy as tables: first the pure policy, then the same questions asked of a real store.

Every row states the expected outcome by hand (not derived from ``hub.store.access.POLICY``)."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.store import Forbidden, NotFound, open_store
from hub.store import access as A
from hub.store.testing import build_small_world, new_database_url

STUDENT_A1 = A.StudentRef("s1", "A1", "A")
STUDENT_A2 = A.StudentRef("s2", "A2", "A")
STUDENT_B1 = A.StudentRef("s3", "B1", "B")


def actor(*roles, mentees=(), classes=(), school="A", glass=None):
    return A.Actor("u", frozenset(roles), school_ids=frozenset({school}), class_ids=frozenset(classes),
                   mentee_ids=frozenset(mentees), break_glass=glass)  # fmt: skip


MENTOR = actor("mentor", "subject", mentees={"s1"})
HEAD = actor("mentor", "head_teacher", classes={"A2"})
PSYCH = actor("mentor", "psychology")
LEADER = actor("mentor", "leader")
SCHOOL_ADMIN = actor("mentor", "school_admin")
TRAINER = actor("trainer")
STUDIO = actor("studio_leader")
ADMIN = actor("admin")
ADMIN_GLASS = actor("admin", glass=A.BreakGlass("s3", "safety", "安全事件紧急核查，需要联系家长"))

POLICY_TABLE = [
    # (actor, action, student, allowed)
    (MENTOR, A.RECORD_WRITE, STUDENT_A1, True),
    (MENTOR, A.RECORD_WRITE, STUDENT_A2, False),
    (MENTOR, A.PARENT_CONTACT_WRITE, STUDENT_A1, True),
    (MENTOR, A.RECORD_READ, STUDENT_B1, False),
    (MENTOR, A.FLAG_READ_DETAILS, STUDENT_A1, False),
    (MENTOR, A.FLAG_READ_STATUS, STUDENT_A1, True),
    (HEAD, A.RECORD_READ, STUDENT_A2, True),
    (HEAD, A.RECORD_WRITE, STUDENT_A2, False),
    (HEAD, A.PARENT_CONTACT_WRITE, STUDENT_A2, True),
    (HEAD, A.PARENT_CONTACT_WRITE, STUDENT_A1, False),
    (PSYCH, A.FLAG_READ_DETAILS, STUDENT_A1, True),
    (PSYCH, A.FLAG_READ_DETAILS, STUDENT_B1, False),
    (PSYCH, A.RECORD_READ, STUDENT_A1, False),
    (LEADER, A.RECORD_READ, STUDENT_A2, True),
    (LEADER, A.FLAG_UPDATE, STUDENT_A1, True),
    (LEADER, A.PARENT_CONTACT_WRITE, STUDENT_A1, False),
    (SCHOOL_ADMIN, A.ASSIGNMENT_WRITE, STUDENT_A1, True),
    (SCHOOL_ADMIN, A.ASSIGNMENT_WRITE, STUDENT_B1, False),
    (SCHOOL_ADMIN, A.PROGRESS_READ, STUDENT_A2, True),
    (SCHOOL_ADMIN, A.FLAG_READ_DETAILS, STUDENT_A1, False),
    (TRAINER, A.STUDENT_READ, STUDENT_A1, False),
    (TRAINER, A.RECORD_READ, STUDENT_A1, False),
    (STUDIO, A.STUDENT_READ, STUDENT_B1, False),
    (ADMIN, A.STUDENT_READ, STUDENT_A1, False),
    (ADMIN, A.RECORD_READ, STUDENT_A1, False),
    (ADMIN_GLASS, A.RECORD_READ, STUDENT_B1, True),
    (ADMIN_GLASS, A.RECORD_READ, STUDENT_A1, False),  # break-glass opens the one student it names
    (ADMIN_GLASS, A.FLAG_READ_STATUS, STUDENT_A1, False),
    (ADMIN_GLASS, A.RECORD_WRITE, STUDENT_B1, False),
    (ADMIN_GLASS, A.FLAG_READ_DETAILS, STUDENT_B1, False),
    (actor("mentor", glass=A.BreakGlass("s3", "safety", "x" * 20)), A.RECORD_READ, STUDENT_B1, False),
]


@pytest.mark.parametrize("who, action, student, allowed", POLICY_TABLE)
def test_policy_table(who, action, student, allowed):
    assert A.permits(who, action, student) is allowed


@pytest.mark.parametrize("who, action, allowed", [
    (ADMIN, A.AUDIT_READ, True), (ADMIN_GLASS, A.AUDIT_READ, True), (SCHOOL_ADMIN, A.AUDIT_READ, False),
    (TRAINER, A.AGGREGATE_READ, True), (STUDIO, A.AGGREGATE_READ, True), (MENTOR, A.AGGREGATE_READ, False),
    (MENTOR, A.AUDIT_READ, False), (LEADER, A.ACCOUNT_MANAGE, False), (ADMIN, A.ACCOUNT_MANAGE, True),
])  # fmt: skip
def test_district_actions(who, action, allowed):
    assert A.permits(who, action) is allowed


def test_break_glass_is_detected_only_when_ordinary_access_does_not_cover():
    assert A.needs_break_glass(ADMIN_GLASS, A.RECORD_READ, STUDENT_B1)
    assert not A.needs_break_glass(ADMIN_GLASS, A.RECORD_READ, STUDENT_A1)  # not reached at all
    assert not A.needs_break_glass(MENTOR, A.RECORD_READ, STUDENT_A1)


def test_break_glass_never_reaches_everything():
    for action in A.ACTIONS:
        assert not A.reach(ADMIN_GLASS, action).student_ids - {"s3"}
        if A.DISTRICT not in A.scopes_for(ADMIN_GLASS.roles, action):
            assert not A.reach(ADMIN_GLASS, action).everything, action


def test_every_policy_entry_uses_known_roles_actions_and_scopes():
    scopes = {A.OWN_MENTEE, A.OWN_CLASS, A.OWN_SCHOOL, A.DISTRICT, A.BREAK_GLASS, A.CLASS_TEAM, A.SUPPORT_TEAM,
              A.TAUGHT_CLASS}
    assert set(A.POLICY) == set(A.ROLES)
    for entries in A.POLICY.values():
        assert set(entries) <= set(A.ACTIONS)
        assert set(entries.values()) <= scopes


# --- the same questions asked of a real store ------------------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path_factory.mktemp("access"), pg)
    st = open_store(url)
    build_small_world(st)
    yield st
    st.close()
    cleanup()


def outcome(call):
    try:
        call()
    except NotFound:
        return 404
    except Forbidden:
        return 403
    return 200


def talk(student_id):
    return {"student_id": student_id, "kind": "talk", "date": dt.date.today().isoformat(),
            "talk_type": "例行关怀", "summary": "聊了聊最近的学习和生活"}  # fmt: skip


def parent_contact(student_id):
    return {"student_id": student_id, "kind": "parent_contact", "date": dt.date.today().isoformat(),
            "channel": "电话", "topic": "近期作业情况", "content_summary": "与家长沟通了作业完成情况"}  # fmt: skip


GLASS_REASON = "家长来电称孩子两天未回家，需要核实导师最近的谈话记录"

OPERATIONS = {
    "student": lambda st, a, sid: st.find_student(a, sid),
    "records": lambda st, a, sid: st.find_records(a, sid),
    "talk": lambda st, a, sid: st.add_record(a, talk(sid)),
    "parent_contact": lambda st, a, sid: st.add_record(a, parent_contact(sid)),
    "flag": lambda st, a, sid: st.add_flag(a, {"student_id": sid, "level": 1, "signals": ["情绪"]}),
    "break_glass": lambda st, a, sid: st.find_break_glass(a, {"student_id": sid, "ground": "safety",
                                                              "reason": GLASS_REASON}),
}

STORE_TABLE = [
    # (user, operation, student, expected status)
    ("m_a", "student", "sa1", 200), ("m_a", "student", "sa3", 404), ("m_a", "student", "sb1", 404),
    ("m_a", "records", "sa1", 200), ("m_a", "records", "sa4", 404),
    ("m_a", "talk", "sa1", 200), ("m_a", "talk", "sa3", 404),
    ("m_a", "parent_contact", "sa2", 200), ("m_a", "flag", "sa1", 200), ("m_a", "flag", "sa4", 404),
    ("ht_a1", "student", "sa1", 200), ("ht_a1", "records", "sa2", 200),
    ("ht_a1", "records", "sa4", 404), ("ht_a1", "talk", "sa3", 200), ("ht_a1", "talk", "sa1", 403),
    ("ht_a1", "parent_contact", "sa1", 200), ("ht_a1", "parent_contact", "sa4", 404),
    ("psy_a", "student", "sa4", 200), ("psy_a", "student", "sb1", 404),
    ("psy_a", "records", "sa1", 404), ("psy_a", "talk", "sa2", 200), ("psy_a", "talk", "sa1", 403),
    ("psy_a", "flag", "sa4", 200),
    ("lead_a", "records", "sa1", 200), ("lead_a", "records", "sb1", 404),
    ("lead_a", "parent_contact", "sa1", 403), ("lead_a", "parent_contact", "sa4", 200),
    ("adm_a", "records", "sa4", 200), ("adm_a", "records", "sb1", 404),
    ("adm_a", "talk", "sa1", 403), ("adm_a", "parent_contact", "sa1", 403),
    ("adm_a", "flag", "sa1", 404),
    ("adm_b", "records", "sb1", 200), ("adm_b", "records", "sa1", 404),
    ("plain_a", "student", "sa1", 404), ("plain_a", "parent_contact", "sa1", 404),
    ("trainer1", "student", "sa1", 404), ("trainer1", "records", "sa1", 404),
    ("trainer1", "talk", "sa1", 404), ("studio1", "student", "sb1", 404),
    ("studio1", "records", "sb1", 404),
    ("admin", "student", "sa1", 404), ("admin", "records", "sa1", 404),
    ("admin", "break_glass", "sa1", 200), ("admin", "break_glass", "missing", 404),
    ("m_a", "break_glass", "sa1", 403), ("adm_a", "break_glass", "sa4", 403),
    ("lead_a", "break_glass", "sa1", 403), ("trainer1", "break_glass", "sa1", 403),
    ("nobody", "student", "sa1", 404), ("m_a", "student", "does-not-exist", 404),
]  # fmt: skip


@pytest.mark.parametrize("user, operation, student_id, expected", STORE_TABLE)
def test_store_access_table(store, user, operation, student_id, expected):
    who = store.actor_for(user)
    assert outcome(lambda: OPERATIONS[operation](store, who, student_id)) == expected


def test_flag_details_only_for_psychology_and_leader(store):
    raised = store.add_flag(store.actor_for("m_a"), {"student_id": "sa1", "level": 2, "signals": ["情绪"],
                                                   "details": "近两周情绪低落，午饭独自一人"})  # fmt: skip
    seen = {user: {f["flag_id"]: f for f in store.find_flags(store.actor_for(user))}
            for user in ("m_a", "ht_a1", "psy_a", "lead_a", "adm_a", "m_b", "trainer1")}  # fmt: skip
    assert "details" not in seen["m_a"][raised.flag_id]
    assert seen["m_a"][raised.flag_id]["status"] == "open"
    assert "details" not in seen["ht_a1"][raised.flag_id]
    assert seen["psy_a"][raised.flag_id]["details"] == "近两周情绪低落，午饭独自一人"
    assert seen["lead_a"][raised.flag_id]["level"] == 2
    assert raised.flag_id not in seen["adm_a"]
    assert raised.flag_id not in seen["m_b"]
    assert seen["trainer1"] == {}
    reads = store.find_audit(store.actor_for("admin"), action="flag.read_details")
    assert {entry.actor for entry in reads} >= {"psy_a", "lead_a"}


def test_only_psychology_or_leader_update_flags(store):
    flag = store.add_flag(store.actor_for("ht_a1"), {"student_id": "sa3", "level": 1})
    with pytest.raises(NotFound):
        store.update_flag(store.actor_for("m_a"), flag.flag_id, {"status": "monitoring"})
    updated = store.update_flag(store.actor_for("psy_a"), flag.flag_id, {"status": "closed", "referred_to": "心理教师"})
    assert updated.status == "closed" and updated.closed_at is not None


def test_listing_students_follows_the_table(store):
    def ids(user):
        return {s.student_id for s in store.find_students(store.actor_for(user))}

    assert ids("m_a") == {"sa1", "sa2"}
    assert ids("ht_a1") == {"sa1", "sa2", "sa3"}
    assert ids("adm_a") == {"sa1", "sa2", "sa3", "sa4"}
    assert ids("trainer1") == set() and ids("studio1") == set() and ids("admin") == set()
