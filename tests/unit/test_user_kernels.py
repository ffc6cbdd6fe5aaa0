"""Kernels as users' servers start them (hub.kernels): over Unix sockets in a private folder of their own,
removed with the kernel (or, killed with its server, later); chosen through the environment variable the
spawner sets."""

from __future__ import annotations

import glob
import os
import socket
import stat
import tempfile
import time

from jupyter_client import AsyncKernelManager

from hub.kernels import (
    DEFAULT_PROVISIONER_ENV,
    PROVISIONER_NAME,
    SOCKETS_PREFIX,
    UserKernelProvisioner,
    remove_left_behind,
)


async def test_a_users_kernel_talks_over_unix_sockets_in_a_private_folder_removed_with_it(monkeypatch):
    monkeypatch.setenv(DEFAULT_PROVISIONER_ENV, PROVISIONER_NAME)
    manager = AsyncKernelManager(kernel_name="python3")
    await manager.start_kernel()
    client = manager.client()
    try:
        assert isinstance(manager.provisioner, UserKernelProvisioner)
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        reply = await client.execute("1 + 1", reply=True, timeout=30)
        assert reply["content"]["status"] == "ok"

        info = manager.get_connection_info()
        folder = os.path.dirname(info["ip"])
        assert info["transport"] == "ipc" and folder.startswith(os.path.join(tempfile.gettempdir(), SOCKETS_PREFIX))
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700 and os.stat(folder).st_uid == os.geteuid()
        sockets = glob.glob(f"{info['ip']}-*")
        assert len(sockets) == 5 and all(stat.S_ISSOCK(os.stat(path).st_mode) for path in sockets)
        assert max(len(path) for path in sockets) < 100  # a Unix socket path holds at most 107 bytes

        await manager.restart_kernel()  # the same folder serves the restarted kernel
        await client.wait_for_ready(timeout=60)
        assert os.path.dirname(manager.get_connection_info()["ip"]) == folder
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
    assert not os.path.exists(folder)


def socket_folder(root, name: str, listening: bool, age: float) -> tuple:
    """A kernel's socket folder under ``root``: one socket, still answering or left behind by a killed kernel."""
    folder = root / f"{SOCKETS_PREFIX}{name}"
    folder.mkdir()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(folder / "k-1"))
    server.listen()
    if not listening:
        server.close()  # the file stays, as when a kernel is killed
    os.utime(folder, (time.time() - age, time.time() - age))
    return folder, server


def test_folders_left_behind_by_killed_kernels_are_removed_and_no_other(tmp_path):
    gone, _ = socket_folder(tmp_path, "gone", listening=False, age=3600)
    running, server = socket_folder(tmp_path, "running", listening=True, age=3600)
    starting, _ = socket_folder(tmp_path, "starting", listening=False, age=5)
    unrelated = tmp_path / "unrelated"
    unrelated.mkdir()
    os.utime(unrelated, (0, 0))
    try:
        assert remove_left_behind(str(tmp_path), time.time()) == [gone]
        assert not gone.exists() and running.exists() and starting.exists() and unrelated.exists()
    finally:
        server.close()
