"""Guardians' requests (SQLite and PostgreSQL): logged by the school office with a due date, listed with the
days left, answered once; the .docx copy checked field by field (other people's names and the people present
at a home visit left out, staff by role, deleted records absent, concern flags as the policy says, the
encrypted fields readable), audited with its sha256 and without contents; an answered deletion request
deletes the child's records, and the next retention run purges them."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import docx
import pytest

from hub.store import Conflict, Forbidden, Invalid, NotFound
from hub.store.retention_verbs import RetentionRule

TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)
CHILD, CLASSMATE = "李明轩", "王子涵"


@pytest.fixture
def world(fresh_small_world):
    """sa1 (李明轩, mentored by m_a): a home visit (edited), a talk naming a classmate, a deleted talk, a flag,
    a guardian who consented."""
    store = fresh_small_world
    store.import_roster([], [], [], [
        {"student_id": "sa1", "display_name": CHILD, "school_id": "A", "class_id": "A1", "birth_year_month": "2012-09"},
        {"student_id": "sa2", "display_name": CLASSMATE, "school_id": "A", "class_id": "A1",
         "birth_year_month": "2012-09"}])  # fmt: skip
    mentor, office = store.actor_for("m_a"), store.actor_for("adm_a")
    visit = store.add_record(mentor, {
        "student_id": "sa1", "kind": "home_visit", "date": YESTERDAY.isoformat(), "form": "入户",
        "purpose": "了解居家学习环境", "participants": f"导师、母亲、{CLASSMATE}的母亲",
        "family_situation": "父母工作忙，周末由外婆照顾", "parent_concerns": "担心睡前玩手机",
        "guidance_domains": ["生活指导", "学习辅导"]})  # fmt: skip
    store.update_record(mentor, visit.record_id, {"school_suggestions": "手机放在客厅充电"})
    talk = store.add_record(mentor, {"student_id": "sa1", "kind": "talk", "date": TODAY.isoformat(),
                                     "talk_type": "问题解决", "summary": f"和同桌{CLASSMATE}闹了矛盾，{CHILD}愿意先道歉",
                                     "escalation": False})  # fmt: skip
    deleted = store.add_record(mentor, {"student_id": "sa1", "kind": "talk", "date": TODAY.isoformat(),
                                        "talk_type": "例行关怀", "summary": "写错了的记录"})  # fmt: skip
    store.remove_record(mentor, deleted.record_id)
    flag = store.add_flag(mentor, {"student_id": "sa1", "level": 2, "signals": ["情绪"], "details": "近两周常独处"})
    guardian = store.add_guardian(office, {"student_id": "sa1", "relation": "母亲", "name": "李母"})
    store.add_consent(office, {"student_id": "sa1", "guardian_id": guardian.guardian_id, "scope": "mentor_records",
                               "policy_version": "2026-09", "given_via": "书面签字"})  # fmt: skip
    return store, {"visit": visit, "talk": talk, "deleted": deleted, "flag": flag, "guardian": guardian}


def request(store, kind="copy", **extra):
    return store.add_guardian_request(store.actor_for("adm_a"), {
        "student_id": "sa1", "kind": kind, "received_via": "书面", "details": "申请复制孩子在校的全部记录", **extra})


def tables(data: bytes) -> tuple[list[str], list[list[tuple[str, ...]]]]:
    """(headings, tables as lists of row tuples) of a .docx."""
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    return headings, [[tuple(cell.text for cell in row.cells) for row in table.rows] for table in document.tables]


def test_a_request_is_logged_with_its_due_date_and_listed_with_the_days_left(world):
    store, _ = world
    logged = request(store, received_on=(TODAY - dt.timedelta(days=3)).isoformat(), guardian_id=world[1]["guardian"].guardian_id)
    assert logged.due_on == TODAY + dt.timedelta(days=12) and logged.status == "open"
    office = store.actor_for("adm_a")
    [listed] = store.find_guardian_requests(office)
    assert (listed["days_left"], listed["late"], listed["details"]) == (12, False, "申请复制孩子在校的全部记录")
    store.today = lambda: TODAY + dt.timedelta(days=13)
    [listed] = store.find_guardian_requests(office)
    assert (listed["days_left"], listed["late"]) == (-1, True)
    assert store.find_guardian_requests(store.actor_for("adm_b")) == []
    for user in ("m_a", "lead_a", "ht_a1", "admin"):
        with pytest.raises(Forbidden):
            store.find_guardian_requests(store.actor_for(user))
        with pytest.raises(NotFound):
            store.add_guardian_request(store.actor_for(user), {"student_id": "sa1", "kind": "copy", "received_via": "书面"})
    entry = store.find_audit(store.actor_for("admin"), action="guardian_request.log")[0]
    assert entry.detail == {"student_id": "sa1", "kind": "copy", "due_on": logged.due_on.isoformat()}


@pytest.mark.parametrize("change, field", [
    ({"kind": "erase"}, "kind"), ({"received_via": "微信"}, "received_via"),
    ({"received_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "received_on"), ({"received_on": "昨天"}, "received_on"),
    ({"guardian_id": 999999}, "guardian_id"), ({"details": "家长电话13912345678"}, "details"),
])  # fmt: skip
def test_a_bad_request_is_refused_naming_the_field(world, change, field):
    store, _ = world
    with pytest.raises((Invalid, NotFound)) as refused:
        request(store, **change)
    assert refused.value.field == field and refused.value.message_zh
    assert store.find_guardian_requests(store.actor_for("adm_a")) == []


def test_the_copy_field_by_field(world):
    store, made = world
    logged = request(store)
    data, filename = store.guardian_copy(store.actor_for("adm_a"), logged.request_id)
    assert filename.endswith(".docx") and CHILD in filename
    headings, found = tables(data)
    assert headings == ["学生个人信息副本（应监护人申请提供）", "记录", f"{YESTERDAY.isoformat()} 家访",
                        f"{TODAY.isoformat()} 谈心谈话", "关注与转介", "关注记录 1", "监护人同意"]  # fmt: skip
    about, visit, talk, flag, consents = found
    assert about == [("学校", "甲校"), ("班级", "A1"), ("学生", CHILD), ("申请", f"复制（第 {logged.request_id} 号）"),
                     ("收到申请日期", TODAY.isoformat()), ("副本生成日期", TODAY.isoformat())]  # fmt: skip
    stamp = lambda value: value.isoformat(sep=" ")[:16]  # noqa: E731
    assert visit == [
        ("家访形式", "入户"), ("家访目的", "了解居家学习环境"), ("家庭情况", "父母工作忙，周末由外婆照顾"),
        ("家长意见与诉求", "担心睡前玩手机"), ("建议与家校协同措施", "手机放在客厅充电"), ("涉及领域", "生活指导、学习辅导"),
        ("记录人", "导师"), ("填写时间", stamp(made["visit"].created_at)),
        ("最后修改时间", stamp(store.find_record(store.actor_for("m_a"), made["visit"].record_id).updated_at)),
        ("版本", "2"),
    ]  # the people present at the visit are left out
    assert talk == [("谈话类型", "问题解决"), ("摘要", f"和同桌【姓名】闹了矛盾，{CHILD}愿意先道歉"),
                    ("是否需要上报", "否"), ("记录人", "导师"), ("填写时间", stamp(made["talk"].created_at)),
                    ("最后修改时间", stamp(made["talk"].updated_at)), ("版本", "1")]  # fmt: skip
    assert flag == [("提出时间", stamp(made["flag"].raised_at)), ("关注等级", "2"), ("状态", "关注中"), ("转介对象", ""),
                    ("结束时间", "")]  # status only: no signals, no details  # fmt: skip
    assert consents[0] == ("同意范围", "告知书版本", "同意方式", "同意时间", "撤回时间")
    assert consents[1][:3] == ("导师记录", "2026-09", "书面签字") and consents[1][4] == ""
    text = " ".join(" ".join(" ".join(row) for row in table) for table in found)
    for absent in (CLASSMATE, "写错了的记录", "近两周常独处", "教师m_a", "李母"):
        assert absent not in text


def test_the_copy_is_audited_without_contents(world):
    store, _ = world
    logged = request(store)
    data, _ = store.guardian_copy(store.actor_for("adm_a"), logged.request_id)
    digest = hashlib.sha256(data).hexdigest()
    entry = store.find_audit(store.actor_for("admin"), action="guardian_request.copy")[0]
    assert (entry.actor, entry.entity_id) == ("adm_a", str(logged.request_id))
    assert entry.detail == {"student_id": "sa1", "records": 2, "flags": 1, "sha256": digest,
                            "concern_details": "status_only"}  # fmt: skip
    assert store.find_guardian_requests(store.actor_for("adm_a"))[0]["copy_sha256"] == digest
    for user in ("m_a", "lead_a", "adm_b", "admin"):
        with pytest.raises(NotFound):
            store.guardian_copy(store.actor_for(user), logged.request_id)
    corrected = request(store, kind="correct", details="家访记录中的家庭情况有误")
    with pytest.raises(Conflict):
        store.guardian_copy(store.actor_for("adm_a"), corrected.request_id)


def test_with_the_full_policy_the_copy_shows_the_concern_details(world):
    store, made = world
    store.privacy_options = {**store.privacy_options, "copy_concern_details": "full"}
    data, _ = store.guardian_copy(store.actor_for("adm_a"), request(store).request_id)
    headings, found = tables(data)
    flag = found[3]
    assert ("观察到的信号", "情绪") in flag and ("情况说明", "近两周常独处") in flag and ("即时安全风险", "否") in flag


def test_an_answer_is_given_once_and_a_deletion_request_deletes_the_childs_records(world):
    store, made = world
    office = store.actor_for("adm_a")
    copy = request(store)
    answered = store.answer_guardian_request(office, copy.request_id, {"decision": "answered",
                                                                       "answer": "已于当日将副本交给家长"})  # fmt: skip
    assert answered.status == "answered" and answered.answered_by == "adm_a"
    with pytest.raises(Conflict):
        store.answer_guardian_request(office, copy.request_id, {"decision": "refused", "answer": "再答一次"})
    with pytest.raises(Invalid):
        store.answer_guardian_request(office, request(store).request_id, {"decision": "answered", "answer": ""})
    deletion = request(store, kind="delete", details="孩子已转学，申请删除全部记录")
    store.answer_guardian_request(office, deletion.request_id, {"decision": "answered", "answer": "已删除全部记录"})
    assert store.find_records(store.actor_for("m_a"), "sa1") == []
    history = store.find_record_history(store.actor_for("m_a"), made["visit"].record_id)  # the author still sees it
    assert history["deleted_by"] == f"guardian-request:{deletion.request_id}"
    entry = store.find_audit(store.actor_for("admin"), action="guardian_request.answer")[0]
    assert entry.detail == {"student_id": "sa1", "kind": "delete", "decision": "answered", "late": False,
                            "records_deleted": 2}  # fmt: skip
    plan = store.run_retention(RetentionRule(deleted_records_days=365))  # the next run purges them, not in a year
    assert sorted(plan.records) == sorted([made["visit"].record_id, made["talk"].record_id])
    with pytest.raises(NotFound):
        store.find_record_history(store.actor_for("m_a"), made["visit"].record_id)


def test_a_cell_that_looks_like_a_formula_or_field_stays_text_in_the_copy(world):
    store, _ = world
    hostile = '=HYPERLINK("http://example.invalid","点我")'
    store.add_record(store.actor_for("m_a"), {"student_id": "sa1", "kind": "guidance", "date": TODAY.isoformat(),
                                              "domains": ["生活指导"], "summary": hostile})  # fmt: skip
    data, _ = store.guardian_copy(store.actor_for("adm_a"), request(store).request_id)
    import zipfile

    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "fldSimple" not in document and "instrText" not in document and "fldChar" not in document
    assert ("摘要", hostile) in [row for table in tables(data)[1] for row in table]
