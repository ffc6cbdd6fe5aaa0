"""The records service stops without cutting a request off (issue 9's hub restart: a write in flight when the
hub stopped its services got a 500, which no client retries). The real service process, told to stop with
SIGINT as the hub does, while a request is being answered: that request gets its real answer, a new
connection is refused, a new request on a connection kept open gets 503 (which callers retry), and the
process exits by itself. The hub's token check is the one thing stood in for: a small HTTP server that answers
``GET /hub/api/user`` only when the test lets it, so that the request is held in flight."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from hub.records.handlers import STOPPING
from hub.store import open_store
from hub.store.crypto import ensure_key_file
from hub.store.testing import build_small_world, new_database_url
from tests.helpers import free_port, wait_for

SCOPE = "access:services!service=records"


class SlowHub:
    """The hub's API as the records service asks it who a token belongs to; each answer waits for ``release``."""

    def __init__(self, name: str):
        self.asked, self.release = threading.Event(), threading.Event()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                hub.asked.set()
                hub.release.wait(30)
                body = json.dumps({"kind": "user", "name": name, "created": "2026-09-01T00:00:00.000000Z",
                                   "scopes": [SCOPE], "groups": [], "admin": False}).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hub/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


@pytest.fixture
def service(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    build_small_world(store)
    store.close()
    mentor = "m_a"  # a mentor of the small world (hub.store.testing.SMALL_WORLD)
    hub = SlowHub(mentor)
    keys = tmp_path / "field-keys.json"
    ensure_key_file(keys)
    port = free_port()
    env = {**os.environ, "MENTORHUB_RECORDS_DB_URL": url, "MENTORHUB_FIELD_KEY_FILE": str(keys),
           "JUPYTERHUB_API_URL": hub.url, "JUPYTERHUB_API_TOKEN": "service-token",
           "JUPYTERHUB_SERVICE_NAME": "records", "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps([SCOPE]),
           "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "hub.records"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)  # fmt: skip
    api = f"http://127.0.0.1:{port}/services/records/api/v1/"
    try:
        wait_for(lambda: requests.get(api + "health", timeout=2).status_code == 200, 60, "records service")
        yield process, api, hub, mentor
    finally:
        hub.close()
        if process.poll() is None:
            process.kill()
        process.wait(10)


def test_a_stop_answers_the_request_in_flight_and_refuses_new_ones(service):
    process, api, hub, mentor = service
    kept_alive = requests.Session()
    assert kept_alive.get(api + "health", timeout=10).status_code == 200  # a connection the proxy would keep
    with ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(requests.get, api + "me", headers={"Authorization": "token a-teachers-token"},
                                timeout=60)  # fmt: skip
        assert hub.asked.wait(30), "the request never reached the token check"
        process.send_signal(signal.SIGINT)  # as the hub stops its services
        wait_for(lambda: refused(api), 10, "the service to stop listening")
        late = kept_alive.get(api + "health", timeout=10)
        assert late.status_code == 503 and late.json()["error"]["message_zh"] == STOPPING[1]
        assert process.poll() is None  # still answering the request in flight
        hub.release.set()
        answer = in_flight.result(timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["username"] == mentor
    assert process.wait(15) == 0
    output = process.stdout.read()
    assert "records service stopped" in output and "Traceback" not in output, output


def test_a_second_signal_stops_it_at_once(service):
    """The hub's SIGTERM after its patience ran out: no more waiting for the request in flight."""
    process, api, hub, _ = service
    with ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(requests.get, api + "me", headers={"Authorization": "token a-teachers-token"},
                                timeout=60)  # fmt: skip
        assert hub.asked.wait(30)
        process.send_signal(signal.SIGINT)
        wait_for(lambda: refused(api), 10, "the service to stop listening")
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 1
        hub.release.set()
        with pytest.raises(requests.ConnectionError):
            in_flight.result(timeout=30)


def refused(api: str) -> bool:
    try:
        requests.get(api + "health", timeout=2)
    except requests.ConnectionError:
        return True
    return False
