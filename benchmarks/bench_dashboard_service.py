"""Benchmark: the research dashboards computed by the records store from its own database.

Anchor (issue 7): a dashboard over one term of a 40,000-student district (~400,000 records) renders in
under 3 s from a warm server, the aggregation done in the database or one pandas pass. This script
fills a fresh SQLite database (bulk inserts of synthetic, de-identified rows), then times
``RecordStore.find_dashboards`` for a district-level caller (the work behind ``GET dashboards``:
column-only queries + one pandas pass + JSON-ready tables), warm, and prints it next to the anchor.
Usage: ``.venv/bin/python benchmarks/bench_dashboard_service.py [students] [folder]`` (a folder filled by an
earlier run is measured again without refilling).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from hub.cases.synthetic import synthetic_term
from hub.store import open_store, upgrade
from hub.store.models import Account, ConcernFlag, Record, School, SchoolClass, Student, Term

ANCHOR_SECONDS = 3.0
KINDS = {"talk": "talk", "home_visit": "home_visit", "message": "growth_message",
         "parent_communication": "parent_contact", "guidance": "guidance"}  # fmt: skip
CHUNK = 20_000


def fill(store, students_total: int) -> int:
    students, records, flags, _ = synthetic_term(students_total)
    start = records["date"].min().date()
    schools = sorted(students["school"].unique())
    school_ids = {name: f"s{n:03d}" for n, name in enumerate(schools)}
    class_ids = {(school, klass): f"{school_ids[school]}-{klass}"
                 for school, klass in students[["school", "class"]].drop_duplicates().itertuples(index=False)}  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(insert(Term), [{"term_id": "T", "academic_year": "2025-2026", "term_no": 2,
                                     "start_date": start, "end_date": start + dt.timedelta(days=150),
                                     "key_timepoints": [{"name": "期中", "date": "2026-04-20"},
                                                        {"name": "期末", "date": "2026-06-25"}]}])  # fmt: skip
        conn.execute(insert(School), [{"school_id": sid, "name": name, "district": "", "stage": ""}
                                      for name, sid in school_ids.items()])  # fmt: skip
        conn.execute(insert(SchoolClass), [{"class_id": cid, "school_id": school_ids[school], "grade": 7, "name": klass}
                                           for (school, klass), cid in class_ids.items()])  # fmt: skip
        conn.execute(insert(Student), [
            {"student_id": student, "display_name": "", "school_id": school_ids[school],
             "class_id": class_ids[(school, klass)], "gender": "", "needs_mentors": 1, "active": True}
            for school, klass, student in students[["school", "class", "student"]].itertuples(index=False, name=None)
        ])  # fmt: skip
        conn.execute(insert(Account), [{"username": "district", "password_hash": "", "must_change_password": False,
                                        "platform_roles": "trainer", "display_name": "", "failed_logins": 0,
                                        "active": True}])  # fmt: skip
        rows = []
        for row in records.itertuples(index=False):
            kind = KINDS[row.kind]
            fields = {"domains": row.domains} if kind == "guidance" else (
                {"guidance_domains": row.domains} if kind == "talk" else {})
            rows.append({"kind": kind, "student_id": row.student, "author": "m", "term_id": "T",
                         "event_date": row.date.date(), "fields": fields})  # fmt: skip
            if len(rows) == CHUNK:
                conn.execute(insert(Record), rows)
                rows = []
        if rows:
            conn.execute(insert(Record), rows)
        conn.execute(insert(ConcernFlag), [
            {"student_id": row.student, "raised_by": "m", "raised_at": row.raised_at.to_pydatetime(), "level": 1,
             "signals": [], "details": "", "status": "open"} for row in flags.itertuples(index=False)])  # fmt: skip
    return len(records)


def main() -> int:
    students_total = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="bench-dash-"))
    url = f"sqlite:///{folder / 'records.sqlite'}"
    reuse = (folder / "records.sqlite").exists()
    upgrade(url)
    store = open_store(url)
    if reuse:  # a folder filled by an earlier run: measure again without refilling
        print(f"reusing {url}: {store.count_records()} records")
    else:
        started = time.perf_counter()
        records = fill(store, students_total)
        print(f"filled {url}: {students_total} students, {records} records in {time.perf_counter() - started:.1f} s")
    actor = store.actor_for("district")
    term = store.find_term("T")
    store.compute_dashboards(term, None)  # warm-up: a warm server has imported and touched everything once
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        board = store.compute_dashboards(term, None)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    store.find_dashboards(actor, "T")
    started = time.perf_counter()
    store.find_dashboards(actor, "T")
    cached = time.perf_counter() - started
    print(f"tables: {', '.join(f'{k} {len(v)} rows' for k, v in board['tables'].items())}")
    print(f"computed (queries + pandas + JSON-ready tables): {best:.2f} s (best of 3: "
          f"{', '.join(f'{t:.2f}' for t in timings)})")
    print(f"served again within the store's cache time: {cached * 1000:.1f} ms")
    print(f"anchor: {ANCHOR_SECONDS:.1f} s   ratio computed/anchor: {best / ANCHOR_SECONDS:.2f}")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
