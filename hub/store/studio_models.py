"""Tables of the case-discussion room (案例研讨) on the records store.

A discussion belongs to a studio (``studios``) and discusses one case (``cases``). Its rules live in
``hub.cases.discussion.DiscussionRoom``; ``hub.store.studio_verbs`` runs them over these rows.
Member and participant lists are JSON lists of hub user names.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow


class Discussion(Base):
    __tablename__ = "discussions"
    discussion_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    studio_id: Mapped[str] = mapped_column(ForeignKey("studios.studio_id"), index=True)
    case_id: Mapped[str] = mapped_column(String(64))
    case_title: Mapped[str] = mapped_column(String(200))
    leader: Mapped[str] = mapped_column(String(64))
    members: Mapped[list] = mapped_column(JSON, default=list)
    participants: Mapped[list] = mapped_column(JSON, default=list)
    round: Mapped[str] = mapped_column(String(16), default="analysis")
    vote_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DiscussionContribution(Base):
    __tablename__ = "discussion_contributions"
    contribution_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    discussion_id: Mapped[str] = mapped_column(ForeignKey("discussions.discussion_id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    round: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))  # ISO text, as the room model writes it
    updated_at: Mapped[str] = mapped_column(String(32))


class DiscussionVote(Base):
    """One vote per (discussion, voter); a new vote replaces the old one."""

    __tablename__ = "discussion_votes"
    discussion_id: Mapped[str] = mapped_column(ForeignKey("discussions.discussion_id"), primary_key=True)
    voter: Mapped[str] = mapped_column(String(64), primary_key=True)
    proposal_id: Mapped[str] = mapped_column(String(40))
