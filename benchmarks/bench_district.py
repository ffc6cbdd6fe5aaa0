"""Benchmark: the district dashboard (issue 22) right after a write.

Anchor (issue 22): for 60,000 students, 4,400 staff, 600,000 records and 50,000 training results, the district
dashboard answers in under 2 s after a write. This script fills a fresh database (SQLite by default, or a
PostgreSQL URL) with bulk inserts of synthetic rows: 100 schools (40 primary with grades 1-5, 40 junior with
grades 6-9, 20 senior with grades 10-12), 44 mentors each, every student paired with a primary mentor (3 %
with an additional one), records of the 三个一 this term (10 per student), training results of 12 courses,
导师团 meetings and studio sessions. Then, three times: a teacher writes a talk record through the store, and
``find_district_dashboard`` is timed at once (the dashboard keeps no cache, so each answer includes the write).
On PostgreSQL the fill is followed by ``VACUUM ANALYZE``, as autovacuum would do after such a load.
Usage: ``.venv/bin/python benchmarks/bench_district.py [--students 60000] [--staff 4400] [--records 600000]
[--training 50000] [--db URL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.store import open_store, upgrade  # noqa: E402
from hub.store.models import (  # noqa: E402
    Account,
    MentorAssignment,
    Record,
    School,
    SchoolClass,
    Staff,
    Student,
    Studio,
    StudioSession,
    TrainingResult,
)
from hub.store.team_models import ClassTeamMeeting  # noqa: E402

ANCHOR_SECONDS = 2.0
SCHOOLS = 100
CLASS_SIZE = 40
TERM = "2031-2032-1"
TODAY = dt.date(2031, 11, 20)
KINDS = ("home_visit", "talk", "growth_message", "guidance", "parent_contact")


def grades_of(k: int) -> range:
    return range(1, 6) if k < 40 else range(6, 10) if k < 80 else range(10, 13)


def fill(store, n_students: int, n_staff: int, n_records: int, n_training: int, seed: int = 22) -> dict:
    rng = random.Random(seed)
    per_school, staff_per_school = n_students // SCHOOLS, n_staff // SCHOOLS
    per_student = max(1, n_records // n_students)
    schools, classes, staff, students, accounts, pairs, records, training, meetings = [], [], [], [], [], [], [], [], []
    now = dt.datetime(2031, 11, 1)
    for k in range(SCHOOLS):
        school_id = f"s{k:03d}"
        schools.append({"school_id": school_id, "name": f"第{k}学校", "district": "基准区", "stage": ""})
        mentors = [f"{school_id}-t{m:02d}" for m in range(staff_per_school)]
        n_classes = per_school // CLASS_SIZE
        grades = list(grades_of(k))
        for m, staff_id in enumerate(mentors):
            roles = ["subject"] + (["head_teacher"] if m < n_classes else []) + (["psychology"] if m == n_classes else [])
            staff.append({"staff_id": staff_id, "name": f"教师{m}", "school_id": school_id, "roles": ";".join(roles),
                          "subject": "", "max_mentees": 15, "active": True})  # fmt: skip
            accounts.append({"username": staff_id, "staff_id": staff_id, "password_hash": "",
                             "must_change_password": True, "platform_roles": "", "display_name": "",
                             "failed_logins": 0, "active": True, "created_at": now})  # fmt: skip
        school_students = []
        for c in range(n_classes):
            grade = grades[c % len(grades)]
            class_id = f"{school_id}-c{c:02d}"
            classes.append({"class_id": class_id, "school_id": school_id, "grade": grade, "name": f"{grade}年级{c}班",
                            "head_teacher_id": mentors[c]})  # fmt: skip
            for n in range(CLASS_SIZE):
                student = {"student_id": f"{class_id}-{n:02d}", "display_name": f"学生{n}", "school_id": school_id,
                           "class_id": class_id, "gender": "", "needs_mentors": 2 if rng.random() < 0.03 else 1,
                           "birth_year_month": "2010-01", "active": True}  # fmt: skip
                students.append(student)
                school_students.append(student)
            for week in range(2):
                meetings.append({"class_id": class_id, "meeting_date": TODAY - dt.timedelta(days=7 * (week + 1)),
                                 "topic": "集体教研", "attendees": mentors[:3], "student_codes": [f"{class_id}-00"],
                                 "decisions": "", "minutes": "", "author": mentors[c], "created_at": now})  # fmt: skip
        rng.shuffle(school_students)
        for i, student in enumerate(school_students):
            mentor = mentors[i % len(mentors)]
            pairs.append({"term_id": TERM, "student_id": student["student_id"], "staff_id": mentor, "kind": "primary",
                          "method": "学校调配", "created_at": now})  # fmt: skip
            if student["needs_mentors"] > 1:
                extra = mentors[n_classes] if mentors[n_classes] != mentor else mentors[(n_classes + 1) % len(mentors)]
                pairs.append({"term_id": TERM, "student_id": student["student_id"], "kind": "additional",
                              "staff_id": extra, "method": "多对一", "created_at": now})  # fmt: skip
            for r in range(per_student):
                day = dt.date(2031, 9, 1) + dt.timedelta(days=rng.randint(0, 75))
                records.append({"kind": KINDS[(i + r) % len(KINDS)] if r else rng.choice(KINDS[:3]),
                                "student_id": student["student_id"], "author": mentor, "term_id": TERM,
                                "event_date": day, "created_at": now, "updated_at": now,
                                "fields": {"summary": "基准数据"}})  # fmt: skip
    courses = [f"course{c:02d}" for c in range(12)]
    for member in staff:
        for course in courses:
            if len(training) >= n_training:
                break
            done = rng.random() < 0.6
            training.append({"staff_id": member["staff_id"], "course_id": course, "course_title": f"课程{course[-2:]}",
                             "completed": done, "hours": 6.0 if done else 0.0, "updated_at": now})  # fmt: skip
    studios = [{"studio_id": f"st{k}", "name": f"工作室{k}", "level": "区级", "host": staff[k * 44]["staff_id"],
                "school_id": None if k < 2 else schools[k]["school_id"]} for k in range(10)]  # fmt: skip
    sessions = [{"studio_id": f"st{k}", "date": TODAY - dt.timedelta(days=d), "topic": "案例研讨",
                 "case_ids": ["c1", "c2"], "attendance": [], "minutes": ""} for k in range(10) for d in (10, 30)]
    with store.writing_core() as conn:
        for model, rows in ((School, schools), (Staff, staff), (SchoolClass, classes), (Student, students),
                            (Account, accounts), (MentorAssignment, pairs), (Record, records),
                            (TrainingResult, training), (ClassTeamMeeting, meetings), (Studio, studios),
                            (StudioSession, sessions)):  # fmt: skip
            for start in range(0, len(rows), 5000):
                conn.execute(insert(model.__table__), rows[start:start + 5000])
    store.forget_cached()
    return {"students": len(students), "staff": len(staff), "records": len(records), "training": len(training),
            "pairs": len(pairs)}  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=60_000)
    parser.add_argument("--staff", type=int, default=4_400)
    parser.add_argument("--records", type=int, default=600_000)
    parser.add_argument("--training", type=int, default=50_000)
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="bench-district-")
    url = args.db or f"sqlite:///{Path(folder) / 'records.sqlite'}"
    upgrade(url)
    store = open_store(url, today=lambda: TODAY)
    started = time.perf_counter()
    store.add_term(TERM, "2031-2032", 1, dt.date(2031, 9, 1), dt.date(2032, 1, 20))
    sizes = fill(store, args.students, args.staff, args.records, args.training)
    store.add_account("district1", platform_roles=["district"], must_change_password=False)
    if store.engine.dialect.name == "postgresql":
        # what autovacuum does after a bulk load (fresh statistics, the visibility map that lets the 三个一 sets
        # be read from the covering index alone): the state of a district's database on any ordinary day
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"filled {url}: {sizes['students']} students, {sizes['staff']} staff, {sizes['pairs']} pairings, "
          f"{sizes['records']} records, {sizes['training']} training results in {time.perf_counter() - started:.1f} s")
    district = store.actor_for("district1")
    writer = store.actor_for("s050-t00")
    mentee = sorted(writer.mentee_ids)[0]
    timings = []
    for n in range(3):
        store.add_record(writer, {"student_id": mentee, "kind": "talk", "date": (TODAY - dt.timedelta(days=n)).isoformat(),
                                  "talk_type": "例行关怀", "summary": "基准：写入后立即查看区级看板"})  # fmt: skip
        started = time.perf_counter()
        board = store.find_district_dashboard(district)
        timings.append(time.perf_counter() - started)
    rows = sum(len(rows) for rows in board["tables"].values())
    worst = max(timings)
    print(f"district dashboard after a write: {', '.join(f'{t:.2f}' for t in timings)} s ({rows} table rows)")
    print(f"worst: {worst:.2f} s   anchor: {ANCHOR_SECONDS:.1f} s   ratio: {worst / ANCHOR_SECONDS:.2f}")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
