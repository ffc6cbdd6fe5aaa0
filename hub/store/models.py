"""SQLAlchemy 2 declarative models for the records store (domain-notes, entity list (a)).

Only the store (`hub.store.store.RecordStore`) and the Alembic migrations use these classes; everybody
else goes through the store's verbs. There is deliberately no rank or score-position column anywhere.

Conventions:
- identifiers that come from the roster (school, class, staff, student) are short strings;
- timestamps are naive UTC (`utcnow()`), dates are calendar dates;
- multi-valued role lists are stored as ``;``-joined strings (see ``split_roles``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .crypto import SealedJSON, SealedText

RECORD_KINDS = ("home_visit", "talk", "growth_message", "parent_contact", "guidance")
ASSIGNMENT_KINDS = ("primary", "additional")
STAFF_ROLES = ("subject", "head_teacher", "psychology", "leader", "middle_manager")
PLATFORM_ROLES = ("trainer", "studio_leader", "school_admin", "admin")
ALL_ROLES = STAFF_ROLES + PLATFORM_ROLES
FLAG_STATUSES = ("open", "monitoring", "referred", "closed")
#: What the psychology teacher or a school leader does with a concern (one ``ConcernNote`` each).
FLAG_ACTIONS = ("triage", "assign", "follow_up", "refer", "close", "reopen")
DEFAULT_MAX_MENTEES = 15


def utcnow() -> dt.datetime:
    """Naive UTC now, the one timestamp convention of the store."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def split_roles(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def join_roles(roles) -> str:
    return ";".join(dict.fromkeys(r.strip() for r in roles if r and r.strip()))


def plain(value):
    """JSON-friendly form of a column value."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


class Base(DeclarativeBase):
    hidden_columns: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            col.key: plain(getattr(self, col.key))
            for col in self.__table__.columns
            if col.key not in self.hidden_columns
        }


class School(Base):
    __tablename__ = "schools"
    school_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(100), default="")
    stage: Mapped[str] = mapped_column(String(20), default="")  # 小学/初中/高中/九年一贯/完中


class Term(Base):
    __tablename__ = "terms"
    term_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # e.g. "2025-2026-1"
    academic_year: Mapped[str] = mapped_column(String(16))
    term_no: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    home_visit_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    talk_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    growth_message_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # list of {"name": "开学"|"期中"|"期末"|..., "date": "YYYY-MM-DD"}
    key_timepoints: Mapped[list] = mapped_column(JSON, default=list)


class SchoolClass(Base):
    __tablename__ = "classes"
    class_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    school_id: Mapped[str] = mapped_column(ForeignKey("schools.school_id"), index=True)
    grade: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50), default="")
    head_teacher_id: Mapped[str | None] = mapped_column(
        ForeignKey("staff.staff_id"), nullable=True
    )


class Staff(Base):
    """A member of school staff; ``staff_id`` is also their hub login name."""

    __tablename__ = "staff"

    def to_dict(self) -> dict:
        return {**super().to_dict(), "roles": split_roles(self.roles)}
    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    school_id: Mapped[str] = mapped_column(ForeignKey("schools.school_id"), index=True)
    roles: Mapped[str] = mapped_column(String(200), default="subject")
    subject: Mapped[str] = mapped_column(String(50), default="")
    max_mentees: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_MENTEES)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TeachingAssignment(Base):
    """Classes a staff member teaches (the roster's ``classes`` column)."""

    __tablename__ = "teaching"
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"), primary_key=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.class_id"), primary_key=True)


class Student(Base):
    __tablename__ = "students"
    student_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # pseudonymous, not 学籍号
    display_name: Mapped[str] = mapped_column(String(50))
    school_id: Mapped[str] = mapped_column(ForeignKey("schools.school_id"), index=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.class_id"), index=True)
    gender: Mapped[str] = mapped_column(String(8), default="")
    needs_mentors: Mapped[int] = mapped_column(Integer, default=1)  # >1: 多对一 (special guidance needs)
    birth_year_month: Mapped[str | None] = mapped_column(String(7), nullable=True)  # "YYYY-MM"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # added by migration 0007_minors_data: when the student left the school (the retention rule counts
    # from it) and when the retention run anonymised the row
    left_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "under_14": self.under_14()}

    def under_14(self, on: dt.date | None = None) -> bool | None:
        """Derived: under 14 on the given day (today by default); None when the birth month is unknown."""
        if not self.birth_year_month:
            return None
        year, month = (int(part) for part in self.birth_year_month.split("-"))
        on = on or dt.date.today()
        age = on.year - year - (1 if on.month < month else 0)
        return age < 14


