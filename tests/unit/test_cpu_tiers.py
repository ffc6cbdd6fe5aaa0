"""The cpu tiers of users' servers on the cgroup layouts districts' machines have, on recorded cgroup trees:
cgroup v2 (a systemd service with a delegated subtree, a container at the top of its own tree), cgroup v1,
and neither. This machine has cgroup v1 (tests/unit/test_server_priority.py uses the real one); the v2 trees
here are the files a v2 host shows, in a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hub import priority
from hub.priority import (
    CGROUP_V1_CPU,
    HUB_LEAF,
    UserCpuGroups,
    cgroup_v2_mount,
    cpu_weight_v2,
    mechanism,
    own_cgroup,
)

V2_MOUNTINFO = ("25 1 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
                "rw,nsdelegate,memory_recursiveprot\n"
                "26 25 0:24 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n")
HYBRID_MOUNTINFO = ("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
                    "43 31 0:40 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n")


@pytest.fixture
def moves(monkeypatch):
    """Every process move, recorded (a file in a temporary folder keeps only the last pid written)."""
    seen = []

    def move(pid, group):
        seen.append((str(pid), Path(group)))
        (Path(group) / "cgroup.procs").write_text(str(pid))
        return True
    monkeypatch.setattr(UserCpuGroups, "move", staticmethod(move))
    return seen


def cgroup_file(tmp_path: Path, line: str) -> str:
    path = tmp_path / "proc-self-cgroup"
    path.write_text(line + "\n")
    return str(path)


def v2_tree(root: Path, own: str, controllers: str = "cpu io memory pids", procs: str = "101\n102\n") -> Path:
    group = root / own.lstrip("/")
    group.mkdir(parents=True, exist_ok=True)
    (group / "cgroup.controllers").write_text(controllers + "\n")
    (group / "cgroup.subtree_control").write_text("\n")
    (group / "cgroup.procs").write_text(procs)
    return group


def test_the_v2_mount_is_found_in_mountinfo(tmp_path):
    (tmp_path / "v2").write_text(V2_MOUNTINFO)
    (tmp_path / "hybrid").write_text(HYBRID_MOUNTINFO)
    assert cgroup_v2_mount(tmp_path / "v2") == Path("/sys/fs/cgroup")
    assert cgroup_v2_mount(tmp_path / "hybrid") == Path("/sys/fs/cgroup/unified")


def test_weights_follow_the_schedulers_table():
    assert [cpu_weight_v2(nice) for nice in (0, 10, 19)] == [100, 11, 1]


def test_the_mechanism_is_found_without_changing_anything(tmp_path):
    unified = tmp_path / "cgroup"
    service = v2_tree(unified, "/system.slice/mentorhub.service")
    proc = cgroup_file(tmp_path, "0::/system.slice/mentorhub.service")
    assert mechanism(tmp_path / "no-v1", unified, proc) == ("cgroup-v2", str(service))
    assert sorted(p.name for p in service.iterdir()) == ["cgroup.controllers", "cgroup.procs",
                                                         "cgroup.subtree_control"]


def test_a_delegated_systemd_service(tmp_path, moves):
    unified = tmp_path / "cgroup"
    service = v2_tree(unified, "/system.slice/mentorhub.service")
    groups = UserCpuGroups.create(10, 19, unified=unified,
                                  proc_cgroup=cgroup_file(tmp_path, "0::/system.slice/mentorhub.service"))
    assert groups is not None and groups.version == 2
    assert groups.starting == service / "mentorhub-users" / "starting"
    # the hub's processes left the service's own cgroup for a leaf, before children got the cpu controller
    assert moves == [("101", service / HUB_LEAF), ("102", service / HUB_LEAF)]
    assert (service / "cgroup.subtree_control").read_text() == "+cpu"
    assert (service / "mentorhub-users" / "cgroup.subtree_control").read_text() == "+cpu"
    assert (groups.starting / "cpu.weight").read_text() == "11"
    assert (groups.running / "cpu.weight").read_text() == "1"


def test_a_restarted_hub_reuses_its_leaf(tmp_path, moves):
    unified = tmp_path / "cgroup"
    service = v2_tree(unified, "/system.slice/mentorhub.service", procs="")
    (service / "cgroup.subtree_control").write_text("cpu\n")
    v2_tree(unified, f"/system.slice/mentorhub.service/{HUB_LEAF}", procs="103\n")
    groups = UserCpuGroups.create(
        10, 19, unified=unified, proc_cgroup=cgroup_file(tmp_path, f"0::/system.slice/mentorhub.service/{HUB_LEAF}"))
    assert groups.starting == service / "mentorhub-users" / "starting"
    assert not (service / HUB_LEAF / HUB_LEAF).exists() and moves == []
    assert (service / "cgroup.subtree_control").read_text() == "cpu\n"  # already enabled: left as it was


def test_a_container_at_the_top_of_its_tree(tmp_path, moves):
    unified = tmp_path / "cgroup"
    v2_tree(unified, "/")
    groups = UserCpuGroups.create(10, 19, unified=unified, proc_cgroup=cgroup_file(tmp_path, "0::/"))
    assert groups.starting == unified / "mentorhub-users" / "starting"
    assert moves == []  # the top cgroup may keep its processes beside its children


def test_v2_without_the_cpu_controller_falls_back_to_v1(tmp_path, moves):
    unified, v1 = tmp_path / "unified", tmp_path / "cpu"
    v2_tree(unified, "/", controllers="hugetlb")  # a hybrid host: cpu is bound to v1
    v1.mkdir()
    proc = cgroup_file(tmp_path, "1:cpu:/\n0::/")
    groups = UserCpuGroups.create(10, 19, hierarchy=v1, unified=unified, proc_cgroup=proc)
    assert groups.version == 1
    assert (v1 / "mentorhub-users" / "starting" / "cpu.shares").read_text() == "110"
    assert not (unified / "mentorhub-users").exists()


def test_nothing_usable_means_session_niceness(tmp_path, monkeypatch):
    proc = cgroup_file(tmp_path, "0::/user.slice")
    unified = tmp_path / "ro"
    v2_tree(unified, "/user.slice", controllers="memory pids")  # cpu not delegated to us
    assert UserCpuGroups.create(10, 19, hierarchy=tmp_path / "no-v1", unified=unified, proc_cgroup=proc) is None
    monkeypatch.setattr(priority, "autogroup_nice", lambda pid="self": 0)
    assert mechanism(tmp_path / "no-v1", unified, proc)[0] == "session-niceness"
    monkeypatch.setattr(priority, "autogroup_nice", lambda pid="self": None)
    assert mechanism(tmp_path / "no-v1", unified, proc)[0] == "niceness"


def test_this_machine(tmp_path):
    """Here: a cgroup-v1 cpu hierarchy (usable as root) beside a unified hierarchy without the cpu controller."""
    found, where = mechanism()
    if CGROUP_V1_CPU.is_dir() and os.geteuid() == 0:
        assert (found, where) == ("cgroup-v1", str(CGROUP_V1_CPU / own_cgroup("cpu").lstrip("/")).rstrip("/"))
    else:
        assert found in ("cgroup-v2", "session-niceness", "niceness")
