"""The school year in the records store: rolling the district over to the next term or year, and the
changes during a term (a student changes class or school, a mentor goes on long leave or leaves and their
mentees are reassigned). Records always stay with the student.

Who sees what after a change (README "Changes during the year"; tests/unit/test_school_years.py):

- The **new** mentor and the new class's head teacher read every earlier record of the student, whoever
  wrote it and in whatever term: continuity of guidance. Reads beyond one's own mentees stay audited.
- The **old** mentor and the old class's head teacher lose the student, and with it every record of the
  student (their own included), from the change on: access follows the current term's pairing and the
  student's current class, never the author of a record.
- A student who moves to another school loses their mentor at the old school (the change is kept with its
  reason); the new school's admin sees them without a mentor in the matching review and assigns one.
  The new school's staff then reach the student's earlier records and concern flags through their ordinary
  scopes; the old school's staff reach nothing of the student any more.
- Graduates (the last grade of a stage, at a new school year) become inactive: nobody reaches them through
  the ordinary verbs; their records stay in the database for the retention rules.

Roll-over (``roll_over``, administrative: ``mentorhub term rollover``): at a new school year the classes
move up a grade (and their names follow: 六(1)班 becomes 七(1)班) and the last grade of each school's stage
leaves; in every case the pairings of the old term carry over to the new one for continuity, except where
the student has left, the mentor is inactive, on leave at the new term's start, in another school, or
would be over their capacity. What was not carried over, and the new students of the new year's roster
(``mentorhub roster import``), are what the school admins review (``find_matching_review``, the query the
matching panel's review step needs): students without a primary mentor, mentors over capacity, mentors
away who still have mentees, students who need several mentors and have fewer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import bindparam, delete, func, insert, select, true, update

from . import access
from .access import Actor
from .models import MentorAssignment, School, SchoolClass, Staff, Student, Term, utcnow
from .practice import forbidden, ref
from .validation import check_text, invalid, parse_day, validate_student_id
from .year_messages import year_error
from .year_models import MentorChange, StaffLeave, StudentMove

#: The last grade of each school stage (Shanghai: primary 1-5, middle 6-9, high 10-12)
FINAL_GRADE = {"小学": 5, "初中": 9, "高中": 12, "九年一贯": 9, "完中": 12}
CHANGE_REASONS = {
    "mentor_leave": "导师长假", "mentor_left": "导师离职", "class_change": "转班", "school_change": "转学",
    "request": "学生或家长申请", "school_decision": "学校调整", "other": "其他",
}  # fmt: skip
LEAVE_KINDS = ("leave", "left")
REASON_MIN = 2
GRADE_WORDS = ("", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
#: how classes are named by grade: plain numerals, and the longer 初/高 words first
GRADE_NAMES = ({7: "初一", 8: "初二", 9: "初三"}, {10: "高一", 11: "高二", 12: "高三"},
               {grade: word for grade, word in enumerate(GRADE_WORDS) if word})  # fmt: skip
CHUNK = 500  # ids per IN (...) list


def chunks(items, size: int = CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def promoted_name(name: str, grade: int) -> str:
    """六(1)班 in grade 6 becomes 七(1)班 in grade 7 (高一 高二, 初一 初二 alike); other names stay."""
    for names in GRADE_NAMES:
        old, new = names.get(grade), names.get(grade + 1)
        if old and new and name.startswith(old):
            return new + name[len(old):]
    return name


def check_reason(reason, field: str = "reason") -> str:
    reason = check_text(reason or "", field).strip()
    if len(reason) < REASON_MIN:
        raise year_error("invalid", "reason_required", field, limit=REASON_MIN)
    if len(reason) > 200:
        raise invalid("too_long", field, limit=200)
    return reason


def check_reason_code(code) -> str:
    if code not in CHANGE_REASONS:
        raise year_error("invalid", "bad_reason_code", "reason_code", choices="、".join(CHANGE_REASONS))
    return code


class YearVerbs:
    """Mixin for ``RecordStore``."""

    # --- roll-over (administrative) ---------------------------------------------------------------
    def roll_over(self, from_term: str, to_term: str, *, final_grades: dict[str, int] | None = None,
                  by: str = "") -> dict:  # fmt: skip
        """Carry the district from ``from_term`` to ``to_term``: at a new school year promote classes and let
        the final grade leave, then carry the pairings over (see the module's docstring). One transaction;
        returns what happened and the review counts."""
        with self.writing() as s:
            old, new = s.get(Term, from_term), s.get(Term, to_term)
            if old is None or new is None:
                raise self._not_found_term(from_term if old is None else to_term)
            if old.term_id == new.term_id:
                raise year_error("invalid", "same_term", "to_term")
            if new.start_date <= old.start_date:
                raise year_error("invalid", "term_order", "to_term", value=new.term_id, other=old.term_id)
            if s.scalar(select(func.count()).select_from(MentorAssignment)
                        .where(MentorAssignment.term_id == new.term_id)):  # fmt: skip
                raise year_error("conflict", "already_rolled", "to_term", value=new.term_id, school="全区")
            summary = {"from_term": old.term_id, "to_term": new.term_id,
                       "new_year": old.academic_year != new.academic_year}  # fmt: skip
            if summary["new_year"]:
                summary.update(self._promote(s, final_grades or {}))
            summary.update(self._carry_over(s, old, new, by))
            self._audit(s, by or "mentorhub", "term.rollover", "term", new.term_id, detail=summary)
        self.forget_cached()
        summary["review"] = self.find_review_counts(to_term)
        return summary

    def _promote(self, s, final_grades: dict[str, int]) -> dict:
        stages = dict(s.execute(select(School.school_id, School.stage)).all())
        finals = {school: final_grades.get(school, FINAL_GRADE.get(stage)) for school, stage in stages.items()}
        leaving, moving = [], []
        for class_id, school_id, grade, name in s.execute(
                select(SchoolClass.class_id, SchoolClass.school_id, SchoolClass.grade, SchoolClass.name)):
            if finals.get(school_id) is not None and grade >= finals[school_id]:
                leaving.append(class_id)
            else:
                moving.append({"b_class_id": class_id, "b_grade": grade + 1, "b_name": promoted_name(name, grade)})
        graduates = 0
        for part in chunks(leaving):
            graduates += s.execute(update(Student).where(Student.class_id.in_(part), Student.active.is_(True))
                                   .values(active=False)).rowcount  # fmt: skip
            s.execute(update(SchoolClass).where(SchoolClass.class_id.in_(part)).values(head_teacher_id=None))
        if moving:
            table = SchoolClass.__table__
            s.connection().execute(table.update().where(table.c.class_id == bindparam("b_class_id"))
                                   .values(grade=bindparam("b_grade"), name=bindparam("b_name")), moving)  # fmt: skip
        return {"classes_promoted": len(moving), "classes_left": len(leaving), "graduates": graduates}

    def _away_staff(self, s, day: dt.date) -> set[str]:
        """Staff on leave on ``day`` or gone for good."""
        away = set()
        for staff_id, kind, start, until in s.execute(
                select(StaffLeave.staff_id, StaffLeave.kind, StaffLeave.from_date, StaffLeave.until_date)):
            if kind == "left" or (start <= day and (until is None or until >= day)):
                away.add(staff_id)
        return away

    def _carry_over(self, s, old: Term, new: Term, by: str) -> dict:
        staff = {row.staff_id: row for row in s.execute(
            select(Staff.staff_id, Staff.school_id, Staff.active, Staff.max_mentees))}  # fmt: skip
        students = dict(s.execute(select(Student.student_id, Student.school_id).where(Student.active.is_(True))).all())
        away = self._away_staff(s, new.start_date)
        pairs = s.execute(select(MentorAssignment.student_id, MentorAssignment.staff_id, MentorAssignment.kind,
                                 MentorAssignment.method)
                          .where(MentorAssignment.term_id == old.term_id)
                          .order_by(MentorAssignment.staff_id, MentorAssignment.student_id)).all()  # fmt: skip
        load, rows, dropped, changes = Counter(), [], Counter(), []
        now = utcnow()
        for student_id, staff_id, kind, method in pairs:
            mentor = staff.get(staff_id)
            school = students.get(student_id)
            reason = None
            if school is None:
                reason = "student_left"
            elif mentor is None or not mentor.active:
                reason = "mentor_inactive"
            elif staff_id in away:
                reason = "mentor_away"
            elif mentor.school_id != school:
                reason = "other_school"
            elif kind == "primary" and load[staff_id] >= mentor.max_mentees:
                reason = "over_capacity"
            if reason is not None:
                dropped[reason] += 1
                if reason != "student_left":  # a mentor change for a student who is still here
                    changes.append({"term_id": new.term_id, "student_id": student_id, "kind": kind,
                                    "old_staff_id": staff_id, "new_staff_id": None, "change_date": new.start_date,
                                    "reason_code": "school_decision", "reason": f"学年延续未保留：{reason}",
                                    "changed_by": by or "mentorhub", "created_at": now})  # fmt: skip
                continue
            load[staff_id] += kind == "primary"
            rows.append({"term_id": new.term_id, "student_id": student_id, "staff_id": staff_id, "kind": kind,
                         "method": (method or "")[:32], "created_at": now})  # fmt: skip
        connection = s.connection()
        for part in chunks(rows, 5000):
            connection.execute(insert(MentorAssignment.__table__), part)
        for part in chunks(changes, 5000):
            connection.execute(insert(MentorChange.__table__), part)
        return {"carried": len(rows), "not_carried": dict(sorted(dropped.items()))}

    def find_review_counts(self, term_id: str, school_id: str | None = None) -> dict:
        """Administrative: the matching check of a term, counted per district (or one school)."""
        with self.reading() as s:
            review = self._review(s, term_id, [school_id] if school_id else None)
        return {key: len(value) for key, value in review.items()}

    def _review(self, s, term_id: str, schools: list[str] | None) -> dict:
        term = s.get(Term, term_id)
        day = max(term.start_date, min(self.today(), term.end_date)) if term else self.today()
        in_schools = (lambda column: column.in_(schools)) if schools is not None else (lambda column: true())
        students = s.execute(select(Student.student_id, Student.display_name, Student.class_id, Student.school_id,
                                    Student.needs_mentors)
                             .where(Student.active.is_(True), in_schools(Student.school_id))
                             .order_by(Student.class_id, Student.student_id)).all()  # fmt: skip
        pairs = s.execute(select(MentorAssignment.student_id, MentorAssignment.staff_id, MentorAssignment.kind)
                          .join(Student).where(MentorAssignment.term_id == term_id, Student.active.is_(True),
                                               in_schools(Student.school_id))).all()  # fmt: skip
        primary = {student_id for student_id, _, kind in pairs if kind == "primary"}
        mentors_of = Counter(student_id for student_id, _, _ in pairs)
        load = Counter(staff_id for _, staff_id, kind in pairs if kind == "primary")
        mentees = Counter(staff_id for _, staff_id, _ in pairs)
        staff = {row.staff_id: row for row in s.execute(select(Staff.staff_id, Staff.name, Staff.max_mentees,
                                                               Staff.active).where(Staff.staff_id.in_(sorted(mentees))))}
        away = self._away_staff(s, day)
        return {
            "unmatched": [{"student_id": r.student_id, "display_name": r.display_name, "class_id": r.class_id}
                          for r in students if r.student_id not in primary],
            "over_capacity": [{"staff_id": sid, "name": staff[sid].name, "primary_mentees": load[sid],
                               "max_mentees": staff[sid].max_mentees}
                              for sid in sorted(load) if load[sid] > staff[sid].max_mentees],
            "away_with_mentees": [{"staff_id": sid, "name": staff[sid].name, "mentees": mentees[sid]}
                                  for sid in sorted(mentees) if sid in away or not staff[sid].active],
            "needs_more_mentors": [{"student_id": r.student_id, "display_name": r.display_name, "class_id": r.class_id,
                                    "needs_mentors": r.needs_mentors, "mentors": mentors_of[r.student_id]}
                                   for r in students if r.needs_mentors > max(1, mentors_of[r.student_id])],
        }  # fmt: skip

    def find_matching_review(self, actor: Actor, term_id: str | None = None) -> dict:
        """The school admin's review step after a roll-over or a change: for the schools they administer,
        students without a primary mentor, mentors over capacity, mentors away who still have mentees and
        students who need more mentors. Ordered by class and id, never ranked."""
        schools = sorted(access.reach(actor, access.ASSIGNMENT_WRITE).school_ids)
        if not schools:
            raise forbidden(access.ASSIGNMENT_WRITE)
        term_id = term_id or self.current_term().term_id
        with self.reading() as s:
            if s.get(Term, term_id) is None:
                raise self._not_found_term(term_id)
            return {"term_id": term_id, "schools": schools, **self._review(s, term_id, schools)}

    # --- changes during a term (a school admin) ---------------------------------------------------
    def _change_day(self, value) -> dt.date:
        day = parse_day(value, "move_date") if value else self.today()
        if day > self.today():
            raise invalid("future_date", "move_date")
        return day

    def _active_mentor(self, s, staff_id, school_id: str, day: dt.date) -> Staff:
        staff_id = validate_student_id(staff_id, "staff_id")
        staff = s.get(Staff, staff_id)
        if staff is None or not staff.active or staff.school_id != school_id:
            raise year_error("invalid", "not_a_mentor", "staff_id", value=staff_id)
        if staff_id in self._away_staff(s, day):
            raise year_error("invalid", "mentor_away", "staff_id", value=staff_id)
        return staff

    def _check_load(self, s, term_id: str, staff: Staff, extra: int = 1) -> None:
        count = s.scalar(select(func.count()).select_from(MentorAssignment).where(
            MentorAssignment.term_id == term_id, MentorAssignment.staff_id == staff.staff_id,
            MentorAssignment.kind == "primary")) + extra  # fmt: skip
        if count > staff.max_mentees:
            raise year_error("invalid", "over_capacity", "staff_id", value=staff.staff_id, count=count,
                             limit=staff.max_mentees)  # fmt: skip

    def _replace_mentor(self, s, actor: Actor, term: Term, student_id: str, old_staff: str | None,
                        new_staff: Staff | None, kind: str, day: dt.date, code: str, reason: str) -> None:  # fmt: skip
        """End ``old_staff``'s pairing with the student (if any), start ``new_staff``'s, keep the change."""
        if old_staff is not None:
            s.execute(delete(MentorAssignment).where(
                MentorAssignment.term_id == term.term_id, MentorAssignment.student_id == student_id,
                MentorAssignment.staff_id == old_staff))  # fmt: skip
            s.flush()
        if new_staff is not None:
            existing = s.scalars(select(MentorAssignment).where(
                MentorAssignment.term_id == term.term_id, MentorAssignment.student_id == student_id,
                MentorAssignment.staff_id == new_staff.staff_id)).first()  # fmt: skip
            if existing is not None:  # already an additional mentor: becomes the primary one
                existing.kind = kind
            else:
                if kind == "primary":
                    self._check_load(s, term.term_id, new_staff)
                s.add(MentorAssignment(term_id=term.term_id, student_id=student_id, staff_id=new_staff.staff_id,
                                       kind=kind, method=CHANGE_REASONS[code]))  # fmt: skip
            s.flush()
        s.add(MentorChange(term_id=term.term_id, student_id=student_id, kind=kind, old_staff_id=old_staff,
                           new_staff_id=new_staff.staff_id if new_staff else None, change_date=day,
                           reason_code=code, reason=reason, changed_by=actor.username))  # fmt: skip

    def reassign_mentor(self, actor: Actor, student_id: str, new_staff_id: str, *, reason_code: str, reason: str,
                        change_date=None) -> dict:  # fmt: skip
        """Give a student another primary mentor in the current term, keeping the change and its reason."""
        code, reason, day = check_reason_code(reason_code), check_reason(reason), self._change_day(change_date)
        term = self.current_term()
        with self.writing() as s:
            student = self._student_in_reach(s, actor, access.ASSIGNMENT_WRITE, validate_student_id(student_id))
            new = self._active_mentor(s, new_staff_id, student.school_id, day)
            old = s.scalars(select(MentorAssignment.staff_id).where(
                MentorAssignment.term_id == term.term_id, MentorAssignment.student_id == student.student_id,
                MentorAssignment.kind == "primary")).first()  # fmt: skip
            if old != new.staff_id:
                self._replace_mentor(s, actor, term, student.student_id, old, new, "primary", day, code, reason)
            self._audit(s, actor, "assignment.change", "student", student.student_id,
                        detail={"old": old, "new": new.staff_id, "reason_code": code})  # fmt: skip
        self.forget_cached()
        return {"student_id": student.student_id, "old_staff_id": old, "new_staff_id": new.staff_id}

    def move_student(self, actor: Actor, student_id: str, to_class_id: str, *, reason: str, move_date=None,
                     new_mentor: str | None = None) -> dict:  # fmt: skip
        """A student changes class (the mentor stays unless ``new_mentor`` is given) or school (the old
        school's mentors end, with the reason kept; the new school assigns one). Records stay with the student."""
        reason, day = check_reason(reason), self._change_day(move_date)
        term = self.current_term()
        with self.writing() as s:
            student = self._student_in_reach(s, actor, access.ROSTER_CHANGE, validate_student_id(student_id))
            target = s.get(SchoolClass, validate_student_id(to_class_id, "to_class_id"))
            if target is None:
                raise year_error("not_found", "class_not_found", "to_class_id", value=to_class_id)
            if target.class_id == student.class_id:
                raise year_error("invalid", "same_class", "to_class_id", value=student.student_id)
            before = ref(student)
            other_school = target.school_id != student.school_id
            s.add(StudentMove(student_id=student.student_id, move_date=day, from_school_id=student.school_id,
                              from_class_id=student.class_id, to_school_id=target.school_id,
                              to_class_id=target.class_id, reason=reason, moved_by=actor.username))  # fmt: skip
            mentors = s.execute(select(MentorAssignment.staff_id, MentorAssignment.kind).where(
                MentorAssignment.term_id == term.term_id, MentorAssignment.student_id == student.student_id)).all()
            if other_school:
                for staff_id, kind in mentors:
                    self._replace_mentor(s, actor, term, student.student_id, staff_id, None, kind, day,
                                         "school_change", reason)  # fmt: skip
            student.school_id, student.class_id = target.school_id, target.class_id
            s.flush()
            if new_mentor and not other_school:
                new = self._active_mentor(s, new_mentor, student.school_id, day)
                old = next((staff_id for staff_id, kind in mentors if kind == "primary"), None)
                if old != new.staff_id:
                    self._replace_mentor(s, actor, term, student.student_id, old, new, "primary", day,
                                         "class_change", reason)  # fmt: skip
            self._audit(s, actor, "student.move", "student", student.student_id,
                        detail={"from": [before.school_id, before.class_id],
                                "to": [target.school_id, target.class_id]})  # fmt: skip
        self.forget_cached()
        return {"student_id": student.student_id, "school_id": target.school_id, "class_id": target.class_id,
                "mentor_kept": not other_school and not new_mentor}  # fmt: skip

    def mark_staff_leave(self, actor: Actor, staff_id: str, *, kind: str, reason: str, reassign: dict,
                         from_date=None, until_date=None) -> dict:  # fmt: skip
        """A mentor goes on long leave (``kind`` "leave", until an expected day) or leaves (``left``: the
        account loses its mentor role). Every primary mentee of the current term needs a new mentor in
        ``reassign`` ({student_id: staff_id}); additional pairings end unless reassigned too. All or nothing."""
        if kind not in LEAVE_KINDS:
            raise year_error("invalid", "leave_kind", "kind")
        reason, day = check_reason(reason), self._change_day(from_date)
        until = parse_day(until_date, "until_date") if until_date else None
        if until is not None and until < day:
            raise year_error("invalid", "until_before", "until_date")
        if not isinstance(reassign, dict):
            raise invalid("not_object")
        code = "mentor_leave" if kind == "leave" else "mentor_left"
        term = self.current_term()
        schools = access.reach(actor, access.ROSTER_CHANGE).school_ids
        with self.writing() as s:
            staff = s.get(Staff, validate_student_id(staff_id, "staff_id"))
            if staff is None or staff.school_id not in schools:
                from .directory import not_found

                raise not_found("staff_not_found", staff_id)
            s.add(StaffLeave(staff_id=staff.staff_id, kind=kind, from_date=day, until_date=until, reason=reason,
                             noted_by=actor.username))  # fmt: skip
            s.flush()
            pairs = s.execute(select(MentorAssignment.student_id, MentorAssignment.kind).where(
                MentorAssignment.term_id == term.term_id, MentorAssignment.staff_id == staff.staff_id)
                .order_by(MentorAssignment.student_id)).all()  # fmt: skip
            moved = {}
            for student_id, pair_kind in pairs:
                target = reassign.get(student_id)
                if target is None and pair_kind == "primary":
                    raise year_error("invalid", "reassign_missing", "reassign", value=student_id)
                new = self._active_mentor(s, target, staff.school_id, day) if target else None
                self._replace_mentor(s, actor, term, student_id, staff.staff_id, new, pair_kind, day, code, reason)
                moved[student_id] = new.staff_id if new else None
            unknown = sorted(set(reassign) - {student_id for student_id, _ in pairs})
            if unknown:
                raise year_error("invalid", "not_mentee", "reassign", value=unknown[0], staff=staff.staff_id)
            if kind == "left":
                staff.active = False
            self._audit(s, actor, "staff.leave", "staff", staff.staff_id,
                        detail={"kind": kind, "reassigned": moved})  # fmt: skip
        self.forget_cached()
        return {"staff_id": staff.staff_id, "kind": kind, "reassigned": moved}

    def find_mentor_changes(self, actor: Actor, student_id: str) -> list[dict]:
        """A student's mentor changes with their reasons (for those who may read the student's pairings)."""
        with self.reading() as s:
            self._student_in_reach(s, actor, access.ASSIGNMENT_READ, validate_student_id(student_id))
            rows = s.scalars(select(MentorChange).where(MentorChange.student_id == student_id)
                             .order_by(MentorChange.change_date, MentorChange.change_id))  # fmt: skip
            return [row.to_dict() for row in rows]

    def find_student_moves(self, actor: Actor, student_id: str) -> list[dict]:
        with self.reading() as s:
            self._student_in_reach(s, actor, access.ASSIGNMENT_READ, validate_student_id(student_id))
            rows = s.scalars(select(StudentMove).where(StudentMove.student_id == student_id)
                             .order_by(StudentMove.move_date, StudentMove.move_id))  # fmt: skip
            return [row.to_dict() for row in rows]

