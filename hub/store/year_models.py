"""Tables of the school year (migration 0006_school_year): term calendars, life events, and the history of
changes during the year (mentor changes with their reason, students' class and school moves, staff leave).

Only the store's verbs (``term_verbs``, ``year_verbs``) read and write these rows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow


class TermCalendar(Base):
    """One term's 三个一 windows for one school, or the district's template (``school_id`` "")."""

    __tablename__ = "term_calendars"
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"), primary_key=True)
    school_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "" = the district's template
    home_visit_from: Mapped[dt.date] = mapped_column(Date)
    home_visit_to: Mapped[dt.date] = mapped_column(Date)
    exams: Mapped[list] = mapped_column(JSON, default=list)  # [{"name": "期中考试", "date": "YYYY-MM-DD"}]
    talk_days_before: Mapped[int] = mapped_column(Integer, default=7)
    talk_days_after: Mapped[int] = mapped_column(Integer, default=7)
    life_event_days: Mapped[int] = mapped_column(Integer, default=7)
    growth_message_from: Mapped[dt.date] = mapped_column(Date)
    growth_message_to: Mapped[dt.date] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LifeEvent(Base):
    """A major change in a student's life, marked by their mentor or head teacher: it opens a talk task.
    Coded (``term_calendar.LIFE_EVENT_KINDS``), without free text about the family."""

    __tablename__ = "life_events"
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"), index=True)
    event_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    noted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MentorChange(Base):
    """One change of a student's mentor within or between terms, with its reason (kept for the school)."""

    __tablename__ = "mentor_changes"
    change_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"), index=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="primary")
    old_staff_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    new_staff_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    change_date: Mapped[dt.date] = mapped_column(Date)
    reason_code: Mapped[str] = mapped_column(String(20))  # year_verbs.CHANGE_REASONS
    reason: Mapped[str] = mapped_column(String(200), default="")
    changed_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StudentMove(Base):
    """A student's change of class or school during the year (promotions at roll-over are per class)."""

    __tablename__ = "student_moves"
    move_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    move_date: Mapped[dt.date] = mapped_column(Date)
    from_school_id: Mapped[str] = mapped_column(String(32))
    from_class_id: Mapped[str] = mapped_column(String(32))
    to_school_id: Mapped[str] = mapped_column(String(32))
    to_class_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200), default="")
    moved_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StaffLeave(Base):
    """A mentor's long leave (``until`` the expected return) or departure (``kind`` "left")."""

    __tablename__ = "staff_leaves"
    leave_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.staff_id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # leave / left
    from_date: Mapped[dt.date] = mapped_column(Date)
    until_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    noted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
