"""The CPU tiers where systemd is PID 1 (``hub.priority.SystemdTiers``): slices and a scope per server, made
over systemd's bus. This machine's PID 1 is not systemd, so systemd's side is ``tests/fake_busctl.py``
(its rules and messages, and busctl's strict reading of arguments by their D-Bus signature); the processes
placed are real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from hub import priority
from hub.priority import TIER_SLICES, USERS_SLICE, SystemdTiers, cpu_tiers, cpu_weight_v2, mechanism
from hub.spawners import DemoSpawner
from tests.helpers import wait_for

FAKE = Path(__file__).resolve().parents[1] / "fake_busctl.py"


@pytest.fixture
def systemd(tmp_path, monkeypatch):
    """A machine whose PID 1 is systemd, as far as the hub can see: ``/run/systemd/system`` and busctl."""
    runtime = tmp_path / "run-systemd-system"
    runtime.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    busctl = bin_dir / "busctl"
    busctl.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    busctl.chmod(0o755)
    state = tmp_path / "systemd.json"
    monkeypatch.setenv("FAKE_SYSTEMD_STATE", str(state))
    monkeypatch.setenv("PATH", f"{bin_dir}:{priority.os.environ['PATH']}")
    monkeypatch.setattr(priority, "SYSTEMD_RUNTIME", runtime)
    monkeypatch.setattr(priority.os, "geteuid", lambda: 0)  # the hub as root

    class Systemd:
        def units(self) -> dict:
            return json.loads(state.read_text())["units"]

        def scopes_of(self, pid: int) -> list[tuple[str, dict]]:
            return [(name, unit) for name, unit in self.units().items()
                    if name.endswith(".scope") and pid in unit["PIDs"]]

        def calls(self) -> list:
            return json.loads(state.read_text())["calls"]
    return Systemd()


@pytest.fixture
def sleeper():
    processes = [subprocess.Popen(["sleep", "60"]) for _ in range(3)]
    yield processes
    for process in processes:
        process.kill()
        process.wait()


def test_the_slices_are_made_with_the_tiers_weights(systemd):
    tiers = cpu_tiers(10, 19)
    assert isinstance(tiers, SystemdTiers) and tiers.mechanism == "systemd-slices"
    units = systemd.units()
    assert units[USERS_SLICE]["CPUWeight"] == cpu_weight_v2(0) == 100
    assert units[TIER_SLICES[False]]["CPUWeight"] == cpu_weight_v2(10) == 11
    assert units[TIER_SLICES[True]]["CPUWeight"] == cpu_weight_v2(19) == 1
    # the parent first: systemd names a slice's parent by its dashes
    assert [call[1] for call in systemd.calls()] == [USERS_SLICE, "mentorhub-starting.slice",
                                                     "mentorhub-running.slice"]
    assert tiers.starting is None and tiers.needs_placing  # the hub places each server after its fork
    assert mechanism() == ("systemd-slices", USERS_SLICE)


def test_a_restarted_hub_updates_the_slices_it_made_before(systemd):
    SystemdTiers.create(10, 19)
    tiers = SystemdTiers.create(5, 15)  # the settings changed meanwhile
    assert tiers is not None
    assert systemd.units()[TIER_SLICES[False]]["CPUWeight"] == cpu_weight_v2(5)
    assert systemd.units()[TIER_SLICES[True]]["CPUWeight"] == cpu_weight_v2(15)
    assert [call[0] for call in systemd.calls()[3:]] == ["StartTransientUnit", "SetUnitProperties"] * 3


def test_a_server_moves_between_tiers_in_scopes_of_its_own(systemd, sleeper):
    tiers = SystemdTiers.create(10, 19)
    server, kernel, other = (process.pid for process in sleeper)
    assert tiers.place([server], running=False)
    assert tiers.place([other], running=False)
    [(first, unit)] = systemd.scopes_of(server)
    assert unit["Slice"] == TIER_SLICES[False] and unit["CollectMode"] == "inactive-or-failed"
    assert tiers.place([server, kernel], running=True)  # the server, and a kernel it started meanwhile
    [(second, unit)] = systemd.scopes_of(server)
    assert second != first and unit["Slice"] == TIER_SLICES[True] and sorted(unit["PIDs"]) == sorted([server, kernel])
    assert first not in systemd.units()  # left empty: collected
    assert systemd.scopes_of(other)[0][1]["Slice"] == TIER_SLICES[False]  # another server stays where it was
    assert systemd.scopes_of(kernel) == systemd.scopes_of(server)


def test_a_process_that_exits_meanwhile_does_not_keep_the_others_in_place(systemd, sleeper):
    tiers = SystemdTiers.create(10, 19)
    server, kernel, _ = sleeper
    kernel.kill()
    kernel.wait()
    assert tiers.place([server.pid, kernel.pid], running=False)
    assert systemd.scopes_of(server.pid)[0][1]["PIDs"] == [server.pid]
    assert not tiers.place([kernel.pid], running=True)  # nothing left to move


def test_where_systemd_refuses_the_cgroups_are_tried(systemd, monkeypatch, tmp_path):
    monkeypatch.setenv("FAKE_SYSTEMD_REFUSE", "1")
    assert SystemdTiers.create(10, 19) is None
    monkeypatch.setattr(priority.UserCpuGroups, "create", classmethod(lambda cls, *args: "cgroups"))
    assert cpu_tiers(10, 19) == "cgroups"


def test_no_slices_without_systemd_as_pid_1_or_as_another_user(systemd, monkeypatch, tmp_path):
    monkeypatch.setattr(priority.os, "geteuid", lambda: 1000)
    assert SystemdTiers.create(10, 19) is None
    assert mechanism()[0] != "systemd-slices"
    monkeypatch.setattr(priority.os, "geteuid", lambda: 0)
    monkeypatch.setattr(priority, "SYSTEMD_RUNTIME", tmp_path / "absent")
    assert SystemdTiers.create(10, 19) is None
    assert mechanism()[0] != "systemd-slices"


def test_a_malformed_call_is_refused_as_busctl_would(systemd):
    """The stand-in reads arguments by their signature: a property list whose count is wrong fails."""
    tiers = SystemdTiers.create(10, 19)
    with pytest.raises(priority.SystemdError, match="Too many parameters"):
        tiers.call("SetUnitProperties", "sba(sv)", USERS_SLICE, "true", "1", "CPUWeight", "t", "5", "extra")
    with pytest.raises(priority.SystemdError, match="Too few parameters"):
        tiers.call("SetUnitProperties", "sba(sv)", USERS_SLICE, "true", "2", "CPUWeight", "t", "5")


def test_the_spawner_places_its_server_and_kernels_through_systemd(systemd, sleeper, monkeypatch):
    """The spawner's tier moves (start, running, a page being rendered) go to systemd's scopes."""
    monkeypatch.setattr(DemoSpawner, "_cpu_tiers", {})
    spawner = DemoSpawner(cpu_nice=19, start_nice=10)
    assert isinstance(spawner.cpu_tiers, SystemdTiers) and spawner.starting_group is None
    server = subprocess.Popen([sys.executable, "-c", "import subprocess, sys; "
                               "subprocess.run(['sleep', '60'])"])  # fmt: skip
    try:
        spawner.pid = server.pid
        wait_for(lambda: psutil.Process(server.pid).children(), 10, "the server's child (a kernel, here)")
        spawner.move_tree_to_tier(running=False)
        [(_, unit)] = systemd.scopes_of(server.pid)
        assert unit["Slice"] == TIER_SLICES[False] and len(unit["PIDs"]) == 2
        spawner.move_tree_to_tier(running=True)
        assert systemd.scopes_of(server.pid)[0][1]["Slice"] == TIER_SLICES[True]
    finally:
        for process in [*psutil.Process(server.pid).children(recursive=True), psutil.Process(server.pid)]:
            process.kill()
        server.wait()
