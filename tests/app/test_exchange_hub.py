"""The exchange as a real hub-managed service: identity from real hub tokens, roles from real hub groups.

Needs the service wired into hub/config.py (``hub.exchange.hubconfig``); until then the module skips.
"""

from __future__ import annotations

import pytest
import requests

from hub.exchange.client import ExchangeClient, ExchangeRequestFailed

pytestmark = pytest.mark.app

COURSE, SMOKE = "foundations", "exchange-smoke"


@pytest.fixture(scope="module")
def hub(running_hub):
    if running_hub.api("GET", "/services/exchange").status_code != 200:
        pytest.skip("the exchange service is not wired into hub/config.py yet")
    running_hub.wait_for_service("exchange", timeout=120)
    return running_hub


def client(hub, user, scopes=None) -> ExchangeClient:
    return ExchangeClient(f"{hub.url}/services/exchange/", hub.user_token(user, scopes), timeout=60)


def test_callers_are_known_by_their_hub_token(hub):
    assert client(hub, "teacher1").courses().get(COURSE) == "participant"
    assert client(hub, "trainer1").courses().get(COURSE) == "trainer"
    assert COURSE not in client(hub, "teacher20").courses()
    anonymous = requests.get(f"{hub.url}/services/exchange/api/courses", timeout=30)
    assert anonymous.status_code == 403
    with pytest.raises(ExchangeRequestFailed) as refused:
        client(hub, "teacher1", scopes=["read:users:name!user"]).courses()
    assert refused.value.status == 403


def test_release_submit_and_isolation_through_the_hub(hub):
    trainer, teacher1, teacher2 = client(hub, "trainer1"), client(hub, "teacher1"), client(hub, "teacher2")
    trainer.release(COURSE, SMOKE, {"smoke.ipynb": b'{"cells": []}'}, force=True)
    try:
        mine = teacher1.submit(COURSE, SMOKE, {"smoke.ipynb": b'{"answer": 1}'})
        assert mine["student"] == "teacher1"
        with pytest.raises(ExchangeRequestFailed) as refused:
            teacher2.fetch_submission(COURSE, "teacher1", SMOKE, mine["submission_id"])
        assert refused.value.status == 403
        with pytest.raises(ExchangeRequestFailed) as refused:
            teacher2.submissions(COURSE, SMOKE, student="teacher1")
        assert refused.value.status == 403
        with pytest.raises(ExchangeRequestFailed) as refused:
            client(hub, "teacher20").fetch_release(COURSE, SMOKE)
        assert refused.value.status == 403
        seen = trainer.submissions(COURSE, SMOKE, student="teacher1")
        assert mine["submission_id"] in {s["submission_id"] for s in seen}
    finally:
        trainer.unrelease(COURSE, SMOKE)
