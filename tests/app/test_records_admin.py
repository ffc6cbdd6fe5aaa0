"""School administration through the real hub (``running_hub``, seeded demo district): the staff list the
matching panel reads (``MatchingModel.from_client`` on the demo data), and `mentorhub account reset` giving
an imported staff member a temporary password that logs in through the real login page and must be changed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import utf8_session
from widgets.client import RecordsClient, RecordsError
from widgets.matching_model import MatchingModel

pytestmark = pytest.mark.app
MENTORHUB = str(Path(sys.executable).parent / "mentorhub")


def client_for(hub, user) -> RecordsClient:
    return RecordsClient(f"{hub.url}/services/records/api/v1/", hub.user_token(user))


def test_school_admin_gets_the_school_staff(running_hub, store):
    staff = client_for(running_hub, "schooladmin1").staff(mentors_only=False)
    expected = sorted(s.staff_id for s in store.find_staff_members("dh") if s.active)
    assert [s["staff_id"] for s in staff] == expected
    by_id = {s["staff_id"]: s for s in staff}
    teacher1 = store.find_staff("teacher1")
    assert by_id["teacher1"]["max_mentees"] == teacher1.max_mentees and by_id["teacher1"]["name"] == teacher1.name
    assert "head_teacher" in by_id["teacher1"]["roles"] and "dh-601" in by_id["teacher1"]["classes"]
    assert by_id["schooladmin1"]["mentor"] is False
    mentors = client_for(running_hub, "schooladmin1").staff()
    assert "schooladmin1" not in {m["staff_id"] for m in mentors} and "psych1" in {m["staff_id"] for m in mentors}
    assert {s["school_id"] for s in client_for(running_hub, "schooladmin2").staff(mentors_only=False)} == {"xl"}


@pytest.mark.parametrize("user", ["teacher1", "psych1", "leader1", "trainer1", "admin"])
def test_nobody_else_gets_a_staff_list(running_hub, user):
    with pytest.raises(RecordsError) as info:
        client_for(running_hub, user).staff()
    assert info.value.status == 403 and info.value.message_zh


def test_matching_panel_model_matches_the_demo_school_from_the_service(running_hub, store):
    model = MatchingModel.from_client(client_for(running_hub, "schooladmin1"))
    summary = model.summary()
    students = store.find_students_in(school_id="dh")
    assert summary["students"] == len(students)
    report = model.run()
    assert report["blocking_pairs"] == 0
    rows = model.result_rows()
    assert sorted(r["student_id"] for r in rows) == sorted(s.student_id for s in students)
    capacity = {m["mentor_id"]: m["capacity"] for m in model.mentor_rows()}
    assert all(m["load"] <= capacity[m["mentor_id"]] <= 15 for m in model.mentor_rows())
    special = {s.student_id for s in students if s.needs_mentors > 1}
    assert special and all(r["additional"] for r in rows if r["student_id"] in special)


def post_form(hub, path, session=None, **fields):
    session = session or utf8_session()
    session.get(f"{hub.url}/hub/login", timeout=30)
    return session, session.post(f"{hub.url}/hub/{path}", timeout=60,
                                 data={**fields, "_xsrf": session.cookies.get("_xsrf")})  # fmt: skip


def test_reset_password_logs_in_and_must_be_changed(running_hub, store):
    # an imported staff member: an account without a password cannot log in at all
    store.import_roster([], [], [{"staff_id": "newstaff1", "name": "新教师", "school_id": "dh",
                                  "roles": ["subject"]}], [])  # fmt: skip
    assert store.find_account("newstaff1")["password_hash"] == ""
    _, refused = post_form(running_hub, "login", username="newstaff1", password="")
    assert refused.status_code == 403

    db = f"sqlite:///{running_hub.state_dir / 'records.sqlite'}"
    done = subprocess.run([MENTORHUB, "account", "reset", "newstaff1", "--db", db], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    password = re.search(r"^(\S{4}-\S{4}-\S{4})$", done.stdout, re.M).group(1)

    session, first = post_form(running_hub, "login", username="newstaff1", password=password)
    assert first.status_code == 200 and "首次登录请先修改初始密码" in first.text
    assert "jupyterhub-session-id" not in session.cookies
    session, changed = post_form(running_hub, "change-password", username="newstaff1", current_password=password,
                                 new_password="导师新密码2026", confirm_password="导师新密码2026")  # fmt: skip
    assert changed.status_code == 200 and changed.url.endswith("/hub/home")
    assert "jupyterhub-session-id" in session.cookies
    assert store.find_account("newstaff1")["must_change_password"] is False
    _, old = post_form(running_hub, "login", username="newstaff1", password=password)
    assert old.status_code == 403
