"""Practice verbs of the records store: records, assignments, progress, concern flags, audit.

Every verb takes the calling ``Actor`` first and asks ``hub.store.access`` whether it may act. A student
outside the actor's reach is reported as ``NotFound`` (never ``Forbidden``), so a request cannot reveal
whether the student exists. Every read of record contents beyond the actor's own mentees, and every read
of concern-flag details, writes one audit row per request naming the students and rows it reached.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from . import access
from .access import Actor, StudentRef
from .consent_verbs import scopes_for_flag, scopes_for_record
from .errors import Conflict, Forbidden, Invalid, NotFound
from .history import keep_version
from .messages import msg
from .models import AuditLog, ConcernFlag, MentorAssignment, Record, Staff, Student, Term, plain, utcnow
from .reach import reach_filter
from .record_domains import add_record_domains, sync_record_domains
from .validation import (
    FLAG_FIELDS,
    check_event_date,
    check_row_id,
    check_text,
    clean_fields,
    echo,
    invalid,
    parse_day,
    split_payload,
    validate_flag_level,
    validate_kind,
    validate_record_fields,
    validate_student_id,
)

TRI_ONE = ("home_visit", "talk", "growth_message")
#: Built once: a prepared INSERT ... RETURNING is compiled once, not re-coerced on every write.
INSERT_RECORD = insert(Record.__table__).returning(Record.__table__.c.record_id)
#: Several rows in one statement, ids returned in the order of the rows.
INSERT_RECORDS = insert(Record.__table__).returning(Record.__table__.c.record_id, sort_by_parameter_order=True)


def ref(student: Student) -> StudentRef:
    return StudentRef(student.student_id, student.class_id, student.school_id)


def forbidden(action: str) -> Forbidden:
    english, chinese = msg("forbidden", action=action)
    return Forbidden(english, chinese)


class PracticeVerbs:
    """Mixin for ``RecordStore``."""

    # --- helpers ----------------------------------------------------------------------------
    def _student_in_reach(self, session, actor: Actor, action: str, student_id: str) -> Student:
        student = session.get(Student, student_id)
        if student is None or not student.active or not access.permits(actor, action, ref(student)):
            english, chinese = msg("student_not_found", value=student_id)
            raise NotFound(english, chinese, "student_id")
        return student

    def _audit_record_read(self, session, actor: Actor, entity: str, entity_id, student: Student,
                           records: list[Record]) -> None:  # fmt: skip
        """One row for a read of record contents beyond the actor's own mentees (none for own mentees)."""
        if not access.beyond_own_mentees(actor, ref(student)):
            return
        scope = access.covering_scope(actor, access.RECORD_READ, ref(student))
        self._audit(session, actor, "record.read", entity, entity_id,
                    detail={"scope": scope, "student_ids": [student.student_id],
                            "record_ids": [record.record_id for record in records]})  # fmt: skip

    def _audit(self, session, actor: Actor | str, action: str, entity: str, entity_id="", *,
               reason: str = "", detail: dict | None = None) -> None:  # fmt: skip
        username = actor.username if isinstance(actor, Actor) else actor
        session.add(AuditLog(actor=username, action=action, entity=entity, entity_id=str(entity_id),
                             reason=reason[:500], detail=detail or {}))  # fmt: skip

    def _term_for(self, session, day: dt.date, school_id: str | None = None) -> Term:
        """The term containing ``day`` (from its opening for ``school_id``'s calendar: a home visit may come
        before the first day); with ``session`` None, a read session is opened only to fill the cache."""
        if session is None:

            def load():  # fills the same cache entry ("terms") as ``_all_terms``
                with self.reading() as s:
                    return self._all_terms(s)

            terms = self.cached("terms", load)
        else:
            terms = self._all_terms(session)
        rows = self._calendar_rows(session)
        term = next((t for t in terms if self._term_opens(t, school_id, rows) <= day <= t.end_date), None)
        if term is None:
            english, chinese = msg("no_term", date=day)
            raise Invalid(english, chinese, "date")
        return term

    # --- students -----------------------------------------------------------------------------
    def find_students(self, actor: Actor) -> list[Student]:
        reach = access.reach(actor, access.STUDENT_READ)
        if reach.everything:  # break-glass opens one student at a time, never the whole list
            raise forbidden(access.STUDENT_READ)
        if reach.empty:
            return []
        query = select(Student).where(Student.active.is_(True), reach_filter(reach))
        with self.reading() as s:
            return list(s.scalars(query.order_by(Student.class_id, Student.student_id)))

    def find_student(self, actor: Actor, student_id: str) -> Student:
        with self.writing() as s:  # writing: a break-glass read is audited in the same transaction
            return self._student_in_reach(s, actor, access.STUDENT_READ, student_id)

    # --- records ------------------------------------------------------------------------------
    def add_record(self, actor: Actor, payload: dict) -> Record:
        envelope, rest = split_payload(payload)
        kind = validate_kind(envelope.get("kind"))
        student_id = validate_student_id(envelope.get("student_id"))
        if "date" not in envelope:
            raise invalid("required", "date")
        day = parse_day(envelope["date"], "date")
        client_ref = envelope.get("client_ref")
        if client_ref is not None and (not isinstance(client_ref, str) or not 0 < len(client_ref) <= 64):
            raise invalid("not_text", "client_ref")
        client_ref = check_text(client_ref, "client_ref") if client_ref is not None else None
        fields = validate_record_fields(kind, rest, day)
        # Every check happens before the write transaction, so that the serialized part of a write (one
        # writer at a time on SQLite) is only the insert and the commit.
        student = self._student_ref(student_id)
        action = access.action_for_kind(kind)
        if student is None or not access.permits(actor, access.STUDENT_READ, student):
            english, chinese = msg("student_not_found", value=student_id)
            raise NotFound(english, chinese, "student_id")
        if not access.permits(actor, action, student):
            key = "parent_contact_forbidden" if kind == "parent_contact" else "forbidden"
            english, chinese = msg(key, action=action)
            raise Forbidden(english, chinese, "kind")
        term = self._term_for(None, day, student.school_id)  # no session at all while the terms are cached
        check_event_date(day, self._term_opens(term, student.school_id), term.end_date, self.today(), term.term_id)
        self.require_consent(student_id, scopes_for_record(kind))  # under 14: the guardian's (consent_verbs)
        now = utcnow()
        values = {"kind": kind, "student_id": student_id, "author": actor.username, "term_id": term.term_id,
                  "event_date": day, "fields": fields, "client_ref": client_ref, "created_at": now,
                  "updated_at": now}  # fmt: skip
        try:  # committed (with the other writes queued meanwhile) before this returns
            record_id = self._record_writes.submit(values)
        except IntegrityError as error:  # the unique client_ref: this request was already stored
            if client_ref and "client_ref" in str(error.orig):
                english, chinese = msg("duplicate_ref", value=client_ref)
                raise Conflict(english, chinese, "client_ref") from None
            raise
        return Record(record_id=record_id, deleted_at=None, deleted_by=None, **values)

    def _insert_records(self, rows: list[dict]) -> list[int]:
        """One transaction of plain INSERTs (the ORM's unit of work costs more CPU than the write itself);
        the new ids in the order of ``rows``. Called by the store's group commit (``_record_writes``)."""
        with self.writing_core() as connection:
            if len(rows) == 1:
                ids = [connection.execute(INSERT_RECORD, rows[0]).scalar_one()]
            else:
                ids = list(connection.execute(INSERT_RECORDS, rows).scalars())
            add_record_domains(connection, ids, rows)  # guidance domains in their own table, for the dashboards
            return ids

    def _student_ref(self, student_id: str) -> StudentRef | None:
        """Class and school of an active student (None when missing or inactive), cached like callers are."""

        def load():
            with self.reading() as s:
                row = s.execute(select(Student.class_id, Student.school_id, Student.active)
                                .where(Student.student_id == student_id)).first()  # fmt: skip
            return StudentRef(student_id, row.class_id, row.school_id) if row and row.active else None

        return self.cached(("student", student_id), load)

    def _record_in_reach(self, session, actor: Actor, record_id, action: str) -> Record:
        row_id = check_row_id(record_id)
        record = session.get(Record, row_id) if row_id is not None else None
        if record is None or record.deleted_at is not None:
            english, chinese = msg("record_not_found", value=str(record_id)[:40])
            raise NotFound(english, chinese)
        try:
            self._student_in_reach(session, actor, action, record.student_id)
        except NotFound:
            english, chinese = msg("record_not_found", value=record_id)
            raise NotFound(english, chinese) from None
        return record

    def find_record(self, actor: Actor, record_id: int) -> Record:
        with self.writing() as s:  # writing: a read beyond one's own mentees is audited in the same transaction
            record = self._record_in_reach(s, actor, record_id, access.RECORD_READ)
            self._audit_record_read(s, actor, "record", record.record_id, s.get(Student, record.student_id),
                                    [record])  # fmt: skip
            return record

    def find_records(self, actor: Actor, student_id: str) -> list[Record]:
        with self.writing() as s:
            student = self._student_in_reach(s, actor, access.RECORD_READ, student_id)
            query = select(Record).where(Record.student_id == student_id, Record.deleted_at.is_(None))
            records = list(s.scalars(query.order_by(Record.event_date, Record.record_id)))
            self._audit_record_read(s, actor, "student", student_id, student, records)
            return records

    def _editable(self, session, actor: Actor, record_id) -> Record:
        record = self._record_in_reach(session, actor, record_id, access.RECORD_READ)
        student = session.get(Student, record.student_id)
        if record.author != actor.username or not access.permits(
            actor, access.action_for_kind(record.kind), ref(student)
        ):
            english, chinese = msg("not_author", value=record_id)
            raise Forbidden(english, chinese)
        return record

    def update_record(self, actor: Actor, record_id: int, changes: dict) -> Record:
        if not isinstance(changes, dict):
            raise invalid("not_object")
        for forbidden_key in ("student_id", "kind", "client_ref"):
            if forbidden_key in changes:
                raise invalid("unknown_field", forbidden_key)
        with self.writing() as s:
            record = self._editable(s, actor, record_id)
            self.require_consent(record.student_id, scopes_for_record(record.kind))
            rest = {k: v for k, v in changes.items() if k != "date"}
            day = parse_day(changes["date"], "date") if "date" in changes else record.event_date
            if "date" in changes:
                term = s.get(Term, record.term_id)
                opens = self._term_opens(term, s.get(Student, record.student_id).school_id)
                check_event_date(day, opens, term.end_date, self.today(), term.term_id)
            cleaned = validate_record_fields(record.kind, rest, day, partial=True)
            merged = {**record.fields, **cleaned}
            for key, value in rest.items():  # explicit null/empty clears an optional field
                if value in (None, "", []) and key in merged:
                    merged.pop(key)
            merged = validate_record_fields(record.kind, merged, day)  # whole record still valid
            edited_at = keep_version(s, record, actor.username)  # the replaced version stays (hub.store.history)
            record.fields, record.event_date, record.updated_at = merged, day, edited_at
            sync_record_domains(s, record)
            self._audit(s, actor, "record.update", "record", record_id, detail={"fields": sorted(rest)})
        return record

    def remove_record(self, actor: Actor, record_id: int, reason: str = "") -> Record:
        """Soft delete (kept for the audit trail; invisible through every verb)."""
        with self.writing() as s:
            record = self._editable(s, actor, record_id)
            record.deleted_at, record.deleted_by = utcnow(), actor.username
            sync_record_domains(s, record)
            self._audit(s, actor, "record.delete", "record", record_id, reason=reason)
        return record

    def count_records(self, include_deleted: bool = True) -> int:
        query = select(func.count(Record.record_id))
        if not include_deleted:
            query = query.where(Record.deleted_at.is_(None))
        with self.reading() as s:
            return s.scalar(query)

    # --- progress (三个一) ----------------------------------------------------------------------
    def find_progress(self, actor: Actor, term_id: str | None = None) -> dict:
        """三个一 completion: per student for mentees and own classes, per class for a whole school."""
        reach = access.reach(actor, access.PROGRESS_READ)
        if reach.empty or reach.everything:
            raise forbidden(access.PROGRESS_READ)
        term = self.find_term(term_id) if term_id else self.current_term()
        with self.reading() as s:
            students = list(s.scalars(select(Student).where(Student.active.is_(True), reach_filter(reach))))
            done = set(s.execute(
                select(Record.student_id, Record.kind).distinct().join(Student)
                .where(Record.term_id == term.term_id, Record.deleted_at.is_(None),
                       Record.kind.in_(TRI_ONE), Student.active.is_(True), reach_filter(reach))
            ).all())  # fmt: skip
        progress = summarize_progress(term, students, done, detail=reach.student_ids, detail_classes=reach.class_ids)
        progress = self._add_school_progress(progress, term, reach.school_ids, done)  # dates, mentors (progress_verbs)
        return self._add_calendar(progress, term, actor)  # the school's windows, life-event talks (term_verbs)

    # --- assignments --------------------------------------------------------------------------
    def find_assignments(self, actor: Actor, term_id: str | None = None) -> list[MentorAssignment]:
        reach = access.reach(actor, access.ASSIGNMENT_READ)
        if reach.empty or reach.everything:
            return []
        term_id = term_id or self.current_term().term_id
        query = (
            select(MentorAssignment).join(Student)
            .where(MentorAssignment.term_id == term_id, reach_filter(reach))
            .order_by(MentorAssignment.student_id, MentorAssignment.kind.desc(), MentorAssignment.staff_id)
        )  # fmt: skip
        with self.reading() as s:
            return list(s.scalars(query))

    def add_assignments(self, actor: Actor, term_id: str, rows: list[dict], *, replace: bool = True,
                        basis: str | None = None) -> dict:  # fmt: skip
        """Save a term's matching for the actor's school: rows of {student_id, staff_id, kind, method}.

        With ``replace`` the school's previous assignments for the term are replaced. Checks: every
        student and mentor in the actor's school, at most one primary per student, primary mentees per
        mentor <= their max_mentees. All or nothing. ``basis`` (from ``preview_assignments``): refuse with
        ``Conflict`` when the school's pairings for the term are no longer those the preview compared with."""
        term_id = validate_student_id(term_id, "term_id")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise invalid("not_list", "rows")
        with self.writing() as s:
            if s.get(Term, term_id) is None:
                raise self._not_found_term(term_id)
            schools = access.reach(actor, access.ASSIGNMENT_WRITE).school_ids
            if not schools:
                raise forbidden(access.ASSIGNMENT_WRITE)
            cleaned = self._check_assignment_rows(s, rows, schools)
            if basis is not None and basis != self.current_assignments_basis(s, term_id, schools):
                english, chinese = msg("assignments_changed")
                raise Conflict(english, chinese, "basis")
            if replace:
                old = s.scalars(select(MentorAssignment).join(Student).where(
                    MentorAssignment.term_id == term_id, Student.school_id.in_(schools)))  # fmt: skip
                for assignment in old:
                    s.delete(assignment)
                s.flush()
            self._check_capacity(s, term_id, cleaned)
            for row in cleaned:
                s.add(MentorAssignment(term_id=term_id, **row))
            try:
                s.flush()
            except IntegrityError:
                english, chinese = msg("two_primaries", value="")
                raise Conflict(english, chinese, "rows") from None
            self._audit(s, actor, "assignment.save", "term", term_id, detail={"rows": len(cleaned)})
        self.forget_cached()
        return {"term_id": term_id, "saved": len(cleaned)}

    def _not_found_term(self, term_id):
        english, chinese = msg("term_not_found", value=term_id)
        return NotFound(english, chinese, "term_id")

    def _check_assignment_rows(self, s, rows, schools) -> list[dict]:
        cleaned, seen, primaries = [], set(), Counter()
        for row in rows:
            unknown = set(row) - {"student_id", "staff_id", "kind", "method"}
            if unknown:
                raise invalid("unknown_field", echo(sorted(unknown)[0]))
            student_id = validate_student_id(row.get("student_id"))
            staff_id = validate_student_id(row.get("staff_id"), "staff_id")
            student, staff = s.get(Student, student_id), s.get(Staff, staff_id)
            if student is None or student.school_id not in schools:
                english, chinese = msg("other_school", value=row.get("student_id"))
                raise Invalid(english, chinese, "student_id")
            if staff is None or staff.school_id not in schools or not staff.active:
                english, chinese = msg("other_school", value=row.get("staff_id"))
                raise Invalid(english, chinese, "staff_id")
            kind = row.get("kind", "primary")
            if kind not in ("primary", "additional"):
                raise invalid("bad_choice", "kind", choices="primary、additional")
            key = (student.student_id, staff.staff_id)
            if key in seen:
                continue
            seen.add(key)
            if kind == "primary":
                primaries[student.student_id] += 1
                if primaries[student.student_id] > 1:
                    english, chinese = msg("two_primaries", value=student.student_id)
                    raise Invalid(english, chinese, "rows")
            method = check_text(str(row.get("method", "")), "method")[:32]
            cleaned.append({"student_id": key[0], "staff_id": key[1], "kind": kind, "method": method})
        return cleaned

    def _check_capacity(self, s, term_id: str, rows: list[dict]) -> None:
        existing = Counter(dict(s.execute(
            select(MentorAssignment.staff_id, func.count()).where(
                MentorAssignment.term_id == term_id, MentorAssignment.kind == "primary")
            .group_by(MentorAssignment.staff_id)).all()))  # fmt: skip
        for row in rows:
            if row["kind"] == "primary":
                existing[row["staff_id"]] += 1
        for staff_id, count in existing.items():
            limit = s.get(Staff, staff_id).max_mentees
            if count > limit:
                english, chinese = msg("over_capacity", value=staff_id, count=count, limit=limit)
                raise Invalid(english, chinese, "rows")

    # --- concern flags (held apart) ------------------------------------------------------------
    def add_flag(self, actor: Actor, payload: dict) -> ConcernFlag:
        if not isinstance(payload, dict):
            raise invalid("not_object")
        student_id = validate_student_id(payload.get("student_id"))
        level = validate_flag_level(payload.get("level"))
        rest = {k: v for k, v in payload.items() if k not in ("student_id", "level")}
        fields = clean_fields(rest, {k: v for k, v in FLAG_FIELDS.items() if k != "status"})
        with self.writing() as s:
            self._student_in_reach(s, actor, access.FLAG_RAISE, student_id)
            self.require_consent(student_id, scopes_for_flag(fields))
            flag = ConcernFlag(student_id=student_id, raised_by=actor.username, level=level,
                               signals=fields.get("signals", []), details=fields.get("details", ""),
                               immediate_risk=fields.get("immediate_risk", False),
                               referred_to=fields.get("referred_to", ""))  # fmt: skip
            s.add(flag)
            s.flush()
            self._audit(s, actor, "flag.raise", "flag", flag.flag_id, detail={"student_id": student_id})
        return flag

    def find_flags(self, actor: Actor, student_id: str | None = None, *, mine: bool = False) -> list[dict]:
        """Flags the actor may know of: full details where allowed (audited), otherwise status only. With
        ``mine``: only those the actor raised, status only (what the raising mentor follows; nothing audited)."""
        status_reach = access.reach(actor, access.FLAG_READ_STATUS)
        detail_reach = access.reach(actor, access.FLAG_READ_DETAILS)
        if mine:
            detail_reach = access.Reach()
        if status_reach.empty and detail_reach.empty:
            return []
        with self.writing() as s:
            if student_id is not None:
                self._student_in_reach(s, actor, access.FLAG_READ_STATUS, student_id)
            query = select(ConcernFlag, Student).join(Student).where(
                or_(reach_filter(status_reach), reach_filter(detail_reach)))  # fmt: skip
            if student_id is not None:
                query = query.where(ConcernFlag.student_id == student_id)
            if mine:
                query = query.where(ConcernFlag.raised_by == actor.username)
            out, shown, seen = [], [], set()
            for flag, student in s.execute(query.order_by(ConcernFlag.flag_id)).all():
                if detail_reach.covers(ref(student)):
                    out.append({**flag.to_dict(), "student_name": student.display_name})
                    shown.append(flag.flag_id)
                    seen.add(student.student_id)
                else:  # every role that may read a flag's status may read its student (the access table)
                    out.append({**flag.status_dict(), "student_name": student.display_name})
            if shown:
                self._audit(s, actor, "flag.read_details", "flag", ",".join(map(str, shown))[:64],
                            detail={"flag_ids": shown, "student_ids": sorted(seen)})  # fmt: skip
        return out

    def update_flag(self, actor: Actor, flag_id: int, changes: dict) -> ConcernFlag:
        if not isinstance(changes, dict):
            raise invalid("not_object")
        level = changes.get("level")
        rest = {k: v for k, v in changes.items() if k != "level"}
        fields = clean_fields(rest, FLAG_FIELDS, partial=True)
        with self.writing() as s:
            row_id = check_row_id(flag_id)
            flag = s.get(ConcernFlag, row_id) if row_id is not None else None
            student = s.get(Student, flag.student_id) if flag else None
            if flag is None or not access.permits(actor, access.FLAG_UPDATE, ref(student)):
                english, chinese = msg("flag_not_found", value=str(flag_id)[:40])
                raise NotFound(english, chinese)
            self.require_consent(flag.student_id, scopes_for_flag(
                {"immediate_risk": flag.immediate_risk, **fields}))  # fmt: skip
            if level is not None:
                flag.level = validate_flag_level(level)
            for key, value in fields.items():
                setattr(flag, key, value)
            flag.updated_at = utcnow()
            if fields.get("status") == "closed":
                flag.closed_at = flag.updated_at
            self._audit(s, actor, "flag.update", "flag", flag_id, detail={"fields": sorted(changes)})
        return flag

    # --- audit (append-only) -------------------------------------------------------------------
    def add_audit(self, actor: Actor | str, action: str, entity: str, entity_id="", *, reason: str = "",
                  detail: dict | None = None) -> None:  # fmt: skip
        """Log an export or other auditable event that happens outside the store's own verbs."""
        with self.writing() as s:
            self._audit(s, actor, action, entity, entity_id, reason=reason, detail=detail)

    def find_audit(self, actor: Actor, *, who: str | None = None, action: str | None = None,
                   since: dt.datetime | None = None, until: dt.datetime | None = None,
                   limit: int = 500) -> list[AuditLog]:  # fmt: skip
        if not access.permits(actor, access.AUDIT_READ):
            raise forbidden(access.AUDIT_READ)
        query = select(AuditLog)
        if who:
            query = query.where(AuditLog.actor == who)
        if action:
            query = query.where(AuditLog.action.startswith(action))
        if since:
            query = query.where(AuditLog.at >= since)
        if until:
            query = query.where(AuditLog.at <= until)
        with self.reading() as s:
            return list(s.scalars(query.order_by(AuditLog.audit_id.desc()).limit(max(1, min(limit, 5000)))))


