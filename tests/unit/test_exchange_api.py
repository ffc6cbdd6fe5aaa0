"""The exchange service's rules through its real HTTP API (in-process tornado app; only the identity is
supplied by a test header instead of a hub token). The adversarial table of issue 8: every attempt is
refused with the right status and leaves the server's store byte-for-byte unchanged."""

from __future__ import annotations

import base64
import json
import socket

import pytest
import requests

from hub.exchange.hidden import fingerprint
from hub.exchange.wire import encode_files, raw_limit, sha256
from tests.exchange_attacks import ATTACKS, HIDDEN_LINE, check_refusal, post_raw, zeros
from tests.exchange_support import PREFIX, ExchangeServer, snapshot

FOUNDATIONS = "nbgrader-foundations"
NOTEBOOK = json.dumps({"cells": [{"cell_type": "code", "source": "答案 = \"\"\nassert isinstance(答案, str)"}]})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A server with two released assignments, teacher A's submission and its feedback."""
    server = ExchangeServer(tmp_path_factory.mktemp("exchange"), courses={"foundations", "psychology"})
    trainer = server.client("trainer1", "formgrade-foundations")
    trainer.release("foundations", "policy-basics", {"policy-basics.ipynb": NOTEBOOK.encode()},
                    fingerprints=[fingerprint(HIDDEN_LINE)])
    server.client("trainer2", "formgrade-psychology").release("psychology", "signals",
                                                               {"signals.ipynb": NOTEBOOK.encode()})
    a = server.client("teacherA", FOUNDATIONS)
    submission = a.submit("foundations", "policy-basics", {"policy-basics.ipynb": b'{"answer": "A"}'})
    trainer.release_feedback("foundations", "teacherA", "policy-basics", submission["submission_id"],
                             {"policy-basics.html": "<p>第 1 题：未写出三个一</p>".encode()})
    yield server, submission
    server.close()


def raw(server, method, path, user, groups, **kwargs):
    headers = {"X-Test-User": user, "X-Test-Groups": ",".join(groups), **kwargs.pop("headers", {})}
    return requests.request(method, server.url + "api/" + path, headers=headers, timeout=60, **kwargs)


def submission_path(submission):
    return f"courses/foundations/submissions/teacherA/policy-basics/{submission['submission_id']}"


def files_payload(path="policy-basics.ipynb", data=b"{}"):
    return {"files": encode_files({path: data})}


# --- the normal flow -------------------------------------------------------------------------------
def test_teacher_sees_released_assignments_of_own_courses_only(world):
    server, _ = world
    a = server.client("teacherA", FOUNDATIONS)
    assert a.courses() == {"foundations": "participant"}
    released = a.releases("foundations")
    assert [r["assignment"] for r in released] == ["policy-basics"]
    fetched = a.fetch_release("foundations", "policy-basics")
    assert base64.b64decode(fetched["files"][0]["content_b64"]) == NOTEBOOK.encode()
    assert fetched["files"][0]["sha256"] == sha256(NOTEBOOK.encode())


def test_submission_gets_server_timestamp_and_is_never_replaced(world):
    server, first = world
    b = server.client("teacherB", FOUNDATIONS)
    one = b.submit("foundations", "policy-basics", {"policy-basics.ipynb": b"1"})
    two = b.submit("foundations", "policy-basics", {"policy-basics.ipynb": b"2"})
    assert one["student"] == "teacherB" and one["submission_id"] != two["submission_id"]
    assert one["timestamp"] < two["timestamp"]
    own = b.submissions("foundations")
    assert [s["submission_id"] for s in own] == [one["submission_id"], two["submission_id"]]
    trainer = server.client("trainer1", "formgrade-foundations")
    everyone = trainer.submissions("foundations", "policy-basics")
    assert {s["student"] for s in everyone} == {"teacherA", "teacherB"}
    assert trainer.fetch_submission("foundations", "teacherB", "policy-basics",
                                    one["submission_id"])["files"][0]["content_b64"] == base64.b64encode(b"1").decode()


def test_teacher_reads_own_feedback(world):
    server, submission = world
    a = server.client("teacherA", FOUNDATIONS)
    [entry] = a.feedback("foundations")
    assert entry["submission_id"] == submission["submission_id"]
    html = a.fetch_feedback("foundations", "teacherA", "policy-basics", submission["submission_id"])
    assert "三个一" in base64.b64decode(html["files"][0]["content_b64"]).decode()
    assert server.client("teacherB", FOUNDATIONS).feedback("foundations") == []


def test_course_service_acts_as_that_course_trainer(world):
    server, _ = world
    service = server.client("foundations", service=True)
    assert {s["student"] for s in service.submissions("foundations")} >= {"teacherA"}
    other = raw(server, "GET", "courses/psychology/submissions", "foundations", [],
                headers={"X-Test-Service": "1"})
    assert other.status_code == 403


# --- the adversarial table (shared with the real-hub layer, tests/app/test_exchange_adversarial_hub.py) -----
ACTORS = {"B": ("teacherB", [FOUNDATIONS]), "trainer_x": ("trainer1", ["formgrade-foundations"]),
          "trainer_y": ("trainer2", ["formgrade-psychology"])}


