"""Course metadata: the real catalog loads; bad metadata is refused with a message naming the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from hub.courses.catalog import find_course, load_catalog, load_course, load_schema
from hub.courses.errors import Invalid, NotFound

COURSES = Path(__file__).resolve().parents[2] / "courses"
TIERS = {"新任导师", "骨干导师", "工作室主持人"}


def test_repository_catalog_has_the_three_courses():
    catalog = load_catalog(COURSES)
    assert set(catalog) == {"foundations", "psychology", "family-guidance"}
    for course in catalog.values():
        assert len(course.assignments) >= 3
        assert course.tier in TIERS
    assert any(t in {"骨干导师", "工作室主持人"} for c in catalog.values() for t in c.tiers)


def test_assignment_tier_defaults_to_course_tier():
    catalog = load_catalog(COURSES)
    psychology = catalog["psychology"]
    assert psychology.assignment("signals").tier == psychology.tier
    assert psychology.assignment("adolescence-talk").tier == "骨干导师"


@pytest.fixture
def course_copy(tmp_path):
    shutil.copy(COURSES / "course.schema.json", tmp_path / "course.schema.json")
    shutil.copytree(COURSES / "foundations", tmp_path / "foundations")
    return tmp_path


def edit(course_copy, change):
    path = course_copy / "foundations" / "course.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d.update(colour="red"), "（顶层）"),
    (lambda d: d.update(tier="高级导师"), "tier"),
    (lambda d: d["assignments"][1].update(credit_hours=-1), "assignments[1].credit_hours"),
    (lambda d: d["assignments"][0].update(pass_ratio=1.5), "assignments[0].pass_ratio"),
    (lambda d: d["assignments"][0].update(extra=True), "assignments[0]"),
    (lambda d: d["assignments"][2].pop("title"), "assignments[2]"),
    (lambda d: d.update(stages=[]), "stages"),
    (lambda d: d["assignments"][0].update(due="next monday"), "assignments[0].due"),
])
def test_invalid_metadata_names_the_field(course_copy, change, field):
    edit(course_copy, change)
    with pytest.raises(Invalid) as error:
        load_course(course_copy / "foundations", load_schema(course_copy))
    assert f"字段 {field} 有误" in str(error.value)


def test_course_id_must_match_folder(course_copy):
    edit(course_copy, lambda d: d.update(course_id="other-course"))
    with pytest.raises(Invalid, match="必须与文件夹名"):
        load_catalog(course_copy)


def test_duplicate_assignment_ids_are_refused(course_copy):
    edit(course_copy, lambda d: d["assignments"].append(dict(d["assignments"][0])))
    with pytest.raises(Invalid, match="重复"):
        load_catalog(course_copy)


def test_missing_source_notebook_is_refused(course_copy):
    shutil.rmtree(course_copy / "foundations" / "source" / "matching")
    with pytest.raises(Invalid, match="缺少源笔记本"):
        load_catalog(course_copy)


def test_unknown_course_and_assignment(course_copy):
    catalog = load_catalog(course_copy)
    with pytest.raises(NotFound, match="没有编号为「nope」的课程"):
        find_course(catalog, "nope")
    with pytest.raises(NotFound, match="policy-basics"):
        catalog["foundations"].assignment("nope")


def test_due_date_is_parsed_with_offset(course_copy):
    edit(course_copy, lambda d: d["assignments"][0].update(due="2026-01-16T18:00:00+08:00"))
    due = load_catalog(course_copy)["foundations"].assignments[0].due
    assert due.utcoffset().total_seconds() == 8 * 3600 and due.hour == 18
