"""Synthetic de-identified frames for the research dashboards (demo page and benchmark).

Pseudonymous ids only; nothing here resembles a real student.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hub.cases import texts

RECORDS_PER_STUDENT = 10
EXAM_DATES = ("2026-04-20", "2026-06-25")


def synthetic_term(students_total: int, seed: int = 2026, schools_total: int = 80):
    """(students, records, flags, enrollments) for one term, about 10 records per student."""
    rng = np.random.default_rng(seed)
    schools = np.array([f"学校{n:02d}" for n in range(schools_total)])
    student_ids = np.array([f"p{n:06d}" for n in range(students_total)])
    school_of = schools[rng.integers(0, len(schools), students_total)]
    class_of = np.char.add("班", rng.integers(1, 13, students_total).astype(str))
    students = pd.DataFrame({"school": school_of, "class": class_of, "student": student_ids})
    n = students_total * RECORDS_PER_STUDENT
    who = rng.integers(0, students_total, n)
    kinds = np.array(["talk", "home_visit", "message", "parent_communication", "guidance"])
    start = np.datetime64("2026-02-16")
    domains_pool = [[d] for d in texts.DOMAINS] + [[texts.DOMAINS[0], texts.DOMAINS[2]]]
    records = pd.DataFrame(
        {
            "school": school_of[who],
            "class": class_of[who],
            "student": student_ids[who],
            "kind": kinds[rng.choice(len(kinds), n, p=[0.35, 0.1, 0.1, 0.25, 0.2])],
            "date": start + rng.integers(0, 140, n).astype("timedelta64[D]"),
            "domains": [domains_pool[i] for i in rng.integers(0, len(domains_pool), n)],
        }
    )
    flagged = rng.choice(students_total, students_total // 50, replace=False)
    raised = start + rng.integers(0, 120, len(flagged)).astype("timedelta64[D]")
    delay = rng.integers(0, 20, len(flagged)).astype("timedelta64[D]")
    followed = pd.Series(raised + delay).where(rng.random(len(flagged)) > 0.1)
    flags = pd.DataFrame(
        {"school": school_of[flagged], "student": student_ids[flagged], "raised_at": raised, "followed_up_at": followed}
    )
    teachers = students_total // 12
    enrollments = pd.DataFrame(
        {
            "school": schools[rng.integers(0, len(schools), teachers * 3)],
            "teacher": np.repeat(np.arange(teachers), 3),
            "course": np.tile(["政策与角色", "心理健康教育", "家校沟通"], teachers),
            "completed": rng.random(teachers * 3) > 0.3,
        }
    )
    return students, records, flags, enrollments
