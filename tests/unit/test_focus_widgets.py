"""The workbench's 学生动态 tab (the life-event button and a mentor's nomination), its reminders box, and the
重点对象排摸 page, headless (set values, click buttons), against the real store behind a client that answers
as the records service would (the same verbs, the caller's actor, errors as ``RecordsError``)."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.store.term_calendar import LIFE_EVENT_KINDS
from tests import store_client
from widgets.focus_review import FocusReviewPage
from widgets.focus_texts import LIFE_EVENT_KINDS as WIDGET_KINDS
from widgets.workbench import Workbench

TODAY = dt.date.today()


class StoreClient(store_client.StoreClient):
    """The records client's calls used by the workbench and these pages, answered by the store as ``username``."""

    ROUTES = [
        ("POST", r"life-events", lambda st, a, m, b: st.add_life_event(a, b)),
        ("GET", r"focus-nominations", lambda st, a, m, b: {"nominations": st.find_my_nominations(a)}),
        ("POST", r"focus-nominations", lambda st, a, m, b: st.add_focus_nomination(a, b)),
        ("POST", r"focus-nominations/(\d+)/withdraw", lambda st, a, m, b: st.withdraw_focus_nomination(a, int(m[1]))),
        ("GET", r"focus-review", lambda st, a, m, b: st.find_focus_review(a)),
        ("POST", r"focus-review/([^/]+)/decision", lambda st, a, m, b: st.decide_focus(a, m[1], b)),
        ("POST", r"focus-review/([^/]+)/team", lambda st, a, m, b: st.start_focus_team(a, m[1], b)),
        ("GET", r"reminders", lambda st, a, m, b: st.find_reminders(a)),
        ("GET", r"consents", lambda st, a, m, b: {"consents": []}),
    ]


@pytest.fixture
def store(fresh_small_world):
    return fresh_small_world


def test_the_widgets_offer_the_stores_life_event_kinds():
    assert WIDGET_KINDS == LIFE_EVENT_KINDS


def test_a_mentor_marks_a_life_event_and_the_tracker_shows_the_talk_it_opens(store):
    bench = Workbench.from_client(StoreClient(store, "m_a"))
    assert "学生动态" in bench.tabs.titles
    actions = bench.pages[bench.tabs.titles.index("学生动态")].get()
    assert [value for _, value in actions.event_student.options] == ["sa1", "sa2"]
    assert "变故后谈心" not in bench.tracker.view.table.value
    actions.event_student.value = "sa2"
    actions.event_kind.value = "亲人离世"
    actions.event_button.click()
    assert "已标记" in actions.event_status.value, actions.event_status.value
    events = store.find_life_events(store.actor_for("m_a"), "sa2")
    assert [(e["kind"], e["noted_by"]) for e in events] == [("亲人离世", "m_a")]
    assert "变故后谈心" in bench.tracker.view.table.value  # the tracker's column for the talk it opened
    actions.event_date.value = TODAY + dt.timedelta(days=3)  # a day to come is refused, with the field named
    actions.event_button.click()
    assert "mh-status-error" in actions.event_status.value
    assert len(store.find_life_events(store.actor_for("m_a"), "sa2")) == 1


def test_a_head_teacher_marks_a_life_event_for_a_student_of_the_class(store):
    bench = Workbench.from_client(StoreClient(store, "ht_a1"))
    actions = bench.pages[bench.tabs.titles.index("学生动态")].get()
    assert {value for _, value in actions.event_student.options} >= {"sa1", "sa2", "sa3"}
    assert [value for _, value in actions.nominee.options] == ["sa3"]  # nominations: own mentees only
    actions.event_student.value = "sa1"
    actions.event_button.click()
    assert "已标记" in actions.event_status.value, actions.event_status.value


def test_no_actions_tab_for_those_without_students(store):
    bench = Workbench.from_client(StoreClient(store, "adm_a"))
    assert "学生动态" not in bench.tabs.titles


def test_a_mentor_nominates_a_mentee_and_a_bad_reason_is_refused(store):
    bench = Workbench.from_client(StoreClient(store, "m_a"))
    actions = bench.pages[bench.tabs.titles.index("学生动态")].get()
    actions.nominee.value = "sa1"
    actions.reason.value = "电话13812345678"
    actions.nominate_button.click()
    assert "mh-status-error" in actions.nominate_status.value and "理由" in actions.nominate_status.value
    actions.reason.value = "期中后明显退缩，不愿与同学交流。"
    actions.nominate_button.click()
    assert "已提名" in actions.nominate_status.value and 'data-student="sa1"' in actions.nominated.value
    assert [n["student_id"] for n in store.find_my_nominations(store.actor_for("m_a"))] == ["sa1"]


