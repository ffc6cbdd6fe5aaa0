"""The warm starter (hub.warmstart) on its own: what it loads, what it refuses, how a failed set-up is
reported, and that it goes when the hub does. Its forks as real users' servers: tests/app/test_warm_start.py."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys

import pytest

from hub.config import USER_CONFIG_DIR, VENV_BIN
from hub.warmstart import WarmStarter, WarmStartFailed, WarmStartUnavailable

SCRIPT = str(VENV_BIN / "jupyterhub-singleuser")
ENVIRONMENT = {"LANG": "C.UTF-8", "JUPYTER_CONFIG_PATH": str(USER_CONFIG_DIR), "PATH": str(VENV_BIN)}


def preloaded(config_path: list[str]) -> set[str]:
    code = "import json; from hub.warmstart import preload_server_extensions as p; print(json.dumps(p()))"
    environment = {**ENVIRONMENT, "JUPYTER_CONFIG_PATH": os.pathsep.join(config_path), "HOME": "/nonexistent"}
    output = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    return set(json.loads(output.splitlines()[-1]))


def test_it_loads_the_server_extensions_that_users_servers_enable(tmp_path):
    everything = preloaded([str(USER_CONFIG_DIR)])
    assert {"jupyterlab", "notebook", "voila.server_extension", "nbgrader.server_extensions.assignment_list"} <= everything
    # An extension turned off in the config path (as the teachers' nbgrader config does) is not loaded.
    (tmp_path / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"notebook": False}}}))
    assert preloaded([str(tmp_path), str(USER_CONFIG_DIR)]) == everything - {"notebook"}


async def test_it_serves_only_its_own_script():
    starter = WarmStarter(SCRIPT, ENVIRONMENT, logging.getLogger(__name__))
    with pytest.raises(WarmStartUnavailable, match="is not"):
        await starter.launch({"argv": [str(VENV_BIN / "jupyter-lab")], "env": {}}, started=print)
    assert starter.process is None  # nothing started for it


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to an account needs root")
async def test_a_fork_that_cannot_become_the_account_says_why_and_the_warm_starter_goes_with_the_hub():
    starter = WarmStarter(SCRIPT, ENVIRONMENT, logging.getLogger(__name__))
    request = {"argv": [SCRIPT], "env": {}, "nice": 0, "session_nice": 0, "account": "mh-no-such-account"}
    forks = []
    try:
        with pytest.raises(WarmStartFailed, match="KeyError.*mh-no-such-account|name not found"):
            await starter.launch(request, started=forks.append)
        assert len(forks) == 1  # the hub knew the fork's pid before it failed
        await asyncio.sleep(0.5)
        assert not os.path.exists(f"/proc/{forks[0]}")  # and the warm starter has reaped it
        assert starter.exit_status == {forks[0]: 1}  # and told the hub how it ended
        assert starter.process.poll() is None  # the warm starter itself carries on
    finally:
        await asyncio.to_thread(starter.stop)  # the hub's end closed: it exits by itself
    assert starter.process.returncode == 0


def test_a_start_asking_for_its_own_start_only_variables_is_not_forked():
    starter = WarmStarter(SCRIPT, ENVIRONMENT, logging.getLogger(__name__))
    starter.check_environment({**ENVIRONMENT, "JUPYTERHUB_API_TOKEN": "t", "HOME": "/home/x"})  # per user: fine
    for name, value in (("PYTHONHASHSEED", "1"), ("PYTHONPATH", "/tmp"), ("LANG", "zh_CN.GB18030")):
        with pytest.raises(WarmStartUnavailable, match=name):
            starter.check_environment({**ENVIRONMENT, name: value})


def test_a_fork_closes_every_descriptor_it_inherited_but_its_own():
    code = """
import os, sys
from hub.warmstart import close_inherited
kept = os.open("/dev/null", os.O_RDONLY)
others = [os.open("/dev/null", os.O_RDONLY) for _ in range(3)] + list(os.pipe())
os.set_inheritable(others[0], True)
close_inherited(keep=kept)
print(sorted(int(fd) for fd in os.listdir("/proc/self/fd")), kept)
"""
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    *listed, kept = output
    # what is left: the standard streams, the kept one, and the descriptor of the listing itself
    assert [int(x.strip("[],")) for x in listed][:4] == [0, 1, 2, int(kept)]
    assert len(listed) == 5


def test_defaults_computed_from_home_at_import_follow_each_forks_user(tmp_path):
    """JupyterLab computes its workspaces and user-settings folders from HOME when it is imported, i.e. in the
    warm starter: without rebasing, every user's server would share ``/nonexistent/.jupyter/lab/…``."""
    code = f"""
import os
from hub.warmstart import home_bound_defaults, preload_server_extensions, rebase_home_defaults
import jupyterlab.labapp
preload_server_extensions()
found = home_bound_defaults()
os.environ["HOME"] = {str(tmp_path)!r}
rebase_home_defaults(found, os.path.expanduser("~"))
from jupyterlab.labapp import LabApp
app = LabApp()
print(sorted(name for _, name in found), app.workspaces_dir, app.user_settings_dir)
"""
    environment = {**ENVIRONMENT, "HOME": "/nonexistent"}
    done = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
    *_, names, workspaces, settings = done.stdout.split()
    assert "'workspaces_dir']" in names
    assert workspaces == f"{tmp_path}/.jupyter/lab/workspaces"
    assert settings == f"{tmp_path}/.jupyter/lab/user-settings"
