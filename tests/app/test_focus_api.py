"""排摸重点对象 and reminders through a real hub and its records service (issue 20, parts 5 and 6), each caller
with their own hub token: a mentor nominates a mentee, the school leader and the psychology teacher review and
decide (a teacher gets 403), hostile bodies are refused with the field named and nothing written, and the
reminders answer every caller with their own reach (counts only beyond their own mentees)."""

from __future__ import annotations

import pytest

from tests.records_support import call

pytestmark = pytest.mark.app


def test_a_nomination_reviewed_and_decided_through_the_service(running_hub, token):
    me = call(running_hub, token("teacher3"), "GET", "me").json()
    student = me["mentees"][-1]["student_id"]
    made = call(running_hub, token("teacher3"), "POST", "focus-nominations",
                {"student_id": student, "reason": "接口测试：最近作业完成情况明显下降。"})
    assert made.status_code == 201, made.text
    assert call(running_hub, token("teacher3"), "POST", "focus-nominations",
                {"student_id": student, "reason": "接口测试：再提名一次。"}).status_code == 409
    assert [n["student_id"] for n in call(running_hub, token("teacher3"), "GET", "focus-nominations").json()["nominations"]] \
        == [student]
    assert call(running_hub, token("teacher3"), "GET", "focus-review").status_code == 403
    for reviewer in ("principal1", "psych1"):
        review = call(running_hub, token(reviewer), "GET", "focus-review")
        assert review.status_code == 200
        assert student in {c["student_id"] for c in review.json()["candidates"]}
    refused = call(running_hub, token("teacher3"), "POST", f"focus-review/{student}/decision", {"outcome": "focus"})
    assert refused.status_code == 404
    decided = call(running_hub, token("psych1"), "POST", f"focus-review/{student}/decision",
                   {"outcome": "focus", "note": "接口测试：列为重点对象"})
    assert decided.status_code == 200 and decided.json()["outcome"] == "focus"
    assert "接口测试" not in str(call(running_hub, token("admin"), "GET", "audit", params={"action": "focus.decide"}).json())


@pytest.mark.parametrize("body, field", [
    ({"outcome": "not_focus", "note": "x" * 1_000_000}, "note"),
    ({"outcome": "not_focus", "note": "家长电话 13812345678"}, "note"),
    ({"outcome": "not_focus", "note": "零宽\u200b字符\u0000"}, "note"),
    ({"outcome": ["focus"]}, "outcome"),
])  # fmt: skip
def test_hostile_decisions_are_refused_with_the_field_named(running_hub, token, body, field):
    me = call(running_hub, token("teacher4"), "GET", "me").json()
    student = me["mentees"][0]["student_id"]
    answer = call(running_hub, token("principal1"), "POST", f"focus-review/{student}/decision", body)
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["error"]["field"] == field and answer.json()["error"]["message_zh"]
    review = call(running_hub, token("principal1"), "GET", "focus-review").json()
    assert all(c["decision"] is None for c in review["candidates"] if c["student_id"] == student)


def test_reminders_for_each_caller(running_hub, token):
    mine = call(running_hub, token("teacher1"), "GET", "reminders").json()
    mentees = {m["student_id"] for m in call(running_hub, token("teacher1"), "GET", "me").json()["mentees"]}
    assert {i["student_id"] for i in mine["items"]} <= mentees
    assert "classes" in mine  # teacher1 is a head teacher: the class as counts
    school = call(running_hub, token("schooladmin1"), "GET", "reminders").json()
    assert school["items"] == [] and set(school["school"]["totals"]) == {"due_this_week", "overdue"}
    refused = call(running_hub, token("admin"), "GET", "reminders")  # a platform admin has no students' tasks
    assert refused.status_code == 403 and "提醒只面向导师" in refused.json()["error"]["message_zh"]


def test_a_mentor_withdraws_their_nomination_through_the_service(running_hub, token):
    mentee = call(running_hub, token("teacher12"), "GET", "me").json()["mentees"][0]["student_id"]
    reason = "接口测试：撤回前的提名理由。"
    made = call(running_hub, token("teacher12"), "POST", "focus-nominations", {"student_id": mentee, "reason": reason})
    assert made.status_code == 201, made.text
    path = f"focus-nominations/{made.json()['nomination_id']}/withdraw"
    # nobody else: another mentor of the school, another school's mentor and office, the district (404, as if
    # the nomination did not exist)
    for other in ("teacher13", "teacher20", "schooladmin2", "schooladmin1", "district1"):
        refused = call(running_hub, token(other), "POST", path)
        assert refused.status_code == 404, (other, refused.text)
        assert refused.json()["error"]["field"] == "nomination_id"
    reviewed = call(running_hub, token("principal1"), "GET", "focus-review").json()
    assert reason in str(reviewed)
    withdrawn = call(running_hub, token("teacher12"), "POST", path)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn" and withdrawn.json()["withdrawn_by"] == "teacher12"
    again = call(running_hub, token("teacher12"), "POST", path)
    assert again.status_code == 409 and again.json()["error"]["message_zh"] == "该提名已经撤回"
    mine = call(running_hub, token("teacher12"), "GET", "focus-nominations").json()["nominations"]
    assert [(n["student_id"], n["status"]) for n in mine if n["reason"] == reason] == [(mentee, "withdrawn")]
    for reviewer in ("principal1", "psych1"):
        assert reason not in str(call(running_hub, token(reviewer), "GET", "focus-review").json())
    audit = call(running_hub, token("admin"), "GET", "audit", params={"action": "focus.withdraw"}).json()
    assert "teacher12" in str(audit) and reason not in str(audit)


def test_another_schools_nomination_cannot_be_withdrawn_through_the_service(running_hub, token):
    mentee = call(running_hub, token("teacher20"), "GET", "me").json()["mentees"][0]["student_id"]
    made = call(running_hub, token("teacher20"), "POST", "focus-nominations",
                {"student_id": mentee, "reason": "接口测试：另一所学校的提名。"})
    assert made.status_code == 201, made.text
    for reviewer in ("principal1", "psych1"):  # 东湖's reviewers; the nomination is 西岭's
        refused = call(running_hub, token(reviewer), "POST", f"focus-nominations/{made.json()['nomination_id']}/withdraw")
        assert refused.status_code == 404, refused.text
    mine = call(running_hub, token("teacher20"), "GET", "focus-nominations").json()["nominations"]
    assert [n["status"] for n in mine if n["nomination_id"] == made.json()["nomination_id"]] == ["open"]


@pytest.mark.parametrize("nomination_id", ["abc", "-1", "1.0", "1e3", "0x1", "%31", "1%20OR%201=1", "１",
                                           "99999999999999999999999", "0", ""])  # fmt: skip
def test_a_nomination_id_that_is_not_a_number_is_not_found(running_hub, token, nomination_id):
    mentee = call(running_hub, token("teacher13"), "GET", "me").json()["mentees"][0]["student_id"]
    made = call(running_hub, token("teacher13"), "POST", "focus-nominations",
                {"student_id": mentee, "reason": "接口测试：编号不是数字的撤回。"})  # no Latin text: the review page shows it
    assert made.status_code in (201, 409), made.text  # 409: made by an earlier case of this test
    answer = call(running_hub, token("teacher13"), "POST", f"focus-nominations/{nomination_id}/withdraw")
    assert answer.status_code == 404, answer.text
    mine = call(running_hub, token("teacher13"), "GET", "focus-nominations").json()["nominations"]
    assert {n["status"] for n in mine} == {"open"}
