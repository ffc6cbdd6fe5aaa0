"""Records service benchmark (issue 3, performance section), printed side by side with the anchors.

1. Record writes through the HTTP API from 20 concurrent clients, each with its own user token:
   throughput and p50/p95 latency, on SQLite and on PostgreSQL (anchor, SQLite: >= 300 writes/s, p95 < 100 ms).
2. The 三个一 progress report of a 300-student school over 10,000 records through the API (anchor: < 200 ms).

Alongside: the service's own CPU time per write (from the operating system, so it does not depend on how
busy the machine is), the load generator's CPU time per write (it shares the 2 cores with the service) and
the load average, since this 2-core machine is shared.

The service runs as its own process (the real tornado app and store). The hub's token check is the
real HubOAuth code with its token cache filled for the benchmark users, which is its steady state
(every token is checked with the hub once, then cached for 5 minutes); no hub is started.

    .venv/bin/python benchmarks/bench_records.py [--writes 25] [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = 20
ANCHOR_WRITES_PER_S, ANCHOR_P95_MS, ANCHOR_PROGRESS_MS = 300.0, 100.0, 200.0
PREFIX = "/services/records/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(db_url: str, port: int, users: dict[str, str]) -> None:
    """Child process: the records service with the hub token cache filled for ``users`` (token -> name)."""
    import asyncio

    from jupyterhub.services.auth import HubOAuth

    from hub.records.__main__ import configure_logging
    from hub.records.app import make_app
    from hub.store import open_store

    configure_logging()  # as in production: the cost of the access log is part of every request
    auth = HubOAuth.instance()
    for token, name in users.items():
        key = "token::" + hashlib.sha256(token.encode()).hexdigest()
        auth.cache[key] = {"kind": "user", "name": name, "groups": ["teachers"],
                           "scopes": ["access:services!service=records"]}  # fmt: skip
    app = make_app(open_store(db_url), PREFIX)

    async def run():
        app.listen(port, "127.0.0.1")
        await asyncio.Event().wait()

    asyncio.run(run())


PROGRESS_SCHOOL, PROGRESS_STUDENTS, PROGRESS_RECORDS = "dh", 300, 10_000


def grow_school(store, school_id: str, size: int) -> None:
    """Add synthetic classes of 30 to ``school_id`` (through the roster import) until it has ``size`` students."""
    have = len(store.find_students_in(school_id=school_id))
    classes, students = [], []
    for n in range(max(0, size - have) // 30):
        class_id = f"{school_id}-9{n + 1:02d}"
        classes.append({"class_id": class_id, "school_id": school_id, "grade": 9, "name": f"九({n + 1})班"})
        students += [{"student_id": f"{class_id}-{k + 1:02d}", "display_name": f"学生{n + 1}-{k + 1}",
                      "school_id": school_id, "class_id": class_id} for k in range(30)]  # fmt: skip
    store.import_roster([], classes, [], students)


def prepare(db_url: str) -> dict:
    """Seed the demo district, grow school dh to 300 students with 10,000 records; return the writers."""
    from sqlalchemy import text

    from hub.demo import seed_demo
    from hub.store import open_store
    from hub.store.models import Record

    store = open_store(db_url)
    seed_demo(store)
    grow_school(store, PROGRESS_SCHOOL, PROGRESS_STUDENTS)
    term = store.current_term()
    students = [s.student_id for s in store.find_students_in(school_id=PROGRESS_SCHOOL)]
    assert len(students) == PROGRESS_STUDENTS, len(students)
    rng = random.Random(7)
    kinds = ("home_visit", "talk", "growth_message", "guidance", "parent_contact")
    have = store.count_records()
    with store.writing() as session:  # benchmark data only: 10,000 plain rows in one go
        session.add_all(Record(kind=rng.choice(kinds), student_id=rng.choice(students), author="teacher1",
                               term_id=term.term_id, event_date=term.start_date, fields={"summary": "基准数据"})
                        for _ in range(PROGRESS_RECORDS - have))  # fmt: skip
    with store.writing() as session:
        # What autovacuum (PostgreSQL) does within a minute of a bulk load: without table statistics the
        # planner takes 10,000 records for one row and joins them by a nested loop (0.3-0.7 s here).
        # Only this store's tables: a bare ANALYZE visits every schema of the shared test database and can
        # deadlock with tests creating tables there at the same time.
        for table in Record.metadata.sorted_tables:
            session.execute(text(f'ANALYZE "{table.name}"'))
    writers = {}
    for n in range(1, CLIENTS + 1):
        user = f"teacher{n}"
        writers[f"bench-token-{user}"] = (user, sorted(store.actor_for(user).mentee_ids)[0])
    writers["bench-token-schooladmin1"] = ("schooladmin1", None)
    store.close()
    return writers


def count_records(db_url: str) -> int:
    from hub.store import open_store

    store = open_store(db_url)
    try:
        return store.count_records()
    finally:
        store.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_backend(label: str, db_url: str, writes_per_client: int) -> dict:
    writers = prepare(db_url)
    port = free_port()
    users = {token: user for token, (user, _) in writers.items()}
    child = subprocess.Popen([sys.executable, __file__, "--serve", db_url, str(port), json.dumps(users)],
                             env={**os.environ, "JUPYTERHUB_SERVICE_NAME": "records",
                                  "JUPYTERHUB_API_URL": "http://127.0.0.1:9/hub/api",
                                  "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps(["access:services!service=records"])})  # fmt: skip
    base = f"http://127.0.0.1:{port}{PREFIX}api/v1/"
    path = f"{PREFIX}api/v1/records"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        today = dt.date.today().isoformat()

        def client(token):
            # A plain keep-alive HTTP/1.1 connection per client: the load generator shares the 2 cores with
            # the service, and requests' Session costs the client ~0.5 ms CPU per call, http.client ~0.1 ms.
            # The service gets the same request either way (JSON body, token header) and answers in full.
            user, student = writers[token]
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
            latencies = []
            for n in range(writes_per_client):
                body = {"student_id": student, "kind": "talk", "date": today, "talk_type": "例行关怀",
                        "summary": f"基准测试第{n}次谈话记录"}  # fmt: skip
                start = time.perf_counter()
                connection.request("POST", path, body=json.dumps(body).encode(), headers=headers)
                response = connection.getresponse()
                stored = json.loads(response.read())
                latencies.append((time.perf_counter() - start) * 1000)
                assert response.status == 201 and stored["record_id"], stored
            connection.close()
            return latencies

        tokens = [t for t, (user, _) in writers.items() if user.startswith("teacher")]
        service, generator = psutil.Process(child.pid), psutil.Process()
        cpu_before, client_cpu_before = sum(service.cpu_times()[:2]), sum(generator.cpu_times()[:2])
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            latencies = [ms for result in pool.map(client, tokens) for ms in result]
        wall = time.perf_counter() - start
        cpu_ms = (sum(service.cpu_times()[:2]) - cpu_before) * 1000 / len(latencies)
        client_cpu_ms = (sum(generator.cpu_times()[:2]) - client_cpu_before) * 1000 / len(latencies)
        stored = count_records(db_url)  # every acknowledged write is really in the database
        assert stored == PROGRESS_RECORDS + len(latencies), (stored, len(latencies))
        admin = {"Authorization": "token bench-token-schooladmin1"}
        progress_ms = []
        for _ in range(15):
            start = time.perf_counter()
            response = requests.get(base + "progress", headers=admin, timeout=60)
            progress_ms.append((time.perf_counter() - start) * 1000)
            assert response.ok, response.text
        return {"label": label, "writes": len(latencies), "per_s": len(latencies) / wall,
                "p50": statistics.median(latencies), "p95": percentile(latencies, 0.95),
                "progress": statistics.median(progress_ms), "cpu_ms": cpu_ms, "client_cpu_ms": client_cpu_ms,
                "load": os.getloadavg()[0]}  # fmt: skip
    finally:
        child.terminate()
        child.wait(30)


def report(result: dict) -> None:
    label = result["label"]
    print(f"[{label}] {result['writes']} API writes from {CLIENTS} clients")
    print(f"  throughput   {result['per_s']:8.1f} writes/s   anchor >= {ANCHOR_WRITES_PER_S:.0f}   "
          f"ratio {result['per_s'] / ANCHOR_WRITES_PER_S:5.2f} (higher is better)")
    print(f"  latency p50  {result['p50']:8.1f} ms")
    print(f"  service CPU  {result['cpu_ms']:8.2f} ms per write (user + system; "
          f"the load generator's own: {result['client_cpu_ms']:.2f} ms)")
    print(f"  latency p95  {result['p95']:8.1f} ms        anchor <  {ANCHOR_P95_MS:.0f}   "
          f"ratio {result['p95'] / ANCHOR_P95_MS:5.2f} (lower is better)")
    print(f"  progress report, school of {PROGRESS_STUDENTS} students over {PROGRESS_RECORDS:,} records "
          "(median of 15): "
          f"{result['progress']:.1f} ms   anchor < {ANCHOR_PROGRESS_MS:.0f}   "
          f"ratio {result['progress'] / ANCHOR_PROGRESS_MS:5.2f} (lower is better)")
    print(f"  load average (1 min) at the end of the writes: {result['load']:.2f} on {os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=25, help="writes per client (default 25: 500 in all)")
    parser.add_argument("--pg", default=os.environ.get("MENTORHUB_TEST_PG_URL", ""),
                        help="PostgreSQL URL (default: $MENTORHUB_TEST_PG_URL; skipped when empty)")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), json.loads(args.serve[2]))
        return 0
    from hub.store.testing import new_database_url

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        url, _ = new_database_url("sqlite", Path(tmp))
        report(run_backend("SQLite", url, args.writes))
        if args.pg:
            url, cleanup = new_database_url("postgres", Path(tmp), args.pg)
            try:
                report(run_backend("PostgreSQL", url, args.writes))
            finally:
                cleanup()
        else:
            print("[PostgreSQL] skipped: pass --pg URL or set MENTORHUB_TEST_PG_URL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
