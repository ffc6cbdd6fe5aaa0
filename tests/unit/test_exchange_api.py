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
from hub.exchange.wire import encode_files, sha256
from tests.exchange_support import PREFIX, ExchangeServer, snapshot

FOUNDATIONS = "nbgrader-foundations"
NOTEBOOK = json.dumps({"cells": [{"cell_type": "code", "source": "答案 = \"\"\nassert isinstance(答案, str)"}]})
HIDDEN_LINE = 'assert 答案 == "B", "再想想政策原文"'


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


# --- the adversarial table ---------------------------------------------------------------------------
ATTACKS = {
    "B reads A's submission": (
        lambda s, sub: raw(s, "GET", submission_path(sub), "teacherB", [FOUNDATIONS]), 403),
    "B lists A's submissions": (
        lambda s, sub: raw(s, "GET", "courses/foundations/submissions?student=teacherA", "teacherB",
                           [FOUNDATIONS]), 403),
    "B overwrites A's submission": (
        lambda s, sub: raw(s, "PUT", submission_path(sub), "teacherB", [FOUNDATIONS], json=files_payload()), 405),
    "B deletes A's submission": (
        lambda s, sub: raw(s, "DELETE", submission_path(sub), "teacherB", [FOUNDATIONS]), 405),
    "B submits with A's name in the payload": (
        lambda s, sub: raw(s, "POST", "courses/foundations/assignments/policy-basics/submissions", "teacherB",
                           [FOUNDATIONS], json={**files_payload(), "student": "teacherA"}), 403),
    "B sends a backdated timestamp": (
        lambda s, sub: raw(s, "POST", "courses/foundations/assignments/policy-basics/submissions", "teacherB",
                           [FOUNDATIONS], json={**files_payload(), "timestamp": "2020-01-01T00:00:00+00:00"}), 400),
    "B sends a backdated timestamp.txt": (
        lambda s, sub: raw(s, "POST", "courses/foundations/assignments/policy-basics/submissions", "teacherB",
                           [FOUNDATIONS], json=files_payload("timestamp.txt", b"2020-01-01 00:00:00 UTC")), 400),
    "B uses a ../ file path": (
        lambda s, sub: raw(s, "POST", "courses/foundations/assignments/policy-basics/submissions", "teacherB",
                           [FOUNDATIONS], json=files_payload("../../submissions/teacherA/x.ipynb")), 400),
    "B uses an encoded ../ in the address": (
        lambda s, sub: raw(s, "GET", "courses/foundations/submissions/..%2FteacherA/policy-basics/x", "teacherB",
                           [FOUNDATIONS]), 400),
    "B sends a wrong checksum": (
        lambda s, sub: raw(s, "POST", "courses/foundations/assignments/policy-basics/submissions", "teacherB",
                           [FOUNDATIONS], json={"files": [{"path": "a.ipynb", "content_b64": "e30=",
                                                           "sha256": "0" * 64}]}), 400),
    "B fetches an unreleased assignment": (
        lambda s, sub: raw(s, "GET", "courses/foundations/assignments/matching", "teacherB", [FOUNDATIONS]), 404),
    "B submits an unreleased assignment": (
        lambda s, sub: raw(s, "POST", "courses/foundations/assignments/matching/submissions", "teacherB",
                           [FOUNDATIONS], json=files_payload()), 404),
    "B fetches another course's assignment": (
        lambda s, sub: raw(s, "GET", "courses/psychology/assignments/signals", "teacherB", [FOUNDATIONS]), 403),
    "B submits to another course": (
        lambda s, sub: raw(s, "POST", "courses/psychology/assignments/signals/submissions", "teacherB",
                           [FOUNDATIONS], json=files_payload()), 403),
    "B reads A's feedback": (
        lambda s, sub: raw(s, "GET", f"courses/foundations/feedback/teacherA/policy-basics/{sub['submission_id']}",
                           "teacherB", [FOUNDATIONS]), 403),
    "B releases an assignment": (
        lambda s, sub: raw(s, "PUT", "courses/foundations/assignments/policy-basics?force=1", "teacherB",
                           [FOUNDATIONS], json=files_payload()), 403),
    "B writes feedback": (
        lambda s, sub: raw(s, "PUT", f"courses/foundations/feedback/teacherA/policy-basics/{sub['submission_id']}",
                           "teacherB", [FOUNDATIONS], json=files_payload("policy-basics.html", b"ok")), 403),
    "trainer of psychology collects foundations": (
        lambda s, sub: raw(s, "GET", "courses/foundations/submissions", "trainer2", ["formgrade-psychology"]), 403),
    "trainer of psychology downloads a foundations submission": (
        lambda s, sub: raw(s, "GET", submission_path(sub), "trainer2", ["formgrade-psychology"]), 403),
    "trainer of psychology unreleases foundations": (
        lambda s, sub: raw(s, "DELETE", "courses/foundations/assignments/policy-basics", "trainer2",
                           ["formgrade-psychology"]), 403),
    "a course unknown to the exchange": (
        lambda s, sub: raw(s, "GET", "courses/secret/assignments", "teacherB", ["nbgrader-secret"]), 404),
    "no identity at all": (
        lambda s, sub: requests.get(s.url + "api/courses/foundations/assignments", timeout=30), 403),
    "re-release without force": (
        lambda s, sub: raw(s, "PUT", "courses/foundations/assignments/policy-basics", "trainer1",
                           ["formgrade-foundations"], json=files_payload()), 409),
    "feedback showing the hidden-test marker": (
        lambda s, sub: raw(s, "PUT", f"courses/foundations/feedback/teacherA/policy-basics/{sub['submission_id']}",
                           "trainer1", ["formgrade-foundations"],
                           json=files_payload("policy-basics.html", b"<pre>### BEGIN HIDDEN TESTS</pre>")), 422),
    "feedback quoting a hidden test line": (
        lambda s, sub: raw(s, "PUT", f"courses/foundations/feedback/teacherA/policy-basics/{sub['submission_id']}",
                           "trainer1", ["formgrade-foundations"],
                           json=files_payload("policy-basics.html",
                                              '<pre><span class="k">assert</span> 答案 == &quot;B&quot;, '
                                              '&quot;再想想政策原文&quot;</pre>'.encode())), 422),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_is_refused_and_changes_nothing(world, attack):
    server, submission = world
    before = snapshot(server.store.root)
    send, status = ATTACKS[attack]
    response = send(server, submission)
    assert response.status_code == status, response.text
    if status != 405:
        error = response.json()["error"]
        assert error["message_zh"] and error["message_en"]
    assert snapshot(server.store.root) == before


def test_listing_shows_a_teacher_only_their_own_submissions(world):
    server, _ = world
    listed = raw(server, "GET", "courses/foundations/submissions", "teacherC", [FOUNDATIONS]).json()
    assert listed["submissions"] == []


# --- size limits ---------------------------------------------------------------------------------------
def post_raw(port: int, headers: str, body_chunks) -> bytes:
    """Send a request by hand (the body may be far larger than what we really send) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(headers.encode())
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
        return answer


def request_head(length_header: str) -> str:
    return (f"POST {PREFIX}api/courses/foundations/assignments/policy-basics/submissions HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nX-Test-User: teacherB\r\nX-Test-Groups: nbgrader-foundations\r\n"
            f"Content-Type: application/json\r\n{length_header}\r\n\r\n")


def test_a_200_mb_upload_is_refused_before_it_is_read(world):
    server, _ = world
    before = snapshot(server.store.root)
    answer = post_raw(server.port, request_head(f"Content-Length: {200 * 2**20}"), [b"x" * 65536])
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 413 " in status_line
    body = json.loads(rest.split(b"\r\n\r\n", 1)[1])
    assert "20 MB" in body["error"]["message_zh"] and "超过" in body["error"]["message_zh"]
    assert snapshot(server.store.root) == before


def test_chunked_upload_is_cut_off_at_the_limit(tmp_path):
    server = ExchangeServer(tmp_path / "small", max_bytes=64 * 1024)
    try:
        server.client("trainer1", "formgrade-foundations").release("foundations", "policy-basics",
                                                                   {"a.ipynb": b"{}"})
        before = snapshot(server.store.root)
        chunk = b"x" * 65536
        chunks = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(40))
        answer = post_raw(server.port, request_head("Transfer-Encoding: chunked"), chunks)
        assert b" 413 " in answer.partition(b"\r\n")[0]
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
