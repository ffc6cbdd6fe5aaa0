"""Issue 8 benchmark: 300 teachers submit the same assignment concurrently to the exchange over loopback.

The real exchange application and store run in this process (tornado in a thread); each teacher is a
thread with its own HTTP connection. Identity comes from a header mapping, the one stand-in for the hub
token (the hub's token check is cached per token and not what is measured here). Every submission must be
stored, checksummed, with a server timestamp inside the run's window. The issue names no numeric anchor:
the figures are printed as measured.

    .venv/bin/python benchmarks/bench_exchange.py [--teachers 300]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tornado.ioloop import IOLoop

from hub.exchange.access import Caller, Policy
from hub.exchange.app import make_app
from hub.exchange.client import ExchangeClient
from hub.exchange.handlers import HubIdentity
from hub.exchange.store import ExchangeStore

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "courses" / "foundations" / "source" / "policy-basics" / "policy-basics.ipynb"
COURSE, ASSIGNMENT = "foundations", "policy-basics"


class BenchIdentity(HubIdentity):
    async def identify(self):
        name = self.request.headers.get("X-Bench-User")
        return Caller(name, frozenset(self.request.headers.get("X-Bench-Groups", "").split(","))) if name else None


def serve(store, port):
    ready = threading.Event()
    holder = {}

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        make_app(store, Policy(frozenset({COURSE})), identity=BenchIdentity).listen(port, "127.0.0.1")
        holder["loop"] = IOLoop.current()
        ready.set()
        holder["loop"].start()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(10)
    return holder["loop"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def client(port, user, groups):
    c = ExchangeClient(f"http://127.0.0.1:{port}/services/exchange/", "unused", timeout=300)
    c.session.headers.update({"X-Bench-User": user, "X-Bench-Groups": groups})
    return c


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=300)
    args = parser.parse_args()
    data = NOTEBOOK.read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        store = ExchangeStore(Path(folder))
        port = free_port()
        loop = serve(store, port)
        client(port, "trainer1", f"formgrade-{COURSE}").release(COURSE, ASSIGNMENT, {NOTEBOOK.name: data})
        teachers = [f"teacher{i}" for i in range(1, args.teachers + 1)]
        clients = {t: client(port, t, f"nbgrader-{COURSE}") for t in teachers}
        barrier = threading.Barrier(len(teachers))

        def submit(teacher):
            barrier.wait()
            started = time.perf_counter()
            result = clients[teacher].submit(COURSE, ASSIGNMENT, {NOTEBOOK.name: data})
            return teacher, time.perf_counter() - started, result

        window_start = dt.datetime.now(dt.UTC)
        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(teachers)) as pool:
            results = list(pool.map(submit, teachers))
        wall = time.perf_counter() - wall
        window_end = dt.datetime.now(dt.UTC)
        loop.add_callback(loop.stop)

        stored = store.find_submissions(COURSE, assignment=ASSIGNMENT)
        by_student = {s["student"]: s for s in stored}
        checks = {
            "every teacher stored exactly once": len(stored) == len(teachers) and set(by_student) == set(teachers),
            "timestamps set by the server within the run": all(
                window_start <= dt.datetime.fromisoformat(s["timestamp"]) <= window_end for s in stored),
            "answer matches the stored record": all(by_student[t]["submission_id"] == r["submission_id"]
                                                    for t, _, r in results),
            "files intact (sha256 verified on read)": all(
                store.read_submission(COURSE, s["student"], ASSIGNMENT, s["submission_id"])[1][NOTEBOOK.name] == data
                for s in stored),
        }
        latencies = sorted(seconds for _, seconds, _ in results)
        p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
        print(f"exchange: {len(teachers)} concurrent submissions of {len(data) / 1024:.0f} KB over loopback")
        print(f"  total wall time        {wall:8.2f} s   ({len(teachers) / wall:.0f} submissions/s)")
        print(f"  per submission median  {statistics.median(latencies) * 1000:8.0f} ms")
        print(f"  per submission p95     {p95 * 1000:8.0f} ms   (anchor: none named in issue 8; ratio n/a)")
        print(f"  per submission max     {latencies[-1] * 1000:8.0f} ms")
        for name, ok in checks.items():
            print(f"  {'ok  ' if ok else 'FAIL'} {name}")
        return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
