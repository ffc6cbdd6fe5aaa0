"""School-level 三个一 progress: the term's dates, counts per mentor, and the school admin's export.

``find_progress`` (practice.py) hands its per-class summary to ``_add_school_progress``, which adds the
term's start and end dates for everyone and, for a caller whose progress scope is a whole school, a
``mentors`` block: one row per mentor of the school in that term (primary and additional assignments
both count; a mentee counts once per mentor). A mentee's task counts as done for each of their mentors
when the student has a record of that kind in the term, whoever wrote it: the same rule as the per-class
counts and the mentor's own tracker, so the numbers agree wherever they are shown.

``find_progress_export`` is what the records service's export endpoint calls: the same counts for one
school, allowed by ``access.PROGRESS_EXPORT`` (the school's admins, and district admins who belong to
that school). The caller writes the audit entry once the file is built (``add_audit``).

Rows are ordered by class id and staff id, never by a count: neither students nor mentors are ranked.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select

from . import access
from .access import Actor
from .errors import Forbidden
from .models import MentorAssignment, Record, School, Staff, Student, Term, plain
from .practice import TRI_ONE, summarize_progress

COUNT_KEYS = ("students", *TRI_ONE, "complete")
EXPORT_FORBIDDEN = (
    "exporting a school's 三个一 summary needs the school_admin role in that school (or a district admin "
    "account that belongs to it)",
    "只有本校的学校管理员（或隶属本校的区级管理员）可以导出本校的三个一汇总表",
)


def mentor_rows(pairs, names: dict[str, str], done: set[tuple[str, str]]) -> list[dict]:
    """Pure: per-mentor counts from (staff_id, student_id) assignment pairs and the (student_id, kind)
    pairs done in the term. Ordered by staff_id."""
    mentees: dict[str, set[str]] = defaultdict(set)
    for staff_id, student_id in pairs:
        mentees[staff_id].add(student_id)
    rows = []
    for staff_id in sorted(mentees):
        counts = Counter()
        for student_id in mentees[staff_id]:
            status = [(student_id, kind) in done for kind in TRI_ONE]
            counts.update(kind for kind, ok in zip(TRI_ONE, status, strict=True) if ok)
            counts["complete"] += all(status)
        counts["students"] = len(mentees[staff_id])
        rows.append({"staff_id": staff_id, "name": names.get(staff_id, staff_id),
                     **{key: counts[key] for key in COUNT_KEYS}})  # fmt: skip
    return rows


def term_dates(term: Term) -> dict:
    return {"start_date": plain(term.start_date), "end_date": plain(term.end_date),
            "due": {"home_visit": plain(term.home_visit_due), "talk": plain(term.talk_due),
                    "growth_message": plain(term.growth_message_due)}}  # fmt: skip


class ProgressVerbs:
    """Mixin for ``RecordStore``."""

    def _add_school_progress(self, progress: dict, term: Term, schools, done: set[tuple[str, str]]) -> dict:
        """``progress`` with the term's dates and, when ``schools`` (the caller's whole-school scope) is
        not empty, the ``mentors`` block of those schools. ``done`` covers at least their students."""
        progress.update(term_dates(term))
        if schools:
            progress["mentors"] = self._mentor_counts(term, schools, done)
        return progress

    def _mentor_counts(self, term: Term, schools, done: set[tuple[str, str]]) -> list[dict]:
        with self.reading() as s:
            pairs = s.execute(
                select(MentorAssignment.staff_id, MentorAssignment.student_id).distinct().join(Student)
                .where(MentorAssignment.term_id == term.term_id, Student.active.is_(True),
                       Student.school_id.in_(sorted(schools)))
            ).all()  # fmt: skip
            staff_ids = sorted({staff_id for staff_id, _ in pairs})
            names = dict(s.execute(select(Staff.staff_id, Staff.name).where(Staff.staff_id.in_(staff_ids))).all())
        return mentor_rows(pairs, names, done)

    def find_progress_export(self, actor: Actor, term_id: str | None = None, school_id: str | None = None) -> dict:
        """One school's 三个一 counts for the export file: per class and per mentor, no student rows.

        ``school_id`` defaults to the caller's school when they may export exactly one. Refused with
        ``Forbidden`` (Chinese message) for anyone else; an unknown term is ``NotFound``."""
        schools = access.reach(actor, access.PROGRESS_EXPORT).school_ids
        school_id = school_id or (next(iter(schools)) if len(schools) == 1 else None)
        if school_id is None or school_id not in schools:
            raise Forbidden(*EXPORT_FORBIDDEN)
        term = self.find_term(term_id) if term_id else self.current_term()
        in_school = (Student.active.is_(True), Student.school_id == school_id)
        with self.reading() as s:
            school = s.get(School, school_id)
            students = list(s.scalars(select(Student).where(*in_school)))
            done = set(s.execute(
                select(Record.student_id, Record.kind).distinct().join(Student)
                .where(Record.term_id == term.term_id, Record.deleted_at.is_(None), Record.kind.in_(TRI_ONE),
                       *in_school)
            ).all())  # fmt: skip
        progress = summarize_progress(term, students, done)  # no detail: counts per class only
        progress.update(school_id=school_id, school_name=school.name if school else school_id)
        return self._add_school_progress(progress, term, {school_id}, done)
