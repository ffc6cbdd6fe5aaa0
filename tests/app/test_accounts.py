"""Roster accounts through the real login form: forced first password change, lockout after failures."""

import pytest

from hub.auth import hash_password
from tests.helpers import utf8_session

pytestmark = pytest.mark.app


def post_form(hub, path, session=None, **fields):
    session = session or utf8_session()
    session.get(f"{hub.url}/hub/login", timeout=30)
    return session, session.post(f"{hub.url}/hub/{path}", timeout=60,
                                 data={**fields, "_xsrf": session.cookies.get("_xsrf")})


def test_first_login_forces_a_password_change_before_anything_else(running_hub, store):
    store.add_account("newmentor", hash_password("initial-pass-1", rounds=4), must_change_password=True)
    session, response = post_form(running_hub, "login", username="newmentor", password="initial-pass-1")
    assert response.status_code == 200
    assert "首次登录请先修改初始密码" in response.text
    assert "jupyterhub-session-id" not in session.cookies  # not logged in yet

    _, wrong = post_form(running_hub, "change-password", username="newmentor", current_password="nope-nope",
                         new_password="新的密码2026ab", confirm_password="新的密码2026ab")
    assert wrong.status_code == 403 and "用户名或密码不正确" in wrong.text
    _, weak = post_form(running_hub, "change-password", username="newmentor",
                        current_password="initial-pass-1", new_password="short", confirm_password="short")
    assert weak.status_code == 400 and "至少需要 8 个字符" in weak.text
    assert store.find_account("newmentor")["must_change_password"] is True

    session, done = post_form(running_hub, "change-password", username="newmentor",
                              current_password="initial-pass-1", new_password="新的密码2026ab",
                              confirm_password="新的密码2026ab")
    assert done.status_code == 200 and done.url.endswith("/hub/home")
    assert "jupyterhub-session-id" in session.cookies
    assert store.find_account("newmentor")["must_change_password"] is False
    running_hub.login("newmentor", "新的密码2026ab")
    _, old = post_form(running_hub, "login", username="newmentor", password="initial-pass-1")
    assert old.status_code == 403


def test_repeated_wrong_passwords_lock_the_account(running_hub, store):
    store.add_account("lockme", hash_password("right-password-9", rounds=4), must_change_password=False)
    for _ in range(4):
        _, response = post_form(running_hub, "login", username="lockme", password="wrong-password")
        assert "用户名或密码不正确" in response.text
    _, fifth = post_form(running_hub, "login", username="lockme", password="wrong-password")
    assert "账号已暂时锁定" in fifth.text
    session, locked = post_form(running_hub, "login", username="lockme", password="right-password-9")
    assert locked.status_code == 403 and "账号已暂时锁定" in locked.text
    assert "jupyterhub-session-id" not in session.cookies


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(running_hub):
    _, response = post_form(running_hub, "login", username="nobody-here", password="whatever-1")
    assert response.status_code == 403 and "用户名或密码不正确" in response.text
