"""Server mode for real (as root): a Unix account per hub user and never one for two (issue 16, finding 3),
private homes, a private database, formgraders as the instance's own grader accounts (finding 13), servers'
output in their own logs (finding 12), and every account's Voilà pages in the machine's one page queue."""

import os
import pwd
import re
import stat
import time
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest

from hub.accounts import unix_account_name
from hub.courses.hubconfig import grader_unix_account
from hub.kernel_queue import GO_SUFFIX, default_size
from tests.helpers import (
    probe_paths,
    server_mode_hub,
    user_servers,
)
from tests.server_log_support import assert_output_kept_from_the_hub

pytestmark = [pytest.mark.server_mode, pytest.mark.app]

PREFIX = "mhtest-"
USERS = ("teacher1", "teacher2")



@pytest.fixture(scope="module")
def server_hub(artifacts_dir):
    with server_mode_hub(PREFIX, "server-mode", artifacts_dir) as hub:
        yield hub


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
    """Each formgrader runs as this hub instance's account for its course (`<prefix>grader_<course>`), never
    as a `grader-<course>` that another hub on the machine would share."""
    courses = ("foundations", "psychology", "family-guidance")
    for course in courses:
        server_hub.wait_for_service(course)
    graders = {proc.info["username"] for proc in psutil.process_iter(["username", "cmdline"])
               if "jupyterhub-singleuser" in " ".join(proc.info["cmdline"] or [])
               and proc.pid in {child.pid for child in psutil.Process(server_hub.process.pid).children()}}
    expected = {grader_unix_account(PREFIX, course) for course in courses}
    assert expected == {f"{PREFIX}grader_{course}" for course in courses}
    assert expected <= graders
    for course in courses:
        assert pwd.getpwuid(os.stat(server_hub.state_dir / "courses" / course).st_uid).pw_name == \
            grader_unix_account(PREFIX, course)


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


def test_servers_and_kernels_write_into_their_own_logs_not_the_hubs(server_hub):
    server_hub.spawn("teacher1")
    server = user_servers(server_hub.process.pid)["teacher1"]
    home = Path(pwd.getpwnam(f"{PREFIX}teacher1").pw_dir)
    assert_output_kept_from_the_hub(server_hub, "teacher1", server, home)
    log = home / ".mentorhub" / "server.log"
    assert os.stat(log).st_uid == pwd.getpwnam(f"{PREFIX}teacher1").pw_uid  # opened as the user, in their home
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600


def test_two_hub_users_never_share_one_unix_account(server_hub):
    """`li.ming` and `li_ming` both map to `<prefix>li-ming`: the second one's server is refused, and nothing
    of theirs runs as the first one's account."""
    first, second = "li.ming", "li_ming"
    account = unix_account_name(PREFIX, first)
    assert unix_account_name(PREFIX, second) == account
    server_hub.api("POST", "/users", json={"usernames": [first, second]}).raise_for_status()
    server_hub.spawn(first)
    assert pwd.getpwnam(account).pw_gecos == f"Mentor Hub user {first}"

    response = server_hub.api("POST", f"/users/{second}/server")
    assert response.status_code >= 400
    model = server_hub.api("GET", f"/users/{second}").json()
    assert not model["servers"], model
    assert second not in user_servers(server_hub.process.pid)
    owners = {proc.info["username"] for proc in psutil.process_iter(["username", "environ"])
              if (proc.info["environ"] or {}).get("JUPYTERHUB_USER") == second}
    assert not owners, f"{second} runs processes as {owners}"
    assert f"Unix account {account} belongs to 'Mentor Hub user {first}'" in server_hub.log_path.read_text()
    assert pwd.getpwnam(account).pw_gecos == f"Mentor Hub user {first}"  # still theirs


def test_every_accounts_pages_share_the_machines_page_queue(server_hub):
    """The queue's folder is shared and sticky; a user's server makes its tickets as its own account, waits
    behind pages of others, and renders its page under its ticket when its turn comes (hub.kernel_queue)."""
    folder = server_hub.state_dir / "kernel-queue"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o1777
    session = server_hub.login("teacher2")
    server_hub.spawn("teacher2")
    now = time.time_ns()
    held = [folder / f"{now - n:020d}-{os.getpid()}-{n:012x}{GO_SUFFIX}" for n in range(1, default_size() + 1)]
    for path in held:
        path.touch()
    try:
        workbench = f"{server_hub.url}/user/teacher2/voila/render/apps/{quote('导师工作台.ipynb')}"
        waiting = session.get(workbench, timeout=120)
        ticket = re.search(r'data-mentorhub-queue="([0-9a-f-]+)"', waiting.text).group(1)
        assert (folder / ticket).stat().st_uid == pwd.getpwnam(f"{PREFIX}teacher2").pw_uid
    finally:
        for path in held:
            path.unlink()
    answer = session.get(f"{server_hub.url}/user/teacher2/mentorhub/voila-queue/{ticket}", timeout=60)
    assert answer.json() == {"go": True}
    page = session.get(f"{workbench}?mh_queue={ticket}", timeout=300)
    assert "application/vnd.jupyter.widget-view+json" in page.text
    assert not list(folder.glob(f"{ticket}*"))
