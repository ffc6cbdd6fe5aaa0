"""一校一策 (issue 22, part 1): the plan form's validation, the generated .docx read back with python-docx, and
the submit / review / version flow across the school's and the district's roles, on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from docx import Document
from sqlalchemy import select

from hub.district_docs import plan_docx
from hub.store import Conflict, Forbidden, Invalid, NotFound
from hub.store.district_verbs import PLAN_HEADINGS, PLAN_TEXT_MAX, check_plan_sections
from hub.store.models import AuditLog
from tests.district_support import plan_sections


@pytest.fixture
def world(fresh_small_world):
    fresh_small_world.add_account("dist1", platform_roles=["district"], must_change_password=False)
    return fresh_small_world


def test_a_complete_plan_passes_and_keeps_every_heading():
    cleaned = check_plan_sections(plan_sections(), complete=True)
    assert list(cleaned) == list(PLAN_HEADINGS)
    assert all(text.startswith(PLAN_HEADINGS[key]) for key, text in cleaned.items())


@pytest.mark.parametrize("change, field, words", [
    (lambda s: {**s, "goals": ""}, "goals", "工作目标"),
    (lambda s: {**s, "training": "太短"}, "training", "研训制度"),
    (lambda s: {**s, "incentives": "激" * (PLAN_TEXT_MAX + 1)}, "incentives", "上限"),
    (lambda s: {**s, "duties": "联系人电话 13812345678，请与其联系安排导师工作"}, "duties", "电话"),
    (lambda s: {**s, "matching": "双向匹配\ud800的机制说明写在这里，足够长的文字"}, "matching", "匹配机制"),
    (lambda s: {**s, "matching": "双向匹配\x00的机制说明写在这里，足够长的文字"}, "matching", "匹配机制"),
    (lambda s: {**s, "ranking": "按成绩给学生排名"}, "ranking", "没有"),
    (lambda s: {**s, "goals": 42}, "goals", "工作目标"),
])  # fmt: skip
def test_a_bad_plan_is_refused_with_the_heading_named(change, field, words):
    with pytest.raises(Invalid) as info:
        check_plan_sections(change(plan_sections()), complete=True)
    assert info.value.field == field
    assert words in info.value.message_zh


def test_a_draft_may_leave_headings_empty_but_cannot_be_submitted(world):
    admin = world.actor_for("adm_a")
    draft = world.save_school_plan(admin, None, {"sections": {"goals": "学生人人有导师、教师人人是导师，本学年实现全覆盖。"}})
    assert draft["status"] == "draft" and draft["sections"]["matching"] == ""
    with pytest.raises(Invalid) as info:
        world.submit_school_plan(admin, None)
    assert info.value.field == "organisation" and "组织架构" in info.value.message_zh
    assert world.find_school_plan(admin)["status"] == "draft"  # nothing half-written


def test_a_refused_save_changes_nothing(world):
    admin = world.actor_for("adm_a")
    world.save_school_plan(admin, None, {"sections": plan_sections()})
    with pytest.raises(Invalid):
        world.save_school_plan(admin, None, {"sections": {"goals": "新的目标写在这里，足够长的一段文字说明。", "duties": "电话 13812345678"}})
    assert world.find_school_plan(admin)["sections"] == plan_sections()


def test_submit_review_and_versions_across_school_and_district(world):
    admin, leader, district = world.actor_for("adm_a"), world.actor_for("lead_a"), world.actor_for("dist1")
    assert [p["status_label"] for p in world.find_school_plans(district)] == ["未提交", "未提交"]
    world.save_school_plan(admin, None, {"sections": plan_sections()})
    first = world.submit_school_plan(leader, "A")
    assert (first["status"], first["version"]) == ("submitted", 1)
    assert first["versions"][0]["figures"]["students"] == 4 and first["versions"][0]["figures"]["staff"] == 7
    with pytest.raises(Conflict):  # waiting for the district: no edits, no second submission
        world.save_school_plan(admin, None, {"sections": {"goals": "改动的目标文字写在这里，足够长。"}})
    with pytest.raises(Conflict):
        world.submit_school_plan(admin, None)
    # the district sees every school's status in the fixed order, comments, asks for changes
    assert [(p["school_id"], p["status_label"]) for p in world.find_school_plans(district)] == [("A", "已提交"), ("B", "未提交")]
    world.review_school_plan(district, "A", {"action": "comment", "text": "匹配机制写得清楚。"})
    back = world.review_school_plan(district, "A", {"action": "request_changes", "text": "请补充研训制度的具体安排。"})
    assert back["status_label"] == "需修改"
    # the school sees the comments, edits, submits version 2
    seen = world.find_school_plan(admin)
    assert [r["action_label"] for r in seen["reviews"]] == ["意见", "需修改"]
    world.save_school_plan(admin, None, {"sections": {"training": "每月一次导师团集体教研，每学期两次校本培训，案例研讨有记录。"}})
    second = world.submit_school_plan(admin, None)
    assert second["version"] == 2 and [v["version"] for v in second["versions"]] == [1, 2]
    assert second["versions"][0]["sections"]["training"] == plan_sections()["training"]  # version 1 kept as sent
    assert second["versions"][1]["sections"]["training"].startswith("每月一次")
    filed = world.review_school_plan(district, "A", {"action": "file"})
    assert filed["status_label"] == "已备案" and filed["reviews"][-1]["version"] == 2
    with pytest.raises(Conflict):
        world.save_school_plan(admin, None, {"sections": {"goals": "备案后再改的目标文字，足够长的一段。"}})
    with world.reading() as s:
        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.action.like("school_plan.%"))))
    assert actions.count("school_plan.submit") == 2 and "school_plan.file" in actions


def test_who_may_do_what_with_plans(world):
    world.save_school_plan(world.actor_for("adm_a"), None, {"sections": plan_sections()})
    world.submit_school_plan(world.actor_for("adm_a"), None)
    with pytest.raises(NotFound):  # another school's admin
        world.find_school_plan(world.actor_for("adm_b"), "A")
    with pytest.raises(NotFound):
        world.save_school_plan(world.actor_for("adm_b"), "A", {"sections": plan_sections()})
    for user in ("m_a", "ht_a1", "psy_a", "trainer1", "studio1"):
        with pytest.raises(Forbidden):
            world.find_school_plans(world.actor_for(user))
    for user in ("adm_a", "lead_a", "admin"):  # the school cannot file its own plan; nor can the platform admin
        with pytest.raises(Forbidden):
            world.review_school_plan(world.actor_for(user), "A", {"action": "file"})
    with pytest.raises(Forbidden):  # the district reads and reviews, it does not write schools' plans
        world.save_school_plan(world.actor_for("dist1"), "A", {"sections": plan_sections()})
    assert world.find_school_plan(world.actor_for("admin"), "A")["status"] == "submitted"
    with pytest.raises(Invalid) as info:
        world.review_school_plan(world.actor_for("dist1"), "A", {"action": "request_changes", "text": ""})
    assert info.value.field == "text"


def docx_text(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def test_the_generated_docx_reads_back_with_every_part_and_the_figures(world):
    admin = world.actor_for("adm_a")
    world.save_school_plan(admin, None, {"sections": plan_sections("=HYPERLINK(\"http://x\")")})
    world.submit_school_plan(admin, None)
    data, filename = world.find_school_plan_docx(world.actor_for("dist1"), "A", 1)
    assert filename.endswith("第1版.docx") and "甲校" in filename
    paragraphs, tables = docx_text(data)
    assert paragraphs[0] == "甲校全员导师制工作学校实施方案"
    headings = [p for p in paragraphs if p[:2] in {f"{n}、" for n in "一二三四五六七"}]
    assert headings == [f"{n}、{label}" for n, label in zip("一二三四五六七", PLAN_HEADINGS.values(), strict=True)]
    for key, text in plan_sections("=HYPERLINK(\"http://x\")").items():
        assert text in paragraphs, key  # the text as plain paragraphs, a formula-looking tail included
    figures = dict((row[0], row[1]) for row in tables[0][1:])
    assert figures["教职工数"] == "7" and figures["学生数"] == "4" and figures["班级数（按学段）"] == "初中2个"
    assert figures["导师与学生比"] == "1:0.6"


def test_plan_docx_of_an_empty_draft_still_has_every_heading():
    paragraphs, _ = docx_text(plan_docx("乙校", "2026-2027", PLAN_HEADINGS, {}, {"staff": 0, "students": 0, "classes": {}}))
    assert sum(label in p for p in paragraphs for label in PLAN_HEADINGS.values()) == len(PLAN_HEADINGS)