def summarize_progress(term: Term, students, done: set[tuple[str, str]], *, detail=(), detail_classes=()) -> dict:
    """Pure: 三个一 completion per student (for mentees and own classes) and per class. Not ranked:
    students are listed by class and id, classes by id."""
    per_class: dict[str, Counter] = defaultdict(Counter)
    rows = []
    for student in sorted(students, key=lambda st: (st.class_id, st.student_id)):
        status = {kind: (student.student_id, kind) in done for kind in TRI_ONE}
        counts = per_class[student.class_id]
        counts["students"] += 1
        counts.update(kind for kind, ok in status.items() if ok)
        counts["complete"] += all(status.values())
        if student.student_id in detail or student.class_id in detail_classes:
            rows.append({"student_id": student.student_id, "display_name": student.display_name,
                         "class_id": student.class_id, **status, "complete": all(status.values())})  # fmt: skip
    classes = [{"class_id": class_id, **{k: counts[k] for k in ("students", *TRI_ONE, "complete")}}
               for class_id, counts in sorted(per_class.items())]  # fmt: skip
    return {
        "term_id": term.term_id,
        "due": {"home_visit": plain(term.home_visit_due), "talk": plain(term.talk_due),
                "growth_message": plain(term.growth_message_due)},
        "students": rows,
        "classes": classes,
    }  # fmt: skip


