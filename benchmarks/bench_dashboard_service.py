"""Benchmark: the research dashboards computed by the records store from its own database.

Anchor (issue 7): a dashboard over one term of a 40,000-student district (~400,000 records) renders in
under 3 s from a warm server, the aggregation done in the database or one pandas pass. This script
fills a fresh SQLite database at schema revision 0002 (bulk inserts of synthetic, de-identified rows),
then upgrades it to the head revision, so migration 0003 fills the guidance-domain table from the
records' JSON as it would on a live district (its time is printed too).

What is timed: after one warm-up (a warm server has imported and touched everything once), each round
first writes one guidance record through the store (``add_record``, as the student's mentor would) and then
computes the dashboards (``RecordStore.compute_dashboards`` for the district: the work behind
``GET dashboards`` when its 60 s cache has run out: column-only queries, one pandas pass, JSON-ready
tables). Every round checks that the new record is counted, so no figure is a cache hit. The figure is
the median of the rounds, the slowest is printed too; a cached answer is timed separately for contrast.
Usage: ``.venv/bin/python benchmarks/bench_dashboard_service.py [students] [folder | database URL]`` (a folder
or database filled by an earlier run is measured again without refilling; a PostgreSQL URL may name a
private schema: ``postgresql://…/db?options=-csearch_path%3Dbench``).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, inspect, select

from hub.cases.synthetic import synthetic_term
from hub.store import open_store, upgrade
from hub.store.db import make_engine
from hub.store.models import (
    Account,
    ConcernFlag,
    MentorAssignment,
    Record,
    School,
    SchoolClass,
    Staff,
    Student,
    Term,
)

ANCHOR_SECONDS = 3.0
ROUNDS = 5
#: the schema the district had before migration 0003 (guidance domains only in the records' JSON)
BEFORE = "0002_case_discussions"
WRITER = "bench-mentor"
KINDS = {"talk": "talk", "home_visit": "home_visit", "message": "growth_message",
         "parent_communication": "parent_contact", "guidance": "guidance"}  # fmt: skip
CHUNK = 20_000


def fill(engine, students_total: int) -> int:
    students, records, flags, _ = synthetic_term(students_total)
    start = records["date"].min().date()
    schools = sorted(students["school"].unique())
    school_ids = {name: f"s{n:03d}" for n, name in enumerate(schools)}
    class_ids = {(school, klass): f"{school_ids[school]}-{klass}"
                 for school, klass in students[["school", "class"]].drop_duplicates().itertuples(index=False)}  # fmt: skip
    with engine.begin() as conn:
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


def add_writer(store) -> tuple[str, str]:
    """A mentor (staff row, account) with one mentee in a current term, who may therefore write records
    about that student, also into term T; returns (student, event date in T) for the writes below.
    Idempotent."""
    today = dt.date.today()
    with store.engine.begin() as conn:
        school_id, student = conn.execute(select(Student.school_id, Student.student_id)
                                          .order_by(Student.student_id).limit(1)).one()  # fmt: skip
        if conn.execute(select(Staff.staff_id).where(Staff.staff_id == WRITER)).first() is None:
            conn.execute(insert(Term), [{"term_id": "NOW", "academic_year": "", "term_no": 1,
                                         "start_date": today - dt.timedelta(days=3),
                                         "end_date": today + dt.timedelta(days=3), "key_timepoints": []}])  # fmt: skip
            conn.execute(insert(Staff), [{"staff_id": WRITER, "name": "", "school_id": school_id, "roles": "subject",
                                          "subject": "", "max_mentees": 15, "active": True}])  # fmt: skip
            conn.execute(insert(Account), [{"username": WRITER, "password_hash": "", "must_change_password": False,
                                            "staff_id": WRITER, "platform_roles": "", "display_name": "",
                                            "failed_logins": 0, "active": True}])  # fmt: skip
            conn.execute(insert(MentorAssignment), [{"term_id": "NOW", "student_id": student, "staff_id": WRITER,
                                                     "kind": "primary", "method": ""}])  # fmt: skip
        start = conn.execute(select(Term.start_date).where(Term.term_id == "T")).scalar_one()
    return student, (start + dt.timedelta(days=10)).isoformat()


def vacuum_analyze(url: str) -> None:
    """What autovacuum does soon after a bulk load on a live PostgreSQL server (planner statistics, the
    visibility map for index-only scans); test servers often run with autovacuum off."""
    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("records", "record_domains", "students", "classes", "schools", "concern_flags", "audit_log"):
            conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    engine.dispose()
    print("VACUUM ANALYZE done (as autovacuum would after the bulk load)")


def counted_records(board: dict, domain: str) -> int:
    return next(row["records"] for row in board["tables"]["domains"] if row["domain"] == domain)


def main() -> int:
    students_total = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    target = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="bench-dash-")
    if "://" in target:  # a database URL (e.g. an empty PostgreSQL schema): filled unless already migrated
        url = target
        reuse = "records" in inspect(make_engine(url)).get_table_names()
    else:
        url = f"sqlite:///{Path(target) / 'records.sqlite'}"
        reuse = (Path(target) / "records.sqlite").exists()
    if not reuse:
        upgrade(url, BEFORE)
        engine = make_engine(url)  # the store refuses a schema behind the head revision: bulk rows straight in
        started = time.perf_counter()
        records = fill(engine, students_total)
        print(f"filled {url} at revision {BEFORE}: {students_total} students, {records} records "
              f"in {time.perf_counter() - started:.1f} s")
        engine.dispose()
    started = time.perf_counter()
    revision = upgrade(url)
    print(f"upgraded to {revision} in {time.perf_counter() - started:.1f} s (fills the guidance-domain table)")
    if url.startswith("postgres") and not reuse:
        vacuum_analyze(url)
    store = open_store(url)
    print(f"{store.count_records()} records")
    student, day = add_writer(store)
    writer, actor = store.actor_for(WRITER), store.actor_for("district")
    term = store.find_term("T")
    board = store.compute_dashboards(term, None)  # warm-up: a warm server has imported and touched everything once
    timings = []
    for _ in range(ROUNDS):
        before = counted_records(board, "生涯指导")
        store.add_record(writer, {"student_id": student, "kind": "guidance", "date": day, "domains": ["生涯指导"],
                                  "summary": "基准测试写入的一条指导记录"})  # fmt: skip
        started = time.perf_counter()
        board = store.compute_dashboards(term, None)
        timings.append(time.perf_counter() - started)
        assert counted_records(board, "生涯指导") == before + 1, "the record just written is not counted"
    median = statistics.median(timings)
    store.find_dashboards(actor, "T")
    started = time.perf_counter()
    store.find_dashboards(actor, "T")
    cached = time.perf_counter() - started
    print(f"tables: {', '.join(f'{k} {len(v)} rows' for k, v in board['tables'].items())}")
    print(f"computed after a write (queries + pandas + JSON-ready tables), {ROUNDS} rounds: median {median:.2f} s, "
          f"slowest {max(timings):.2f} s ({', '.join(f'{t:.2f}' for t in timings)})")
    print(f"served again within the store's cache time: {cached * 1000:.1f} ms")
    print(f"anchor: {ANCHOR_SECONDS:.1f} s   ratio median/anchor: {median / ANCHOR_SECONDS:.2f}")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
