"""Tables of the minors'-data workflows on the records store (migration 0007_minors_data).

- ``RecordVersion``: an earlier version of a practice record, kept when the record is edited
  (``hub.store.history``); the record itself holds the current version.
- ``GuardianRequest``: a guardian's request to see, copy, correct or delete their child's file, logged by
  the school office and answered within a deadline (``hub.store.guardian_verbs``).

Guardians and consents themselves are ``models.Guardian`` and ``models.Consent`` (``hub.store.consent_verbs``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .crypto import SealedJSON, SealedText
from .models import Base, plain, utcnow

REQUEST_KINDS = ("access", "copy", "correct", "delete")
REQUEST_STATUSES = ("open", "answered", "refused")


class RecordVersion(Base):
    """The record as it was before an edit: its date and fields, who wrote that version and when, and who
    replaced it and when. Version numbers count from 1 (the record as first written)."""

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("record_id", "version", name="uq_record_version"),)
    version_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.record_id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    event_date: Mapped[dt.date] = mapped_column(Date)
    fields: Mapped[dict] = mapped_column(SealedJSON, default=dict)  # as the record's: family_situation encrypted
    written_by: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[dt.datetime] = mapped_column(DateTime)
    replaced_by: Mapped[str] = mapped_column(String(64))
    replaced_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    def to_dict(self) -> dict:
        return {"version": self.version, "date": plain(self.event_date), **self.fields,
                "written_by": self.written_by, "written_at": plain(self.written_at),
                "replaced_by": self.replaced_by, "replaced_at": plain(self.replaced_at)}  # fmt: skip


class GuardianRequest(Base):
    __tablename__ = "guardian_requests"
    request_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    student_id: Mapped[str] = mapped_column(ForeignKey("students.student_id"), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.guardian_id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))  # REQUEST_KINDS
    received_on: Mapped[dt.date] = mapped_column(Date)
    received_via: Mapped[str] = mapped_column(String(20), default="")
    details: Mapped[str] = mapped_column(SealedText, default="")  # what the guardian asks for (encrypted)
    logged_by: Mapped[str] = mapped_column(String(64))
    logged_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    answered_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    copy_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
