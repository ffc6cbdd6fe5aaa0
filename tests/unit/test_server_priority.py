"""Lowered CPU priority that survives new sessions (hub.priority), and users' servers that start without
asking yarn for an npm registry (hub/user_config/jupyter_server_config.py)."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys

import pytest
from traitlets.config import Config

from hub.config import USER_CONFIG_DIR
from hub.priority import UserCpuGroups, autogroup_nice, nice_weight, own_cgroup, set_autogroup_nice

REPORT = "import os\nfrom hub.priority import autogroup_nice\nprint(os.nice(0), autogroup_nice())"


def run_in_new_session(preexec=None) -> tuple[int, int | None]:
    """Niceness and session (autogroup) niceness of a fresh Python in its own session, as JupyterHub and
    jupyter_client start servers and kernels."""
    output = subprocess.run([sys.executable, "-c", REPORT], start_new_session=True, preexec_fn=preexec,
                            capture_output=True, text=True, check=True).stdout.split()
    return int(output[0]), None if output[1] == "None" else int(output[1])


def test_a_new_session_does_not_inherit_the_lowered_priority_of_its_session():
    """Why hub.priority exists: os.nice alone leaves the new session's group at 0 (where groups exist)."""
    nice, group = run_in_new_session(lambda: os.nice(6))
    assert nice == os.nice(0) + 6
    if autogroup_nice() is None:
        pytest.skip("this kernel schedules without autogroups")
    assert group == 0


def test_lower_own_priority_lowers_the_process_and_its_session():
    from hub.priority import lower_own_priority

    nice, group = run_in_new_session(lambda: lower_own_priority(6))
    assert nice == os.nice(0) + 6
    assert group in (None, os.nice(0) + 6)
    if autogroup_nice() is not None:
        assert group == os.nice(0) + 6


def test_a_server_starts_ahead_of_running_ones_and_is_then_moved_behind_them():
    """As LocalServerSpawner does: niceness 9 for the process, 4 for its session while it starts, then 9."""
    from hub.priority import lower_own_priority

    base = os.nice(0)
    waiting = subprocess.Popen([sys.executable, "-c", REPORT + "\nimport sys\nsys.stdin.read()"],
                               start_new_session=True, preexec_fn=lambda: lower_own_priority(9, base + 4),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        nice, group = waiting.stdout.readline().split()
        assert int(nice) == base + 9
        if autogroup_nice() is None:
            pytest.skip("this kernel schedules without autogroups")
        assert int(group) == base + 4
        assert set_autogroup_nice(waiting.pid, base + 9) is True
        assert autogroup_nice(waiting.pid) == base + 9
    finally:
        waiting.communicate("")


def test_no_priority_change_for_a_process_that_does_not_exist():
    assert set_autogroup_nice(2**22 + 12345, 5) is False


def test_users_servers_get_the_npm_registry_without_starting_yarn(monkeypatch):
    import jupyterlab.commands

    started = []

    def record(command, *args, **kwargs):
        started.append(command)
        raise subprocess.CalledProcessError(1, command, output=b"", stderr=b"")

    monkeypatch.setattr(jupyterlab.commands, "_yarn_config", jupyterlab.commands._yarn_config)  # restored after
    monkeypatch.setattr(subprocess, "check_output", record)
    assert jupyterlab.commands.AppOptions().registry == jupyterlab.commands.YARN_DEFAULT_REGISTRY
    assert any("yarn" in " ".join(command) for command in started)  # what JupyterLab does by itself
    started.clear()
    config = Config()
    runpy.run_path(str(USER_CONFIG_DIR / "jupyter_server_config.py"), init_globals={"get_config": lambda: config})
    assert jupyterlab.commands.AppOptions().registry == jupyterlab.commands.YARN_DEFAULT_REGISTRY
    assert started == []


def test_a_cgroup_weighs_like_one_process_at_the_niceness_of_its_tier():
    assert [nice_weight(nice) for nice in (0, 3, 10, 19)] == [1024, 524, 110, 15]  # the scheduler's table


def test_the_hubs_own_cgroup_is_read_from_its_controllers_line(tmp_path):
    (tmp_path / "v1").write_text("4:memory:/x\n2:cpu,cpuacct:/hub.service\n0::/\n")
    assert own_cgroup("cpu", tmp_path / "v1") == "/hub.service"
    (tmp_path / "v2").write_text("0::/user.slice\n")
    with pytest.raises(OSError):
        own_cgroup("cpu", tmp_path / "v2")


def test_users_processes_join_the_group_of_their_tier_and_move_between_them():
    name = f"mentorhub-test-{os.getpid()}"
    groups = UserCpuGroups.create(3, 7, name=name)
    if groups is None:
        pytest.skip("no cgroup-v1 cpu controller that this process may write to")
    try:
        assert int((groups.starting / "cpu.shares").read_text()) == nice_weight(3)
        assert int((groups.running / "cpu.shares").read_text()) == nice_weight(7)
        process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE,
                                   preexec_fn=lambda: UserCpuGroups.move(0, groups.starting))  # fmt: skip
        members = lambda group: (group / "cgroup.procs").read_text().split()  # noqa: E731
        assert str(process.pid) in members(groups.starting)
        assert UserCpuGroups.move(process.pid, groups.running)
        assert str(process.pid) in members(groups.running) and str(process.pid) not in members(groups.starting)
        process.communicate(b"")
        assert UserCpuGroups.move(process.pid, groups.running) is False  # it has exited
    finally:
        for group in (groups.starting, groups.running, groups.starting.parent):
            group.rmdir()
