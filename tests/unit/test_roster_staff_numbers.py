"""Issue 17, part 5: rosters as schools export them. Staff numbers with capital letters (``CN2019A07``, as HR
systems write them) are accepted; the login name is the number in lower case, and the import says which
login names it made. Numbers that differ only in case, or a login name someone else already has, are
refused with both named."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hub.roster import RosterRefused, import_roster_file
from hub.store import Conflict
from tests.unit.test_roster import GOOD, write_xlsx

REPO = Path(__file__).resolve().parents[2]
HR_NUMBER = "CN2019A07"


def hr_roster(*extra_staff: dict) -> dict:
    """GOOD, with 王老师 numbered as HR numbers her (and head teacher of c701 under that number)."""
    staff = [{**GOOD["staff"][0], "staff_id": HR_NUMBER}, *GOOD["staff"][1:], *extra_staff]
    classes = [{**GOOD["classes"][0], "head_teacher_id": HR_NUMBER}, GOOD["classes"][1]]
    return {**GOOD, "staff": staff, "classes": classes}


@pytest.fixture
def store(empty_store):
    return empty_store


def test_a_capitalised_staff_number_is_imported_and_logs_in_in_lower_case(store, tmp_path):
    import_roster_file(store, write_xlsx(tmp_path / "hr.xlsx", hr_roster()))
    assert store.find_staff(HR_NUMBER).name == "王老师"
    account = store.find_account("cn2019a07")
    assert account["staff_id"] == HR_NUMBER and account["must_change_password"] is True
    actor = store.actor_for("cn2019a07")
    assert actor.staff_id == HR_NUMBER and actor.school_ids == {"s1"} and actor.class_ids == {"c701"}
    assert "cn2019a07" in store.group_memberships()["school-s1"]


def test_numbers_that_differ_only_in_case_are_refused_with_both_rows_named(store, tmp_path):
    twin = {**GOOD["staff"][1], "staff_id": "cn2019a07", "name": "另一位王老师"}
    with pytest.raises(RosterRefused) as refused:
        import_roster_file(store, write_xlsx(tmp_path / "hr.xlsx", hr_roster(twin)))
    [problem] = [p for p in refused.value.problems if p.column == "staff_id"]
    assert (problem.sheet, problem.row) == ("staff", 5)  # the twin; 王老师 is on row 2
    assert "第 2 行" in problem.message and HR_NUMBER in problem.message and "cn2019a07" in problem.message
    assert store.find_staff_members() == []


def test_a_login_name_that_belongs_to_someone_else_refuses_the_roster(store, tmp_path):
    store.add_account("cn2019a07", platform_roles=["admin"], display_name="平台管理员")
    with pytest.raises(Conflict) as conflict:
        import_roster_file(store, write_xlsx(tmp_path / "hr.xlsx", hr_roster()))
    assert HR_NUMBER in conflict.value.message_zh and "cn2019a07" in conflict.value.message_zh
    assert store.find_staff_members() == [] and store.find_schools() == []


def test_the_command_says_which_login_names_it_made(tmp_path):
    path = write_xlsx(tmp_path / "hr.xlsx", hr_roster())
    command = [str(REPO / ".venv" / "bin" / "mentorhub"), "roster", "import", str(path),
               "--db", f"sqlite:///{tmp_path / 'records.sqlite'}", "--upgrade"]  # fmt: skip
    first = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "新建登录名 3 个" in first.stdout and f"{HR_NUMBER} → cn2019a07" in first.stdout
    assert "t_zhao → t_zhao" in first.stdout
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "没有新建登录名" in again.stdout
