"""A CI-sized load run: 10 simulated teachers against the session's real hub, with no errors at all.

The full run (100 teachers, the issue's anchors) is the benchmark `python -m benchmarks.load.run`.
"""

from __future__ import annotations

import pytest

from benchmarks.load.simulator import LoadConfig, run_load
from benchmarks.load.stats import format_report

pytestmark = pytest.mark.load

# teacher11…teacher20: demo accounts the other suites do not drive, so their servers are ours to stop.
TEACHERS = [f"teacher{i}" for i in range(11, 21)]


async def test_ten_teachers_without_errors(running_hub):
    config = LoadConfig(hub_url=running_hub.url, teachers=TEACHERS, ramp_seconds=5, max_seconds=600,
                        records_per_teacher=10, hub_pid=running_hub.process.pid)
    recorder, memory = await run_load(config)
    report = format_report(recorder, len(TEACHERS), memory)
    print(report)
    assert recorder.failed == 0, report
    assert recorder.finished == len(TEACHERS), report
    assert len(recorder.latencies["record_write"]) == 10 * len(TEACHERS)
    assert len(recorder.spawn_seconds) == len(TEACHERS)
    assert {"hub", "proxy"} <= set(memory), memory
