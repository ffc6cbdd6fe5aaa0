"""Issue 20 in a real Chromium on the demo hub: the 导师团 page (a head teacher records a meeting and downloads
its minutes), a parent-contact request (a subject teacher asks, the student's mentor makes the contact, the
subject teacher sees the outcome), 排摸重点对象 (the school leader decides on a mentor's nomination and starts a
多对一 team), the 多对一 plan (a member records a review; a teacher not on the team sees no plan), the
workbench's life-event button, a nomination withdrawn and the reminders box, and the home page's reminder
counts. Every page is checked for English, cut labels and requests to other hosts
(``tests/browser/page_checks.py``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hub.store import open_store
from hub.store.models import MentorAssignment, SchoolClass, Staff, Student, TeachingAssignment
from tests.browser.page_checks import Requests, check_page

pytestmark = pytest.mark.browser

APPS = "/hub/user-redirect/voila/render/apps/"
TOPIC = "浏览器测试：作业拖欠"
MEETING_TOPIC = "浏览器测试：期中后集体教研"


@pytest.fixture(scope="module")
def store(running_hub):
    st = open_store(f"sqlite:///{running_hub.state_dir / 'records.sqlite'}")
    yield st
    st.close()


@pytest.fixture(scope="module")
def cast(store):
    """Who plays which part in 东湖 (dh): a class, its head teacher, a subject teacher of the class who is not
    its head teacher, and two students of the class mentored by ordinary teachers (whose guardians consented)."""
    term = store.current_term()
    with store.reading() as s:
        for klass in s.scalars(select(SchoolClass).where(SchoolClass.school_id == "dh").order_by(SchoolClass.class_id)):
            teachers = set(s.scalars(select(TeachingAssignment.staff_id).where(TeachingAssignment.class_id == klass.class_id)))
            subject = sorted(teachers - {klass.head_teacher_id})
            pairs = s.execute(select(MentorAssignment.student_id, MentorAssignment.staff_id)
                              .join(Student, Student.student_id == MentorAssignment.student_id)
                              .where(MentorAssignment.term_id == term.term_id, MentorAssignment.kind == "primary",
                                     Student.class_id == klass.class_id)
                              .order_by(MentorAssignment.student_id)).all()  # fmt: skip
            if not subject:
                continue
            usable = [(sid, staff) for sid, staff in pairs if staff.startswith("teacher")
                      and staff not in (klass.head_teacher_id, subject[0])]  # fmt: skip
            mentors = list(dict.fromkeys(staff for _, staff in usable))
            if len(mentors) >= 2:
                first = next(p for p in usable if p[1] == mentors[0])
                second = next(p for p in usable if p[1] == mentors[1])
                names = dict(s.execute(select(Student.student_id, Student.display_name)
                                       .where(Student.class_id == klass.class_id)).all())  # fmt: skip
                staff_names = dict(s.execute(select(Staff.staff_id, Staff.name)).all())
                return {"class_id": klass.class_id, "class_name": klass.name, "head": klass.head_teacher_id,
                        "subject": subject[0], "student": first[0], "student_name": names[first[0]],
                        "mentor": first[1], "focus": second[0], "focus_name": names[second[0]],
                        "focus_mentor": second[1], "staff_names": staff_names}  # fmt: skip
    pytest.fail("the demo has no class with a subject teacher and two ordinary mentors")


def open_app(page, hub_url: str, app: str, ready: str) -> Requests:
    watched = Requests(page, hub_url)
    page.goto(hub_url + APPS + app)
    page.wait_for_selector(ready, timeout=180_000)
    return watched


def select_in(scope, label: str, option_text: str) -> None:
    select_box = scope.locator(".widget-dropdown", has_text=label).locator("select")
    value = select_box.locator("option", has_text=option_text).first.get_attribute("value")
    select_box.select_option(value=value)


def test_a_parent_contact_request_asked_made_and_followed(new_page, running_hub, cast, screenshot):
    teacher = new_page(cast["subject"])
    watched = [open_app(teacher, running_hub.url, "导师团.ipynb", ".mh-request-form")]
    form = teacher.locator(".mh-request-form")
    select_in(form, "学生", cast["student_name"])
    form.locator(".widget-text", has_text="主题").locator("input").fill(TOPIC)
    form.locator(".widget-textarea", has_text="理由").locator("textarea").fill("连续两周数学作业未交，想请导师了解家里的情况。")
    form.locator("button", has_text="提交请求").click()
    teacher.wait_for_selector(".mh-class-team .mh-status-ok")
    row = teacher.locator("table.mh-requests tr", has_text=TOPIC)
    assert row.get_attribute("data-status") == "open"
    check_page(teacher, "subject teacher's request")
    screenshot(teacher, "class-team-request")

    mentor = new_page(cast["mentor"])
    watched.append(open_app(mentor, running_hub.url, "导师团.ipynb", ".mh-answer-form"))
    answer = mentor.locator(".mh-answer-form")
    select_in(answer, "请求", TOPIC)
    answer.locator(".widget-dropdown", has_text="沟通方式").locator("select").select_option(index=0)
    answer.locator(".widget-textarea", has_text="沟通内容摘要").locator("textarea").fill("电话联系了母亲，家里最近搬家，已约定每晚检查作业。")
    answer.locator(".widget-textarea", has_text="答复").locator("textarea").fill("已联系家长，情况已了解。")
    answer.locator("button", has_text="已联系并记录").click()
    mentor.wait_for_selector(".mh-class-team .mh-status-ok")
    assert mentor.locator("table.mh-requests tr", has_text=TOPIC).get_attribute("data-status") == "done"
    check_page(mentor, "mentor's answer")
    screenshot(mentor, "class-team-answer")

    teacher.reload()
    teacher.wait_for_selector(".mh-request-form", timeout=180_000)
    row = teacher.locator("table.mh-requests tr", has_text=TOPIC)
    assert row.get_attribute("data-status") == "done" and "已联系家长" in row.inner_text()
    assert "搬家" not in teacher.content()  # the requester sees the note, not the record
    for one in watched:
        assert one.other_hosts() == []


def test_the_head_teacher_records_a_meeting_and_downloads_its_minutes(new_page, running_hub, cast, screenshot):
    page = new_page(cast["head"])
    watched = open_app(page, running_hub.url, "导师团.ipynb", "table.mh-team-members")
    select_in(page.locator(".mh-class-team"), "班级", cast["class_id"])
    page.wait_for_selector(f"table.mh-team-members >> text={cast['staff_names'][cast['mentor']]}")
    assert "本班三个一" in page.locator(".mh-team-progress").inner_text()
    form = page.locator(".mh-meeting-form")
    form.locator(".widget-text", has_text="主题").locator("input").fill(MEETING_TOPIC)
    form.locator(".widget-text", has_text="讨论的学生").locator("input").fill(cast["student"])
    form.locator(".widget-textarea", has_text="决定事项").locator("textarea").fill("导师每周与该生谈心一次")
    form.locator("button", has_text="保存会议记录").click()
    page.wait_for_selector(f"table.mh-team-meetings >> text={MEETING_TOPIC}")
    meetings = page.locator("table.mh-team-meetings").inner_text()
    assert cast["student"] in meetings and cast["student_name"] not in meetings  # students by code only
    select_in(page.locator(".mh-class-team"), "下载纪要", MEETING_TOPIC)
    page.locator(".mh-class-team button", has_text="下载纪要").click()
    link = page.wait_for_selector("a.mh-minutes-link")
    assert link.get_attribute("href").startswith("data:application/vnd.openxmlformats")
    check_page(page, "head teacher's class team")
    screenshot(page, "class-team-meeting")
    assert watched.other_hosts() == []


def test_a_focus_student_gets_a_support_team_and_the_team_records_a_review(new_page, running_hub, store, cast,
                                                                           screenshot):  # fmt: skip
    mentor = store.actor_for(cast["focus_mentor"])
    # an app test earlier in the session may have nominated the same mentee already (one open nomination each)
    if not any(n["student_id"] == cast["focus"] and n["status"] == "open" for n in store.find_my_nominations(mentor)):
        store.add_focus_nomination(mentor, {"student_id": cast["focus"], "reason": "浏览器测试：近期情绪低落，不愿交流。"})
    leader = new_page("principal1")
    watched = [open_app(leader, running_hub.url, "重点对象排摸.ipynb", "table.mh-focus")]
    row = leader.locator(f'tr.mh-focus-row[data-student="{cast["focus"]}"]')
    assert row.get_attribute("data-outcome") == "undecided" and "导师提名" in row.inner_text()
    decide = leader.locator(".mh-focus-decide")
    select_in(decide, "学生", cast["focus_name"])
    decide.locator(".widget-toggle-buttons button", has_text="列为重点对象").first.click()
    decide.locator(".widget-textarea textarea").fill("本学期重点关注，建立多对一导师组。")
    decide.locator("button", has_text="保存结论").click()
    leader.wait_for_selector(f'tr.mh-focus-row[data-student="{cast["focus"]}"][data-outcome="focus"]')
    team = leader.locator(".mh-focus-team")
    select_in(team, "学生", cast["focus_name"])
    select_in(team, "组长", cast["staff_names"][cast["head"]])
    members = team.locator(".widget-select-multiple select")
    members.select_option(value=members.locator("option", has_text=cast["staff_names"][cast["focus_mentor"]])
                          .first.get_attribute("value"))
    team.locator(".widget-textarea textarea").fill("每周一次谈心\n每月与家长沟通一次")
    team.locator("button", has_text="建立导师组").click()
    leader.wait_for_selector(".mh-focus-review .mh-status-ok")
    check_page(leader, "focus review")
    screenshot(leader, "focus-review")

    member = new_page(cast["focus_mentor"])
    watched.append(open_app(member, running_hub.url, "多对一帮扶.ipynb", ".mh-plan"))
    select_in(member.locator(".mh-support-plans"), "学生", cast["focus_name"])
    plan = member.locator(".mh-plan")
    assert "每周一次谈心" in plan.inner_text() and "组长" in plan.inner_text()
    review = member.locator(".mh-review-form")
    review.locator(".widget-textarea textarea").fill("浏览器测试：本周谈心两次，学生愿意说出心里话。")
    review.locator("button", has_text="记录评估").click()
    member.wait_for_selector(".mh-plan-reviews >> text=学生愿意说出心里话")
    check_page(member, "support plan")
    screenshot(member, "support-plan-review")

    other = new_page(cast["subject"])
    watched.append(open_app(other, running_hub.url, "多对一帮扶.ipynb", ".mh-support-plans"))
    assert cast["focus_name"] not in other.content() and "没有可以查看的多对一帮扶计划" in other.content()
    for one in watched:
        assert one.other_hosts() == []


def test_a_teacher_marks_a_life_event_and_sees_the_reminders(new_page, running_hub, screenshot):
    page = new_page("teacher1")
    home = page.locator("#mentorhub-reminders")
    page.wait_for_function("document.getElementById('mentorhub-reminders').dataset.state !== 'loading'",
                           timeout=120_000)
    assert home.get_attribute("data-state") in ("ready", "overdue"), home.inner_text()
    assert "本周到期" in home.inner_text() and "已逾期" in home.inner_text()
    screenshot(page, "home-reminders")

    watched = open_app(page, running_hub.url, "导师工作台.ipynb", "table.mh-tracker tr.mh-row")
    assert page.locator(".mh-reminders-box").count() == 1
    row = page.locator("table.mh-tracker tr.mh-row").last  # one of teacher1's own mentees
    student_id = row.get_attribute("data-student")
    label = f'{row.locator("td").nth(1).inner_text().strip()}（{row.locator("td").nth(0).inner_text().strip()}）'
    page.locator(".lm-TabBar-tab", has_text="学生动态").click()
    actions = page.locator(".mh-life-event")
    actions.locator(".widget-dropdown", has_text="学生").locator("select").select_option(label=label)
    actions.locator(".widget-dropdown", has_text="类型").locator("select").select_option(label="身体健康")
    actions.locator("button", has_text="标记").click()
    page.wait_for_selector(".mh-life-event .mh-status-ok")
    assert "谈心" in actions.locator(".mh-status-ok").inner_text()
    check_page(page, "life event")
    # the same mentee nominated for the 排摸 and the nomination withdrawn, after the confirmation step
    nominate = page.locator(".mh-nominate")
    select_in(nominate, "学生", label)
    nominate.locator("textarea").fill("浏览器测试：提名后撤回。")
    nominate.locator("button.mod-primary", has_text="提名").click()  # not 撤回提名 (no style)
    page.wait_for_selector(".mh-nominate .mh-status-ok")
    withdraw = page.locator(".mh-withdraw")
    select_in(withdraw, "提名", label.split("（")[0])
    withdraw.locator("button", has_text="撤回提名").click()
    page.locator(".mh-withdraw-confirm button", has_text="确认撤回").click()
    page.wait_for_selector(f'.mh-nominations li[data-student="{student_id}"][data-status="withdrawn"]')
    assert "已撤回" in nominate.locator(".mh-status-ok").last.inner_text()
    check_page(page, "nomination withdrawn")
    page.locator(".lm-TabBar-tab", has_text="我的学生").click()
    page.wait_for_selector(f'table.mh-tracker tr[data-student="{student_id}"] td.mh-state[data-kind="event_talk"]')
    screenshot(page, "workbench-life-event")
    assert watched.other_hosts() == []
