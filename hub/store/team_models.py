"""Tables of the class mentor teams (导师团) and the 多对一 support teams (migration 0006_school_year).

A class's 导师团 has no membership table: it is the class's head teacher and the current mentors of its
students (``team_verbs``). What it does is kept: its meetings (集体教研) and the parent-contact requests of
its subject teachers (归口管理 as a workflow). A 多对一 team is ``models.MentorTeam`` with its members
(``MentorTeamMember``); its support plan and reviews are here.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow


class ClassTeamMeeting(Base):
    """One meeting of a class's 导师团: who came, which students were discussed (by code), what was decided."""

    __tablename__ = "class_team_meetings"
    meeting_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.class_id"), index=True)
    meeting_date: Mapped[dt.date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(100), default="")
    attendees: Mapped[list] = mapped_column(JSON, default=list)  # staff ids
    student_codes: Mapped[list] = mapped_column(JSON, default=list)  # student ids, never names
    decisions: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ParentContactRequest(Base):
    """A subject teacher's request that the student's mentor or head teacher contact a parent, and its
    outcome: ``open`` -> ``accepted`` -> ``done`` (with the parent-contact record made) or ``declined``."""

    __tablename__ = "parent_contact_requests"
    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    class_id: Mapped[str] = mapped_column(String(32), index=True)
    requested_by: Mapped[str] = mapped_column(String(64), index=True)
    topic: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    responder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    response: Mapped[str] = mapped_column(Text, default="")  # the note back to the requester, or why declined
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.record_id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SupportPlan(Base):
    """The support plan of a 多对一 team: goals, agreed actions (who does what), its status."""

    __tablename__ = "support_plans"
    team_id: Mapped[int] = mapped_column(ForeignKey("mentor_teams.team_id"), primary_key=True)
    school_id: Mapped[str] = mapped_column(String(32), index=True)
    goals: Mapped[list] = mapped_column(JSON, default=list)  # short texts
    actions: Mapped[list] = mapped_column(JSON, default=list)  # [{"staff_id": ..., "action": ...}]
    status: Mapped[str] = mapped_column(String(16), default="active")  # active / closed
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SupportReview(Base):
    __tablename__ = "support_reviews"
    review_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("mentor_teams.team_id"), index=True)
    review_date: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(10))  # team_verbs.REVIEW_OUTCOMES
    summary: Mapped[str] = mapped_column(Text)
    next_review: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
