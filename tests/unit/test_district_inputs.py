"""Hostile input on the district's paths (issue 22): plans with hidden phone numbers, invisible characters and
huge texts, milestones with bad dates, roles and sizes, formula-looking names in the exports; a refusal names
the field in Chinese and writes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from hub.district_docs import dashboard_xlsx
from hub.store import Forbidden, Invalid
from hub.store.district_verbs import MILESTONE_MAX
from tests.district_support import plan_sections


@pytest.fixture
def world(fresh_small_world):
    fresh_small_world.add_account("dist1", platform_roles=["district"], must_change_password=False)
    return fresh_small_world


@pytest.mark.parametrize("text", [
    "负责人联系电话：１３８１２３４５６７８，请各位导师有事联系",  # full-width digits
    "负责人联系电话：138\u200b1234\u200b5678，请各位导师有事联系",  # zero-width spaces
    "负责人身份证号 11010519491231002X 已登记在案，供核对使用",
])  # fmt: skip
def test_personal_numbers_are_found_however_written(world, text):
    with pytest.raises(Invalid) as info:
        world.save_school_plan(world.actor_for("adm_a"), None, {"sections": {**plan_sections(), "duties": text}})
    assert info.value.field == "duties" and "职责任务" in info.value.message_zh
    assert world.find_school_plan(world.actor_for("adm_a"))["status"] == "none"  # nothing written


@pytest.mark.parametrize("payload, field", [
    ({"sections": {"goals": "目" * 1_000_000}}, "goals"),
    ({"sections": "not an object"}, "sections"),
    ({"sections": {"\ud800": "x"}}, None),
    ({"sections": {"goals": ["a list"]}}, "goals"),
])
def test_malformed_or_huge_plans_are_refused(world, payload, field):
    with pytest.raises(Invalid) as info:
        world.save_school_plan(world.actor_for("adm_a"), None, payload)
    if field:
        assert info.value.field == field
    assert info.value.message_zh


def milestone(**extra) -> dict:
    return {"title": "上报学校实施方案", "due_date": "2026-07-01", "audience": ["school_admin"], "check": "plan_submitted",
            **extra}  # fmt: skip


@pytest.mark.parametrize("items, field, words", [
    ([milestone(due_date="2026-02-30")], "due_date", "日期"),
    ([milestone(start_date="2026-08-01")], "start_date", "晚于"),
    ([milestone(audience=["principal"])], "audience", "角色"),
    ([milestone(check="rank_schools")], "check", "判断方式"),
    ([milestone(title="")], "title", "名称"),
    ([milestone()] * (MILESTONE_MAX + 1), "milestones", str(MILESTONE_MAX)),
    ("not a list", "milestones", "列表"),
])  # fmt: skip
def test_bad_milestones_are_refused_whole(world, items, field, words):
    district = world.actor_for("dist1")
    world.put_milestones(district, None, [milestone()])
    with pytest.raises(Invalid) as info:
        world.put_milestones(district, None, items)
    assert info.value.field == field and words in info.value.message_zh
    assert [m["title"] for m in world.find_milestones(district)] == ["上报学校实施方案"]  # the old list stands


def test_only_the_district_edits_the_timeline_and_each_role_sees_its_own(world):
    with pytest.raises(Forbidden):
        world.put_milestones(world.actor_for("adm_a"), None, [milestone()])
    with pytest.raises(Forbidden):
        world.put_milestones(world.actor_for("admin"), None, [milestone()])
    world.put_milestones(world.actor_for("dist1"), None, [
        milestone(), {"title": "导师开展家访", "due_date": dt.date.today().isoformat(), "audience": ["mentor"],
                      "check": "home_visits"}])  # fmt: skip
    # the school admin is a mentor too (every active staff member is): both concern them
    assert [m["title"] for m in world.find_milestones(world.actor_for("adm_a"))] == ["上报学校实施方案", "导师开展家访"]
    assert [m["title"] for m in world.find_milestones(world.actor_for("m_a"))] == ["导师开展家访"]
    visits = world.find_milestones(world.actor_for("m_a"))[0]
    assert visits["met"] is False  # no student of school A has a home visit yet
    assert world.find_milestones(world.actor_for("trainer1")) == []


def test_formula_looking_school_names_stay_text_in_the_dashboard_export():
    board = {"term_id": "T", "min_cell": 5, "computed_at": "", "tables": {"activity": [
        {"school": "A", "school_name": "=HYPERLINK(\"http://x\",\"y\")", "team_meetings": 1,
         "team_students_discussed": 0, "studio_sessions": 0, "studio_cases": 0}]}}  # fmt: skip
    book = load_workbook(io.BytesIO(dashboard_xlsx(board)))
    cell = book["导师团与工作室活动"]["A2"]
    assert cell.value == "=HYPERLINK(\"http://x\",\"y\")" and cell.data_type == "s"
