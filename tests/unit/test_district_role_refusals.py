"""The district role (教育局德育科) reaches no student (issue 22): the access table gives it nothing that names a
student, and the real records service refuses it on every endpoint that serves or changes students' data
(only the hub's token check is replaced, by a header naming the caller: tests.district_support)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from hub.records.app import ROUTES
from hub.store import access, open_store
from hub.store.testing import build_small_world, new_database_url
from tests.district_support import ServedWithUsers, plan_sections

#: the district's own endpoints and those that name no student (health, who am I, terms, de-identified cases
#: and dashboards, the district's plans, dashboard and milestones); every other route is tried below
NOT_ABOUT_STUDENTS = {
    "health", "openapi.json", "me", "terms", "cases", "cases/{case_id}", "studios", "dashboards",
    "school-plans", "school-plans/{school_id}", "school-plans/{school_id}/submit", "school-plans/{school_id}/reviews",
    "school-plans/{school_id}/plan.docx", "district/dashboard", "district/dashboard.xlsx", "district/brief.docx",
    "milestones", "portfolio", "portfolio.docx", "portfolios", "portfolios.xlsx",
}  # fmt: skip
STUDENT_ACTIONS = (access.STUDENT_READ, access.RECORD_READ, access.RECORD_WRITE, access.PARENT_CONTACT_WRITE,
                   access.PROGRESS_READ, access.ASSIGNMENT_READ, access.ASSIGNMENT_WRITE, access.FLAG_RAISE,
                   access.FLAG_READ_STATUS, access.FLAG_READ_DETAILS, access.FLAG_UPDATE, access.LIFE_EVENT_WRITE,
                   access.CLASS_TEAM_READ, access.CLASS_TEAM_WRITE, access.CONTACT_REQUEST, access.CONTACT_RESPOND,
                   access.SUPPORT_MANAGE, access.SUPPORT_READ, access.SUPPORT_WRITE, access.RECORD_HISTORY,
                   access.CONSENT_READ, access.GUARDIAN_MANAGE, access.PROGRESS_EXPORT, access.STAFF_READ,
                   access.ROSTER_CHANGE, access.TERM_WRITE, access.ACCESS_REVIEW, access.AUDIT_READ)  # fmt: skip


def test_the_district_role_has_no_entry_for_any_student_action():
    granted = set(access.POLICY["district"])
    assert granted == {access.AGGREGATE_READ, access.SCHOOL_PLAN_READ, access.SCHOOL_PLAN_REVIEW,
                       access.DISTRICT_DASHBOARD, access.MILESTONE_WRITE}  # fmt: skip
    assert not granted & set(STUDENT_ACTIONS)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("district-refusals"))
    store = open_store(url)
    world = build_small_world(store)
    store.add_account("dist1", platform_roles=["district"], must_change_password=False)
    mentor = store.actor_for("m_a")
    record = store.add_record(mentor, {"student_id": "sa1", "kind": "talk", "date": dt.date.today().isoformat(),
                                       "talk_type": "例行关怀", "summary": "聊了最近的学习情况和同伴关系"})  # fmt: skip
    flag = store.add_flag(mentor, {"student_id": "sa1", "level": 1, "signals": ["情绪"], "details": "情绪低落两周"})
    service = ServedWithUsers(store, monkeypatch)
    names = [f"学生{sid}" for sid in world["students"]]
    yield service, store, {"record_id": record.record_id, "flag_id": flag.flag_id}, names
    service.stop()
    monkeypatch.undo()
    store.close()


def concrete(path: str, ids: dict) -> str:
    values = {"student_id": "sa1", "record_id": ids["record_id"], "flag_id": ids["flag_id"], "class_id": "A1",
              "term_id": "T-cur", "school_id": "A"}  # fmt: skip
    return re.sub(r"{(\w+)}", lambda m: str(values.get(m.group(1), 1)), path)


STUDENT_ROUTES = [(path, method) for path, _, methods in ROUTES if path not in NOT_ABOUT_STUDENTS for method in methods]


@pytest.mark.parametrize("path, method", STUDENT_ROUTES, ids=[f"{m.upper()} {p}" for p, m in STUDENT_ROUTES])
def test_the_district_role_is_refused_on_every_student_endpoint(served, path, method):
    service, store, ids, names = served
    body = {"student_id": "sa1", "kind": "talk", "date": dt.date.today().isoformat(), "summary": "x" * 20,
            "level": 1, "term_id": "T-cur", "rows": [], "action": "triage", "ground": "safety",
            "reason": "测试紧急查阅的理由十个字以上"}  # fmt: skip
    response = service.call("dist1", method.upper(), concrete(path, ids), json=body if method != "get" else None)
    text = response.text
    assert not any(name in text for name in names), (path, method, text[:200])
    assert response.status_code != 500
    if response.status_code < 400:  # only an empty answer (a list of nothing for this caller) is not a refusal
        payload = response.json()
        assert "sa1" not in text and "sa2" not in text, (path, method, text[:200])
        assert all(value in ([], {}, None, 0) for value in payload.values()), (path, method, payload)
    else:  # a refusal that may repeat the id it was asked about, and nothing else
        assert response.status_code in (400, 403, 404, 409, 422), (path, method, response.status_code)


def test_a_mentor_gets_what_the_district_is_refused(served):
    service, _, ids, _ = served  # the control: the same requests do reach students for their mentor
    assert "sa1" in service.call("m_a", "GET", "students").text
    assert service.call("m_a", "GET", f"records/{ids['record_id']}").status_code == 200


def test_the_district_reads_plans_and_the_dashboard_through_the_service(served):
    service, store, _, names = served
    store.save_school_plan(store.actor_for("adm_a"), None, {"sections": plan_sections()})
    assert service.call("adm_a", "POST", "school-plans/A/submit", json={}).status_code == 200
    listed = service.call("dist1", "GET", "school-plans").json()["plans"]
    assert [(p["school_id"], p["status_label"]) for p in listed] == [("A", "已提交"), ("B", "未提交")]
    reviewed = service.call("dist1", "POST", "school-plans/A/reviews", json={"action": "file"})
    assert reviewed.status_code == 201 and reviewed.json()["status_label"] == "已备案"
    docx = service.call("dist1", "GET", "school-plans/A/plan.docx?version=1")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert service.call("adm_b", "GET", "school-plans/A").status_code == 404
    assert service.call("m_a", "GET", "district/dashboard").status_code == 403
    board = service.call("dist1", "GET", "district/dashboard")
    assert board.status_code == 200 and not any(name in board.text for name in names) and "sa1" not in board.text
    for path in ("district/dashboard.xlsx", "district/brief.docx"):
        exported = service.call("dist1", "GET", path)
        assert exported.status_code == 200 and exported.content[:2] == b"PK"
        assert "attachment" in exported.headers["Content-Disposition"]


def test_hostile_bodies_on_the_plan_endpoints_are_refused_cleanly(served):
    service, store, _, _ = served
    big = service.call("adm_b", "PUT", "school-plans/B", data=b'{"sections": {"goals": "' + b"x" * (9 * 2**20) + b'"}}')
    assert big.status_code == 413 and big.json()["error"]["message_zh"]
    surrogate = service.call("adm_b", "PUT", "school-plans/B", data=b'{"sections": {"goals": "\\ud800"}}')
    assert surrogate.status_code == 422
    deep = service.call("adm_b", "PUT", "school-plans/B", data=b"[" * 100_000 + b"]" * 100_000)
    assert deep.status_code in (400, 422)
    wrong = service.call("adm_b", "POST", "school-plans/B/reviews", json={"action": "file"})
    assert wrong.status_code == 403 and "区德育科" in wrong.json()["error"]["message_zh"]
    bad_version = service.call("dist1", "GET", "school-plans/B/plan.docx?version=x1")
    assert bad_version.status_code == 400
    assert store.find_school_plan(store.actor_for("adm_b"))["status"] == "none"  # nothing was written
