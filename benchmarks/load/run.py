"""Benchmark: N simulated teachers against a demo hub on loopback, reported against issue 9's anchors.

    .venv/bin/python -m benchmarks.load.run --teachers 100 --ramp 60 --hub-log load-100.log  # own demo hub
    .venv/bin/python -m benchmarks.load.run --teachers 200 --ramp 120 --hub-log load-200.log # what breaks first
    .venv/bin/python -m benchmarks.load.run --hub-url http://127.0.0.1:8000 --hub-pid <pid> --teachers 10

Without --hub-url it seeds a fresh demo state folder in a temporary directory (`mentorhub demo seed`),
adds demo teachers up to N through the store, starts the hub from jupyterhub_config.py on free loopback
ports, runs, prints the report and stops the hub with everything it started. README.md beside this file
has the commands, what the report means and what to expect at 200.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from benchmarks.load.demo_teachers import add_demo_teachers, demo_teacher_names
from benchmarks.load.simulator import LoadConfig, run_load
from benchmarks.load.stats import format_report


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teachers", type=int, default=100, help="simulated teachers (default 100)")
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which they start (default 60)")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="hard stop of the run (default 900)")
    parser.add_argument("--records", type=int, default=10, help="records written per teacher (default 10)")
    parser.add_argument("--keep-servers", action="store_true", help="do not stop servers at the end")
    parser.add_argument("--hub-url", help="an already running hub on loopback (default: start one)")
    parser.add_argument("--hub-pid", type=int, help="pid of that hub, for memory figures")
    parser.add_argument("--hub-log", type=Path, help="keep the started hub's log here (default: discarded)")
    parser.add_argument("--page-concurrency", type=int, default=0,
                        help="the started hub's spawner.page_concurrency: Voilà pages rendered at once, the others "
                             "wait their turn (default 0: the CPU count; a number above --teachers: no queue)")
    return parser.parse_args(argv)


def config_for(args, hub_url: str, hub_pid: int | None) -> LoadConfig:
    return LoadConfig(hub_url=hub_url, teachers=demo_teacher_names(args.teachers), ramp_seconds=args.ramp,
                      max_seconds=args.max_seconds, records_per_teacher=args.records,
                      stop_servers=not args.keep_servers, hub_pid=hub_pid)


def run_against(args, hub_url: str, hub_pid: int | None) -> int:
    recorder, memory = asyncio.run(run_load(config_for(args, hub_url, hub_pid)))
    print(format_report(recorder, args.teachers, memory))
    return 0 if recorder.failed == 0 else 1


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.hub_url:
        return run_against(args, args.hub_url, args.hub_pid)
    from tests.helpers import start_hub, write_hub_settings  # the same real hub the app tests start

    with tempfile.TemporaryDirectory(prefix="mentorhub-load-") as folder:
        settings_file = write_hub_settings(Path(folder), seed=True,
                                           extra={"spawner": {"page_concurrency": args.page_concurrency}})
        created = add_demo_teachers(f"sqlite:///{Path(folder) / 'state' / 'records.sqlite'}", args.teachers)
        print(f"demo teachers added for this run: {len(created)}", file=sys.stderr)
        hub = start_hub(settings_file)
        try:
            return run_against(args, hub.url, hub.process.pid)
        finally:
            hub.shutdown(log_copy=args.hub_log)


if __name__ == "__main__":
    sys.exit(main())
