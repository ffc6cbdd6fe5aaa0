"""The records service without a hub: routes match the OpenAPI document, it refuses an unmigrated
database, health needs no login, calls without a hub identity are refused, a database outage is a 503;
and the client's URL discovery."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import requests

from hub.records.app import ROUTES
from hub.records.openapi import openapi_document
from hub.store import make_engine, open_store
from hub.store.store import RecordStore
from hub.store.testing import build_small_world, new_database_url
from tests.records_support import ServedRecords
from widgets.client import RecordsClient, RecordsError, derived_service_url


def test_every_route_is_in_the_openapi_document_and_back():
    paths = openapi_document()["paths"]
    routes = {"/" + path: set(methods) for path, _, methods in ROUTES}
    assert set(paths) == set(routes)
    for path, methods in routes.items():
        assert set(paths[path]) == methods, path
        for method, handler_path in ((m, p) for m in methods for p, h, _ in ROUTES if "/" + p == path):
            handler = next(h for p, h, _ in ROUTES if p == handler_path)
            assert hasattr(handler, method), f"{handler.__name__} has no {method}"
        for name in re.findall(r"{(\w+)}", path):
            for spec in paths[path].values():
                assert name in [p["name"] for p in spec.get("parameters", [])], (path, name)


def test_service_refuses_an_unmigrated_database(tmp_path):
    env = {**os.environ, "MENTORHUB_RECORDS_DB_URL": f"sqlite:///{tmp_path / 'new.sqlite'}",
           "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:1"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "hub.records"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "mentorhub db upgrade" in done.stderr and "尚未迁移" in done.stderr


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    # no hub here: point the service's HubOAuth at a closed port (read when it is first created)
    saved = os.environ.get("JUPYTERHUB_API_URL")
    os.environ["JUPYTERHUB_API_URL"] = "http://127.0.0.1:9/hub/api"
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("svc"))
    store = open_store(url)
    build_small_world(store)
    service = ServedRecords(store)
    yield service
    service.stop()
    if saved is None:
        os.environ.pop("JUPYTERHUB_API_URL", None)
    else:
        os.environ["JUPYTERHUB_API_URL"] = saved


def test_health_needs_no_login(served):
    assert requests.get(served.url + "health", timeout=10).json() == {"status": "ok", "database": "ok"}
    assert "/students/{student_id}" in requests.get(served.url + "openapi.json", timeout=10).json()["paths"]


@pytest.mark.parametrize("method, path", [("GET", "me"), ("GET", "students"), ("POST", "records"),
                                          ("GET", "audit"), ("DELETE", "records/1")])  # fmt: skip
def test_calls_without_a_hub_identity_are_refused(served, method, path):
    response = requests.request(method, served.url + path, json={}, timeout=10)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["message_zh"] and error["message_en"]


def test_database_outage_is_a_clear_503():
    store = RecordStore(make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"))
    service = ServedRecords(store)
    try:
        response = requests.get(service.url + "health", timeout=30)
    finally:
        service.stop()
    assert response.status_code == 503
    assert response.json()["error"]["message_zh"] == "记录数据库暂时无法访问，请稍后再试"


def test_client_finds_the_service_url():
    assert derived_service_url("http://127.0.0.1:8000/hub/api") == "http://127.0.0.1:8000/services/records/api/v1/"
    client = RecordsClient.from_environment({"MENTORHUB_RECORDS_URL": "http://x/services/records/api/v1",
                                             "JUPYTERHUB_API_TOKEN": "abc"})  # fmt: skip
    assert client.base_url == "http://x/services/records/api/v1/"
    assert client.session.headers["Authorization"] == "token abc"
    with pytest.raises(RecordsError) as info:
        RecordsClient.from_environment({})
    assert info.value.status == 0 and "记录服务" in info.value.message_zh


def test_client_turns_errors_into_exceptions(served):
    client = RecordsClient(served.url)
    assert client.health()["status"] == "ok"
    with pytest.raises(RecordsError) as info:
        client.me()
    assert info.value.status == 403 and info.value.message_zh == "请先登录平台（需要有效的令牌）"


def test_a_token_that_cannot_be_checked_is_a_503(served):
    # this service has no hub to ask (its JUPYTERHUB_API_URL points nowhere): it must say so, not crash
    client = RecordsClient(served.url, "some-token")
    with pytest.raises(RecordsError) as info:
        client.me()
    assert info.value.status == 503 and "平台" in info.value.message_zh
