"""The receiving side of a concern in the widgets, headless (set ``.value``, click buttons), on a real store:
the psychology teacher's queue (``widgets.concern_queue``), the mentor's status list (``widgets.concern``) and
the tracker's 待跟进 column, each through ``StoreClient``, which answers as the records service's client does
but calls the store's verbs directly (the HTTP side is tested against a real hub in tests/app)."""

from __future__ import annotations

import pytest

from hub.store import validation as service
from tests import store_client
from widgets import concern_queue_model as model
from widgets.concern import ConcernFlow
from widgets.concern_queue import ConcernQueue
from widgets.tracker import MenteeTracker
from widgets.tracker_model import TermInfo
from widgets.workbench import Workbench


class StoreClient(store_client.StoreClient):
    """``widgets.client.RecordsClient``'s methods for one user, answered by the store (errors as RecordsError)."""

    ROUTES = [("GET", r"reminders", lambda st, a, m, b: st.find_reminders(a))]  # the workbench's reminders box

    def add_flag(self, student_id, level, **fields):
        return self._call("add_flag", {"student_id": student_id, "level": level, **fields}).status_dict()

    def flag_queue(self, status="active"):
        return self._call("find_flag_queue", status)

    def flag(self, flag_id):
        return self._call("find_flag", flag_id)

    def act_on_flag(self, flag_id, action, **fields):
        return self._call("act_on_flag", flag_id, {"action": action, **fields})


@pytest.fixture
def store(fresh_small_world):
    return fresh_small_world


def raise_flag(store, user="m_a", student="sa1", details="近两周午饭独自一人", **extra):
    flag = store.add_flag(store.actor_for(user), {"student_id": student, "level": 1, "signals": ["情绪", "行为"],
                                                  "details": details, **extra})  # fmt: skip
    return flag.flag_id


def open_flag(queue: ConcernQueue, flag_id: int) -> None:
    queue.picker.value = flag_id
    queue.open_button.click()


# --- the model -----------------------------------------------------------------------------------------
def test_the_forms_choices_are_the_services():
    assert model.EXTERNAL_REFERRALS == service.EXTERNAL_REFERRALS
    assert model.FOLLOW_UP_METHODS == service.FOLLOW_UP_METHODS
    assert model.FLAG_OUTCOMES == service.FLAG_OUTCOMES
    assert set(model.REQUIRED) == set(service.FLAG_ACTION_FIELDS)
    for action, fields in service.FLAG_ACTION_FIELDS.items():
        required = {name for name, spec in fields.items() if getattr(spec, "required", False)}
        assert required | ({"level"} if action == "triage" else set()) == set(model.REQUIRED[action]), action


def test_each_step_reads_as_a_sentence():
    flag = {"raised_at": "2026-03-05T08:10:00", "raised_by_name": "王老师", "level": 2, "notes": [
        {"action": "triage", "at": "2026-03-05T09:00:00", "author_name": "心理老师", "text": "约谈",
         "detail": {"level_from": 1, "level_to": 2}},
        {"action": "assign", "at": "2026-03-05T09:05:00", "author_name": "心理老师", "text": "",
         "assignee_name": "校长", "detail": {"assignee": "principal1"}},
        {"action": "refer", "at": "2026-03-06T10:00:00", "author_name": "校长", "text": "家长同意",
         "detail": {"referred_out_to": "区未成年人心理健康辅导中心", "guardian_informed": True}},
        {"action": "close", "at": "2026-03-20T10:00:00", "author_name": "校长", "text": "结束",
         "detail": {"outcome": "已转介，由校外机构继续跟进"}}]}  # fmt: skip
    whats = [row["what"] for row in model.timeline_rows(flag)]
    assert whats == ["提交关注（一般关注）", "分级：一般关注 → 重点关注", "指派给 校长",
                     "转介：区未成年人心理健康辅导中心（已告知监护人）", "结案：已转介，由校外机构继续跟进"]  # fmt: skip
    assert model.timeline_rows(flag)[0]["at"] == "2026-03-05 16:10"  # stored in UTC, read in Beijing time


def test_a_step_is_checked_before_it_is_sent():
    assert set(model.validate_step("close", {"outcome": None, "note": "  "})) == {"outcome", "note"}
    assert model.validate_step("triage", {"level": 2, "note": ""}) == {}
    assert "不能超过" in model.validate_step("reopen", {"note": "很" * 2001})["note"]
    assert model.step_payload("refer", {"referred_out_to": "其他专业机构", "guardian_informed": False,
                                        "note": " 已联系 "}) == {"referred_out_to": "其他专业机构",
                                                                 "guardian_informed": False, "note": "已联系"}  # fmt: skip
    assert model.step_payload("triage", {"level": 3, "note": ""}) == {"level": 3}


