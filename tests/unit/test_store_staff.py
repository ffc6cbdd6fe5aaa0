"""The school staff list (GET staff's store verb) on SQLite and (with MENTORHUB_TEST_PG_URL) PostgreSQL:
school admins see their own school's active staff with mentoring roles, classes and capacity; nobody else
sees a staff list at all."""

from __future__ import annotations

import pytest

from hub.store import Forbidden, open_store
from hub.store.staff_verbs import staff_entry
from hub.store.testing import SMALL_WORLD, build_small_world, new_database_url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path_factory.mktemp("staff"), pg)
    st = open_store(url)
    build_small_world(st)
    st.add_staff("t_a", "教师甲", "A", ["subject", "middle_manager"], subject="数学", max_mentees=12,
                 classes=["A2", "A1"])  # fmt: skip
    st.add_staff("gone_a", "已调离", "A", ["subject"], active=False)
    yield st
    st.close()
    cleanup()


def test_school_admin_sees_own_school_staff_only(store):
    listed = store.find_school_staff(store.actor_for("adm_a"))
    expected = sorted(k for k, (school, _) in SMALL_WORLD["staff"].items() if school == "A") + ["t_a"]
    assert [s["staff_id"] for s in listed] == sorted(expected)  # by id; the inactive member is left out
    by_id = {s["staff_id"]: s for s in listed}
    assert by_id["t_a"] == {
        "staff_id": "t_a", "name": "教师甲", "school_id": "A", "subject": "数学",
        "roles": ["subject", "middle_manager"], "other_roles": [], "mentor": True, "max_mentees": 12,
        "classes": ["A1", "A2"], "head_teacher_of": [],
    }  # fmt: skip
    assert by_id["ht_a1"]["head_teacher_of"] == ["A1"] and by_id["ht_a1"]["roles"] == ["subject", "head_teacher"]
    assert by_id["adm_a"]["mentor"] is False and by_id["adm_a"]["other_roles"] == ["school_admin"]
    assert by_id["adm_a"]["roles"] == []
    other = store.find_school_staff(store.actor_for("adm_b"))
    assert {s["school_id"] for s in other} == {"B"}


@pytest.mark.parametrize("user", ["m_a", "ht_a1", "psy_a", "lead_a", "trainer1", "studio1", "admin", "nobody"])
def test_nobody_else_gets_a_staff_list(store, user):
    with pytest.raises(Forbidden) as info:
        store.find_school_staff(store.actor_for(user))
    assert info.value.message_zh == "您的账号没有权限进行此操作"


def test_staff_entry_splits_mentoring_and_platform_roles():
    class Row:
        staff_id, name, school_id, subject, max_mentees = "x", "某老师", "S", "", 15
        roles = "leader;studio_leader"

    entry = staff_entry(Row(), ["C2", "C1"], ["C1"])
    assert entry["roles"] == ["leader"] and entry["other_roles"] == ["studio_leader"]
    assert entry["classes"] == ["C1", "C2"] and entry["mentor"] is True
