"""The load simulator's failure kinds and retries (the reliability tests rely on them; no hub needed), and
the cost of the extra demo teachers' passwords."""

from __future__ import annotations

import httpx
import pytest

from benchmarks.load.demo_teachers import DEMO_BCRYPT_ROUNDS, add_demo_teachers
from benchmarks.load.simulator import TRANSIENT_KINDS, LoadConfig, StepFailed, Teacher, failure_kind
from benchmarks.load.stats import Recorder, format_report
from hub.auth import password_matches
from hub.store import open_store

HUB = "http://127.0.0.1:8000"


def answer(status: int, path: str, content_type: str, body: bytes = b"") -> httpx.Response:
    return httpx.Response(status, headers={"content-type": content_type}, content=body,
                          request=httpx.Request("POST", HUB + path))  # fmt: skip


def test_failure_kinds_tell_the_proxy_from_the_api():
    records = "/services/records/api/v1/records"
    assert failure_kind(answer(503, records, "application/json; charset=utf-8")) == "HTTP 503"
    # The records service's own 404/403 are JSON: real errors, never retried.
    assert failure_kind(answer(404, records, "application/json; charset=utf-8")) == "HTTP 404"
    assert failure_kind(answer(403, records, "application/json")) == "HTTP 403"
    # The proxy (no route yet) or the hub (its default route) answering in the service's place.
    assert failure_kind(answer(404, records, "text/html", b"Not Found")) == "HTTP 404 no route"
    assert failure_kind(answer(403, records, "text/html; charset=UTF-8")) == "HTTP 403 no route"
    assert failure_kind(answer(404, "/hub/api/users/teacher1/server", "text/html")) == "HTTP 404 no route"
    # A page is not an API: a 404 there is just a 404.
    assert failure_kind(answer(404, "/user/teacher1/voila/render/apps/x.ipynb", "text/html")) == "HTTP 404"
    assert {"HTTP 404 no route", "HTTP 403 no route", "HTTP 503", "ConnectError"} <= TRANSIENT_KINDS
    assert "HTTP 404" not in TRANSIENT_KINDS and "HTTP 500" not in TRANSIENT_KINDS


def flaky(*failures):
    """An action that raises each of `failures` in turn, then returns 'done'; counts its calls."""
    calls = []

    async def action():
        calls.append(1)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "done"

    return action, calls


async def test_transient_failures_are_retried_and_kept_apart():
    recorder = Recorder()
    teacher = Teacher("teacher1", LoadConfig(hub_url=HUB, teachers=["teacher1"], retry_seconds=60,
                                             retry_interval=0), recorder)  # fmt: skip
    action, calls = flaky(httpx.ConnectError("refused"), StepFailed("HTTP 503"), StepFailed("HTTP 404 no route"))
    assert await teacher.step("record_write", action) == "done"
    assert len(calls) == 4
    assert recorder.failed == 0 and len(recorder.latencies["record_write"]) == 1
    assert [kind for _, kind, _ in recorder.retries] == ["ConnectError", "HTTP 503", "HTTP 404 no route"]
    assert "failed tries retried: 3" in format_report(recorder, 1)


async def test_lasting_or_real_failures_are_errors():
    recorder = Recorder()
    teacher = Teacher("teacher1", LoadConfig(hub_url=HUB, teachers=["teacher1"], retry_seconds=60,
                                             retry_interval=0), recorder)  # fmt: skip
    action, calls = flaky(StepFailed("HTTP 422"))
    with pytest.raises(StepFailed, match="HTTP 422"):
        await teacher.step("record_write", action)
    assert len(calls) == 1 and recorder.errors == {"record_write: HTTP 422": 1} and not recorder.retries

    # Without retries (the benchmark) a transient failure is an error at once.
    recorder = Recorder()
    teacher = Teacher("teacher1", LoadConfig(hub_url=HUB, teachers=["teacher1"]), recorder)
    action, calls = flaky(httpx.ConnectError("refused"))
    with pytest.raises(StepFailed, match="ConnectError"):
        await teacher.step("login", action)
    assert len(calls) == 1 and recorder.errors == {"login: ConnectError": 1}


def test_load_teachers_cost_a_login_what_the_seeded_demo_accounts_cost(small_world_url):
    add_demo_teachers(small_world_url, 1)
    store = open_store(small_world_url)
    try:
        password_hash = store.find_account("teacher1")["password_hash"]
    finally:
        store.close()
    assert password_hash.startswith(f"$2b${DEMO_BCRYPT_ROUNDS}$")  # as hub/demo.py seeds them
    assert password_matches("mentorhub-demo", password_hash)