# --- the psychology teacher's queue ---------------------------------------------------------------------
def test_the_psychology_teacher_works_a_concern_through_and_the_mentor_sees_the_status(store):
    flag_id = raise_flag(store, details="<script>alert(1)</script> 课间常独处")
    queue = ConcernQueue.from_client(StoreClient(store, "psy_a"))
    assert f'data-flag="{flag_id}"' in queue.table.value and "学生sa1（A1）" in queue.table.value
    assert "课间常独处" not in queue.table.value  # the list holds no free text
    open_flag(queue, flag_id)
    assert "课间常独处" in queue.detail.value and "<script>" not in queue.detail.value
    assert "&lt;script&gt;" in queue.detail.value
    assert [value for _, value in queue.step.options] == ["triage", "assign", "follow_up", "refer", "close"]

    queue.step.value = "triage"
    queue.forms["triage"].controls["level"].value = 2
    queue.forms["triage"].button.click()
    assert "已保存：分级" in queue.status.value and "分级：一般关注 → 重点关注" in queue.detail.value
    mentor = StoreClient(store, "m_a")
    assert [f["status"] for f in mentor.flags(mine=True)] == ["monitoring"]

    queue.step.value = "assign"
    assert [v for _, v in queue.forms["assign"].controls["assignee"].options] == ["lead_a", "psy_a"]
    queue.forms["assign"].controls["assignee"].value = "lead_a"
    queue.forms["assign"].button.click()
    assert "指派给 教师lead_a" in queue.detail.value

    queue.step.value = "follow_up"
    queue.forms["follow_up"].controls["follow_up_method"].value = "与家长沟通"
    queue.forms["follow_up"].button.click()  # no note: refused in the form, nothing sent
    assert "请填写说明" in queue.forms["follow_up"].errors["note"].value
    assert "还有 1 处" in queue.status.value
    queue.forms["follow_up"].controls["note"].value = "电话联系母亲，约定周五面谈"
    queue.forms["follow_up"].button.click()
    assert "跟进（与家长沟通）" in queue.detail.value and "约定周五面谈" in queue.detail.value

    queue.step.value = "close"
    form = queue.forms["close"]
    form.controls["outcome"].value, form.controls["note"].value = "情况缓解，结束跟进", "连续三周情绪平稳"
    form.button.click()
    assert "结案：情况缓解，结束跟进" in queue.detail.value
    assert [value for _, value in queue.step.options] == ["reopen"]
    assert f'data-flag="{flag_id}"' not in queue.table.value  # gone from the active queue
    queue.filter.value = "closed"
    assert f'data-flag="{flag_id}"' in queue.table.value
    assert [f["status"] for f in mentor.flags(mine=True)] == ["closed"]
    actions = [e.action for e in store.find_audit(store.actor_for("admin"), action="flag.") if e.actor == "psy_a"]
    assert {"flag.triage", "flag.assign", "flag.follow_up", "flag.close", "flag.read_details"} <= set(actions)


def test_a_refused_step_keeps_what_was_typed(store):
    flag_id = raise_flag(store)
    queue = ConcernQueue.from_client(StoreClient(store, "psy_a"))
    open_flag(queue, flag_id)
    store.act_on_flag(store.actor_for("lead_a"), flag_id, {"action": "close", "outcome": "其他", "note": "校长已结案"})
    queue.step.value = "follow_up"
    form = queue.forms["follow_up"]
    form.controls["follow_up_method"].value, form.controls["note"].value = "观察", "课间观察，情绪平稳"
    form.button.click()
    assert "服务未接受" in queue.status.value and "重新打开" in queue.status.value
    assert form.controls["note"].value == "课间观察，情绪平稳"


def test_opening_without_a_choice_says_so(store):
    queue = ConcernQueue.from_client(StoreClient(store, "psy_a"))
    queue.open_button.click()
    assert "请先选择" in queue.status.value


# --- the mentor's side ----------------------------------------------------------------------------------
def test_the_concern_list_shows_names_and_only_what_i_raised(store):
    raise_flag(store, user="ht_a1", student="sa3")
    mine = raise_flag(store, user="psy_a", student="sa2")
    client = StoreClient(store, "psy_a")
    flow = ConcernFlow(client, [], client.flags(mine=True), username="psy_a")
    assert f'data-flag="{mine}"' in flow.flag_list.value and "学生sa2" in flow.flag_list.value
    assert "学生sa3" not in flow.flag_list.value and ">sa2<" not in flow.flag_list.value  # a name, not an id


def test_a_raised_concern_shows_in_the_trackers_follow_ups_and_its_status_changes(store):
    client = StoreClient(store, "m_a")
    me = client.me()
    tracker = MenteeTracker(client, me["mentees"], TermInfo(me["term_id"]), flags=client.flags(mine=True))
    cell = 'data-student="sa1"'
    assert "待跟进" in tracker.view.table.value and "关注" not in row_of(tracker, "sa1")
    flow = ConcernFlow(client, me["mentees"], [], username="m_a", on_raised=tracker.set_flags)
    flow.student.value, flow.signals.value, flow.immediate_risk.value = "sa1", ("情绪",), False
    flow.submit.click()
    assert cell in tracker.view.table.value and "关注 1 项（已提交，待处理）" in row_of(tracker, "sa1")
    flag_id = client.flags(mine=True)[0]["flag_id"]
    store.act_on_flag(store.actor_for("psy_a"), flag_id, {"action": "triage", "level": 1})
    flow.refresh_button.click()
    assert "跟进中" in flow.flag_list.value and "关注 1 项（跟进中）" in row_of(tracker, "sa1")


def row_of(tracker, student_id: str) -> str:
    table = tracker.view.table.value
    start = table.index(f'data-student="{student_id}"')
    return table[start:table.index("</tr>", start)]


@pytest.mark.parametrize("user, has_queue", [("psy_a", True), ("lead_a", True), ("m_a", False), ("ht_a1", False),
                                             ("adm_a", False)])  # fmt: skip
def test_the_queue_tab_is_there_for_those_who_handle_concerns(store, user, has_queue):
    bench = Workbench.from_client(StoreClient(store, user))
    assert ("关注处理" in bench.tabs.titles) is has_queue
    assert (bench.queue is not None) is has_queue