class Guardian(Base):
    __tablename__ = "guardians"
    guardian_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(50), default="")
    # sensitive: encrypted at rest (hub.store.crypto); Text since 0007_minors_data (ciphertext is longer)
    contact_channel: Mapped[str] = mapped_column(SealedText, default="")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    # added by migration 0007_minors_data (hub.store.consent_verbs)
    recorded_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Consent(Base):
    __tablename__ = "consents"
    consent_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.guardian_id"), nullable=True)
    scope: Mapped[str] = mapped_column(String(50))  # mentor_records / home_visit / photos / referral
    policy_version: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20), default="")
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # added by migration 0007_minors_data (hub.store.consent_verbs)
    recorded_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdrawal_method: Mapped[str] = mapped_column(String(20), default="", server_default="")


class MentorAssignment(Base):
    __tablename__ = "mentor_assignments"
    __table_args__ = (
        UniqueConstraint("term_id", "student_id", "staff_id", name="uq_assignment_pair"),
        # every student has at most one primary mentor per term, enforced by the database too
        Index(
            "uq_assignment_one_primary",
            "term_id",
            "student_id",
            unique=True,
            sqlite_where=text("kind = 'primary'"),
            postgresql_where=text("kind = 'primary'"),
        ),
    )
    assignment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"), index=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="primary")
    method: Mapped[str] = mapped_column(String(32), default="")  # 学生志愿/教师志愿/学校调配/社团
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MentorTeam(Base):
    """多对一 mentor team for one student with special guidance needs."""

    __tablename__ = "mentor_teams"
    team_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"))
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    lead_staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"))
    reason: Mapped[str] = mapped_column(String(50), default="")
    review_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class MentorTeamMember(Base):
    __tablename__ = "mentor_team_members"
    team_id: Mapped[int] = mapped_column(ForeignKey("mentor_teams.team_id"), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), default="member")  # lead/psych/head_teacher/subject


class Record(Base):
    """One practice record; kind-specific fields live in the validated JSON column ``fields``."""

    __tablename__ = "records"
    # covering index of the dashboards' 三个一 and talk-timing queries (migration 0002_case_discussions)
    __table_args__ = (Index("ix_records_term_kind_student_date", "term_id", "kind", "student_id", "event_date",
                            "deleted_at"),)

    def to_dict(self) -> dict:
        return {
            "record_id": self.record_id, "kind": self.kind, "student_id": self.student_id,
            "author": self.author, "term_id": self.term_id, "date": plain(self.event_date),
            **self.fields,
            "created_at": plain(self.created_at), "updated_at": plain(self.updated_at),
            "deleted": self.deleted_at is not None, "version": self.version or 1,
        }  # fmt: skip
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    author: Mapped[str] = mapped_column(String(64), index=True)  # hub user name of the writer
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"), index=True)
    event_date: Mapped[dt.date] = mapped_column(Date)
    fields: Mapped[dict] = mapped_column(SealedJSON, default=dict)  # family_situation encrypted (hub.store.crypto)
    client_ref: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    deleted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # added by migration 0007_minors_data: the number of the current version (earlier ones are in
    # ``record_versions``, hub.store.history) and who wrote it (NULL: the author)
    version: Mapped[int] = mapped_column(Integer, server_default="1")  # no Python default: older inserts work
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RecordDomain(Base):
    """One guidance domain of one live record, written by the store with the record
    (``hub.store.record_domains``; migration 0003_record_domains). ``term_id`` and ``student_id`` are
    copied from the record (neither ever changes) so the dashboards count domains from one covering
    index instead of decoding every record's JSON."""

    __tablename__ = "record_domains"
    __table_args__ = (Index("ix_record_domains_term_domain_student", "term_id", "domain", "student_id"),)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.record_id", ondelete="CASCADE"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(10), primary_key=True)
    term_id: Mapped[str] = mapped_column(String(32))
    student_id: Mapped[str] = mapped_column(String(32))


