"""The class mentor team (导师团), parent-contact requests (归口管理 as a workflow) and 多对一 teams (issue 20,
part 3), on the small world: who may open a class's team page, record its meetings and read their minutes;
a subject teacher's request answered (accepted and made, or declined with a reason) by the mentor or head
teacher; a 多对一 team with its plan and reviews, read by the team, the school's leader and psychology
teacher (audited when not on the team), and its status on the school's progress page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from hub.store import Conflict, Invalid, NotFound, open_store
from hub.store.testing import build_small_world, new_database_url

TODAY = dt.date.today()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request, tmp_path):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path, pg)
    store = open_store(url)
    build_small_world(store)
    # plain_a teaches class A1 (and mentors nobody): the subject teacher of the requests
    store.import_roster([], [], [{"staff_id": "plain_a", "name": "教师plain_a", "school_id": "A", "roles": ["subject"],
                                  "classes": ["A1"]}], [])  # fmt: skip
    yield store
    store.close()
    cleanup()


def who(store, name):
    return store.actor_for(name)


def audited(store, action):
    return [(a.actor, a.detail) for a in store.find_audit(who(store, "admin"), action=action)]


# --- 导师团 -----------------------------------------------------------------------------------------------
def test_the_class_team_is_the_head_teacher_and_the_mentors_of_the_class(world):
    team = world.find_class_team(who(world, "ht_a1"), "A1")
    assert [(m["staff_id"], m["head_teacher"], m["mentees"]) for m in team["members"]] == [
        ("ht_a1", True, 1), ("m_a", False, 2), ("psy_a", False, 1)]
    assert team["progress"] == {"students": 3, "home_visit": 0, "talk": 0, "growth_message": 0, "complete": 0}
    world.add_record(who(world, "m_a"), {"student_id": "sa1", "kind": "talk", "date": TODAY.isoformat(),
                                         "talk_type": "例行关怀", "summary": "聊了聊同伴关系。"})  # fmt: skip
    team = world.find_class_team(who(world, "m_a"), "A1")  # a mentor of the class sees the counts, no student rows
    assert team["progress"]["talk"] == 1 and [m["talk"] for m in team["members"]] == [0, 1, 0]
    assert "students" not in str(team["members"])


@pytest.mark.parametrize("name, classes", [
    ("ht_a1", ["A1"]), ("m_a", ["A1"]), ("psy_a", ["A1"]), ("lead_a", ["A1", "A2"]), ("adm_a", ["A1", "A2"]),
    ("plain_a", []), ("m_b", ["B1"]), ("trainer1", []), ("admin", []),
])  # fmt: skip
def test_who_opens_which_class_team(world, name, classes):
    assert [c["class_id"] for c in world.find_class_teams(who(world, name))] == classes
    for class_id in {"A1", "A2", "B1"} - set(classes):
        with pytest.raises(NotFound):
            world.find_class_team(who(world, name), class_id)


def test_the_head_teacher_records_a_meeting_with_students_by_code_and_its_minutes(world):
    meeting = world.add_class_meeting(who(world, "ht_a1"), "A1", {
        "meeting_date": TODAY.isoformat(), "topic": "期中后学习状态", "attendees": ["ht_a1", "m_a", "psy_a"],
        "student_codes": ["sa1", "sa2"], "decisions": "sa2 由心理教师每周跟进一次", "minutes": "讨论了两名学生的近况。"})
    team = world.find_class_team(who(world, "m_a"), "A1")
    assert [m["meeting_id"] for m in team["meetings"]] == [meeting["meeting_id"]]
    content, filename = world.find_meeting_minutes(who(world, "m_a"), meeting["meeting_id"])
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "sa1、sa2" in text and "学生sa1" not in text and filename.endswith(".docx")
    for name in ("m_b", "plain_a", "trainer1"):
        with pytest.raises(NotFound):
            world.find_meeting_minutes(who(world, name), meeting["meeting_id"])
    assert audited(world, "class_team.meeting")[0][0] == "ht_a1"


@pytest.mark.parametrize("name, body, error, field", [
    ("m_a", {"topic": "x"}, NotFound, "class_id"),  # a mentor of the class does not record the meetings
    ("ht_a2", {"topic": "x"}, NotFound, "class_id"),
    ("ht_a1", {"topic": "x", "student_codes": ["sa4"]}, Invalid, "student_codes"),  # not of this class
    ("ht_a1", {"topic": "x", "attendees": ["m_b"]}, Invalid, "attendees"),  # another school's teacher
    ("ht_a1", {"topic": ""}, Invalid, "topic"),
    ("ht_a1", {"topic": "x", "minutes": "家长电话 13812345678"}, Invalid, "minutes"),
    ("ht_a1", {"topic": "x", "meeting_date": (TODAY + dt.timedelta(days=1)).isoformat()}, Invalid, "meeting_date"),
    ("ht_a1", {"topic": "x", "names": ["张三"]}, Invalid, "names"),
])  # fmt: skip
def test_a_meeting_that_cannot_be_is_refused(world, name, body, error, field):
    with pytest.raises(error) as caught:
        world.add_class_meeting(who(world, name), "A1", body)
    assert caught.value.field == field
    assert world.find_class_team(who(world, "ht_a1"), "A1")["meetings"] == []


# --- parent-contact requests ------------------------------------------------------------------------------
def test_a_subject_teacher_asks_and_the_mentor_makes_the_contact(world):
    teacher, mentor, head = who(world, "plain_a"), who(world, "m_a"), who(world, "ht_a1")
    assert [s["student_id"] for s in world.find_contact_targets(teacher)] == ["sa1", "sa2", "sa3"]
    with pytest.raises(NotFound):  # 归口管理: the subject teacher does not contact the parent directly
        world.add_record(teacher, {"student_id": "sa1", "kind": "parent_contact", "date": TODAY.isoformat(),
                                   "channel": "电话", "topic": "作业", "content_summary": "想和家长谈作业。"})
    request = world.add_contact_request(teacher, {"student_id": "sa1", "topic": "数学作业",
                                                  "reason": "近两周数学作业缺交三次，想请家长关注。"})  # fmt: skip
    assert request["status"] == "open" and request["may_answer"] is False
    seen = {name: [r["request_id"] for r in world.find_contact_requests(who(world, name))]
            for name in ("m_a", "ht_a1", "lead_a", "adm_a", "psy_a", "ht_a2", "m_b")}  # fmt: skip
    assert seen == {"m_a": [1], "ht_a1": [1], "lead_a": [1], "adm_a": [1], "psy_a": [], "ht_a2": [], "m_b": []}
    assert world.find_contact_requests(mentor)[0]["may_answer"] is True
    with pytest.raises(Invalid) as caught:  # declining needs a reason
        world.answer_contact_request(mentor, 1, {"action": "decline"})
    assert caught.value.field == "response"
    for name in ("plain_a", "psy_a", "m_b", "lead_a"):
        with pytest.raises((NotFound, Invalid)):
            world.answer_contact_request(who(world, name), 1, {"action": "accept"})
    assert world.answer_contact_request(mentor, 1, {"action": "accept"})["status"] == "accepted"
    done = world.answer_contact_request(mentor, 1, {
        "action": "complete", "channel": "电话", "content_summary": "已与家长沟通作业情况，家长会每晚检查。",
        "response": "已联系家长，家长会督促。"})  # fmt: skip
    assert done["status"] == "done" and done["responder"] == "m_a" and done["record_id"]
    record = world.find_record(mentor, done["record_id"])
    assert (record.kind, record.author, record.fields["topic"]) == ("parent_contact", "m_a", "数学作业")
    mine = world.find_contact_requests(teacher)[0]
    assert (mine["status"], mine["response"], mine["record_id"]) == ("done", "已联系家长，家长会督促。", None)
    with pytest.raises(NotFound):  # the requester learns the outcome, not the record
        world.find_record(teacher, done["record_id"])
    with pytest.raises(Conflict):
        world.answer_contact_request(head, 1, {"action": "decline", "response": "重复"})
    assert [a[0] for a in audited(world, "contact_request")] == ["m_a", "m_a", "plain_a"]


def test_the_head_teacher_declines_with_a_reason_and_requests_outside_ones_classes_are_refused(world):
    teacher = who(world, "plain_a")
    request = world.add_contact_request(teacher, {"student_id": "sa3", "topic": "课堂纪律", "reason": "想和家长谈谈课堂纪律。"})
    answer = world.answer_contact_request(who(world, "ht_a1"), request["request_id"], {
        "action": "decline", "response": "本周已家访，先由我在班上跟进，两周后再看。"})
    assert answer["status"] == "declined"
    assert world.find_contact_requests(teacher)[0]["response"].startswith("本周已家访")
    for student in ("sa4", "sb1"):  # classes plain_a does not teach
        with pytest.raises(NotFound):
            world.add_contact_request(teacher, {"student_id": student, "topic": "x", "reason": "想联系家长。"})
    with pytest.raises(NotFound):  # a mentor has no need to ask: they contact the parent themselves
        world.add_contact_request(who(world, "m_a"), {"student_id": "sa1", "topic": "x", "reason": "想联系家长。"})
    with pytest.raises(Invalid):
        world.add_contact_request(teacher, {"student_id": "sa1", "topic": "x", "reason": "家长电话 13812345678"})


# --- 多对一 teams -------------------------------------------------------------------------------------------
PLAN = {"student_id": "sa2", "lead_staff_id": "ht_a1", "members": ["m_a", "psy_a"], "reason": "注意力问题",
        "goals": ["课堂专注时间逐步延长", "每周与同伴合作完成一项任务"],
        "actions": [{"staff_id": "psy_a", "action": "每周一次个别辅导"}, {"staff_id": "m_a", "action": "每天放学前五分钟复盘"}],
        "next_review": (TODAY + dt.timedelta(days=30)).isoformat()}  # fmt: skip


def test_a_support_team_with_its_plan_reviews_and_status(world):
    made = world.add_support_team(who(world, "lead_a"), PLAN)
    team_id = made["team_id"]
    plan = world.find_support_plan(who(world, "m_a"), team_id)
    assert [(m["staff_id"], m["role"], m["priority"]) for m in plan["members"]] == [
        ("ht_a1", "lead", True), ("psy_a", "psychology", True), ("m_a", "member", False)]
    assert plan["goals"] == PLAN["goals"] and plan["review_state"] == "on_track"
    for name in ("ht_a1", "psy_a", "m_a", "lead_a"):
        assert world.find_support_plan(who(world, name), team_id)["student_id"] == "sa2"
    for name in ("adm_a", "ht_a2", "plain_a", "m_b", "admin", "trainer1"):
        with pytest.raises(NotFound):
            world.find_support_plan(who(world, name), team_id)
        assert world.find_support_plans(who(world, name)) == []
    reads = [actor for actor, _ in audited(world, "support_plan.read")]
    assert reads == ["lead_a"]  # the leader is not on the team; the members and psy_a (a member) are not audited
    reviewed = world.add_support_review(who(world, "m_a"), team_id, {
        "outcome": "有所进展", "summary": "课堂上能坚持十分钟，同伴合作仍需支持。",
        "next_review": (TODAY + dt.timedelta(days=5)).isoformat()})
    assert reviewed["review_state"] == "review_soon" and len(reviewed["reviews"]) == 1
    with pytest.raises(NotFound):  # the leader reads the plan but is not on the team: no writing
        world.add_support_review(who(world, "lead_a"), team_id, {"outcome": "进展良好", "summary": "好"})
    progress = world.find_progress(who(world, "adm_a"))
    assert progress["support_plans"] == {"on_track": 0, "review_soon": 1, "review_overdue": 0, "no_review_date": 0,
                                         "closed": 0}  # fmt: skip
    assert "sa2" not in str(progress["support_plans"])
    with pytest.raises(Conflict):
        world.add_support_team(who(world, "adm_a"), PLAN)  # one active team per student
    closed = world.update_support_plan(who(world, "ht_a1"), team_id, {"status": "closed"})
    assert closed["status"] == "closed"
    with pytest.raises(NotFound):  # the team ended: its members no longer reach the plan
        world.find_support_plan(who(world, "m_a"), team_id)
    assert world.find_support_plan(who(world, "psy_a"), team_id)["status"] == "closed"  # the school's psychology teacher


@pytest.mark.parametrize("name, changes, error, field", [
    ("m_a", {}, NotFound, "student_id"),  # only a school leader or admin sets a team up
    ("lead_a", {"lead_staff_id": "m_a", "members": ["plain_a"]}, Invalid, "members"),  # nobody in a priority role
    ("lead_a", {"members": ["m_b"]}, Invalid, "members"),  # another school
    ("lead_a", {"actions": [{"staff_id": "plain_a", "action": "x"}]}, Invalid, "actions"),  # not on the team
    ("lead_a", {"goals": "专注"}, Invalid, "goals"),
    ("lead_a", {"student_id": "sb1"}, NotFound, "student_id"),
    ("lead_a", {"diagnosis": "ADHD"}, Invalid, "diagnosis"),
])  # fmt: skip
def test_a_support_team_that_cannot_be_is_refused(world, name, changes, error, field):
    with pytest.raises(error) as caught:
        world.add_support_team(who(world, name), {**PLAN, **changes})
    assert caught.value.field == field
    assert world.find_support_plans(who(world, "lead_a")) == []


def test_the_team_members_reach_follows_the_team(world):
    assert world.actor_for("m_a").support_student_ids == frozenset()
    world.add_support_team(who(world, "adm_a"), PLAN)
    assert world.actor_for("m_a").support_student_ids == {"sa2"}
    assert world.actor_for("ht_a1").support_student_ids == {"sa2"}
