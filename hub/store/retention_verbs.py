"""Retention: what has outlived its purpose is deleted, or anonymised (PIPL Art. 19 and 47; the 2024 regulation's
deletion when the purpose ends). The only hard delete of the records store.

The rule (``hub.privacy``, settings ``privacy.retention``), counted from the store's ``today()``:

- a student who left the school (``left_on``, and not active again) more than ``records_years_after_leaving``
  years ago: their
  practice records with every earlier version, their concern flags, guardians, consents and guardians'
  requests are deleted, and the student's row is anonymised (name, birth month and gender blanked; the
  pseudonymous id stays, so that de-identified aggregates of past terms still add up);
- a concern flag closed more than ``flags_years_after_closing`` years ago is deleted;
- a record deleted by its author (soft delete) more than ``deleted_records_days`` days ago is purged with its
  versions; one deleted on a guardian's accepted deletion request (``deleted_by`` ``guardian-request:<id>``)
  at the next run.

Never touched: the case library (its cases are de-identified already), the audit log (who did what stays
accountable: its rows name pseudonymous ids and counts, never contents), mentor assignments, studios,
accounts. ``plan_retention`` says what a run would do (the dry run); ``run_retention`` computes the same plan
inside its write transaction, carries it out and writes one audit row with the counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select

from .focus_models import FocusDecision, FocusNomination
from .models import ConcernFlag, Consent, Guardian, Record, RecordDomain, Student, utcnow
from .privacy_models import GuardianRequest, RecordVersion

AUDIT_ACTION = "retention.run"
GUARDIAN_REQUEST_DELETION = "guardian-request:"
ANONYMOUS_NAME = "（已匿名）"


@dataclass(frozen=True)
class RetentionRule:
    records_years_after_leaving: int = 3
    flags_years_after_closing: int = 2
    deleted_records_days: int = 180

    @classmethod
    def from_settings(cls, rule: dict) -> RetentionRule:
        return cls(**{key: rule[key] for key in ("records_years_after_leaving", "flags_years_after_closing",
                                                   "deleted_records_days") if key in rule})  # fmt: skip


@dataclass
class RetentionPlan:
    """What a run deletes or anonymises: ids per kind, each sorted."""

    today: dt.date
    students: list[str] = field(default_factory=list)  # anonymised
    records: list[int] = field(default_factory=list)  # of those students, and soft-deleted ones due
    record_versions: list[int] = field(default_factory=list)
    flags: list[int] = field(default_factory=list)
    guardians: list[int] = field(default_factory=list)
    consents: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"students_anonymised": len(self.students), "records_deleted": len(self.records),
                "record_versions_deleted": len(self.record_versions), "flags_deleted": len(self.flags),
                "guardians_deleted": len(self.guardians), "consents_deleted": len(self.consents),
                "guardian_requests_deleted": len(self.requests)}  # fmt: skip

    def ids(self) -> dict[str, list]:
        return {"students": self.students, "records": self.records, "record_versions": self.record_versions,
                "flags": self.flags, "guardians": self.guardians, "consents": self.consents,
                "requests": self.requests}  # fmt: skip


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def ids(session, query) -> list:
    return sorted(session.scalars(query))


class RetentionVerbs:
    """Mixin for ``RecordStore`` (administrative: the command and the hub's retention service)."""

    def _plan(self, session, rule: RetentionRule) -> RetentionPlan:
        today = self.today()
        plan = RetentionPlan(today)
        left_before = years_before(today, rule.records_years_after_leaving)
        plan.students = ids(session, select(Student.student_id).where(  # back on the roster (active): kept
            Student.left_on.is_not(None), Student.left_on < left_before, Student.active.is_(False),
            Student.anonymised_at.is_(None)))  # fmt: skip
        expired = plan.students
        purge_before = dt.datetime.combine(today - dt.timedelta(days=rule.deleted_records_days), dt.time())
        plan.records = ids(session, select(Record.record_id).where(or_(
            Record.student_id.in_(expired),
            Record.deleted_at < purge_before,
            Record.deleted_by.startswith(GUARDIAN_REQUEST_DELETION))))  # fmt: skip
        plan.record_versions = ids(session, select(RecordVersion.version_id).where(
            RecordVersion.record_id.in_(plan.records)))  # fmt: skip
        closed_before = dt.datetime.combine(years_before(today, rule.flags_years_after_closing), dt.time())
        plan.flags = ids(session, select(ConcernFlag.flag_id).where(or_(
            ConcernFlag.student_id.in_(expired),
            ConcernFlag.closed_at < closed_before)))  # fmt: skip
        plan.guardians = ids(session, select(Guardian.guardian_id).where(Guardian.student_id.in_(expired)))
        plan.consents = ids(session, select(Consent.consent_id).where(Consent.student_id.in_(expired)))
        plan.requests = ids(session, select(GuardianRequest.request_id).where(GuardianRequest.student_id.in_(expired)))
        return plan

    def plan_retention(self, rule: RetentionRule) -> RetentionPlan:
        """The dry run: what ``run_retention`` would delete and anonymise today (nothing changes)."""
        with self.reading() as s:
            return self._plan(s, rule)

    def run_retention(self, rule: RetentionRule, actor: str = "mentorhub-retention") -> RetentionPlan:
        """Delete and anonymise what the rule says has expired, in one transaction with its audit row."""
        with self.writing() as s:
            plan = self._plan(s, rule)
            if plan.records:
                s.execute(delete(RecordVersion).where(RecordVersion.record_id.in_(plan.records)))
                s.execute(delete(RecordDomain).where(RecordDomain.record_id.in_(plan.records)))
                s.execute(delete(Record).where(Record.record_id.in_(plan.records)))
            if plan.flags:
                s.execute(delete(ConcernFlag).where(ConcernFlag.flag_id.in_(plan.flags)))
            if plan.requests:
                s.execute(delete(GuardianRequest).where(GuardianRequest.request_id.in_(plan.requests)))
            if plan.consents:
                s.execute(delete(Consent).where(Consent.consent_id.in_(plan.consents)))
            if plan.guardians:
                s.execute(delete(Guardian).where(Guardian.guardian_id.in_(plan.guardians)))
            if plan.students:  # 排摸重点对象: what mentors and reviewers wrote about an expired student
                s.execute(delete(FocusNomination).where(FocusNomination.student_id.in_(plan.students)))
                s.execute(delete(FocusDecision).where(FocusDecision.student_id.in_(plan.students)))
            now = utcnow()
            for student in s.scalars(select(Student).where(Student.student_id.in_(plan.students))):
                student.display_name, student.birth_year_month, student.gender = ANONYMOUS_NAME, None, ""
                student.anonymised_at = now
            self._audit(s, actor, AUDIT_ACTION, "retention", plan.today.isoformat(),
                        detail={"counts": plan.counts(), "rule": vars(rule)})  # fmt: skip
        self.forget_cached()
        return plan

    def mark_students_left(self, student_ids: list[str], left_on: dt.date, actor: str = "mentorhub") -> int:
        """Administrative: the students left the school on ``left_on`` (no longer active; the retention rule
        counts from that day). Returns how many changed; unknown ids raise ``NotFound``."""
        from .directory import not_found

        with self.writing() as s:
            changed = 0
            for student_id in student_ids:
                student = s.get(Student, student_id)
                if student is None:
                    raise not_found("student_not_found", student_id)
                if student.left_on != left_on or student.active:
                    student.left_on, student.active = left_on, False
                    changed += 1
            self._audit(s, actor, "student.left", "students", left_on.isoformat(),
                        detail={"student_ids": sorted(student_ids)})  # fmt: skip
        self.forget_cached()
        return changed
