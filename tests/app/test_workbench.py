"""The workbench's widgets, headless (set ``.value``, ``.click()``), against the REAL records service
inside the session's real hub (``running_hub``), seeded with the demo district."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from widgets.client import RecordsClient, RecordsError
from widgets.workbench import ErrorPage, Workbench

pytestmark = pytest.mark.app

TODAY = dt.date.today()
VALID = {
    "home_visit": {"form": "视频", "purpose": "了解居家学习环境和作息", "participants": "导师、母亲"},
    "talk": {"talk_type": "例行关怀", "summary": "聊了期中后的学习安排，学生愿意每天整理错题。",
             "guidance_domains": ("学习辅导",), "follow_up_date": TODAY + dt.timedelta(days=7)},
    "growth_message": {"text": "记得那次运动会你主动帮同学搬器材，我看到了你的热心和担当。希望你继续保持，相信你会越来越好。",
                       "delivered_via": "手写卡"},
    "parent_contact": {"channel": "电话", "topic": "作业习惯", "content_summary": "和家长沟通了近两周的作业情况。"},
    "guidance": {"domains": ("生活指导",), "summary": "一起整理了书包，约定每天放学前整理五分钟。"},
}  # fmt: skip


def client_for(hub, user: str) -> RecordsClient:
    return RecordsClient(f"{hub.url}/services/records/api/v1/", hub.user_token(user))


@pytest.fixture(scope="module")
def teacher1(running_hub):
    return client_for(running_hub, "teacher1")


@pytest.fixture(scope="module")
def bench(teacher1):
    built = Workbench.from_client(teacher1)
    assert isinstance(built, Workbench), getattr(built, "widget", built)
    return built


def mentee(bench, index: int) -> str:
    return bench.me["mentees"][index]["student_id"]


def fill(record_form, student_id: str, /, **values) -> None:
    record_form.set_values(student_id=student_id, date=TODAY, **values)


@pytest.mark.parametrize("kind", list(VALID))
def test_each_form_saves_a_valid_record(bench, teacher1, kind):
    student_id = mentee(bench, 0)
    before = len(teacher1.records_for(student_id))
    form = bench.forms.show(kind)
    fill(form, student_id, **VALID[kind])
    form.save_button.click()
    assert "已保存" in form.status.value, form.status.value
    records = teacher1.records_for(student_id)
    assert len(records) == before + 1
    stored = max(records, key=lambda r: r["record_id"])
    assert stored["kind"] == kind and stored["date"] == TODAY.isoformat() and stored["author"] == "teacher1"
    main_field = {"home_visit": "purpose", "talk": "summary", "growth_message": "text",
                  "parent_contact": "content_summary", "guidance": "summary"}[kind]  # fmt: skip
    assert stored[main_field] == VALID[kind][main_field]
    assert form.controls[main_field].value == ""  # a saved form starts a new record
    if kind in ("home_visit", "talk", "growth_message"):
        row = bench.tracker.view.row(student_id)
        assert row.states[kind] == "done"
        assert f'data-student="{student_id}"' in bench.tracker.view.table.value


INVALID = [
    ("home_visit", {"form": None}, "form", "请选择家访形式"),
    ("home_visit", {"purpose": "  "}, "purpose", "请填写家访目的"),
    ("talk", {"talk_type": None}, "talk_type", "请选择谈话类型"),
    ("talk", {"date": TODAY + dt.timedelta(days=1)}, "date", "不能晚于今天"),
    ("talk", {"follow_up_date": TODAY - dt.timedelta(days=1)}, "follow_up_date", "跟进日期不能早于记录日期"),
    ("talk", {"summary": "很" * 2001}, "summary", "不能超过2000个字"),
    ("growth_message", {"text": "加油"}, "text", "至少需要10个字"),
    ("growth_message", {"text": "小同学，有事请妈妈打13812345678找我，你值日很负责。"}, "text", "个人信息"),
    ("parent_contact", {"topic": ""}, "topic", "请填写沟通主题"),
    ("guidance", {"domains": ()}, "domains", "请至少选择一项指导领域"),
    ("guidance", {"student_id": None}, "student_id", "请先选择学生"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "change", "field", "message"), INVALID,
                         ids=[f"{k}-{f}" for k, _, f, _ in INVALID])  # fmt: skip
def test_each_invalid_input_shows_its_message_and_sends_nothing(bench, teacher1, kind, change, field, message):
    student_id = mentee(bench, 1)
    before = len(teacher1.records_for(student_id))
    form = bench.forms.show(kind)
    fill(form, student_id, **VALID[kind])
    form.set_values(**change)
    form.save_button.click()
    assert message in form.errors[field].value
    assert "需要修改" in form.status.value
    assert len(teacher1.records_for(student_id)) == before


def test_a_refused_save_keeps_the_forms_content(bench, teacher1):
    """The form does not scan talk summaries for phone numbers; the service does and refuses."""
    student_id = mentee(bench, 2)
    before = len(teacher1.records_for(student_id))
    form = bench.forms.show("talk")
    summary = "学生说家长换了新号码 13912345678，让我记下。"
    fill(form, student_id, **{**VALID["talk"], "summary": summary})
    form.save_button.click()
    assert "服务未接受" in form.status.value
    assert "个人信息" in form.errors["summary"].value  # the service's message, next to the field it names
    assert form.controls["summary"].value == summary and form.controls["talk_type"].value == "例行关怀"
    assert len(teacher1.records_for(student_id)) == before
    form.set_values(summary="学生说证件丢了，很着急，约定今天联系家长一起找。")
    form.save_button.click()  # fixed: the same form now saves
    assert "已保存" in form.status.value
    assert len(teacher1.records_for(student_id)) == before + 1


def test_growth_message_helper_advises_but_saves(bench, teacher1):
    student_id = mentee(bench, 3)
    helper = bench.forms.growth
    form = bench.forms.show("growth_message")
    fill(form, student_id, text="这学期你进步很大，排名提高了，比别人更努力，希望你继续加油。")
    assert "排名" in helper.helper.value and "比别人" in helper.helper.value
    form.save_button.click()
    assert "已保存" in form.status.value  # advice does not block


def test_concern_flow_routes_urgent_flags_and_shows_status_only(bench, teacher1):
    flow = bench.concern
    student_id = mentee(bench, 4)
    flow.student.value = student_id
    flow.signals.value = ("情绪", "安全")
    flow.submit.click()
    assert "是否存在即时安全风险" in flow.errors["immediate_risk"].value  # must be answered explicitly
    flow.immediate_risk.value = True
    assert "现在就要做的事" in flow.urgent.value and "心理教师" in flow.urgent.value
    flow.details.value = "课间说不想活了，已陪同在办公室。"
    flow.submit.click()
    assert "已转给心理教师" in flow.status.value, flow.status.value
    mine = [f for f in teacher1.flags() if f["student_id"] == student_id]
    assert mine and all("details" not in f and "signals" not in f for f in mine)
    assert "已提交，待处理" in flow.flag_list.value and "不想活" not in flow.flag_list.value


def test_head_teacher_sees_the_class_in_class_then_id_order(bench):
    view = bench.class_tracker.view
    classes = set(bench.me["classes"])
    assert view.rows and {r.class_id for r in view.rows} <= classes
    assert [r.student_id for r in view.rows] == sorted(r.student_id for r in view.rows)


def test_a_second_teacher_does_not_see_the_first_teachers_records(running_hub, bench, teacher1):
    student_id = mentee(bench, 0)
    other = client_for(running_hub, "teacher2")
    other_bench = Workbench.from_client(other)
    assert student_id not in {m["student_id"] for m in other_bench.me["mentees"]}
    assert f'data-student="{student_id}"' not in other_bench.tracker.view.table.value
    with pytest.raises(RecordsError) as refused:
        other.records_for(student_id)
    assert refused.value.status == 404


def test_school_admin_gets_the_class_summary_and_an_export_without_student_data(running_hub):
    admin = client_for(running_hub, "schooladmin1")
    bench = Workbench.from_client(admin)
    assert "学校汇总" in bench.tabs.titles
    summary = bench.school
    assert "mh-school-summary" in summary.table.value
    data = bench.export.build()
    assert "download=" in bench.export.link.value
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["按班级", "按导师", "说明"]
    classes = [row for row in book["按班级"].iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in classes] == sorted(r[0] for r in classes) and classes
    names = {s["display_name"] for s in admin.students()}
    cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert not names & cells


def test_a_user_without_a_token_gets_a_message_not_a_traceback(running_hub):
    page = Workbench.from_client(RecordsClient(f"{running_hub.url}/services/records/api/v1/", "not-a-token"))
    assert isinstance(page, ErrorPage)
    assert "无法读取数据" in page.widget.children[1].value
