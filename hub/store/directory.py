"""Directory verbs of the records store: schools, terms, classes, staff, students, accounts, enrolments,
studios and hub group memberships. Administrative (CLI, roster import, demo seed, authenticator):
these verbs take no actor; the service never exposes them to ordinary users."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from .access import ROLES
from .errors import NotFound
from .messages import msg
from .models import (
    Account,
    Enrollment,
    School,
    SchoolClass,
    Staff,
    Student,
    Studio,
    StudioMember,
    TeachingAssignment,
    Term,
    join_roles,
    split_roles,
    utcnow,
)
from .validation import invalid

MENTORING_ROLES = {"subject", "head_teacher", "psychology", "leader", "middle_manager"}


def not_found(key: str, value) -> NotFound:
    english, chinese = msg(key, value=value)
    return NotFound(english, chinese)


def check_roles(roles) -> list[str]:
    roles = list(dict.fromkeys(roles))
    for role in roles:
        if role not in ROLES or role == "mentor":
            raise invalid("bad_choice", "roles", choices="、".join(r for r in ROLES if r != "mentor"))
    return roles


class DirectoryVerbs:
    """Mixin for ``RecordStore``; relies on ``self.writing()`` and ``self.reading()`` sessions."""

    # --- schools, terms, classes ------------------------------------------------------------
    def add_school(self, school_id: str, name: str, district: str = "", stage: str = "") -> School:
        with self.writing() as s:
            school = School(school_id=school_id, name=name, district=district, stage=stage)
            s.add(school)
        return school

    def find_school(self, school_id: str) -> School:
        with self.reading() as s:
            school = s.get(School, school_id)
        if school is None:
            raise not_found("school_not_found", school_id)
        return school

    def find_schools(self) -> list[School]:
        with self.reading() as s:
            return list(s.scalars(select(School).order_by(School.school_id)))

    def add_term(self, term_id: str, academic_year: str, term_no: int, start_date: dt.date,
                 end_date: dt.date, *, home_visit_due=None, talk_due=None, growth_message_due=None,
                 key_timepoints=()) -> Term:  # fmt: skip
        if end_date < start_date:
            raise invalid("outside_term", "end_date", term=term_id, start=start_date, end=end_date)
        with self.writing() as s:
            term = Term(
                term_id=term_id, academic_year=academic_year, term_no=term_no, start_date=start_date,
                end_date=end_date, home_visit_due=home_visit_due, talk_due=talk_due,
                growth_message_due=growth_message_due, key_timepoints=list(key_timepoints),
            )  # fmt: skip
            s.add(term)
        self.forget_cached()
        return term

    def find_term(self, term_id: str) -> Term:
        with self.reading() as s:
            term = s.get(Term, term_id)
        if term is None:
            raise not_found("term_not_found", term_id)
        return term

    def find_terms(self) -> list[Term]:
        with self.reading() as s:
            return list(s.scalars(select(Term).order_by(Term.start_date)))

    def current_term(self, today: dt.date | None = None) -> Term:
        """The term containing ``today`` (from its opening, the first day of its home-visit window); else the
        latest one that has started."""
        with self.reading() as s:
            started = self._current_term_in(s, today)
        if started is None:
            english, chinese = msg("no_current_term")
            raise NotFound(english, chinese, "term_id")
        return started

    def _current_term_in(self, session, today: dt.date | None = None) -> Term | None:
        today = today or self.today()
        terms = self._all_terms(session)
        # a term opens with its home-visit window, before its first day (``TermVerbs._term_opens``)
        rows = self._calendar_rows(session)
        opens = {t.term_id: self._term_opens(t, None, rows) for t in terms}
        containing = [t for t in terms if opens[t.term_id] <= today <= t.end_date]
        started = [t for t in terms if opens[t.term_id] <= today]
        return (containing or started or [None])[-1]

    def _all_terms(self, session) -> list[Term]:
        """Every term by start date (cached: terms change a few times a year)."""
        return self.cached("terms", lambda: list(session.scalars(select(Term).order_by(Term.start_date))))

    def add_class(self, class_id: str, school_id: str, grade: int, name: str = "",
                  head_teacher_id: str | None = None) -> SchoolClass:  # fmt: skip
        with self.writing() as s:
            klass = SchoolClass(class_id=class_id, school_id=school_id, grade=grade, name=name,
                                head_teacher_id=head_teacher_id)  # fmt: skip
            s.add(klass)
        self.forget_cached()
        return klass

    def find_classes(self, school_id: str | None = None) -> list[SchoolClass]:
        query = select(SchoolClass).order_by(SchoolClass.class_id)
        if school_id:
            query = query.where(SchoolClass.school_id == school_id)
        with self.reading() as s:
            return list(s.scalars(query))

    # --- people -----------------------------------------------------------------------------
    def add_staff(self, staff_id: str, name: str, school_id: str, roles=("subject",), *, subject: str = "",
                  max_mentees: int = 15, classes=(), active: bool = True) -> Staff:  # fmt: skip
        roles = check_roles(roles)
        with self.writing() as s:
            staff = Staff(staff_id=staff_id, name=name, school_id=school_id, roles=join_roles(roles),
                          subject=subject, max_mentees=max_mentees, active=active)  # fmt: skip
            s.add(staff)
            s.flush()
            s.add_all(TeachingAssignment(staff_id=staff_id, class_id=c) for c in classes)
        self.forget_cached()
        return staff

    def find_staff(self, staff_id: str) -> Staff:
        with self.reading() as s:
            staff = s.get(Staff, staff_id)
        if staff is None:
            raise not_found("staff_not_found", staff_id)
        return staff

    def find_staff_members(self, school_id: str | None = None) -> list[Staff]:
        query = select(Staff).order_by(Staff.staff_id)
        if school_id:
            query = query.where(Staff.school_id == school_id)
        with self.reading() as s:
            return list(s.scalars(query))

    def add_student(self, student_id: str, display_name: str, school_id: str, class_id: str, *,
                    needs_mentors: int = 1, birth_year_month: str | None = None,
                    gender: str = "") -> Student:  # fmt: skip
        with self.writing() as s:
            student = Student(student_id=student_id, display_name=display_name, school_id=school_id,
                              class_id=class_id, needs_mentors=needs_mentors,
                              birth_year_month=birth_year_month, gender=gender)  # fmt: skip
            s.add(student)
        self.forget_cached()
        return student

    def find_students_in(self, school_id: str | None = None, class_id: str | None = None) -> list[Student]:
        """Directory listing for administrative code (no actor; never exposed by the service)."""
        query = select(Student).where(Student.active.is_(True)).order_by(Student.student_id)
        if school_id:
            query = query.where(Student.school_id == school_id)
        if class_id:
            query = query.where(Student.class_id == class_id)
        with self.reading() as s:
            return list(s.scalars(query))

    # --- accounts (the roster-backed authenticator's verbs) -----------------------------------
    def add_account(self, username: str, password_hash: str = "", *, must_change_password: bool = True,
                    staff_id: str | None = None, platform_roles=(), display_name: str = "") -> Account:  # fmt: skip
        roles = check_roles(platform_roles)
        with self.writing() as s:
            account = Account(username=username, password_hash=password_hash,
                              must_change_password=must_change_password, staff_id=staff_id,
                              platform_roles=join_roles(roles), display_name=display_name)  # fmt: skip
            s.add(account)
        self.forget_cached()
        return account

    def find_account(self, username: str) -> dict | None:
        """The authenticator's view of an account (with ``password_hash``; ``locked_until`` as a naive UTC
        datetime), or None when there is no such account. Only the hub's authenticator should call it."""
        with self.reading() as s:
            account = s.get(Account, username)
        if account is None:
            return None
        return {**account.to_dict(), "password_hash": account.password_hash,
                "locked_until": account.locked_until, "created_at": account.created_at}  # fmt: skip

    def find_accounts(self) -> list[Account]:
        with self.reading() as s:
            return list(s.scalars(select(Account).order_by(Account.username)))

    def set_password(self, username: str, password_hash: str, must_change: bool = False) -> Account:
        with self.writing() as s:
            account = self._get_account(s, username)
            account.password_hash = password_hash
            account.must_change_password = must_change
            account.failed_logins = 0
            account.locked_until = None
        return account

    def record_login_failure(self, username: str, lock_after: int = 5, lock_for: float | dt.timedelta = 900) -> int:
        """Count a failed login and return the count of failures in a row; from the ``lock_after``-th on,
        lock the account for ``lock_for`` (seconds or a timedelta). Unknown user names count nothing."""
        if not isinstance(lock_for, dt.timedelta):
            lock_for = dt.timedelta(seconds=lock_for)
        with self.writing() as s:
            account = s.get(Account, username)
            if account is None:
                return 0
            account.failed_logins += 1
            if account.failed_logins >= lock_after:
                account.locked_until = utcnow() + lock_for
            return account.failed_logins

    def record_login_success(self, username: str) -> None:
        with self.writing() as s:
            account = s.get(Account, username)
            if account is not None:
                account.failed_logins = 0
                account.locked_until = None

    def _get_account(self, session, username: str) -> Account:
        account = session.get(Account, username)
        if account is None:
            raise not_found("account_not_found", username)
        return account

    def account_roles(self, account: Account, staff: Staff | None) -> set[str]:
        roles = set(split_roles(account.platform_roles))
        if staff is not None and staff.active:
            roles |= set(split_roles(staff.roles)) | {"mentor"}
        return roles

    # --- enrolments and studios -------------------------------------------------------------
    def add_enrollment(self, username: str, course_id: str) -> Enrollment:
        with self.writing() as s:
            enrollment = s.get(Enrollment, (username, course_id))
            if enrollment is None:
                enrollment = Enrollment(username=username, course_id=course_id)
                s.add(enrollment)
        return enrollment

    def find_enrollments(self, course_id: str | None = None) -> list[Enrollment]:
        query = select(Enrollment).order_by(Enrollment.course_id, Enrollment.username)
        if course_id:
            query = query.where(Enrollment.course_id == course_id)
        with self.reading() as s:
            return list(s.scalars(query))

    def remove_enrollment(self, username: str, course_id: str) -> None:
        with self.writing() as s:
            enrollment = s.get(Enrollment, (username, course_id))
            if enrollment is not None:
                s.delete(enrollment)

    def add_studio(self, studio_id: str, name: str, host: str, *, level: str = "区级",
                   school_id: str | None = None, members=()) -> Studio:  # fmt: skip
        with self.writing() as s:
            studio = Studio(studio_id=studio_id, name=name, host=host, level=level, school_id=school_id)
            s.add(studio)
            s.flush()
            s.add(StudioMember(studio_id=studio_id, username=host, role="host"))
            s.add_all(StudioMember(studio_id=studio_id, username=m) for m in members if m != host)
        return studio

    def find_studios(self) -> list[Studio]:
        with self.reading() as s:
            return list(s.scalars(select(Studio).order_by(Studio.studio_id)))

    # --- hub groups -------------------------------------------------------------------------
    def group_memberships(self) -> dict[str, list[str]]:
        """Hub group name -> sorted user names, built from accounts, staff, enrolments and studios."""
        groups: dict[str, set[str]] = defaultdict(set)
        for name in ("teachers", "trainers", "studio-leaders", "school-admins", "admins", "district-staff"):
            groups[name]  # noqa: B018 - the role groups always exist, even when empty
        role_groups = {"trainer": "trainers", "studio_leader": "studio-leaders",
                       "school_admin": "school-admins", "admin": "admins", "district": "district-staff"}  # fmt: skip
        with self.reading() as s:
            staff_by_id = {st.staff_id: st for st in s.scalars(select(Staff))}
            for account in s.scalars(select(Account).where(Account.active.is_(True))):
                staff = staff_by_id.get(account.staff_id) if account.staff_id else None
                roles = self.account_roles(account, staff)
                if staff is not None and staff.active:
                    groups[f"school-{staff.school_id}"].add(account.username)
                    if roles & MENTORING_ROLES:
                        groups["teachers"].add(account.username)
                for role, group in role_groups.items():
                    if role in roles:
                        groups[group].add(account.username)
            for enrollment in s.scalars(select(Enrollment)):
                groups[f"nbgrader-{enrollment.course_id}"].add(enrollment.username)
            for member in s.scalars(select(StudioMember)):
                groups[f"studio-{member.studio_id}"].add(member.username)
        return {name: sorted(users) for name, users in sorted(groups.items())}
