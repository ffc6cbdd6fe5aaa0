"""The 导师团 page and the 多对一 plan page, headless (ipywidgets 8: set values, click buttons), against the
real store behind a client that routes each call to the verb the records service would call. The head
teacher records a meeting and downloads its minutes; a subject teacher asks for a parent contact; the
mentor completes it; the head teacher declines another with a reason; a team member records a review."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pytest
from docx import Document

from hub.store import open_store
from hub.store.testing import build_small_world, new_database_url
from tests import store_client
from widgets.team_page import ClassTeamPage, SupportPlanPage

TODAY = dt.date.today()


class StoreClient(store_client.StoreClient):
    """``request(method, path, json=..., raw=...)`` answered by the store's verbs as the caller ``username``."""

    ROUTES = [
        ("GET", r"me", lambda st, a, m, body: st.find_me(a)),
        ("GET", r"class-teams", lambda st, a, m, body: {"class_teams": st.find_class_teams(a)}),
        ("GET", r"class-teams/([^/]+)", lambda st, a, m, body: st.find_class_team(a, m[1])),
        ("POST", r"class-teams/([^/]+)/meetings", lambda st, a, m, body: st.add_class_meeting(a, m[1], body)),
        ("GET", r"meetings/(\d+)/minutes.docx", lambda st, a, m, body: st.find_meeting_minutes(a, int(m[1]))[0]),
        ("GET", r"contact-targets", lambda st, a, m, body: {"students": st.find_contact_targets(a)}),
        ("GET", r"contact-requests", lambda st, a, m, body: {"requests": st.find_contact_requests(a)}),
        ("POST", r"contact-requests", lambda st, a, m, body: st.add_contact_request(a, body)),
        ("POST", r"contact-requests/(\d+)/answer", lambda st, a, m, body: st.answer_contact_request(a, int(m[1]), body)),
        ("GET", r"support-plans", lambda st, a, m, body: {"plans": st.find_support_plans(a)}),
        ("POST", r"support-plans/(\d+)/reviews", lambda st, a, m, body: st.add_support_review(a, int(m[1]), body)),
    ]


@pytest.fixture
def world(tmp_path):
    url, cleanup = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    build_small_world(store)
    store.import_roster([], [], [{"staff_id": "plain_a", "name": "教师plain_a", "school_id": "A", "roles": ["subject"],
                                  "classes": ["A1"]}], [])  # fmt: skip
    yield store
    store.close()
    cleanup()


def test_the_head_teacher_records_a_meeting_and_downloads_its_minutes(world):
    page = ClassTeamPage.from_client(StoreClient(world, "ht_a1"))
    assert page.picker.value == "A1" and "学生 3 名" in page.summary.value
    assert page.meeting_form.layout.display == ""
    page.meeting_topic.value = "期中后学习状态"
    page.meeting_attendees.value = "ht_a1，m_a"
    page.meeting_codes.value = "sa1、sa2"
    page.meeting_decisions.value = "sa2 由心理教师每周跟进"
    page.meeting_save.click()
    assert "mh-status-ok" in page.status.widget.value and "期中后学习状态" in page.meetings.value
    page.minutes_pick.value = page.minutes_pick.options[0][1]
    page.minutes_button.click()
    encoded = re.search(r"base64,([^\"]+)", page.minutes_link.value)[1]
    text = "\n".join(p.text for p in Document(io.BytesIO(base64.b64decode(encoded))).paragraphs)
    assert "sa1、sa2" in text
    page.meeting_codes.value = "sb1"  # not of this class: the service's message in the form
    page.meeting_save.click()
    assert "mh-status-error" in page.status.widget.value and "不在本班" in page.status.widget.value


def test_a_mentor_sees_the_team_but_records_no_meeting(world):
    page = ClassTeamPage.from_client(StoreClient(world, "m_a"))
    assert page.picker.value == "A1" and page.meeting_form.layout.display == "none"
    assert "学生 3 名" in page.summary.value
    assert page.members.value.index("教师ht_a1") < page.members.value.index("班主任") < page.members.value.index("教师m_a")


def test_a_request_from_the_subject_teacher_completed_by_the_mentor_and_one_declined_by_the_head(world):
    teacher = ClassTeamPage.from_client(StoreClient(world, "plain_a"))
    assert "mh-no-teams" in teacher.widget.children[1].value  # no team of their own, but the request form
    teacher.request_student.value = "sa1"
    teacher.request_topic.value = "数学作业"
    teacher.request_reason.value = "近两周数学作业缺交三次，想请家长关注。"
    teacher.request_send.click()
    assert "mh-status-ok" in teacher.status.widget.value and 'data-status="open"' in teacher.requests_table.value
    teacher.request_student.value = "sa3"
    teacher.request_topic.value = "课堂纪律"
    teacher.request_reason.value = "想和家长谈谈课堂纪律。"
    teacher.request_send.click()
    mentor = ClassTeamPage.from_client(StoreClient(world, "m_a"))
    assert [label for label, _ in mentor.answer_pick.options] == ["#1 学生sa1 · 数学作业"]  # not sa3: not theirs
    mentor.answer_channel.value = "电话"
    mentor.answer_summary.value = "已与家长沟通作业情况，家长会每晚检查。"
    mentor.answer_response.value = "已联系家长。"
    mentor.complete_button.click()
    assert "mh-status-ok" in mentor.status.widget.value and mentor.answer_pick.options == ()
    head = ClassTeamPage.from_client(StoreClient(world, "ht_a1"))
    head.answer_pick.value = 2
    head.decline_button.click()  # without a reason: refused, with the field named
    assert "mh-status-error" in head.status.widget.value
    head.answer_response.value = "本周已家访，我在班上先跟进。"
    head.decline_button.click()
    assert "mh-status-ok" in head.status.widget.value
    teacher = ClassTeamPage.from_client(StoreClient(world, "plain_a"))
    assert 'data-request="1" data-status="done"' in teacher.requests_table.value
    assert 'data-request="2" data-status="declined"' in teacher.requests_table.value
    assert "本周已家访" in teacher.requests_table.value
    records = world.find_records(world.actor_for("m_a"), "sa1")
    assert [(r.kind, r.author) for r in records] == [("parent_contact", "m_a")]


def test_the_support_plan_page_for_a_member_and_nothing_for_others(world):
    world.add_support_team(world.actor_for("lead_a"), {
        "student_id": "sa2", "lead_staff_id": "ht_a1", "members": ["m_a", "psy_a"], "goals": ["课堂专注时间逐步延长"],
        "actions": [{"staff_id": "psy_a", "action": "每周一次个别辅导"}],
        "next_review": (TODAY + dt.timedelta(days=30)).isoformat()})  # fmt: skip
    page = SupportPlanPage.from_client(StoreClient(world, "m_a"))
    assert 'data-state="on_track"' in page.detail.value
    assert "教师ht_a1（组长）、教师psy_a（心理教师）、教师m_a（成员）" in page.detail.value  # priority roles first
    page.summary.value = "课堂上能坚持十分钟。"
    page.next_review.value = TODAY + dt.timedelta(days=3)
    page.save.click()
    assert "mh-status-ok" in page.status.widget.value and 'data-state="review_soon"' in page.detail.value
    for name in ("plain_a", "m_b", "adm_a"):
        other = SupportPlanPage.from_client(StoreClient(world, name))
        assert other.picker.options == () and "没有可以查看" in other.widget.children[1].value
