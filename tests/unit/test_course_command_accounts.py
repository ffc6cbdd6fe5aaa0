"""``mentorhub course``: which account a command runs as, and where it finds the hub (pure parts)."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from hub.courses.command import become_grader, use_local_hub
from hub.courses.errors import CourseError

SERVER = {"user_prefix": "mh-", "home_root": "/home"}


def test_demo_and_cluster_mode_never_switch_accounts():
    for mode in ("demo", "cluster"):
        become_grader(SimpleNamespace(mode=mode, server=SERVER), "no-such-course-xyz")
    assert os.geteuid() == os.getuid()


def test_server_mode_without_the_grader_account_says_what_to_do():
    with pytest.raises(CourseError) as missing:
        become_grader(SimpleNamespace(mode="server", server=SERVER), "no-such-course-xyz")
    assert "mh-grader_no-such-course-xyz" in str(missing.value) and "启动平台" in str(missing.value)


def test_server_mode_refuses_an_account_that_is_neither_root_nor_the_grader():
    """Run in a child that gives up root for `nobody` (the grader here is the account `root` itself)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to become another account")
    code = ("import os; from types import SimpleNamespace; from hub.courses import command;"
            "command.grader_unix_account_of = lambda settings, course: 'root'; os.setgid(65534); os.setuid(65534)\n"
            "try:\n    command.become_grader(SimpleNamespace(mode='server', server={}), 'foundations')\n"
            "except command.CourseError as error:\n    print(error)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert "runuser -u root" in result.stdout, result.stderr


def test_the_local_hub_is_the_default_and_the_environment_wins(monkeypatch):
    settings = SimpleNamespace(hub_port=18081, exchange_port=10102)
    monkeypatch.delenv("JUPYTERHUB_API_URL", raising=False)
    monkeypatch.setenv("MENTORHUB_EXCHANGE_URL", "http://exchange.example/services/exchange/")
    use_local_hub(settings)
    assert os.environ["JUPYTERHUB_API_URL"] == "http://127.0.0.1:18081/hub/api"
    assert os.environ["MENTORHUB_EXCHANGE_URL"] == "http://exchange.example/services/exchange/"
    monkeypatch.setenv("MENTORHUB_EXCHANGE_URL", "")
    use_local_hub(settings)
    assert os.environ["MENTORHUB_EXCHANGE_URL"] == "http://127.0.0.1:10102/services/exchange/"
