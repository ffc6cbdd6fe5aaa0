"""Record form checks (before anything is sent), the request body, and agreement with the service's fields."""

import datetime as dt

import pytest

from hub.store import validation as service
from widgets.concern_model import concern_payload, status_rows, validate_concern
from widgets.forms_model import CHOICE, KIND_FORMS, MULTI, TermDates, build_payload, validate

TODAY = dt.date(2025, 4, 10)
TERM = TermDates("2024-2025-2", dt.date(2025, 2, 17), dt.date(2025, 7, 4))
VALID = {
    "home_visit": {"form": "视频", "purpose": "了解居家学习环境"},
    "talk": {"talk_type": "例行关怀", "summary": "聊了开学适应情况。"},
    "growth_message": {"text": "记得那次运动会你主动帮同学搬器材，希望你继续保持这份热心。"},
    "parent_contact": {"channel": "电话", "topic": "作业", "content_summary": "沟通作业完成情况。"},
    "guidance": {"domains": ("学习辅导",), "summary": "一起整理错题。"},
}


def values(kind, **changes):
    return {"student_id": "c1-01", "date": dt.date(2025, 4, 1), **VALID[kind], **changes}


@pytest.mark.parametrize("kind", list(KIND_FORMS))
def test_a_valid_form_has_no_errors_and_builds_the_service_payload(kind):
    assert validate(kind, values(kind), today=TODAY, term=TERM) == {}
    payload = build_payload(kind, values(kind), client_ref="abc")
    assert payload["kind"] == kind and payload["date"] == "2025-04-01" and payload["client_ref"] == "abc"
    # the service accepts exactly this body
    envelope, rest = service.split_payload(payload)
    service.validate_record_fields(kind, rest, dt.date(2025, 4, 1))


BAD = [
    ("talk", {"student_id": None}, "student_id", "请先选择学生"),
    ("talk", {"date": None}, "date", "请填写日期"),
    ("talk", {"date": dt.date(2025, 4, 11)}, "date", "不能晚于今天"),
    ("talk", {"date": dt.date(2025, 1, 5)}, "date", "不在本学期"),
    ("talk", {"summary": "   "}, "summary", "请填写摘要"),
    ("talk", {"talk_type": None}, "talk_type", "请选择谈话类型"),
    ("talk", {"summary": "很" * 2001}, "summary", "不能超过2000个字"),
    ("talk", {"follow_up_date": dt.date(2025, 3, 1)}, "follow_up_date", "跟进日期不能早于记录日期"),
    ("home_visit", {"form": None}, "form", "请选择家访形式"),
    ("home_visit", {"purpose": ""}, "purpose", "请填写家访目的"),
    ("growth_message", {"text": "加油"}, "text", "至少需要10个字"),
    ("guidance", {"domains": ()}, "domains", "请至少选择一项指导领域"),
    ("parent_contact", {"topic": ""}, "topic", "请填写沟通主题"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "change", "field", "message"), BAD)
def test_each_invalid_input_has_its_message(kind, change, field, message):
    errors = validate(kind, values(kind, **change), today=TODAY, term=TERM)
    assert list(errors) == [field]
    assert message in errors[field]


def test_empty_optional_fields_are_left_out_of_the_payload():
    payload = build_payload("talk", values("talk", trigger="  ", escalation=False, guidance_domains=()))
    assert set(payload) == {"kind", "student_id", "date", "talk_type", "summary"}


@pytest.mark.parametrize("kind", list(KIND_FORMS))
def test_form_fields_agree_with_the_records_service(kind):
    specs = service.KIND_FIELDS[kind]
    mine = {f.name: f for f in KIND_FORMS[kind]}
    assert set(mine) == set(specs)
    for name, spec in specs.items():
        assert mine[name].required == spec.required, name
        if isinstance(spec, service.Choice | service.Choices):
            assert mine[name].kind in (CHOICE, MULTI)
            assert set(mine[name].choices) <= set(spec.choices), name
        if isinstance(spec, service.Text):
            assert mine[name].limit == spec.limit, name


def test_concern_checks_and_routing():
    assert set(validate_concern({"level": 1})) == {"student_id", "immediate_risk", "signals"}
    calm = {"student_id": "s", "signals": ("情绪",), "level": 2, "immediate_risk": False, "details": " 课上哭泣 "}
    assert validate_concern(calm) == {}
    assert concern_payload(calm) == {"student_id": "s", "level": 2, "signals": ["情绪"], "immediate_risk": False,
                                     "details": "课上哭泣"}  # fmt: skip
    urgent = concern_payload({**calm, "immediate_risk": True, "level": 1})
    assert urgent["level"] == 3 and urgent["referred_to"] == "心理教师" and urgent["immediate_risk"] is True


def test_flag_status_rows_never_show_details():
    flags = [{"flag_id": 2, "student_id": "s", "raised_at": "2025-04-01T08:30:00", "status": "monitoring",
              "details": "秘密", "signals": ["情绪"]}]  # fmt: skip
    rows = status_rows(flags, {"s": "甲"})
    assert rows == [{"flag_id": 2, "student": "甲", "raised_at": "2025-04-01 16:30", "status": "跟进中", "updated_at": ""}]
