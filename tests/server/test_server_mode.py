"""Server mode for real (as root): a Unix account per hub user, private homes, a private database."""

import os
import pwd
import shutil
import stat
import tempfile
from pathlib import Path

import psutil
import pytest

from tests.helpers import (
    probe_paths,
    remove_accounts_made_since,
    start_hub,
    unix_accounts,
    user_servers,
    write_hub_settings,
)

pytestmark = [pytest.mark.server_mode, pytest.mark.app]

PREFIX = "mhtest-"
USERS = ("teacher1", "teacher2")



@pytest.fixture(scope="module")
def server_hub(artifacts_dir):
    if os.geteuid() != 0:
        pytest.skip("server mode creates Unix accounts and needs root (CI runs as root)")
    accounts_before = unix_accounts()
    folder = Path(tempfile.mkdtemp(prefix="mh-server-"))
    folder.chmod(0o755)  # traversable, so only the files' own modes protect them
    settings = write_hub_settings(folder, seed=True, mode="server", extra={
        "server": {"user_prefix": PREFIX, "home_root": "/home"}, "culler": {"enabled": False}})
    hub = start_hub(settings)
    try:
        yield hub
    finally:
        hub.shutdown(log_copy=artifacts_dir / "hub-server-mode.log")
        # the test's teachers and any grader accounts the hub created for the courses
        remove_accounts_made_since(accounts_before, (PREFIX, "grader-"))
        shutil.rmtree(folder, ignore_errors=True)


def test_each_hub_user_gets_a_private_unix_account(server_hub):
    for user in USERS:
        server_hub.spawn(user)
    accounts = [pwd.getpwnam(f"{PREFIX}{user}") for user in USERS]
    assert accounts[0].pw_uid != accounts[1].pw_uid
    for account in accounts:
        home = os.stat(account.pw_dir)
        assert home.st_uid == account.pw_uid
        assert stat.S_IMODE(home.st_mode) == 0o700
    # Each server (forked by the warm starter, which runs as root) has left root behind entirely.
    servers = user_servers(server_hub.process.pid)
    for user, account in zip(USERS, accounts, strict=True):
        server = servers[user]
        assert set(server.uids()) == {account.pw_uid} and set(server.gids()) == {account.pw_gid}
        groups = Path(f"/proc/{server.pid}/status").read_text().split("Groups:")[1].split("\n")[0].split()
        assert sorted(map(int, groups)) == sorted(set(os.getgrouplist(account.pw_name, account.pw_gid)))


def test_formgraders_run_as_their_own_grader_accounts(server_hub):
    graders = {proc.info["username"] for proc in psutil.process_iter(["username", "cmdline"])
               if "jupyterhub-singleuser" in " ".join(proc.info["cmdline"] or [])
               and proc.info["username"].startswith("grader-")}
    assert {"grader-foundations", "grader-psychology", "grader-family-guidance"} <= graders


def test_one_user_cannot_read_another_home_or_the_hub_database(server_hub):
    for user in USERS:
        server_hub.spawn(user)
    state = server_hub.state_dir
    other_home = pwd.getpwnam(f"{PREFIX}teacher2").pw_dir
    paths = [other_home, str(state / "records.sqlite"), str(state / "jupyterhub.sqlite"),
             str(state / "secrets"), pwd.getpwnam(f"{PREFIX}teacher1").pw_dir]
    account, results = probe_paths(server_hub, "teacher1", paths)
    assert account == f"{PREFIX}teacher1"
    assert results == ["denied", "denied", "denied", "denied", "readable"]
    for name in ("records.sqlite", "jupyterhub.sqlite"):
        mode = stat.S_IMODE(os.stat(state / name).st_mode)
        assert mode == 0o600, f"{name} has mode {oct(mode)}"
        assert os.stat(state / name).st_uid == os.geteuid()
