"""`mentorhub account reset|list` as a subprocess on a real store: a temporary password printed once, stored
as a bcrypt hash with a forced change, the lock cleared, the reset audited; hashes never printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub.accounts import ALPHABET, account_rows, temporary_password
from hub.auth import password_matches
from hub.store import open_store
from hub.store.testing import build_small_world, new_database_url

MENTORHUB = str(Path(sys.executable).parent / "mentorhub")
PASSWORD_LINE = re.compile(r"^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$", re.M)


def mentorhub(*args) -> subprocess.CompletedProcess:
    return subprocess.run([MENTORHUB, "account", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("accounts"))
    store = open_store(url)
    build_small_world(store)  # imported staff: accounts without a password, must change it
    for _ in range(5):
        store.record_login_failure("m_b", lock_after=5, lock_for=900)
    store.close()
    return url


def test_temporary_passwords_are_random_and_readable():
    made = {temporary_password() for _ in range(200)}
    assert len(made) == 200
    assert all(PASSWORD_LINE.fullmatch(p) and set(p.replace("-", "")) <= set(ALPHABET) for p in made)


def test_reset_prints_a_password_once_stores_its_hash_and_unlocks(db):
    store = open_store(db)
    before = store.find_account("m_b")
    assert before["password_hash"] == "" and before["locked_until"] is not None
    done = mentorhub("reset", "m_b", "--db", db)
    assert done.returncode == 0, done.stderr
    passwords = PASSWORD_LINE.findall(done.stdout)
    assert len(passwords) == 1 and "首次登录后必须修改密码" in done.stdout and "已解除锁定" in done.stdout
    account = store.find_account("m_b")
    assert password_matches(passwords[0], account["password_hash"])
    assert account["password_hash"].startswith("$2b$") and account["password_hash"] not in done.stdout
    assert account["must_change_password"] is True
    assert account["locked_until"] is None and account["failed_logins"] == 0
    audit = store.find_audit(store.actor_for("admin"), action="account.reset_password")
    assert [(a.entity_id, a.actor.startswith("cli:"), a.detail) for a in audit] == [("m_b", True, {"unlocked": True})]
    store.close()


def test_reset_of_an_unknown_account_fails_and_writes_nothing(db):
    store = open_store(db)
    before = len(store.find_audit(store.actor_for("admin")))
    done = mentorhub("reset", "no-such-user", "--db", db)
    assert done.returncode == 1 and "找不到账号 no-such-user" in done.stderr and not PASSWORD_LINE.search(done.stdout)
    assert len(store.find_audit(store.actor_for("admin"))) == before
    store.close()


def test_list_shows_accounts_without_hashes(db):
    done = mentorhub("list", "--db", db)
    assert done.returncode == 0, done.stderr
    assert "$2b$" not in done.stdout
    lines = done.stdout.strip().splitlines()
    assert lines[0].split("\t")[0] == "用户名"
    by_user = {line.split("\t")[0]: line.split("\t") for line in lines[1:-1]}
    store = open_store(db)
    accounts = {a.username: store.find_account(a.username) for a in store.find_accounts()}
    store.close()
    assert set(by_user) == set(accounts)
    for user, account in accounts.items():
        expected = ["是" if account["password_hash"] else "否", "是" if account["must_change_password"] else "否"]
        assert by_user[user][4:6] == expected, user
    assert by_user["ht_a1"][4:6] == ["否", "是"]  # imported: no password yet, must change it
    assert by_user["admin"][3] == "admin" and by_user["admin"][2] == "-"


def test_account_rows_are_plain_text():
    rows = account_rows([{"username": "u", "display_name": "", "staff_id": None, "platform_roles": [],
                          "has_password": False, "must_change_password": True, "locked": False,
                          "active": True}])  # fmt: skip
    assert rows == [("u", "-", "-", "-", "否", "是", "否", "是")]
