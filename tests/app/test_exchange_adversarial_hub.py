"""Issue 8's adversarial table on the real hub: the same cases as ``tests/unit/test_exchange_api.py``
(``tests.exchange_attacks.ATTACKS``), sent over HTTP through the hub's proxy with real hub tokens.

Each attempt is refused with its status and the exchange service's store under the hub's state folder is
byte-for-byte unchanged. The callers are hub users made for this module through the hub's REST API, so that
their courses are exactly what the table needs (the demo seed enrols its teachers in every course):
teachers A and B in ``foundations`` only, a trainer of ``psychology`` only; ``trainer1`` trains both. They are
deleted at the end, and the module's assignments unreleased.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlparse

import pytest
import requests

from hub.exchange.client import ExchangeClient
from hub.exchange.hidden import fingerprint
from hub.exchange.hubconfig import STORE_FOLDER
from tests.exchange_attacks import ATTACKS, HIDDEN_LINE, check_refusal, post_raw, zeros
from tests.exchange_support import snapshot

pytestmark = pytest.mark.app

X, Y = "foundations", "psychology"
NOTEBOOK = json.dumps({"cells": [{"cell_type": "code", "source": 'answer = ""', "metadata": {},
                                  "outputs": [], "execution_count": None}]}).encode()


class HubWorld:
    """The names of the shared table's ``world`` on the real hub; ``send`` goes through the proxy."""

    def __init__(self, hub):
        tag = uuid.uuid4().hex[:6]
        self.hub = hub
        self.x, self.y = X, Y
        self.assignment, self.other, self.unreleased = f"probe-{tag}", f"probe-{tag}-y", f"probe-{tag}-never"
        self.a, self.b, self.trainer_y = f"probe-a-{tag}", f"probe-b-{tag}", f"probe-trainer-y-{tag}"
        self.sid = ""
        self.tokens: dict[str, str] = {}
        self.store = hub.state_dir / STORE_FOLDER

    def make_users(self) -> None:
        for name, group in ((self.a, f"nbgrader-{X}"), (self.b, f"nbgrader-{X}"),
                            (self.trainer_y, f"formgrade-{Y}")):
            self.hub.api("POST", f"/users/{name}").raise_for_status()
            self.hub.api("POST", f"/groups/{group}/users", json={"users": [name]}).raise_for_status()
            self.tokens[name] = self.hub.user_token(name)
        self.tokens["trainer1"] = self.hub.user_token("trainer1")
        self.tokens["B"], self.tokens["trainer_x"] = self.tokens[self.b], self.tokens["trainer1"]
        self.tokens["trainer_y"] = self.tokens[self.trainer_y]

    def remove_users(self) -> None:
        for name in (self.a, self.b, self.trainer_y):
            self.hub.api("DELETE", f"/users/{name}")

    def client(self, who: str) -> ExchangeClient:
        return ExchangeClient(f"{self.hub.url}/services/exchange/", self.tokens[who], timeout=60)

    def send(self, actor, method, path, json=None, data=None):
        headers = {} if actor == "nobody" else {"Authorization": f"token {self.tokens[actor]}"}
        return requests.request(method, f"{self.hub.url}/services/exchange/api/{path}", headers=headers,
                                json=json, data=data, timeout=60, allow_redirects=False)


@pytest.fixture(scope="module")
def world(running_hub):
    if running_hub.api("GET", "/services/exchange").status_code != 200:
        pytest.skip("the exchange service is not wired into hub/config.py")
    running_hub.wait_for_service("exchange", timeout=120)
    world = HubWorld(running_hub)
    trainer = None
    try:
        world.make_users()
        trainer = world.client("trainer1")
        trainer.release(X, world.assignment, {f"{world.assignment}.ipynb": NOTEBOOK},
                        fingerprints=[fingerprint(HIDDEN_LINE)])
        trainer.release(Y, world.other, {f"{world.other}.ipynb": NOTEBOOK})
        submission = world.client(world.a).submit(X, world.assignment,
                                                  {f"{world.assignment}.ipynb": b'{"answer": "A"}'})
        world.sid = submission["submission_id"]
        trainer.release_feedback(X, world.a, world.assignment, world.sid,
                                 {f"{world.assignment}.html": "<p>第 1 题：未写出三个一</p>".encode()})
        yield world
    finally:
        if trainer is not None:
            for course, assignment in ((X, world.assignment), (Y, world.other)):
                try:
                    trainer.unrelease(course, assignment)
                except Exception:  # noqa: BLE001 - cleanup must reach the users below
                    pass
        world.remove_users()


def test_the_world_is_what_the_table_assumes(world):
    """The refusals below mean something: A's submission and feedback are there and reachable by their owner
    and the course's trainer, and B is a real participant of the course."""
    a, b = world.client(world.a), world.client(world.b)
    assert b.courses() == {X: "participant"}
    assert world.client("trainer_y").courses() == {Y: "trainer"}
    assert a.fetch_submission(X, world.a, world.assignment, world.sid)["student"] == world.a
    assert [f["submission_id"] for f in a.feedback(X)] == [world.sid]
    seen = world.client("trainer1").submissions(X, world.assignment)
    assert [(s["student"], s["submission_id"]) for s in seen] == [(world.a, world.sid)]
    assert [r["assignment"] for r in b.releases(X) if r["assignment"] == world.assignment] == [world.assignment]
    assert b.submissions(X) == []


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_through_the_hub_is_refused_and_changes_nothing(world, attack):
    before = snapshot(world.store)
    assert before, "the exchange store under the hub's state folder is empty: wrong folder?"
    check_refusal(ATTACKS[attack].play(world), ATTACKS[attack].status)
    assert snapshot(world.store) == before


def test_a_200_mb_upload_is_refused_early_through_the_proxy(world):
    before = snapshot(world.store)
    public = urlparse(world.hub.url)
    size = 200 * 2**20
    head = (f"POST /services/exchange/api/courses/{X}/assignments/{world.assignment}/submissions HTTP/1.1\r\n"
            f"Host: {public.netloc}\r\nAuthorization: token {world.tokens['B']}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n")
    answer = post_raw(public.hostname, public.port, head, zeros(size))
    assert answer.status == 413, answer.body[:500]
    message = json.loads(answer.body)["error"]["message_zh"]
    assert "20 MB" in message and "超过" in message
    # refused from the Content-Length header: far less than the 20 MB limit went through the proxy
    assert answer.bytes_sent < 20 * 2**20, answer.bytes_sent
    assert snapshot(world.store) == before
