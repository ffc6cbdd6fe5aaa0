"""Issue 16, finding 10 (exchange): a per-teacher quota on what the exchange keeps per course (413) and a rate
limit on submissions (429), on the real tornado application with the real client (only the caller's
identity comes from test headers; ``tests/app/test_exchange_limits_hub.py`` replays the same through a hub).
"""

from __future__ import annotations

import concurrent.futures
import json

import pytest
import requests

from hub.exchange.__main__ import configure, configure_rate
from hub.exchange.client import ExchangeRequestFailed
from hub.exchange.errors import TooManyRequests
from hub.exchange.hubconfig import exchange_service
from hub.exchange.limits import DEFAULT_COUNT, DEFAULT_WINDOW_SECONDS, SubmissionRate
from hub.exchange.store import DEFAULT_QUOTA_BYTES
from hub.settings import DEFAULTS, Settings
from tests.exchange_support import ExchangeServer, snapshot

COURSE, ASSIGNMENT = "foundations", "policy-basics"
KB = 1024


@pytest.fixture
def server(tmp_path):
    server = ExchangeServer(tmp_path / "store", max_bytes=400 * KB, quota_bytes=1000 * KB,
                            rate=SubmissionRate(count=4, window=3600))  # fmt: skip
    server.client("trainer", f"formgrade-{COURSE}").release(COURSE, ASSIGNMENT, {"a.ipynb": b"{}"})
    yield server
    server.close()


def teacher(server, name="teacher1"):
    return server.client(name, f"nbgrader-{COURSE}")


def test_the_quota_refuses_the_submission_that_would_pass_it(server):
    me = teacher(server)
    me.submit(COURSE, ASSIGNMENT, {"a.ipynb": b"x" * 390 * KB})
    me.submit(COURSE, ASSIGNMENT, {"a.ipynb": b"x" * 390 * KB})
    before = snapshot(server.store.root)
    with pytest.raises(ExchangeRequestFailed) as refused:
        me.submit(COURSE, ASSIGNMENT, {"a.ipynb": b"x" * 390 * KB})
    assert refused.value.status == 413
    assert "每位教师每门课程 1 MB 的上限" in refused.value.message_zh and "培训者" in refused.value.message_zh
    assert snapshot(server.store.root) == before
    teacher(server, "teacher2").submit(COURSE, ASSIGNMENT, {"a.ipynb": b"x" * 390 * KB})  # per teacher


def test_submissions_sent_together_cannot_pass_the_quota_together(server):
    """Four at once, each under the size limit, together over the quota: two are kept (the store checks and
    files each one under the teacher's lock), and the others are refused."""
    me = teacher(server)
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(me.submit, COURSE, ASSIGNMENT, {"a.ipynb": b"y" * 390 * KB}) for _ in range(4)]
    statuses = sorted(f.exception().status if f.exception() else 201 for f in futures)
    assert statuses == [201, 201, 413, 413]
    assert server.store.used_bytes(COURSE, "teacher1") == 2 * 390 * KB


def test_the_rate_limit_refuses_before_the_body_and_says_when_to_retry(server):
    me = teacher(server)
    for _ in range(4):
        me.submit(COURSE, ASSIGNMENT, {"a.ipynb": b"{}"})
    before = snapshot(server.store.root)
    answer = requests.post(f"{server.url}api/courses/{COURSE}/assignments/{ASSIGNMENT}/submissions",
                           headers={"X-Test-User": "teacher1", "X-Test-Groups": f"nbgrader-{COURSE}"},
                           data=json.dumps({"files": []}), timeout=30)  # fmt: skip
    assert answer.status_code == 429 and 3500 < int(answer.headers["Retry-After"]) <= 3600
    assert "提交过于频繁" in answer.json()["error"]["message_zh"]
    assert snapshot(server.store.root) == before
    teacher(server, "teacher2").submit(COURSE, ASSIGNMENT, {"a.ipynb": b"{}"})  # per teacher


def test_refused_requests_do_not_use_up_the_allowance(server):
    me = teacher(server)
    for _ in range(6):
        with pytest.raises(ExchangeRequestFailed) as refused:
            me.request("POST", f"courses/{COURSE}/assignments/{ASSIGNMENT}/submissions",
                       json={"files": [], "timestamp": "2020-01-01"})
        assert refused.value.status == 400
    me.submit(COURSE, ASSIGNMENT, {"a.ipynb": b"{}"})


def test_the_window_moves_on():
    now = [0.0]
    rate = SubmissionRate(count=2, window=60, clock=lambda: now[0])
    rate.admit("t"), rate.admit("t")
    with pytest.raises(TooManyRequests) as refused:
        rate.check("t")
    assert refused.value.status == 429 and refused.value.retry_after == 60
    now[0] = 30.0
    with pytest.raises(TooManyRequests):
        rate.admit("t")
    now[0] = 60.5
    rate.admit("t")


def test_the_limits_come_from_the_site_settings(tmp_path):
    settings = Settings.from_dict({"state_dir": str(tmp_path),
                                   "exchange": {"quota_mb_per_teacher": 3, "submissions_per_window": 7,
                                                "window_seconds": 90}})  # fmt: skip
    environment = exchange_service(settings)["environment"]
    assert environment["MENTORHUB_EXCHANGE_QUOTA_BYTES"] == str(3 * 2**20)
    assert environment["MENTORHUB_EXCHANGE_RATE"] == "7/90"
    store, _ = configure({"MENTORHUB_EXCHANGE_DIR": str(tmp_path / "x"), **environment})
    rate = configure_rate(environment)
    assert (store.quota_bytes, rate.count, rate.window) == (3 * 2**20, 7, 90)
    for bad in ({"MENTORHUB_EXCHANGE_RATE": "many"}, {"MENTORHUB_EXCHANGE_RATE": "0/60"}):
        with pytest.raises(ValueError, match="MENTORHUB_EXCHANGE_RATE"):
            configure_rate(bad)
    with pytest.raises(ValueError, match="QUOTA"):
        configure({"MENTORHUB_EXCHANGE_DIR": str(tmp_path / "y"), "MENTORHUB_EXCHANGE_QUOTA_BYTES": "-1"})


def test_the_settings_defaults_are_the_services_own():
    assert DEFAULTS["exchange"] == {"quota_mb_per_teacher": DEFAULT_QUOTA_BYTES // 2**20,
                                    "submissions_per_window": DEFAULT_COUNT, "window_seconds": DEFAULT_WINDOW_SECONDS}
