"""Guardians' requests (PIPL Art. 45-47; 未成年人保护法 Art. 72): to see or copy their child's file, to correct
it, or to delete it.

The school office (``guardian.manage``, own school) logs the request as it arrives (``add_guardian_request``:
kind, the day received and how, what is asked: encrypted at rest), which sets its due date
(``request_days`` after receipt, default 15); lists its school's requests with the days left
(``find_guardian_requests``); makes the copy (``guardian_copy``: a .docx built on the server from the
child's records, consents and concern flags, ``hub.guardian_copy``; audited with its sha256, never the
contents); and answers (``answer_guardian_request``: answered or refused, with the answer in words). An
answered deletion request soft-deletes every record of the child (``deleted_by`` ``guardian-request:<id>``),
which the next retention run purges with their history (``hub.store.retention_verbs``); a correction is made
by the record's author, whose edit keeps the corrected version (``hub.store.history``).

What the copy leaves out: other people's personal information. Other students' and staff members' names
found in the text (the roster's names, and names next to a cue word) are replaced by 【姓名】, phone and ID
numbers by their placeholders; the ``participants`` of a home visit are not included; staff appear by their
role (导师, 班主任), not by name. Concern flags appear by ``copy_concern_details``: ``status_only`` (when
raised, level, status, referral, when closed) or ``full`` (also the signals and the details).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from hub.pii import ID_CARD, PERSON_NAME, PHONE, find_pii, redact

from . import access
from .access import Actor
from .errors import Conflict, Forbidden, NotFound
from .messages import msg
from .models import ConcernFlag, Consent, Guardian, Record, School, SchoolClass, Staff, Student, plain, utcnow
from .privacy_models import REQUEST_KINDS, GuardianRequest
from .reach import reach_filter
from .record_domains import sync_record_domains
from .validation import (
    Choice,
    Text,
    check_row_id,
    clean_fields,
    echo,
    invalid,
    parse_day,
    validate_student_id,
)

REQUEST_CHANNELS = ("书面", "当面", "电话", "平台")
REQUEST_FIELDS = {"kind": Choice(REQUEST_KINDS, True), "received_via": Choice(REQUEST_CHANNELS, True),
                  "details": Text(2000)}  # fmt: skip
ANSWER_FIELDS = {"decision": Choice(("answered", "refused"), True), "answer": Text(2000, True)}
DELETED_BY_REQUEST = "guardian-request:{request_id}"
LEFT_OUT_FIELDS = ("participants",)  # other people present at a home visit
REDACTED_KINDS = (PERSON_NAME, PHONE, ID_CARD)
FLAG_STATUS_FIELDS = ("raised_at", "level", "status", "referred_to", "closed_at")
FLAG_FULL_FIELDS = (*FLAG_STATUS_FIELDS, "signals", "immediate_risk", "details")


class GuardianRequestVerbs:
    """Mixin for ``RecordStore`` (uses ``PracticeVerbs``' ``_student_in_reach`` and ``_audit``)."""

    #: The site's ``privacy`` settings the records service passes in (hub.privacy); these are the defaults.
    privacy_options = {"request_days": 15, "copy_concern_details": "status_only"}

    def _request_in_reach(self, session, actor: Actor, request_id) -> GuardianRequest:
        row_id = check_row_id(request_id)
        request = session.get(GuardianRequest, row_id) if row_id is not None else None
        student = session.get(Student, request.student_id) if request is not None else None
        if request is None or not access.permits(actor, access.GUARDIAN_MANAGE, access_ref(student)):
            english, chinese = msg("request_not_found", value=str(request_id)[:40])
            raise NotFound(english, chinese)
        return request

    def add_guardian_request(self, actor: Actor, payload) -> GuardianRequest:
        if not isinstance(payload, dict):
            raise invalid("not_object")
        rest = {k: v for k, v in payload.items() if k not in ("student_id", "guardian_id", "received_on")}
        fields = clean_fields(rest, REQUEST_FIELDS)
        received = parse_day(payload["received_on"], "received_on") if payload.get("received_on") else self.today()
        if received > self.today():
            raise invalid("future_date", "received_on")
        with self.writing() as s:
            student = self._student_in_reach(s, actor, access.GUARDIAN_MANAGE,
                                             validate_student_id(payload.get("student_id")))  # fmt: skip
            guardian_id = None
            if payload.get("guardian_id") is not None:
                guardian_id = check_row_id(payload.get("guardian_id"))
                guardian = s.get(Guardian, guardian_id) if guardian_id is not None else None
                if guardian is None or guardian.student_id != student.student_id:
                    english, chinese = msg("guardian_not_found", value=echo(payload.get("guardian_id")))
                    raise NotFound(english, chinese, "guardian_id")
            request = GuardianRequest(
                student_id=student.student_id, guardian_id=guardian_id, kind=fields["kind"], received_on=received,
                received_via=fields["received_via"], details=fields.get("details", ""), logged_by=actor.username,
                due_on=received + dt.timedelta(days=int(self.privacy_options["request_days"])), status="open",
            )  # fmt: skip
            s.add(request)
            s.flush()
            self._audit(s, actor, "guardian_request.log", "guardian_request", request.request_id,
                        detail={"student_id": student.student_id, "kind": request.kind,
                                "due_on": request.due_on.isoformat()})  # fmt: skip
        return request

    def find_guardian_requests(self, actor: Actor, status: str | None = None) -> list[dict]:
        """The school office's requests, oldest due date first, each with the days left (negative: late)."""
        reach = access.reach(actor, access.GUARDIAN_MANAGE)
        if not reach.school_ids:
            english, chinese = msg("forbidden", action=access.GUARDIAN_MANAGE)
            raise Forbidden(english, chinese)
        query = select(GuardianRequest, Student).join(Student).where(reach_filter(reach))
        if status:
            query = query.where(GuardianRequest.status == status)
        today = self.today()
        with self.reading() as s:
            rows = s.execute(query.order_by(GuardianRequest.due_on, GuardianRequest.request_id)).all()
            return [{**request.to_dict(), "display_name": student.display_name, "class_id": student.class_id,
                     "days_left": (request.due_on - today).days if request.status == "open" else None,
                     "late": request.status == "open" and request.due_on < today} for request, student in rows]  # fmt: skip

    def answer_guardian_request(self, actor: Actor, request_id, payload) -> GuardianRequest:
        if not isinstance(payload, dict):
            raise invalid("not_object")
        fields = clean_fields(payload, ANSWER_FIELDS)
        with self.writing() as s:
            request = self._request_in_reach(s, actor, request_id)
            if request.status != "open":
                english, chinese = msg("request_closed")
                raise Conflict(english, chinese)
            request.status, request.answer = fields["decision"], fields["answer"]
            request.answered_by, request.answered_at = actor.username, utcnow()
            deleted = []
            if request.kind == "delete" and request.status == "answered":
                by = DELETED_BY_REQUEST.format(request_id=request.request_id)
                for record in list(s.scalars(select(Record).where(Record.student_id == request.student_id,
                                                                  Record.deleted_at.is_(None)))):  # fmt: skip
                    record.deleted_at, record.deleted_by = request.answered_at, by
                    sync_record_domains(s, record)
                    deleted.append(record.record_id)
            self._audit(s, actor, "guardian_request.answer", "guardian_request", request.request_id,
                        detail={"student_id": request.student_id, "kind": request.kind, "decision": request.status,
                                "late": request.answered_at.date() > request.due_on,
                                "records_deleted": len(deleted)})  # fmt: skip
        self.forget_cached()
        return request

    # --- the copy -------------------------------------------------------------------------------
    def guardian_copy(self, actor: Actor, request_id) -> tuple[bytes, str]:
        """The .docx copy of the child's file for an access or copy request; (bytes, file name). Audited
        (request, student, how many records and flags, the file's sha256), never its contents."""
        from hub.guardian_copy import copy_filename, render_copy

        with self.writing() as s:
            request = self._request_in_reach(s, actor, request_id)
            if request.kind not in ("access", "copy"):
                english, chinese = msg("request_not_copy")
                raise Conflict(english, chinese)
            child_file = self._child_file(s, request)
            data = render_copy(child_file)
            digest = hashlib.sha256(data).hexdigest()
            request.copy_sha256 = digest
            self._audit(s, actor, "guardian_request.copy", "guardian_request", request.request_id,
                        detail={"student_id": request.student_id, "records": len(child_file["records"]),
                                "flags": len(child_file["flags"]), "sha256": digest,
                                "concern_details": child_file["concern_details"]})  # fmt: skip
        return data, copy_filename(child_file)

    def _child_file(self, session, request: GuardianRequest) -> dict:
        """Everything the copy shows, decrypted and with other people's personal information left out."""
        student = session.get(Student, request.student_id)
        klass = session.get(SchoolClass, student.class_id)
        school = session.get(School, student.school_id)
        names = [name for name in self.pii_roster()[0] if name != student.display_name]
        own = {student.display_name, student.display_name[1:]}

        def clean(value):
            if isinstance(value, str):
                findings = [f for f in find_pii(value, names) if f.kind in REDACTED_KINDS and f.text not in own]
                return redact(value, findings)
            if isinstance(value, list):
                return [clean(item) for item in value]
            return value

        roles = self._author_roles(session, student)
        records = []
        for record in session.scalars(select(Record).where(Record.student_id == student.student_id,
                                                           Record.deleted_at.is_(None))
                                      .order_by(Record.event_date, Record.record_id)):  # fmt: skip
            records.append({"record_id": record.record_id, "kind": record.kind, "date": plain(record.event_date),
                            "author_role": roles.get(record.author, "教师"),
                            "created_at": plain(record.created_at), "updated_at": plain(record.updated_at),
                            "version": record.version or 1,
                            "fields": {k: clean(v) for k, v in record.fields.items() if k not in LEFT_OUT_FIELDS}})  # fmt: skip
        policy = self.privacy_options["copy_concern_details"]
        shown = FLAG_FULL_FIELDS if policy == "full" else FLAG_STATUS_FIELDS
        flags = []
        for flag in session.scalars(select(ConcernFlag).where(ConcernFlag.student_id == student.student_id)
                                    .order_by(ConcernFlag.flag_id)):  # fmt: skip
            full = flag.to_dict()
            flags.append({key: clean(full[key]) for key in shown})
        consents = [{"scope": c.scope, "policy_version": c.policy_version, "method": c.method,
                     "granted_at": plain(c.granted_at), "withdrawn_at": plain(c.withdrawn_at)}
                    for c in session.scalars(select(Consent).where(Consent.student_id == student.student_id)
                                             .order_by(Consent.consent_id))]  # fmt: skip
        return {"request_id": request.request_id, "request_kind": request.kind,
                "received_on": plain(request.received_on), "made_on": self.today().isoformat(),
                "student": {"display_name": student.display_name, "class_name": klass.name if klass else "",
                            "school_name": school.name if school else ""},
                "records": records, "flags": flags, "consents": consents, "concern_details": policy}  # fmt: skip

    def _author_roles(self, session, student: Student) -> dict[str, str]:
        """Authors of the child's records by role (导师, 班主任): staff are named by what they do for the child."""
        roles = {}
        klass = session.get(SchoolClass, student.class_id)
        for staff in session.scalars(select(Staff).where(Staff.school_id == student.school_id)):
            roles[staff.staff_id.lower()] = "班主任" if klass and klass.head_teacher_id == staff.staff_id else "导师"
        return roles


def access_ref(student: Student) -> access.StudentRef:
    return access.StudentRef(student.student_id, student.class_id, student.school_id)
