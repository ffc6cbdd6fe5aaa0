"""Benchmark: rolling a whole district over to the next school year.

Anchor (issue 20): a district of 60,000 students and 4,400 staff rolls over to the next year, with the
matching carried over and checked, in under 30 s. This script fills a fresh database (SQLite by default,
or a PostgreSQL URL) with bulk inserts of synthetic rows: 100 middle schools (grades 6 to 9, classes of
40), 44 mentors per school, every student paired with a primary mentor (at most 15 each; 3 % with an
additional mentor as well), some records, and two terms. Then it times, as one figure:

1. ``RecordStore.roll_over``: every class moves up a grade, the ninth grade leaves (graduates become
   inactive), every pairing of the remaining students carries over (one transaction), and the district's
   matching is checked (students without a primary mentor, mentors over capacity, mentors away, students
   who need more mentors);
2. the review every school admin opens next (``find_matching_review``, one per school).

The new year's roster (a sixth grade per school, imported with ``import_roster``) is timed and printed
apart: it is the roster import's own cost, not the roll-over's. Usage:
``.venv/bin/python benchmarks/bench_rollover.py [--students 60000] [--staff 4400] [--db URL]``
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
from hub.store.models import Account, MentorAssignment, Record, School, SchoolClass, Staff, Student  # noqa: E402

ANCHOR_SECONDS = 30.0
CLASS_SIZE = 40
SCHOOLS = 100
T1, T2 = "2030-2031-2", "2031-2032-1"


def fill(store, n_students: int, n_staff: int, seed: int = 20) -> dict:
    rng = random.Random(seed)
    per_school, staff_per_school = n_students // SCHOOLS, n_staff // SCHOOLS
    schools, classes, staff, students, accounts, pairs, records = [], [], [], [], [], [], []
    now = dt.datetime(2031, 5, 1)
    for k in range(SCHOOLS):
        school_id = f"s{k:03d}"
        schools.append({"school_id": school_id, "name": f"第{k}中学", "district": "基准区", "stage": "初中"})
        mentors = [f"{school_id}-t{m:02d}" for m in range(staff_per_school)]
        n_classes = per_school // CLASS_SIZE
        for m, staff_id in enumerate(mentors):
            staff.append({"staff_id": staff_id, "name": f"教师{m}", "school_id": school_id,
                          "roles": "subject;head_teacher" if m < n_classes else "subject", "subject": "",
                          "max_mentees": 15, "active": True})  # fmt: skip
            accounts.append({"username": staff_id, "staff_id": staff_id, "password_hash": "",
                             "must_change_password": True, "platform_roles": "", "display_name": "",
                             "failed_logins": 0, "active": True, "created_at": now})  # fmt: skip
        accounts.append({"username": f"{school_id}-admin", "staff_id": None, "password_hash": "",
                         "must_change_password": True, "platform_roles": "school_admin", "display_name": "",
                         "failed_logins": 0, "active": True, "created_at": now})  # fmt: skip
        staff.append({"staff_id": f"{school_id}-admin", "name": "德育", "school_id": school_id, "roles": "school_admin",
                      "subject": "", "max_mentees": 15, "active": True})  # fmt: skip
        accounts[-1]["staff_id"] = f"{school_id}-admin"
        for c in range(n_classes):
            grade = 6 + c % 4
            class_id = f"{school_id}-c{c:02d}"
            classes.append({"class_id": class_id, "school_id": school_id, "grade": grade,
                            "name": f"{'六七八九'[grade - 6]}({c // 4 + 1})班", "head_teacher_id": mentors[c]})
            for n in range(CLASS_SIZE):
                student_id = f"{class_id}-{n:02d}"
                needs = 2 if rng.random() < 0.03 else 1
                students.append({"student_id": student_id, "display_name": f"学生{n}", "school_id": school_id,
                                 "class_id": class_id, "gender": "", "needs_mentors": needs,
                                 "birth_year_month": "2018-01", "active": True})  # fmt: skip
        school_students = [s for s in students if s["school_id"] == school_id]
        rng.shuffle(school_students)
        for i, student in enumerate(school_students):
            mentor = mentors[i % len(mentors)]
            pairs.append({"term_id": T1, "student_id": student["student_id"], "staff_id": mentor, "kind": "primary",
                          "method": "学校调配", "created_at": now})  # fmt: skip
            if student["needs_mentors"] > 1:
                pairs.append({"term_id": T1, "student_id": student["student_id"], "kind": "additional",
                              "staff_id": mentors[(i + 1) % len(mentors)], "method": "多对一", "created_at": now})
            if i % 3 == 0:
                records.append({"kind": "talk", "student_id": student["student_id"], "author": mentor,
                                "term_id": T1, "event_date": dt.date(2031, 4, 20), "created_at": now,
                                "updated_at": now, "fields": {"talk_type": "例行关怀", "summary": "基准数据"}})
    with store.writing_core() as conn:
        for model, rows in ((School, schools), (Staff, staff), (SchoolClass, classes), (Student, students),
                            (Account, accounts), (MentorAssignment, pairs), (Record, records)):  # fmt: skip
            for start in range(0, len(rows), 5000):
                conn.execute(insert(model.__table__), rows[start:start + 5000])
    store.forget_cached()
    return {"students": len(students), "staff": len(staff) - SCHOOLS, "pairs": len(pairs), "records": len(records)}


def new_year_roster(store) -> tuple[list, list]:
    classes, students = [], []
    for school in store.find_schools():
        for c in range(3):
            class_id = f"{school.school_id}-n{c}"
            classes.append({"class_id": class_id, "school_id": school.school_id, "grade": 6, "name": f"六({c + 1})班",
                            "head_teacher_id": None})
            students += [{"student_id": f"{class_id}-{n:02d}", "display_name": f"新生{n}", "school_id": school.school_id,
                          "class_id": class_id} for n in range(CLASS_SIZE)]
    return classes, students


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=60_000)
    parser.add_argument("--staff", type=int, default=4_400)
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="bench-rollover-")
    url = args.db or f"sqlite:///{Path(folder) / 'records.sqlite'}"
    upgrade(url)
    store = open_store(url, today=lambda: dt.date(2031, 7, 15))
    started = time.perf_counter()
    store.add_term_with_calendar(T1, dt.date(2031, 2, 17), dt.date(2031, 6, 30))
    store.add_term_with_calendar(T2, dt.date(2031, 9, 1), dt.date(2032, 1, 20))
    sizes = fill(store, args.students, args.staff)
    print(f"filled {url}: {sizes['students']} students, {sizes['staff']} mentors, {sizes['pairs']} pairings, "
          f"{sizes['records']} records in {time.perf_counter() - started:.1f} s")  # fmt: skip

    started = time.perf_counter()
    summary = store.roll_over(T1, T2, by="bench")
    rolled = time.perf_counter() - started
    admins = [store.actor_for(f"{school.school_id}-admin") for school in store.find_schools()]
    started = time.perf_counter()
    reviews = [store.find_matching_review(admin, T2) for admin in admins]
    reviewed = time.perf_counter() - started
    total = rolled + reviewed
    unmatched = sum(len(r["unmatched"]) for r in reviews)
    over = sum(len(r["over_capacity"]) for r in reviews)
    assert unmatched == summary["review"]["unmatched"] and over == 0, (unmatched, over, summary["review"])
    print(f"roll-over: {summary['classes_promoted']} classes up a grade, {summary['graduates']} graduates, "
          f"{summary['carried']} pairings carried, not carried {summary['not_carried']}, "
          f"check {summary['review']}: {rolled:.2f} s")  # fmt: skip
    print(f"review of all {len(admins)} schools: {reviewed:.2f} s")
    print(f"roll-over + review: {total:.2f} s   anchor: {ANCHOR_SECONDS:.0f} s   ratio: {total / ANCHOR_SECONDS:.2f}")
    classes, students = new_year_roster(store)
    started = time.perf_counter()
    store.import_roster([], classes, [], students)
    print(f"(apart) the new year's roster, {len(students)} new students: {time.perf_counter() - started:.2f} s; "
          f"now without a mentor: {store.find_review_counts(T2)['unmatched']}")
    store.close()
    return 0 if total < ANCHOR_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
