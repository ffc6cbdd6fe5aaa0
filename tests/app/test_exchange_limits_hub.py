"""Issue 16, finding 10, on the real hub: the exchange took 5 x 19 MB from one teacher in 2 s. Replayed here
through the hub's proxy with real hub tokens, against the site's default limits (50 MB kept per teacher and
course, 10 submissions per teacher in 10 minutes): the quota refuses with 413 and the rate limit with 429,
each with a Chinese message, and a refused submission leaves nothing behind.

The teachers are hub users made for this module (in ``nbgrader-foundations``) and deleted at the end, with
the module's assignment.
"""

from __future__ import annotations

import concurrent.futures
import uuid

import pytest
import requests

from hub.exchange.client import ExchangeClient, ExchangeRequestFailed
from hub.exchange.hubconfig import STORE_FOLDER
from hub.settings import DEFAULTS
from tests.exchange_support import snapshot

pytestmark = pytest.mark.app
COURSE = "foundations"
MB = 2**20


@pytest.fixture(scope="module")
def world(running_hub):
    if running_hub.api("GET", "/services/exchange").status_code != 200:
        pytest.skip("the exchange service is not wired into hub/config.py")
    running_hub.wait_for_service("exchange", timeout=120)
    tag = uuid.uuid4().hex[:6]
    assignment, users = f"limits-{tag}", [f"limits-a-{tag}", f"limits-b-{tag}"]
    url = f"{running_hub.url}/services/exchange/"
    trainer = ExchangeClient(url, running_hub.user_token("trainer1"), timeout=120)
    try:
        for name in users:
            running_hub.api("POST", f"/users/{name}").raise_for_status()
            running_hub.api("POST", f"/groups/nbgrader-{COURSE}/users", json={"users": [name]}).raise_for_status()
        trainer.release(COURSE, assignment, {f"{assignment}.ipynb": b'{"cells": []}'})
        clients = [ExchangeClient(url, running_hub.user_token(name), timeout=300) for name in users]
        yield {"hub": running_hub, "assignment": assignment, "users": users, "clients": clients}
    finally:
        try:
            trainer.unrelease(COURSE, assignment)
        except ExchangeRequestFailed:
            pass
        for name in users:
            running_hub.api("DELETE", f"/users/{name}")


def test_five_submissions_of_19_mb_at_once_stop_at_the_quota(world):
    assert DEFAULTS["exchange"]["quota_mb_per_teacher"] == 50
    teacher, assignment = world["clients"][0], world["assignment"]
    files = {f"{assignment}.ipynb": b"0" * 19 * MB}
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(teacher.submit, COURSE, assignment, files) for _ in range(5)]
    errors = [f.exception() for f in futures if f.exception() is not None]
    assert len(errors) == 3 and all(isinstance(e, ExchangeRequestFailed) and e.status == 413 for e in errors)
    assert "每位教师每门课程 50 MB 的上限" in errors[0].message_zh
    assert len(teacher.submissions(COURSE, assignment)) == 2
    store = world["hub"].state_dir / STORE_FOLDER
    before = snapshot(store)
    with pytest.raises(ExchangeRequestFailed) as refused:
        teacher.submit(COURSE, assignment, {f"{assignment}.ipynb": b"0" * 13 * MB})
    assert refused.value.status == 413
    assert snapshot(store) == before


def test_the_eleventh_submission_within_ten_minutes_is_refused(world):
    limit = DEFAULTS["exchange"]["submissions_per_window"]
    teacher, assignment = world["clients"][1], world["assignment"]
    for i in range(limit):
        teacher.submit(COURSE, assignment, {f"{assignment}.ipynb": b'{"try": %d}' % i})
    hub, name = world["hub"], world["users"][1]
    answer = requests.post(f"{hub.url}/services/exchange/api/courses/{COURSE}/assignments/{assignment}/submissions",
                           headers={"Authorization": f"token {hub.user_token(name)}"},
                           json={"files": []}, timeout=60)  # fmt: skip
    assert answer.status_code == 429, answer.text
    assert int(answer.headers["Retry-After"]) > 0
    assert "提交过于频繁" in answer.json()["error"]["message_zh"]
    assert len(teacher.submissions(COURSE, assignment)) == limit
