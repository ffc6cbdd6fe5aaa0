"""The district's side through a real hub and its records service (issue 22), each caller with their own hub token:
district1 (role district, hub group district-staff) reads the demo's plans and the district dashboard and is
refused on the student endpoints; the school's admin answers the district's request for changes; a teacher
downloads their portfolio; the hub's group for the district exists."""

from __future__ import annotations

import io

import pytest
from docx import Document

from tests.district_support import plan_sections
from tests.records_support import call

pytestmark = pytest.mark.app


def test_the_district_reads_plans_and_aggregates_and_no_student(running_hub, token):
    district = token("district1")
    me = call(running_hub, district, "GET", "me").json()
    assert me["roles"] == ["district"] and me["mentees"] == [] and "district-staff" in me["groups"]
    plans = {p["school_id"]: p["status_label"] for p in call(running_hub, district, "GET", "school-plans").json()["plans"]}
    assert plans["dh"] in ("需修改", "已提交", "已备案") and list(plans) == sorted(plans)
    board = call(running_hub, district, "GET", "district/dashboard")
    assert board.status_code == 200 and [s["school_id"] for s in board.json()["schools"]] == ["dh", "xl"]
    student = sorted(call(running_hub, token("teacher1"), "GET", "me").json()["mentees"], key=lambda m: m["student_id"])[0]
    for method, path in (("GET", "students"), ("GET", f"students/{student['student_id']}"),
                         ("GET", f"students/{student['student_id']}/records"), ("GET", "progress"),
                         ("GET", "flags/queue"), ("GET", "exports/progress.xlsx"), ("GET", "consents/missing")):
        response = call(running_hub, district, method, path)
        assert student["display_name"] not in response.text
        if response.status_code == 200:  # a list of what the caller may see: nothing
            assert student["student_id"] not in response.text
            assert all(value == [] for value in response.json().values()), (path, response.text[:200])
        else:  # a refusal, which may repeat the id it was asked about
            assert response.status_code in (403, 404), (path, response.status_code)


def test_the_school_answers_the_districts_request_and_the_district_files_it(running_hub, token):
    admin, district = token("schooladmin1"), token("district1")
    plan = call(running_hub, admin, "GET", "school-plans/dh").json()
    if plan["status"] == "changes_requested":
        saved = call(running_hub, admin, "PUT", "school-plans/dh", {"sections": {"training": plan_sections()["training"]}})
        assert saved.status_code == 200
        submitted = call(running_hub, admin, "POST", "school-plans/dh/submit", {})
        assert submitted.status_code == 200 and submitted.json()["status_label"] == "已提交"
    assert call(running_hub, token("schooladmin2"), "GET", "school-plans/dh").status_code == 404
    filed = call(running_hub, district, "POST", "school-plans/dh/reviews", {"action": "file"})
    assert filed.status_code == 201 and filed.json()["status_label"] == "已备案"
    docx = call(running_hub, district, "GET", f"school-plans/dh/plan.docx?version={filed.json()['version']}")
    assert Document(io.BytesIO(docx.content)).paragraphs[0].text == "东湖初级中学全员导师制工作学校实施方案"


def test_a_teacher_downloads_their_portfolio_and_not_a_colleagues(running_hub, token):
    teacher = token("teacher2")
    own = call(running_hub, teacher, "GET", "portfolio.docx")
    assert own.status_code == 200 and Document(io.BytesIO(own.content)).paragraphs[0].text.startswith("导师工作档案")
    assert call(running_hub, teacher, "GET", "portfolio?staff_id=teacher3").status_code == 404
    summary = call(running_hub, token("principal1"), "GET", "portfolios")
    assert summary.status_code == 200 and len(summary.json()["teachers"]) >= 14
