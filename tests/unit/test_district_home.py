"""The home page's district side (issue 22): the district's section, the leaders' section, the new links, and the
district timeline's milestones that concern each role with whether the school has met them, from the demo
district (hub.demo), read through ``DistrictInfo`` as the hub reads them."""

from __future__ import annotations

import pytest

from hub.demo import seed_demo
from hub.frontdoor import DistrictInfo, HomeSections, milestone_view, sections_for_groups
from hub.store import open_store
from hub.store.testing import new_database_url


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("district-home"))
    store = open_store(url)
    seed_demo(store)
    yield store, url
    store.close()


def keys(sections):
    return [section.key for section in sections]


def test_sections_of_the_district_and_of_school_leaders():
    district = {s.key: s for s in sections_for_groups({"district-staff"})}
    assert list(district) == ["district"]
    assert [link.title for link in district["district"].links] == ["各校实施方案", "区级看板", "研究看板"]
    assert "leadership" in keys(sections_for_groups({"teachers"}, roles={"leader", "mentor"}))
    assert "leadership" not in keys(sections_for_groups({"teachers"}, roles={"mentor"}))
    school = next(s for s in sections_for_groups({"school-admins"}) if s.key == "school")
    assert school.links[-1].title == "学校实施方案" and school.links[-1].url.endswith("%E5%AD%A6%E6%A0%A1%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88.ipynb")
    workbench = next(s for s in sections_for_groups({"teachers"}) if s.key == "workbench")
    assert "导师工作档案" in [link.title for link in workbench.links]


@pytest.mark.parametrize("item, status, note", [
    ({"title": "t", "due_date": "2026-09-01", "overdue": False, "met": True}, "met", "本校已完成"),
    ({"title": "t", "due_date": "2026-09-01", "overdue": True, "met": False}, "overdue", "本校尚未完成（已过截止日期）"),
    ({"title": "t", "due_date": "2026-09-01", "overdue": False, "met": False}, "open", "本校尚未完成"),
    ({"title": "t", "due_date": "2026-09-01", "overdue": False, "met": None}, "unchecked", ""),
    ({"title": "t", "due_date": "2026-09-01", "overdue": True, "schools_met": 1, "schools": 2}, "overdue", "已完成学校 1/2"),
])  # fmt: skip
def test_a_milestones_status_in_words(item, status, note):
    view = milestone_view(item)
    assert (view.status, view.note) == (status, note)


class User:
    def __init__(self, name, groups):
        self.name = name
        self.groups = [type("Group", (), {"name": g})() for g in groups]


def timeline(demo, name, groups):
    _, url = demo
    sections = HomeSections({}, DistrictInfo(url))(User(name, groups))
    return {s.key: s for s in sections}


def test_each_role_sees_the_milestones_that_concern_it_and_whether_its_school_met_them(demo):
    store, _ = demo
    east_admin = timeline(demo, "schooladmin1", {"school-admins", "teachers"})["timeline"].milestones
    by_title = {m.title: m for m in east_admin}
    assert by_title["上报学校实施方案"].note.startswith("本校")
    assert by_title["制定学校实施方案（一校一策）"].status == "met"  # 东湖 submitted its plan in the demo
    assert by_title["初步建立导师与学生的双向匹配"].status == "met"  # every demo student has a primary mentor
    west_admin = {m.title: m for m in timeline(demo, "schooladmin2", {"school-admins"})["timeline"].milestones}
    assert west_admin["制定学校实施方案（一校一策）"].status in ("open", "overdue")  # 西岭's plan is a draft
    teacher = {m.title for m in timeline(demo, "teacher3", {"teachers"})["timeline"].milestones}
    assert "导师开展家访" in teacher and "上报学校实施方案" not in teacher
    district = timeline(demo, "district1", {"district-staff"})
    notes = [m.note for m in district["timeline"].milestones if m.note]
    assert "已完成学校 1/2" in notes and list(district) == ["district", "timeline"]
    principal = timeline(demo, "principal1", {"teachers"})
    assert "leadership" in principal and any(m.title == "区域交流研讨" for m in principal["timeline"].milestones)


def test_the_home_page_still_works_when_the_store_cannot_be_read(tmp_path):
    sections = HomeSections({}, DistrictInfo(f"sqlite:///{tmp_path / 'missing' / 'none.sqlite'}"))(User("x", {"teachers"}))
    assert "timeline" not in keys(sections) and "workbench" in keys(sections)


def test_the_demo_seeds_the_districts_side(demo):
    store, _ = demo
    district = store.actor_for("district1")
    assert district.roles == {"district"} and not district.school_ids
    plans = {p["school_id"]: p["status_label"] for p in store.find_school_plans(district)}
    assert plans == {"dh": "需修改", "xl": "未提交"}
    assert len(store.find_milestones(district)) == 9
    assert "district-staff" in store.group_memberships() and store.group_memberships()["district-staff"] == ["district1"]
