"""A real hub and proxy: demo logins over HTTP, the Chinese home page, a server and a kernel."""

import json
import re
import sqlite3
from contextlib import closing

import psutil
import pytest
import requests

from tests.helpers import run_in_kernel, utf8_session

pytestmark = pytest.mark.app


def test_login_page_is_chinese_and_warns_about_demo_mode(running_hub):
    page = utf8_session().get(f"{running_hub.url}/hub/login", timeout=30)
    assert page.status_code == 200
    assert "导师成长平台 · 登录" in page.text
    assert 'id="demo-banner"' in page.text and "没有隔离" in page.text


@pytest.mark.parametrize("username, sections, absent", [
    ("teacher1", ["我的培训课程", "导师工作台", "案例研讨"], ["评分", "学校管理", "平台管理"]),
    ("trainer1", ["评分"], ["导师工作台", "学校管理"]),
    ("schooladmin1", ["学校管理"], ["评分", "平台管理"]),
    ("leader1", ["案例研讨", "研究看板"], ["评分", "平台管理"]),
    ("admin", ["平台管理"], ["导师工作台", "评分"]),
])
def test_each_demo_account_logs_in_and_sees_its_sections(running_hub, username, sections, absent):
    session = running_hub.login(username)
    home = session.get(f"{running_hub.url}/hub/home", timeout=30)
    assert home.status_code == 200
    titles = re.findall(r'<h2 class="h4 card-title">([^<]+)</h2>', home.text)
    for title in sections:
        assert title in titles
    for title in absent:
        assert title not in titles


def test_trainer_sees_a_formgrader_link_per_course(running_hub):
    home = running_hub.login("trainer1").get(f"{running_hub.url}/hub/home", timeout=30).text
    assert re.search(r'href="/services/[a-z-]+/formgrader"', home)


def test_wrong_password_is_refused_in_chinese(running_hub):
    session = utf8_session()
    session.get(f"{running_hub.url}/hub/login", timeout=30)
    response = session.post(f"{running_hub.url}/hub/login", timeout=30, data={
        "username": "teacher2", "password": "not-the-password", "_xsrf": session.cookies.get("_xsrf")})
    assert response.status_code == 403
    assert "用户名或密码不正确" in response.text
    assert "jupyterhub-session-id" not in session.cookies
    running_hub.login("teacher2")  # one failure does not lock the account


def test_platform_admin_cannot_reach_other_users_servers(running_hub):
    token = running_hub.user_token("admin")
    me = running_hub.api("GET", "/user", token=token).json()
    assert "admins" in me["groups"]
    assert me["admin"] is False
    server_access = [scope for scope in me["scopes"] if scope.startswith("access:servers")]
    assert server_access == ["access:servers!user=admin"]  # their own server only
    # but can list users (account management)
    assert running_hub.api("GET", "/users", token=token).status_code == 200


def test_spawn_run_code_in_a_kernel_and_stop(running_hub):
    running_hub.spawn("teacher3")
    try:
        token = running_hub.user_token("teacher3")
        out = run_in_kernel(f"{running_hub.url}/user/teacher3", token,
                            "import os, pathlib\n"
                            "print(os.environ['JUPYTERHUB_USER'])\n"
                            "print(pathlib.Path('~/apps').expanduser().is_dir())\n"
                            "print(sum(k for k in range(10)))\n")
        assert out.split() == ["teacher3", "True", "45"]
    finally:
        running_hub.stop("teacher3")
    assert running_hub.api("GET", "/users/teacher3").json()["servers"] == {}


def test_user_server_environment_holds_no_database_settings(running_hub):
    running_hub.spawn("teacher4")
    try:
        out = run_in_kernel(f"{running_hub.url}/user/teacher4", running_hub.user_token("teacher4"),
                            "import os\nprint(sorted(k for k in os.environ if 'DB' in k or 'RECORDS' in k))\n")
        assert out.strip() == "[]"
    finally:
        running_hub.stop("teacher4")


def test_idle_culler_and_records_service_run_as_hub_services(running_hub):
    services = running_hub.api("GET", "/services").json()
    assert {"records", "idle-culler"} <= set(services)
    assert requests.get(f"{running_hub.url}/services/records/api/v1/health", timeout=30).status_code == 200
    hub_children = psutil.Process(running_hub.process.pid).children(recursive=True)
    assert any("jupyterhub_idle_culler" in " ".join(child.cmdline()) for child in hub_children)


def test_jupyterhubs_own_pages_speak_chinese(running_hub):
    """Not-running and token pages come from JupyterHub itself; our page.html gives them the Chinese bar
    and the not-running page its Chinese text. teacher23's server is never started by any test."""
    session = running_hub.login("teacher23")
    not_running = session.get(f"{running_hub.url}/hub/user/teacher23/lab", timeout=30)
    assert not_running.status_code == 424
    assert "工作空间未运行" in not_running.text and "启动工作空间" in not_running.text
    assert "Server not running" not in not_running.text
    token_page = session.get(f"{running_hub.url}/hub/token", timeout=30)
    assert token_page.status_code == 200
    for page in (not_running, token_page):
        assert ">首页</a>" in page.text and "退出登录" in page.text and "<title>导师成长平台</title>" in page.text


def test_spawn_progress_events_are_chinese(running_hub):
    """The spawn-pending page shows the progress stream; its last event, the one a teacher reads before the
    page redirects, is Chinese. teacher22's server is started here only."""
    token = running_hub.user_token("teacher22")
    assert running_hub.api("POST", "/users/teacher22/server", token=token).status_code in (201, 202)
    try:
        messages = []
        with running_hub.api("GET", "/users/teacher22/server/progress", token=token, stream=True) as stream:
            for line in stream.iter_lines(decode_unicode=True):
                if line.startswith("data:"):
                    event = json.loads(line[len("data:"):])
                    messages.append(event.get("message", ""))
                    if event.get("ready") or event.get("failed"):
                        break
        assert messages[-1] == "工作空间已就绪，正在打开…", messages
        assert all(re.search(r"[\u4e00-\u9fff]", message) for message in messages), messages
    finally:
        running_hub.stop("teacher22")


def test_error_pages_are_chinese(running_hub):
    session = running_hub.login("teacher23")
    missing = session.get(f"{running_hub.url}/hub/no-such-page", timeout=30)
    assert missing.status_code == 404
    assert "出错了（404）" in missing.text and "找不到这个页面" in missing.text and "moons" not in missing.text
    other = session.get(f"{running_hub.url}/hub/admin", timeout=30)  # a teacher is no platform admin
    assert other.status_code == 403
    assert "出错了（403）" in other.text and "没有访问这个页面的权限" in other.text


def test_hub_database_is_in_wal_mode(running_hub):
    with closing(sqlite3.connect(running_hub.state_dir / "jupyterhub.sqlite")) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