def test_a_mentor_withdraws_a_nomination_after_confirming(store):
    bench = Workbench.from_client(StoreClient(store, "m_a"))
    actions = bench.pages[bench.tabs.titles.index("学生动态")].get()
    assert actions.withdraw_box.layout.display == "none"  # nothing to withdraw yet
    actions.nominee.value = "sa1"
    actions.reason.value = "期中后明显退缩，不愿与同学交流。"
    actions.nominate_button.click()
    assert 'data-student="sa1" data-status="open"' in actions.nominated.value and "待排摸" in actions.nominated.value
    assert actions.withdraw_box.layout.display is None
    actions.withdraw_button.click()  # nothing chosen
    assert "mh-status-error" in actions.withdraw_status.value and "请先选择" in actions.withdraw_status.value
    [(label, nomination_id)] = actions.withdraw_pick.options
    assert label.startswith("学生sa1（")
    actions.withdraw_pick.value = nomination_id
    actions.withdraw_button.click()  # first the question, nothing sent
    assert actions.confirm_box.layout.display is None and "确定撤回对 学生sa1 的提名吗" in actions.confirm_text.value
    assert [n["status"] for n in store.find_my_nominations(store.actor_for("m_a"))] == ["open"]
    actions.confirm_no.click()
    assert actions.confirm_box.layout.display == "none"
    assert [n["status"] for n in store.find_my_nominations(store.actor_for("m_a"))] == ["open"]
    actions.withdraw_pick.value = nomination_id
    actions.withdraw_button.click()
    actions.confirm_yes.click()
    assert "mh-status-ok" in actions.withdraw_status.value and "已撤回对 学生sa1 的提名" in actions.withdraw_status.value
    assert [n["status"] for n in store.find_my_nominations(store.actor_for("m_a"))] == ["withdrawn"]
    assert 'data-status="withdrawn"' in actions.nominated.value and "已撤回" in actions.nominated.value
    assert actions.withdraw_pick.options == () and actions.withdraw_box.layout.display == "none"
    assert actions.confirm_box.layout.display == "none"


def test_a_nomination_decided_meanwhile_is_not_withdrawn_and_the_list_says_so(store):
    store.add_focus_nomination(store.actor_for("m_a"), {"student_id": "sa2", "reason": "家里刚添了弟弟，情绪起伏。"})
    bench = Workbench.from_client(StoreClient(store, "m_a"))
    actions = bench.pages[bench.tabs.titles.index("学生动态")].get()
    [(_, nomination_id)] = actions.withdraw_pick.options
    store.decide_focus(store.actor_for("lead_a"), "sa2", {"outcome": "focus", "note": "本学期重点关注。"})
    actions.withdraw_pick.value = nomination_id
    actions.withdraw_button.click()
    actions.confirm_yes.click()
    assert "mh-status-error" in actions.withdraw_status.value and "不能再撤回" in actions.withdraw_status.value
    assert 'data-status="decided"' in actions.nominated.value and "已排摸" in actions.nominated.value
    assert "列为重点对象" not in actions.nominated.value  # decided, never the outcome
    assert actions.withdraw_box.layout.display == "none"
    assert [n["status"] for n in store.find_my_nominations(store.actor_for("m_a"))] == ["decided"]


def test_the_workbench_shows_the_weeks_reminders(store):
    store.add_life_event(store.actor_for("m_a"), {"student_id": "sa1", "kind": "家庭变故",
                                                  "event_date": (TODAY - dt.timedelta(days=10)).isoformat()})
    bench = Workbench.from_client(StoreClient(store, "m_a"))
    box = bench.reminders.widget.value
    assert 'data-student="sa1" data-task="event_talk"' in box and "已逾期" in box and "学生sa1" in box
    school = Workbench.from_client(StoreClient(store, "adm_a")).reminders.widget.value
    assert "全校" in school and "学生sa1" not in school  # a school admin gets counts only


def test_the_focus_review_page_decides_and_starts_a_team(store):
    store.add_focus_nomination(store.actor_for("m_a"), {"student_id": "sa2", "reason": "家里刚添了弟弟，情绪起伏。"})
    psych = FocusReviewPage.from_client(StoreClient(store, "psy_a"))
    assert 'data-student="sa2" data-outcome="undecided"' in psych.table.value and "导师提名" in psych.table.value
    assert psych.team_box.layout.display == "none"  # the psychology teacher does not set teams up
    psych.picker.value = "sa2"
    psych.outcome.value = "not_focus"
    psych.save.click()
    assert "mh-status-error" in psych.status.value and "说明" in psych.status.value
    psych.outcome.value = "focus"
    psych.note.value = "本学期每两周谈心一次。"
    psych.save.click()
    assert "已保存" in psych.status.value and 'data-outcome="focus"' in psych.table.value
    leader = FocusReviewPage.from_client(StoreClient(store, "lead_a"))
    assert leader.team_box.layout.display is None
    assert [value for _, value in leader.team_student.options] == ["sa2"]
    leader.team_student.value = "sa2"
    leader.lead.value = "ht_a1"
    leader.members.value = ("m_a",)
    leader.goals.value = "每周一次谈心\n与家长每月沟通一次"
    leader.team_button.click()
    assert "已为" in leader.status.value, leader.status.value
    plans = store.find_support_plans(store.actor_for("m_a"))
    assert [(p["student_id"], p["goals"]) for p in plans] == [("sa2", ["每周一次谈心", "与家长每月沟通一次"])]
    assert leader.team_student.options == ()


@pytest.mark.parametrize("user", ["m_a", "adm_a", "ht_a1"])
def test_the_focus_review_page_refuses_others(store, user):
    page = FocusReviewPage.from_client(StoreClient(store, user))
    assert "mh-load-error" in page.widget.children[0].value