class TrainingResult(Base):
    """A teacher's result in one training course, imported from the trainer's grade export
    (``mentorhub training import``; migration 0003_record_domains). Feeds the training dashboard only."""

    __tablename__ = "training_results"
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    course_title: Mapped[str] = mapped_column(String(200), default="")
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    hours: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ConcernFlag(Base):
    """关注与转介: held apart from ordinary records; details only for psychology/leader."""

    __tablename__ = "concern_flags"

    STATUS_ONLY = ("flag_id", "student_id", "raised_by", "raised_at", "status", "updated_at")

    def status_dict(self) -> dict:
        """What a mentor or head teacher may see: that a flag exists and its status, no details."""
        full = self.to_dict()
        return {key: full[key] for key in self.STATUS_ONLY}
    flag_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    raised_by: Mapped[str] = mapped_column(String(64))
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    level: Mapped[int] = mapped_column(Integer, default=1)
    signals: Mapped[list] = mapped_column(JSON, default=list)  # 认知/情绪/行为 checklist codes
    immediate_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[str] = mapped_column(SealedText, default="")  # encrypted at rest (hub.store.crypto)
    referred_to: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    guardian_informed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # the receiving side (migration 0005_concern_handling): who handles it, the triage, a referral outside
    # the school and the outcome it was closed with; what was done is in ``ConcernNote``
    assigned_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    triaged_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    triaged_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    referred_out_to: Mapped[str] = mapped_column(String(40), default="", server_default="")
    referred_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(String(40), default="", server_default="")


class ConcernNote(Base):
    """One step of a concern's handling (triage, assignment, follow-up note, referral, closing, reopening):
    held apart like the flag itself; only those who may read the flag's details read its notes."""

    __tablename__ = "concern_notes"
    note_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("concern_flags.flag_id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Case(Base):
    __tablename__ = "cases"
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    author: Mapped[str] = mapped_column(String(64))
    studio_id: Mapped[str | None] = mapped_column(ForeignKey("studios.studio_id"), nullable=True)
    title: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(10), default="")
    sections: Mapped[dict] = mapped_column(JSON, default=dict)  # 背景/问题/过程/结果/反思/讨论题
    tags: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    pii_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # added by migration 0002_case_discussions (case library fields)
    grade: Mapped[str] = mapped_column(String(20), default="", server_default="")
    domains: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    scenario: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Studio(Base):
    __tablename__ = "studios"
    studio_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10), default="区级")  # 区级/校级/导师团
    host: Mapped[str] = mapped_column(String(64))  # 主持人, hub user name
    school_id: Mapped[str | None] = mapped_column(ForeignKey("schools.school_id"), nullable=True)


class StudioMember(Base):
    __tablename__ = "studio_members"
    studio_id: Mapped[str] = mapped_column(ForeignKey("studios.studio_id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="member")


class StudioSession(Base):
    __tablename__ = "studio_sessions"
    session_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    studio_id: Mapped[str] = mapped_column(ForeignKey("studios.studio_id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(200))
    case_ids: Mapped[list] = mapped_column(JSON, default=list)
    attendance: Mapped[list] = mapped_column(JSON, default=list)
    minutes: Mapped[str] = mapped_column(Text, default="")


class AuditLog(Base):
    """Append-only: the store has ``add_audit`` and ``find_audit`` and nothing that updates or deletes."""

    __tablename__ = "audit_log"
    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Account(Base):
    """A hub login. ``staff_id`` is NULL for non-staff accounts (trainers, district admins)."""

    __tablename__ = "accounts"
    hidden_columns = ("password_hash",)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(100), default="")  # bcrypt; "" = cannot log in
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.staff_id"), nullable=True)
    platform_roles: Mapped[str] = mapped_column(String(200), default="")
    display_name: Mapped[str] = mapped_column(String(50), default="")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: ``created`` of the hub user first seen with this name (the hub's own timestamp, which a rename keeps):
    #: the records service serves this account to that hub user only (``bind_hub_user``). NULL: not seen yet.
    hub_created: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Enrollment(Base):
    """Course enrolment; feeds the hub group ``nbgrader-<course_id>``."""

    __tablename__ = "enrollments"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
