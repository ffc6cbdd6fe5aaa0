"""Assignment verbs of the records store that help a school's 德育 office save a term's matching safely.

``preview_assignments(actor, term_id, rows)`` says what saving ``rows`` (as ``add_assignments`` takes them,
replacing the school's pairings for the term) would change, before anything changes: every problem of the
rows at once; which students move from one primary mentor to another, with how many records the previous
mentor has written for them this term (those records stay with the student: the new mentor reads them, the
previous one no longer does); students newly paired, students left without a mentor, additional mentors
gained and lost; names beside ids. It writes nothing. Its ``basis`` names the pairings it compared with:
``add_assignments(..., basis=...)`` refuses to save when they changed in between (someone else saved).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict

from sqlalchemy import func, select

from . import access
from .access import Actor
from .errors import Invalid
from .messages import msg
from .models import Account, MentorAssignment, Record, Staff, Student, Term
from .practice import forbidden
from .validation import echo, invalid, validate_student_id

#: Problems listed in one refusal (the rest are counted).
MAX_LISTED = 20


def assignments_basis(pairs) -> str:
    """A short fingerprint of a set of (student_id, staff_id, kind) pairings."""
    text = "\n".join("|".join(pair) for pair in sorted(pairs))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def pairings(rows) -> dict[str, dict]:
    """student_id -> {"primary": staff_id or None, "additional": set of staff_ids}."""
    out: dict[str, dict] = defaultdict(lambda: {"primary": None, "additional": set()})
    for student_id, staff_id, kind in rows:
        if kind == "primary":
            out[student_id]["primary"] = staff_id
        else:
            out[student_id]["additional"].add(staff_id)
    return out


class AssignmentVerbs:
    """Mixin for ``RecordStore``."""

    def _school_pairs(self, s, term_id: str, schools) -> list[tuple[str, str, str]]:
        return [tuple(row) for row in s.execute(
            select(MentorAssignment.student_id, MentorAssignment.staff_id, MentorAssignment.kind).join(Student)
            .where(MentorAssignment.term_id == term_id, Student.school_id.in_(sorted(schools))))]  # fmt: skip

    def current_assignments_basis(self, s, term_id: str, schools) -> str:
        return assignments_basis(self._school_pairs(s, term_id, schools))

    def preview_assignments(self, actor: Actor, term_id: str, rows: list[dict]) -> dict:
        term_id = validate_student_id(term_id, "term_id")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise invalid("not_list", "rows")
        schools = access.reach(actor, access.ASSIGNMENT_WRITE).school_ids
        if not schools:
            raise forbidden(access.ASSIGNMENT_WRITE)
        with self.reading() as s:
            if s.get(Term, term_id) is None:
                raise self._not_found_term(term_id)
            students = {st.student_id: st for st in s.scalars(select(Student).where(
                Student.school_id.in_(sorted(schools)), Student.active.is_(True)))}  # fmt: skip
            staff = {st.staff_id: st for st in s.scalars(select(Staff).where(
                Staff.school_id.in_(sorted(schools)), Staff.active.is_(True)))}  # fmt: skip
            new = self._checked_pairs(rows, students, staff)
            before = self._school_pairs(s, term_id, schools)
            usernames = dict(s.execute(select(Account.staff_id, Account.username)
                                       .where(Account.staff_id.in_(sorted(staff)))).all())  # fmt: skip
            written = Counter({(student_id, author): n for student_id, author, n in s.execute(
                select(Record.student_id, Record.author, func.count()).join(Student)
                .where(Record.term_id == term_id, Record.deleted_at.is_(None),
                       Student.school_id.in_(sorted(schools)))
                .group_by(Record.student_id, Record.author))})  # fmt: skip
            other_staff = {st.staff_id: st for st in s.scalars(select(Staff).where(
                Staff.staff_id.in_(sorted({p[1] for p in before} - set(staff)))))}  # fmt: skip
        names = {sid: st.name for sid, st in {**other_staff, **staff}.items()}
        return self._changes(term_id, before, new, students, names, usernames, written)

    def _checked_pairs(self, rows: list[dict], students: dict, staff: dict) -> list[tuple[str, str, str]]:
        """The rows as pairings, or ``Invalid`` listing every problem (ids, kinds, two primaries, capacity)."""
        problems, pairs, seen = [], [], set()
        primaries, load = Counter(), Counter()
        for number, row in enumerate(rows, start=1):
            student_id, staff_id = str(row.get("student_id") or ""), str(row.get("staff_id") or "")
            kind = row.get("kind", "primary")
            if student_id not in students:
                problems.append(f"第 {number} 行：" + msg("unknown_student", value=echo(student_id))[1])
            if staff_id not in staff:
                problems.append(f"第 {number} 行：" + msg("unknown_mentor", value=echo(staff_id))[1])
            if kind not in ("primary", "additional"):
                problems.append(f"第 {number} 行：" + msg("bad_choice", field="kind", choices="primary、additional")[1])
            if student_id not in students or staff_id not in staff or kind not in ("primary", "additional"):
                continue
            if (student_id, staff_id) in seen:
                continue
            seen.add((student_id, staff_id))
            pairs.append((student_id, staff_id, kind))
            if kind == "primary":
                primaries[student_id] += 1
                load[staff_id] += 1
        problems += [msg("two_primaries", value=sid)[1] for sid, n in sorted(primaries.items()) if n > 1]
        problems += [msg("over_capacity", value=sid, count=n, limit=staff[sid].max_mentees)[1]
                     for sid, n in sorted(load.items()) if n > staff[sid].max_mentees]  # fmt: skip
        if problems:
            listed = "；".join(problems[:MAX_LISTED]) + ("……" if len(problems) > MAX_LISTED else "")
            english, chinese = msg("assignment_problems", count=len(problems), problems=listed)
            raise Invalid(english, chinese, "rows")
        return pairs

    def _changes(self, term_id, before, new, students, names, usernames, written) -> dict:
        old_map, new_map = pairings(before), pairings(new)

        def person(staff_id):
            return {"staff_id": staff_id, "name": names.get(staff_id, "")} if staff_id else None

        def student(student_id):
            st = students.get(student_id)
            return {"student_id": student_id, "name": st.display_name if st else "", "class_id": st.class_id if st else ""}

        moved, added, removed, additional = [], [], [], []
        for student_id in sorted(set(old_map) | set(new_map), key=lambda sid: (student(sid)["class_id"], sid)):
            old, now = old_map.get(student_id), new_map.get(student_id)
            if old is None or old["primary"] is None:
                if now and now["primary"]:
                    added.append({**student(student_id), "to": person(now["primary"])})
            elif now is None or now["primary"] is None:
                removed.append({**student(student_id), "from": person(old["primary"]),
                                "records": written[(student_id, usernames.get(old["primary"], ""))]})  # fmt: skip
            elif old["primary"] != now["primary"]:
                moved.append({**student(student_id), "from": person(old["primary"]), "to": person(now["primary"]),
                              "records": written[(student_id, usernames.get(old["primary"], ""))]})  # fmt: skip
            gained = sorted((now or {}).get("additional", set()) - (old or {}).get("additional", set()))
            lost = sorted((old or {}).get("additional", set()) - (now or {}).get("additional", set()))
            if gained or lost:
                additional.append({**student(student_id), "gained": [person(m) for m in gained],
                                   "lost": [person(m) for m in lost]})  # fmt: skip
        unchanged = sum(1 for sid, now in new_map.items()
                        if sid in old_map and old_map[sid]["primary"] == now["primary"])  # fmt: skip
        return {"term_id": term_id, "basis": assignments_basis(before), "rows": len(new), "students": len(new_map),
                "unchanged": unchanged, "moved": moved, "added": added, "removed": removed,
                "additional": additional}  # fmt: skip
