"""Record history (尽职免责): every edit of a practice record keeps the version it replaces.

The ``records`` row holds the current version (``version``, ``updated_by``, ``updated_at``); each earlier
version is a ``record_versions`` row with the date and fields it had, who wrote it and when, and who
replaced it and when. Nothing ever changes or removes a version, except the retention run, which removes a
record with all its versions (``hub.retention``). Deleting a record is soft (``deleted_at``,
``deleted_by``): the record and its versions stay.

Who may see a record's history:
- its author, always: a mentor can show what they recorded and when, also after the student has moved to
  another mentor and after they deleted the record themselves (``find_own_records`` lists them all);
- whoever may read the record (``record.history`` in the access table: the student's mentors, head teacher,
  school leader, school office), for records not deleted; beyond one's own mentees each read is audited
  (``record.history``), like a read of the record itself.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from . import access
from .access import Actor
from .errors import NotFound
from .messages import msg
from .models import Record, Student, plain, utcnow
from .privacy_models import RecordVersion
from .validation import check_row_id


def current_version(record: Record) -> dict:
    """The record's current version in the shape of ``RecordVersion.to_dict``."""
    return {"version": record.version or 1, "date": plain(record.event_date), **record.fields,
            "written_by": record.updated_by or record.author, "written_at": plain(record.updated_at),
            "replaced_by": None, "replaced_at": None}  # fmt: skip


def keep_version(session, record: Record, editor: str) -> dt.datetime:
    """Called in the transaction of an edit, before the record changes: file its current version, then
    number the record's next one as written by ``editor``. Returns the time of the edit (the replaced
    version's end, the new version's ``updated_at``)."""
    now = utcnow()
    session.add(RecordVersion(record_id=record.record_id, version=record.version or 1,
                              event_date=record.event_date, fields=dict(record.fields),
                              written_by=record.updated_by or record.author,
                              written_at=record.updated_at or record.created_at,
                              replaced_by=editor, replaced_at=now))  # fmt: skip
    record.version = (record.version or 1) + 1
    record.updated_by = editor
    return now


class HistoryVerbs:
    """Mixin for ``RecordStore`` (uses ``PracticeVerbs``' ``_audit``)."""

    def find_record_history(self, actor: Actor, record_id: int) -> dict:
        """Every version of one record, oldest first, the current one last."""
        with self.writing() as s:  # writing: a read beyond one's own mentees is audited in the same transaction
            record = self._record_for_history(s, actor, record_id)
            versions = list(s.scalars(select(RecordVersion).where(RecordVersion.record_id == record.record_id)
                                      .order_by(RecordVersion.version)))  # fmt: skip
            answer = {
                "record_id": record.record_id, "kind": record.kind, "student_id": record.student_id,
                "author": record.author, "created_at": plain(record.created_at),
                "deleted": record.deleted_at is not None, "deleted_at": plain(record.deleted_at),
                "deleted_by": record.deleted_by,
                "versions": [*(v.to_dict() for v in versions), current_version(record)],
            }  # fmt: skip
        return answer

    def _record_for_history(self, session, actor: Actor, record_id) -> Record:
        row_id = check_row_id(record_id)
        record = session.get(Record, row_id) if row_id is not None else None
        english, chinese = msg("record_not_found", value=str(record_id)[:40])
        if record is None:
            raise NotFound(english, chinese)
        if record.author == actor.username:
            return record  # one's own writing, deleted or not, whoever mentors the student now
        student = session.get(Student, record.student_id)
        if (record.deleted_at is not None or student is None or not student.active
                or not access.permits(actor, access.RECORD_HISTORY, access_ref(student))):  # fmt: skip
            raise NotFound(english, chinese)
        if access.beyond_own_mentees(actor, access_ref(student)):
            scope = access.covering_scope(actor, access.RECORD_HISTORY, access_ref(student))
            self._audit(session, actor, "record.history", "record", record.record_id,
                        detail={"scope": scope, "student_ids": [student.student_id],
                                "record_ids": [record.record_id]})  # fmt: skip
        return record

    def find_own_records(self, actor: Actor) -> list[dict]:
        """What the caller recorded and when: every record they wrote, deleted ones included, oldest first,
        each with its version number and (for deleted ones) when it was deleted."""
        query = select(Record).where(Record.author == actor.username).order_by(Record.created_at, Record.record_id)
        with self.reading() as s:
            records = list(s.scalars(query))
        return [{**record.to_dict(), "deleted_at": plain(record.deleted_at)} for record in records]


def access_ref(student: Student) -> access.StudentRef:
    return access.StudentRef(student.student_id, student.class_id, student.school_id)
