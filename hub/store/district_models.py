"""Tables of the district's side of the plan (migration 0008_district): each school's implementation plan
(一校一策) with its submitted versions and the district's reviews, and the district's calendar of milestones.

A plan is one row per school and school year (its working text and status); each submission (上报) keeps a
frozen version with the school's figures as the platform counted them that day; the district's comments,
requests for changes and filing (备案) are reviews of a version. Nothing here names a student.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow

#: A plan's status: 未提交 (a draft, or never started), 已提交, 需修改, 已备案.
PLAN_STATUSES = ("draft", "submitted", "changes_requested", "filed")


class SchoolPlan(Base):
    __tablename__ = "school_plans"
    __table_args__ = (UniqueConstraint("school_id", "school_year", name="uq_school_plan_year"),)
    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    school_id: Mapped[str] = mapped_column(ForeignKey("schools.school_id"), index=True)
    school_year: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    sections: Mapped[dict] = mapped_column(JSON, default=dict)  # heading key -> text (the working draft)
    version: Mapped[int] = mapped_column(Integer, default=0)  # the last submitted version (0: none yet)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class SchoolPlanVersion(Base):
    """One submission of a plan, as it was sent: the text and the school's figures of that day."""

    __tablename__ = "school_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_school_plan_version"),)
    version_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("school_plans.plan_id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SchoolPlanReview(Base):
    """The district's word on a submitted version: a comment, a request for changes, or filing it."""

    __tablename__ = "school_plan_reviews"
    review_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("school_plans.plan_id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # comment / request_changes / file
    text: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DistrictMilestone(Base):
    """One step of the district's staged schedule: when, for whom (roles), and how the platform checks
    whether a school has met it (``check``; empty: not checked by the platform)."""

    __tablename__ = "district_milestones"
    milestone_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    school_year: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due_date: Mapped[dt.date] = mapped_column(Date)
    audience: Mapped[list] = mapped_column(JSON, default=list)  # roles of hub.store.access.ROLES
    check: Mapped[str] = mapped_column(String(30), default="")
