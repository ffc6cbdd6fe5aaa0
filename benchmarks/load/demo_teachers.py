"""Extra demo teachers for load runs above the 24 seeded ones, written through the store (hub.store).

Each new teacher `teacher<N>` gets a staff record in the first demo school, an account with the demo
password (no forced change), and two synthetic mentees of their own in the current term, so that the
records API has someone for them to write about. Existing accounts are left as they are.
"""

from __future__ import annotations

from hub.auth import hash_password
from hub.store import open_store

DEMO_PASSWORD = "mentorhub-demo"
MENTEES_PER_TEACHER = 2
#: The cost `mentorhub demo seed` hashes the demo accounts with (hub/demo.py), so that every teacher of a
#: run costs the hub the same at login. Real accounts get hub.auth.BCRYPT_ROUNDS (12): 4x the CPU per login.
DEMO_BCRYPT_ROUNDS = 10


def demo_teacher_names(count: int) -> list[str]:
    return [f"teacher{i}" for i in range(1, count + 1)]


def _school_admin(store, school_id: str):
    for account in store.find_accounts():
        actor = store.actor_for(account.username)
        if "school_admin" in actor.roles and school_id in actor.school_ids:
            return actor
    raise RuntimeError(f"no school admin account for school {school_id}: seed the demo district first")


def add_demo_teachers(db_url: str, count: int, password: str = DEMO_PASSWORD) -> list[str]:
    """Make sure `teacher1`…`teacher<count>` exist; returns the names that were created."""
    store = open_store(db_url)
    try:
        existing = {account.username for account in store.find_accounts()}
        missing = [name for name in demo_teacher_names(count) if name not in existing]
        if not missing:
            return []
        school = store.find_schools()[0]
        school_class = store.find_classes(school.school_id)[0]
        term = store.current_term()
        admin = _school_admin(store, school.school_id)
        # one hash: every demo account has the same password
        password_hash = hash_password(password, rounds=DEMO_BCRYPT_ROUNDS)
        rows = []
        for name in missing:
            number = name.removeprefix("teacher")
            store.add_staff(name, f"负载教师{number}", school.school_id, roles=["subject"])
            store.add_account(name, password_hash, must_change_password=False, staff_id=name,
                              display_name=f"负载教师{number}")
            for k in range(MENTEES_PER_TEACHER):
                student_id = f"LOAD-{number}-{k + 1}"
                store.add_student(student_id, f"负载学生{number}-{k + 1}", school.school_id,
                                  school_class.class_id, birth_year_month="2012-09")
                rows.append({"student_id": student_id, "staff_id": name, "kind": "primary"})
        store.add_assignments(admin, term.term_id, rows, replace=False)
        return missing
    finally:
        store.close()
