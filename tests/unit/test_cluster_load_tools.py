"""The load simulator's pure parts and its demo-teacher helper (the run itself is tests/load/)."""

from __future__ import annotations

import pytest

from benchmarks.load.demo_teachers import add_demo_teachers
from benchmarks.load.simulator import LoadConfig
from benchmarks.load.stats import Recorder, format_report, percentile
from hub.auth import password_matches
from hub.store import open_store


def test_percentile_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 100) == 100.0
    assert percentile([3.0], 95) == 3.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_recorder_report_sets_measures_beside_anchors():
    recorder = Recorder()
    recorder.login_started(10.0)
    for seconds in (0.2, 0.4, 0.9):
        recorder.ok("login", seconds)
    recorder.ok("record_write", 0.15)
    recorder.server_ready(70.0, 5.0)
    recorder.error("workbench", "HTTP 404")
    for seconds in (3.0, 12.0, 40.0):
        recorder.ok("workbench", seconds)
    recorder.queued_pages = 2
    assert recorder.measured_anchors() == {"failed_requests": 1, "login_p95": 0.9, "record_write_p95": 0.15,
                                           "all_started_within": 60.0, "workbench_p50": 12.0}
    report = format_report(recorder, 3, {"hub": {"count": 1, "peak_mb": 120.0, "end_mb": 110.0}})
    assert "workbench: HTTP 404: 1" in report
    assert "0.900s" in report and "0.90" in report  # login p95 against 1 s
    assert "60.000s" in report and "0.33" in report  # servers all started 60 s after the first login
    assert "12.000s" in report and "0.80" in report  # workbench p50 against 15 s
    assert "waited in the page queue: 2" in report


def test_simulator_refuses_a_hub_off_loopback():
    with pytest.raises(ValueError, match="loopback"):
        LoadConfig(hub_url="http://hub.example.org", teachers=["teacher1"])
    with pytest.raises(ValueError, match="no teachers"):
        LoadConfig(hub_url="http://127.0.0.1:8000", teachers=[])


def test_add_demo_teachers_gives_each_their_own_mentees(small_world_url):
    url = small_world_url
    created = add_demo_teachers(url, 3, password="pw-for-test")
    assert created == ["teacher1", "teacher2", "teacher3"]
    assert add_demo_teachers(url, 3) == []  # already there: nothing changes
    store = open_store(url)
    try:
        mentees = [store.actor_for(name).mentee_ids for name in created]
        assert all(len(m) == 2 for m in mentees)
        assert not (mentees[0] & mentees[1]) and not (mentees[1] & mentees[2])
        account = store.find_account("teacher2")
        assert account["must_change_password"] is False
        assert password_matches("pw-for-test", account["password_hash"])
        assert "teacher3" in store.group_memberships()["teachers"]
    finally:
        store.close()
