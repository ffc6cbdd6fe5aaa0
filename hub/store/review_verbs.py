"""The access review (个人信息保护负责人's 访问审查): for one school and a period, who read which students' records,
from the audit log, with every break-glass use and its stated reason.

What the audit log holds, and so what the review can show: every read of record contents beyond the reader's
own mentees (``record.read``: a head teacher's class, a school leader's or school office's school), every read
of a record's history by others than its author (``record.history``), every read of concern-flag details
(``flag.read_details``), every break-glass read (``break_glass.read``, with ground and reason), every copy made
for a guardian (``guardian_request.copy``), every read of a student's guardians and their contacts
(``guardian.read``), every opening of the term's 排摸重点对象 (``focus.read``, naming the students it listed) and
every export of the school's summary
(``export.progress_summary``). A mentor's reads of their own mentees' records are not logged (they are the
mentor's own work); the review says so.

Who may ask (``access.review``): the school leader for their own school, the platform admin for any school.
Each review is itself audited (``access_review.read``). Readers are listed by user name, students by class and
id: nothing is ranked.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import select

from . import access
from .access import Actor
from .errors import Forbidden, NotFound
from .messages import msg
from .models import AuditLog, Student, plain

READ_ACTIONS = ("record.read", "record.history", "flag.read_details", "break_glass.read", "guardian_request.copy",
                "guardian.read", "focus.read")  # focus.read: the term's 排摸重点对象 (focus_verbs), the students listed
EXPORT_ACTION = "export.progress_summary"
NOT_LOGGED = "own_mentees_not_logged"


def students_of(detail: dict) -> list[str]:
    if isinstance(detail.get("student_ids"), list):
        return [s for s in detail["student_ids"] if isinstance(s, str)]
    return [detail["student_id"]] if isinstance(detail.get("student_id"), str) else []


class AccessReviewVerbs:
    """Mixin for ``RecordStore`` (uses ``PracticeVerbs``' ``_audit``)."""

    def find_access_review(self, actor: Actor, school_id: str | None, since: dt.datetime | None,
                           until: dt.datetime | None) -> dict:  # fmt: skip
        """Reads of the school's students' records in [since, until] (naive UTC; open ends when None)."""
        reach = access.reach(actor, access.ACCESS_REVIEW)
        school_id = school_id or (sorted(actor.school_ids)[0] if len(actor.school_ids) == 1 else None)
        if reach.empty:
            english, chinese = msg("forbidden", action=access.ACCESS_REVIEW)
            raise Forbidden(english, chinese)
        if not school_id or not (reach.everything or school_id in reach.school_ids):
            english, chinese = msg("school_not_found", value=str(school_id or "")[:40])
            raise NotFound(english, chinese, "school_id")
        with self.writing() as s:  # writing: the review itself is audited in the same transaction
            students = {row.student_id: row for row in s.execute(
                select(Student.student_id, Student.display_name, Student.class_id)
                .where(Student.school_id == school_id))}  # fmt: skip
            if not students and self._school_missing(s, school_id):
                english, chinese = msg("school_not_found", value=school_id[:40])
                raise NotFound(english, chinese, "school_id")
            query = select(AuditLog).where(AuditLog.action.in_((*READ_ACTIONS, EXPORT_ACTION)))
            if since:
                query = query.where(AuditLog.at >= since)
            if until:
                query = query.where(AuditLog.at <= until)
            readers: dict[str, dict] = {}
            by_student: dict[str, set] = defaultdict(set)
            break_glass, exports = [], []
            for entry in s.scalars(query.order_by(AuditLog.audit_id)):
                detail = entry.detail or {}
                if entry.action == EXPORT_ACTION:
                    if detail.get("school_id") == school_id:
                        exports.append({"at": plain(entry.at), "who": entry.actor, "term_id": entry.entity_id})
                    continue
                ours = sorted(set(students_of(detail)) & set(students))
                if not ours:
                    continue
                reader = readers.setdefault(entry.actor, {"who": entry.actor, "reads": 0, "actions": Counter(),
                                                          "students": set()})  # fmt: skip
                reader["reads"] += 1
                reader["actions"][entry.action] += 1
                reader["students"].update(ours)
                for student_id in ours:
                    by_student[student_id].add(entry.actor)
                if entry.action == "break_glass.read":
                    break_glass.append({"at": plain(entry.at), "who": entry.actor, "student_ids": ours,
                                        "ground": detail.get("ground", ""), "reason": entry.reason})  # fmt: skip
            review = {
                "school_id": school_id, "since": plain(since), "until": plain(until),
                "readers": [{**r, "actions": dict(sorted(r["actions"].items())), "students": sorted(r["students"])}
                            for _, r in sorted(readers.items())],
                "students": [{"student_id": sid, "display_name": students[sid].display_name,
                              "class_id": students[sid].class_id, "readers": sorted(by_student[sid])}
                             for sid in sorted(by_student, key=lambda sid: (students[sid].class_id, sid))],
                "break_glass": break_glass, "exports": exports, "note": NOT_LOGGED,
            }  # fmt: skip
            self._audit(s, actor, "access_review.read", "school", school_id,
                        detail={"since": plain(since), "until": plain(until), "readers": len(readers)})  # fmt: skip
        return review

    def _school_missing(self, session, school_id: str) -> bool:
        from .models import School

        return session.get(School, school_id) is None
