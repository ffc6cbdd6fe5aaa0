"""`mentorhub district account|milestones` as a subprocess on a real store: a district account with a one-time
password and a forced change, in the hub group district-staff, reaching no student; the plan's schedule as a
year's milestones, once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub.auth import password_matches
from hub.store import access, open_store
from hub.store.testing import build_small_world, new_database_url

MENTORHUB = str(Path(sys.executable).parent / "mentorhub")
PASSWORD_LINE = re.compile(r"^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$", re.M)


def mentorhub(*args) -> subprocess.CompletedProcess:
    return subprocess.run([MENTORHUB, "district", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("district-command"))
    store = open_store(url)
    build_small_world(store)
    store.close()
    return url


def test_a_district_account_is_made_once_with_a_temporary_password(db):
    done = mentorhub("account", "dyk.wang", "--name", "德育科王老师", "--db", db)
    assert done.returncode == 0, done.stderr
    password = PASSWORD_LINE.search(done.stdout).group()
    store = open_store(db)
    try:
        account = store.find_account("dyk.wang")
        assert password_matches(password, account["password_hash"]) and account["must_change_password"]
        actor = store.actor_for("dyk.wang")
        assert actor.roles == {"district"} and access.reach(actor, access.STUDENT_READ).empty
        assert store.group_memberships()["district-staff"] == ["dyk.wang"]
        assert any(a.action == "account.add" for a in store.find_audit(store.actor_for("admin"), action="account.add"))
    finally:
        store.close()
    again = mentorhub("account", "dyk.wang", "--db", db)
    assert again.returncode == 1 and "已存在" in again.stderr


def test_the_years_milestones_are_made_once(db):
    done = mentorhub("milestones", "--year", "2026-2027", "--first-day", "2026-09-01", "--db", db)
    assert done.returncode == 0 and "9 个区级时间节点" in done.stdout
    store = open_store(db)
    try:
        items = store.find_milestones(store.actor_for("admin"), "2026-2027")
        assert items[0]["due_date"] < items[-1]["due_date"] and any(m["check"] == "plan_submitted" for m in items)
    finally:
        store.close()
    assert mentorhub("milestones", "--year", "2026-2027", "--first-day", "2026-09-01", "--db", db).returncode == 1
    bad = mentorhub("milestones", "--year", "2026-2027", "--first-day", "2026-9-1x", "--db", db)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
