"""Building blocks for tests of the store (imported by tests; no pytest import here).

- ``new_database_url(kind, tmp_dir, pg_url)``: a fresh, migrated database: a SQLite file under
  ``tmp_dir`` or a private schema in the PostgreSQL database ``pg_url``; returns (url, cleanup).
- ``build_small_world(store)``: two schools with staff of every role, five students and a current term
  around today, described in ``SMALL_WORLD`` so tests can state who may see whom.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from .db import upgrade


def _pg_conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1).split("?", 1)[0]


def new_database_url(kind: str, tmp_dir: Path, pg_url: str | None = None):
    """(url, cleanup) of a new migrated database of ``kind`` "sqlite" or "postgres"."""
    if kind == "sqlite":
        url = f"sqlite:///{Path(tmp_dir) / f'records-{uuid.uuid4().hex[:8]}.sqlite'}"
        upgrade(url)
        return url, lambda: None
    import psycopg

    schema = f"mh_test_{uuid.uuid4().hex[:10]}"
    conninfo = _pg_conninfo(pg_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:  # a failure here fails the test: CI wants PG
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in pg_url else "?"
    url = f"{pg_url}{separator}options=-csearch_path%3D{schema}"
    upgrade(url)

    def cleanup():
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return url, cleanup


SMALL_WORLD = {
    "schools": {"A": "甲校", "B": "乙校"},
    "classes": {"A1": ("A", "ht_a1"), "A2": ("A", "ht_a2"), "B1": ("B", "ht_b1")},
    "staff": {
        "m_a": ("A", ["subject"]), "ht_a1": ("A", ["subject", "head_teacher"]),
        "ht_a2": ("A", ["subject", "head_teacher"]), "psy_a": ("A", ["psychology"]),
        "lead_a": ("A", ["leader"]), "adm_a": ("A", ["school_admin"]), "plain_a": ("A", ["subject"]),
        "m_b": ("B", ["subject"]), "ht_b1": ("B", ["subject", "head_teacher"]), "adm_b": ("B", ["school_admin"]),
    },
    "platform": {"trainer1": ["trainer"], "studio1": ["studio_leader"], "admin": ["admin"]},
    "students": {"sa1": "A1", "sa2": "A1", "sa3": "A1", "sa4": "A2", "sb1": "B1"},
    "primary": {"sa1": "m_a", "sa2": "m_a", "sa3": "ht_a1", "sa4": "lead_a", "sb1": "m_b"},
    "additional": {"sa2": "psy_a"},
}  # fmt: skip


def build_small_world(store, today: dt.date | None = None) -> dict:
    """Fill ``store`` with ``SMALL_WORLD`` and a term from 60 days before to 60 days after ``today``."""
    today = today or dt.date.today()
    world = SMALL_WORLD
    store.add_term("T-old", "2020-2021", 1, dt.date(2020, 9, 1), dt.date(2021, 1, 20))
    store.add_term("T-cur", f"{today.year}", 1, today - dt.timedelta(days=60), today + dt.timedelta(days=60),
                   home_visit_due=today + dt.timedelta(days=50), talk_due=today + dt.timedelta(days=50),
                   growth_message_due=today + dt.timedelta(days=55),
                   key_timepoints=[{"name": "开学", "date": (today - dt.timedelta(days=60)).isoformat()}])
    schools = [{"school_id": k, "name": v} for k, v in world["schools"].items()]
    staff = [{"staff_id": k, "name": f"教师{k}", "school_id": school, "roles": roles}
             for k, (school, roles) in world["staff"].items()]
    classes = [{"class_id": k, "school_id": school, "grade": 7, "name": k, "head_teacher_id": head}
               for k, (school, head) in world["classes"].items()]
    students = [{"student_id": k, "display_name": f"学生{k}", "school_id": world["classes"][c][0],
                 "class_id": c, "birth_year_month": "2012-09"} for k, c in world["students"].items()]
    store.import_roster(schools, classes, staff, students)
    for username, roles in world["platform"].items():
        store.add_account(username, platform_roles=roles, must_change_password=False)
    for school in world["schools"]:
        admin = store.actor_for(f"adm_{school.lower()}")
        rows = [{"student_id": s, "staff_id": m, "kind": "primary"} for s, m in world["primary"].items()
                if world["classes"][world["students"][s]][0] == school]
        rows += [{"student_id": s, "staff_id": m, "kind": "additional"} for s, m in world["additional"].items()
                 if world["classes"][world["students"][s]][0] == school]
        store.add_assignments(admin, "T-cur", rows)
    return world
