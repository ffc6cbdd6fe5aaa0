"""``import_roster``: write a validated roster (schools, classes, staff, students) in ONE transaction.

Rows arrive already checked by ``hub.roster`` (which refuses a bad file whole). The import is an
upsert keyed by the roster ids, so re-importing the same file changes nothing; the result counts
created / updated / unchanged rows per sheet. Staff members without an account get one (no password
yet, must change it on first login) whose login name is the staff number in lower case; a login name
that already belongs to another staff member or to a platform account refuses the whole roster.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from .errors import Conflict
from .models import Account, School, SchoolClass, Staff, Student, TeachingAssignment, join_roles

SHEETS = ("schools", "classes", "staff", "students")


def _upsert(session, model, key: str, values: dict, counts: dict) -> str:
    """Insert or update one row; count and return "created", "updated" or "unchanged"."""
    row = session.get(model, values[key])
    if row is None:
        session.add(model(**values))
        status = "created"
    else:
        status = "unchanged"
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                status = "updated"
    counts[status] += 1
    return status


class RosterVerbs:
    """Mixin for ``RecordStore``."""

    def import_roster(self, schools: list[dict], classes: list[dict], staff: list[dict],
                      students: list[dict]) -> dict[str, dict[str, int]]:  # fmt: skip
        counts = {sheet: {"created": 0, "updated": 0, "unchanged": 0} for sheet in SHEETS}
        with self.writing() as s:
            for row in schools:
                _upsert(s, School, "school_id", {
                    "school_id": row["school_id"], "name": row["name"],
                    "district": row.get("district", ""), "stage": row.get("stage", "")}, counts["schools"])  # fmt: skip
            s.flush()
            staff_status, taken = {}, []
            for row in staff:
                values = {
                    "staff_id": row["staff_id"], "name": row["name"], "school_id": row["school_id"],
                    "roles": join_roles(row["roles"]), "subject": row.get("subject", ""),
                    "max_mentees": row.get("max_mentees", 15), "active": True,
                }  # fmt: skip
                staff_status[row["staff_id"]] = _upsert(s, Staff, "staff_id", values, counts["staff"])
            s.flush()
            for row in classes:
                _upsert(s, SchoolClass, "class_id", {
                    "class_id": row["class_id"], "school_id": row["school_id"], "grade": row["grade"],
                    "name": row.get("name", ""), "head_teacher_id": row.get("head_teacher_id")},
                    counts["classes"])  # fmt: skip
            s.flush()
            for row in staff:
                wanted = set(row.get("classes", ()))
                current = set(s.scalars(select(TeachingAssignment.class_id)
                                        .where(TeachingAssignment.staff_id == row["staff_id"])))  # fmt: skip
                if wanted != current:
                    s.execute(delete(TeachingAssignment).where(TeachingAssignment.staff_id == row["staff_id"]))
                    s.add_all(TeachingAssignment(staff_id=row["staff_id"], class_id=c) for c in sorted(wanted))
                    if staff_status[row["staff_id"]] == "unchanged":  # only its classes changed
                        counts["staff"]["unchanged"] -= 1
                        counts["staff"]["updated"] += 1
                username = row.get("username") or row["staff_id"].lower()
                account = s.get(Account, username)
                if account is None:
                    s.add(Account(username=username, staff_id=row["staff_id"], password_hash="",
                                  must_change_password=True, display_name=row["name"]))  # fmt: skip
                elif account.staff_id != row["staff_id"]:
                    taken.append((row["staff_id"], username, account.staff_id))
            if taken:  # raising inside the transaction: nothing of the roster is written
                raise Conflict(
                    "login names already belong to someone else: " + ", ".join(f"{u} ({o})" for _, u, o in taken),
                    "以下教职工的登录名已被其他账号占用，整个花名册未导入："
                    + "；".join(f"{sid} → {u}（属于 {o or '平台账号'}）" for sid, u, o in taken))
            for row in students:
                _upsert(s, Student, "student_id", {
                    "student_id": row["student_id"], "display_name": row["display_name"],
                    "school_id": row["school_id"], "class_id": row["class_id"],
                    "needs_mentors": row.get("needs_mentors", 1),
                    "birth_year_month": row.get("birth_year_month"), "active": True}, counts["students"])  # fmt: skip
        self.forget_cached()
        return counts

