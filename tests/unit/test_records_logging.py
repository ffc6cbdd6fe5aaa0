"""The records service's access log: failures are logged, successful calls only at debug level."""

from __future__ import annotations

import logging

import pytest

from hub.records.handlers import log_request


class FakeRequest:
    method, path = "POST", "/services/records/api/v1/records"

    def request_time(self):
        return 0.0123


class FakeHandler:
    request = FakeRequest()

    def __init__(self, status):
        self.status = status

    def get_status(self):
        return self.status


@pytest.mark.parametrize("status, level", [(404, logging.WARNING), (422, logging.WARNING), (503, logging.ERROR)])
def test_failures_are_logged(caplog, status, level):
    with caplog.at_level(logging.INFO, logger="hub.records.access"):
        log_request(FakeHandler(status))
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (level, f"{status} POST /services/records/api/v1/records 12.3ms")]


def test_successful_calls_only_at_debug(caplog):
    with caplog.at_level(logging.INFO, logger="hub.records.access"):
        log_request(FakeHandler(201))
    assert caplog.records == []
    with caplog.at_level(logging.DEBUG, logger="hub.records.access"):
        log_request(FakeHandler(201))
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
