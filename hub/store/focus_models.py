"""Tables of 排摸重点对象 (the term's review of which students need focus; migration 0009_focus_reminders).

- ``FocusNomination``: a mentor proposes one of their mentees for the term's review, with a reason. A
  nomination withdrawn before the review decided on the student is kept, with who withdrew it and when
  (migration 0010_focus_withdraw); the review no longer lists it.
- ``FocusDecision``: the outcome of the review for one student and term (focus / not focus, with a note),
  and the 多对一 team started from it.

The reason and the note say something about a student's situation: sealed at rest like a concern's details
(``crypto.SealedText``). Only ``focus_verbs`` reads and writes these rows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .crypto import SealedText
from .models import Base, utcnow


class FocusNomination(Base):
    __tablename__ = "focus_nominations"
    nomination_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"), index=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    nominated_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(SealedText, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class FocusDecision(Base):
    __tablename__ = "focus_decisions"
    __table_args__ = (UniqueConstraint("term_id", "student_id", name="uq_focus_decision"),)
    decision_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    term_id: Mapped[str] = mapped_column(ForeignKey("terms.term_id"), index=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    school_id: Mapped[str] = mapped_column(String(32), index=True)
    outcome: Mapped[str] = mapped_column(String(12))  # focus_verbs.OUTCOMES
    note: Mapped[str] = mapped_column(SealedText, default="")
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_teams.team_id"), nullable=True)
