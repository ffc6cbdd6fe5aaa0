"""Shared fixtures for Mentor Hub's tests.

Building blocks (all documented on the fixture itself):

- ``isolated_jupyter_env`` (session, autouse): a private HOME and Jupyter config/data paths, so the
  developer's own configuration never leaks into a test and no test writes into the real home.
- ``free_port()``: a free TCP port on 127.0.0.1 (plain function, import it from ``tests.helpers``).
- ``hub_settings_file`` (session): a settings file for a demo hub on free loopback ports, its state folder
  seeded with the synthetic demo district through the real ``mentorhub demo seed`` command.
- ``running_hub`` (session): a real JupyterHub with its real configurable-http-proxy, records service,
  idle culler and course formgraders, started from ``jupyterhub_config.py``; a ``HubHandle`` with
  ``url``, ``login(user)``, ``user_token(user)``, ``api(...)``, ``spawn(user)`` and ``stop(user)``.
  Shared by the app and browser tests; stopped (with every child process) at the end of the session.
- ``pg_url`` (session): the PostgreSQL URL from ``MENTORHUB_TEST_PG_URL``; tests that use it are skipped
  only when the variable is unset (CI sets it, and there an unreachable server fails).
- ``artifacts_dir``: ``test-artifacts/`` for screenshots and logs that CI keeps.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import HubHandle, start_hub, write_hub_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def isolated_jupyter_env(tmp_path_factory):
    """Point HOME and the Jupyter paths at a private folder for the whole session."""
    home = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in
             ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_PATH",
              "IPYTHONDIR", "MENTORHUB_SETTINGS")}
    os.environ.update({
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / ".local/share/jupyter/runtime"),
        "IPYTHONDIR": str(home / ".ipython"),
    })
    os.environ.pop("JUPYTER_CONFIG_PATH", None)
    os.environ.pop("MENTORHUB_SETTINGS", None)
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def hub_settings_file(tmp_path_factory) -> Path:
    """A seeded demo state folder and the settings file pointing at it (free ports)."""
    return write_hub_settings(tmp_path_factory.mktemp("hub"), seed=True)


@pytest.fixture(scope="session")
def running_hub(hub_settings_file, artifacts_dir) -> HubHandle:
    """A real hub for the whole session; its log is copied to test-artifacts/hub.log at the end."""
    handle = start_hub(hub_settings_file)
    try:
        yield handle
    finally:
        handle.shutdown(log_copy=artifacts_dir / "hub.log")


@pytest.fixture(scope="session")
def pg_url() -> str:
    url = os.environ.get("MENTORHUB_TEST_PG_URL")
    if not url:
        pytest.skip("MENTORHUB_TEST_PG_URL is not set (CI sets it; then a missing server is a failure)")
    return url