class UnitWorld:
    """The names of ``world`` for the shared table; callers are named by the test header."""

    x, y, a = "foundations", "psychology", "teacherA"
    assignment, other, unreleased = "policy-basics", "signals", "matching"

    def __init__(self, server, submission):
        self.server, self.sid = server, submission["submission_id"]

    def send(self, actor, method, path, json=None, data=None):
        if actor == "nobody":
            return requests.request(method, self.server.url + "api/" + path, json=json, data=data, timeout=60)
        user, groups = ACTORS[actor]
        return raw(self.server, method, path, user, groups, json=json, data=data)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_is_refused_and_changes_nothing(world, attack):
    server, submission = world
    before = snapshot(server.store.root)
    check_refusal(ATTACKS[attack].play(UnitWorld(server, submission)), ATTACKS[attack].status)
    assert snapshot(server.store.root) == before


def test_listing_shows_a_teacher_only_their_own_submissions(world):
    server, _ = world
    listed = raw(server, "GET", "courses/foundations/submissions", "teacherC", [FOUNDATIONS]).json()
    assert listed["submissions"] == []


# --- size limits ---------------------------------------------------------------------------------------
def request_head(length_header: str) -> str:
    return (f"POST {PREFIX}api/courses/foundations/assignments/policy-basics/submissions HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nX-Test-User: teacherB\r\nX-Test-Groups: nbgrader-foundations\r\n"
            f"Content-Type: application/json\r\n{length_header}\r\n\r\n")


def test_a_200_mb_upload_is_refused_before_it_is_read(world):
    server, _ = world
    before = snapshot(server.store.root)
    answer = post_raw("127.0.0.1", server.port, request_head(f"Content-Length: {200 * 2**20}"),
                      zeros(200 * 2**20))
    assert answer.status == 413
    assert answer.bytes_sent < 20 * 2**20  # refused from the header, long before the limit was read
    message = json.loads(answer.body)["error"]["message_zh"]
    assert "20 MB" in message and "超过" in message
    assert snapshot(server.store.root) == before


def test_chunked_upload_is_cut_off_at_the_limit(tmp_path):
    server = ExchangeServer(tmp_path / "small", max_bytes=64 * 1024)
    try:
        server.client("trainer1", "formgrade-foundations").release("foundations", "policy-basics",
                                                                   {"a.ipynb": b"{}"})
        before = snapshot(server.store.root)
        chunk = b"x" * 65536
        chunks = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(40))
        answer = post_raw("127.0.0.1", server.port, request_head("Transfer-Encoding: chunked"), chunks)
        assert answer.status == 413
        assert snapshot(server.store.root) == before
    finally:
        server.close()


def test_decoded_size_is_checked_against_the_limit(tmp_path):
    server = ExchangeServer(tmp_path / "small", max_bytes=100 * 1024)
    try:
        server.client("trainer1", "formgrade-foundations").release("foundations", "policy-basics",
                                                                   {"a.ipynb": b"{}"})
        before = snapshot(server.store.root)
        response = raw(server, "POST", "courses/foundations/assignments/policy-basics/submissions", "teacherB",
                       [FOUNDATIONS], json={"files": encode_files({"a.ipynb": b"x" * 60_000,
                                                                   "b.ipynb": b"y" * 60_000})})
        assert response.status_code == 413
        assert "上限" in response.json()["error"]["message_zh"]
        assert snapshot(server.store.root) == before
    finally:
        server.close()


def test_a_client_that_ignores_the_refusal_is_cut_off(world):
    """After the 413 the server reads and drops at most one largest accepted body, then hangs up."""
    server, _ = world
    before = snapshot(server.store.root)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request_head(f"Content-Length: {200 * 2**20}").encode())
        try:
            for chunk in zeros(200 * 2**20):
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
    assert sent < raw_limit(server.store.max_bytes) + 16 * 2**20  # socket buffers hold a few MB on the way
    assert requests.get(server.url + "api/health", timeout=30).json() == {"status": "ok"}
    assert snapshot(server.store.root) == before


def test_a_stopping_exchange_refuses_new_requests_with_a_503_and_stores_nothing(tmp_path):
    """hub.graceful: once the exchange is stopping, a request on a connection still open gets 503 with a
    message (the teacher sends again in a few seconds), and nothing is half-written."""
    from hub.exchange.client import ExchangeRequestFailed
    from hub.exchange.texts import STOPPING

    server = ExchangeServer(tmp_path / "exchange", courses={"foundations"})
    try:
        trainer = server.client("trainer1", "formgrade-foundations")
        trainer.release("foundations", "policy-basics", {"policy-basics.ipynb": NOTEBOOK.encode()})
        before = snapshot(server.store.root)
        server.app.settings["drain"].stopping = True
        health = requests.get(server.url + "api/health", timeout=30)
        assert health.status_code == 503 and health.json()["error"]["message_zh"] == STOPPING[1]
        with pytest.raises(ExchangeRequestFailed) as refused:
            server.client("teacherA", FOUNDATIONS).submit("foundations", "policy-basics",
                                                          {"policy-basics.ipynb": b'{"answer": "A"}'})
        assert refused.value.status == 503 and refused.value.message_zh == STOPPING[1]
        assert snapshot(server.store.root) == before
        assert server.app.settings["drain"].active == 0  # the refused requests were never counted in
    finally:
        server.close()
