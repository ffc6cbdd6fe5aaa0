"""The school-year endpoints through a real hub and its records service (issue 20): each caller with their
own hub token; the calendar, a parent-contact request answered by the mentor, a 多对一 plan, the matching
review, and the refusals (403/404/422 with the field named)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.records_support import call

pytestmark = pytest.mark.app
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_calendar_through_the_service(running_hub, token):
    terms = call(running_hub, token("schooladmin1"), "GET", "terms").json()["terms"]
    current = next(t for t in terms if t["current"])
    calendar = current["calendar"]
    assert calendar["home_visit"]["from"] < calendar["start_date"] <= calendar["home_visit"]["to"]
    body = {"home_visit": calendar["home_visit"], "talk_days_before": 5}  # the template's window: nothing moves
    assert call(running_hub, token("teacher1"), "PUT", f"terms/{current['term_id']}/calendar", body).status_code == 403
    saved = call(running_hub, token("schooladmin1"), "PUT", f"terms/{current['term_id']}/calendar", body)
    assert saved.status_code == 200 and saved.json()["talk_days_before"] == 5
    late = {"home_visit": {"from": calendar["end_date"], "to": calendar["end_date"]}}
    refused = call(running_hub, token("schooladmin1"), "PUT", f"terms/{current['term_id']}/calendar", late)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "home_visit"
    assert "开学前" in refused.json()["error"]["message_zh"]


def test_a_parent_contact_request_through_the_service(running_hub, token, store):
    mentee_of = {}
    for n in range(1, 15):
        for student in store.actor_for(f"teacher{n}").mentee_ids:
            mentee_of[student] = f"teacher{n}"
    teacher, student = next((f"teacher{n}", s) for n in range(7, 15)
                            for s in store.find_students_in("dh", sorted(store.actor_for(f"teacher{n}").taught_class_ids)[0])
                            if mentee_of.get(s.student_id) not in (None, f"teacher{n}"))  # fmt: skip
    student_id, mentor = student.student_id, mentee_of[student.student_id]
    made = call(running_hub, token(teacher), "POST", "contact-requests",
                {"student_id": student_id, "topic": "作业", "reason": "近期作业多次缺交，想请家长关注。"})
    assert made.status_code == 201, made.text
    request_id = made.json()["request_id"]
    assert call(running_hub, token(teacher), "POST", f"contact-requests/{request_id}/answer",
                {"action": "accept"}).status_code == 404  # the requester answers nothing
    done = call(running_hub, token(mentor), "POST", f"contact-requests/{request_id}/answer",
                {"action": "complete", "channel": "电话", "content_summary": "已与家长沟通作业情况。", "response": "已联系"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    record_id = done.json()["record_id"]
    assert call(running_hub, token(mentor), "GET", f"records/{record_id}").json()["kind"] == "parent_contact"
    assert call(running_hub, token(teacher), "GET", f"records/{record_id}").status_code == 404
    mine = call(running_hub, token(teacher), "GET", "contact-requests").json()["requests"]
    assert next(r for r in mine if r["request_id"] == request_id)["status"] == "done"


def test_a_support_plan_and_a_class_team_through_the_service(running_hub, token, store):
    student = sorted(store.actor_for("teacher2").mentee_ids)[0]
    plan = {"student_id": student, "lead_staff_id": "teacher1", "members": ["teacher2", "psych1"],
            "goals": ["每周与同伴合作完成一项任务"], "next_review": (dt.date.today() + dt.timedelta(days=20)).isoformat()}
    assert call(running_hub, token("teacher2"), "POST", "support-plans", plan).status_code == 404
    made = call(running_hub, token("principal1"), "POST", "support-plans", plan)
    assert made.status_code == 201, made.text
    team_id = made.json()["team_id"]
    assert call(running_hub, token("teacher1"), "GET", f"support-plans/{team_id}").json()["student_id"] == student
    for outsider in ("teacher3", "teacher20", "schooladmin1", "trainer1"):
        assert call(running_hub, token(outsider), "GET", f"support-plans/{team_id}").status_code == 404
    meeting = call(running_hub, token("teacher1"), "POST", "class-teams/dh-601/meetings",
                   {"topic": "开学适应", "student_codes": [], "decisions": "每周碰头一次"})
    assert meeting.status_code == 201, meeting.text
    minutes = call(running_hub, token("teacher1"), "GET", f"meetings/{meeting.json()['meeting_id']}/minutes.docx")
    assert minutes.status_code == 200 and minutes.headers["Content-Type"] == DOCX
    assert call(running_hub, token("teacher20"), "GET", "class-teams/dh-601").status_code == 404
    review = call(running_hub, token("schooladmin1"), "GET", "matching-review")
    assert review.status_code == 200 and review.json()["unmatched"] == []
    assert call(running_hub, token("teacher1"), "GET", "matching-review").status_code == 403
