"""Kernels of closed Voilà pages are shut down after three minutes (issue 19, item 6; hub.kernel_culling).

Real kernels in the kernel manager that users' servers use, started as Voilà's page handler starts them (its
``VOILA_*`` variables in the kernel's environment) and as JupyterLab starts them (without). Instead of
waiting, the kernels' last activity is set back; then the manager's own periodic check runs once.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from jupyter_server._tz import utcnow

from hub.config import USER_CONFIG_DIR
from hub.kernel_culling import VOILA_MARKER, CullingKernelManager

CONFIG = json.loads((USER_CONFIG_DIR / "jupyter_server_config.json").read_text(encoding="utf-8"))
VOILA_ENV = {VOILA_MARKER: "/user/teacher1/", "VOILA_PREHEAT": "False"}


def test_users_servers_use_it_with_a_three_minute_limit_checked_every_minute():
    assert CONFIG["ServerApp"]["kernel_manager_class"] == "hub.kernel_culling.CullingKernelManager"
    assert CONFIG["CullingKernelManager"]["voila_cull_idle_timeout"] == 180
    assert CONFIG["MappingKernelManager"]["cull_interval"] <= 60
    assert CONFIG["MappingKernelManager"]["cull_idle_timeout"] == 1800  # notebooks: as before


@pytest.fixture
async def manager(tmp_path):
    km = CullingKernelManager(root_dir=str(tmp_path), cull_idle_timeout=1800, cull_interval=60,
                              voila_cull_idle_timeout=180)
    yield km
    await km.shutdown_all(now=True)


def idle_for(km: CullingKernelManager, kernel_id: str, seconds: int) -> None:
    km.get_kernel(kernel_id).last_activity = utcnow() - timedelta(seconds=seconds)


async def test_a_closed_voila_pages_kernel_goes_a_notebooks_kernel_stays(manager):
    voila = await manager.start_kernel(kernel_name="python3", env=VOILA_ENV)
    notebook = await manager.start_kernel(kernel_name="python3")
    recent = await manager.start_kernel(kernel_name="python3", env=VOILA_ENV)
    for kernel_id in (voila, notebook):
        idle_for(manager, kernel_id, 200)
    idle_for(manager, recent, 100)
    await manager.cull_kernels()
    assert voila not in manager  # no page connected for more than three minutes
    assert notebook in manager  # a notebook's kernel has the usual 30 minutes
    assert recent in manager


async def test_a_voila_kernel_with_its_page_open_stays(manager):
    voila = await manager.start_kernel(kernel_name="python3", env=VOILA_ENV)
    manager._kernel_connections[voila] = 1  # the page's websocket
    idle_for(manager, voila, 200)
    await manager.cull_kernels()
    assert voila in manager
    manager._kernel_connections[voila] = 0  # the page is closed
    await manager.cull_kernels()
    assert voila not in manager
