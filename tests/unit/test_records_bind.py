"""Cluster mode: the records service listens on MENTORHUB_SERVICE_BIND_URL when it is set (all interfaces of
the hub pod), else on the hub's JUPYTERHUB_SERVICE_URL."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from hub.cluster import SERVICE_BIND_ENV
from hub.records.__main__ import BIND_URL_ENV, listen_address
from hub.store import open_store
from hub.store.crypto import ensure_key_file
from hub.store.testing import new_database_url
from tests.helpers import free_port, wait_for


@pytest.mark.parametrize("environ, expected", [
    ({"MENTORHUB_SERVICE_BIND_URL": "http://0.0.0.0:8181", "JUPYTERHUB_SERVICE_URL": "http://hub:8181"},
     ("0.0.0.0", 8181)),
    ({"MENTORHUB_SERVICE_BIND_URL": "http://0.0.0.0:9000/", "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:8181"},
     ("0.0.0.0", 9000)),
    ({"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:8282"}, ("127.0.0.1", 8282)),
    ({"MENTORHUB_SERVICE_BIND_URL": "", "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:8282"}, ("127.0.0.1", 8282)),
    ({}, ("127.0.0.1", 8181)),
])  # fmt: skip
def test_bind_url_wins_over_the_service_url(environ, expected):
    assert listen_address(environ) == expected


def test_the_name_is_the_one_cluster_mode_sets():
    assert BIND_URL_ENV == SERVICE_BIND_ENV


def test_service_process_listens_on_the_bind_url(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    open_store(url).close()
    bind_port, service_port = free_port(), free_port()
    keys = tmp_path / "field-keys.json"
    ensure_key_file(keys)  # the service does not start without its field keys (hub.store.crypto)
    env = {**os.environ, "MENTORHUB_RECORDS_DB_URL": url, "JUPYTERHUB_API_URL": "http://127.0.0.1:9/hub/api",
           "MENTORHUB_FIELD_KEY_FILE": str(keys),
           "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{service_port}",
           BIND_URL_ENV: f"http://127.0.0.1:{bind_port}"}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "hub.records"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        health = f"http://127.0.0.1:{bind_port}/services/records/api/v1/health"
        wait_for(lambda: requests.get(health, timeout=2).status_code == 200, timeout=60, what="records service")
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{service_port}/services/records/api/v1/health", timeout=2)
    finally:
        process.terminate()
        process.wait(30)
