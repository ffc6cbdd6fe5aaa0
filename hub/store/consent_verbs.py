"""Guardians and consents (PIPL Art. 28 and 31: a child under 14's personal information is sensitive and
needs a guardian's consent).

The school office (``guardian.manage``: the school admin, own school) enters each student's guardians and
the guardians' consent per scope (``CONSENT_SCOPES``): the version of the privacy notice the guardian was
shown, how the consent was given, and later its withdrawal. Consents are never changed or removed: a
withdrawal is dated and signed, a new consent is a new row.

What the consents decide, for a student under 14 on the day of the write (``Student.under_14``):
- every practice record needs ``mentor_records``; a home visit also needs ``home_visit``;
- a concern flag referred outside the school (``referred_to`` 医疗机构) needs ``referral``, unless it states an
  immediate safety risk (protecting a child's life needs no consent; the flag's raise is audited anyway);
- an edit of a record needs the same consents as writing it (after a withdrawal, nothing more is written);
  deleting needs none.
A write without the consent is refused (``ConsentMissing``, 403) with a Chinese message naming the scope
and what to do. A student of 14 or older may be recorded without a guardian's consent; a student whose
birth month the roster does not give is listed as "age unknown" on the school office's list of missing
consents, so that the office completes the roster.

Mentors, head teachers and school leaders see, for the students they may read, what may be recorded
(``consent.read``: scope by scope, given / withdrawn / missing / not needed), without guardians' names or
contacts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from . import access
from .access import Actor
from .errors import Conflict, Forbidden, NotFound
from .messages import msg
from .models import Consent, Guardian, Student, plain, utcnow
from .reach import reach_filter
from .validation import (
    Choice,
    Flag,
    Text,
    check_row_id,
    check_text,
    clean_fields,
    echo,
    invalid,
    validate_student_id,
)

CONSENT_SCOPES = {"mentor_records": "导师记录（谈心、寄语、指导、家校沟通等）", "home_visit": "家访记录",
                  "referral": "校外转介（医疗机构）"}  # fmt: skip
SCOPE_SHORT = {"mentor_records": "导师记录", "home_visit": "家访", "referral": "校外转介"}
CONSENT_METHODS = ("书面签字", "平台确认", "当面确认并登记")
GUARDIAN_RELATIONS = ("父亲", "母亲", "祖父", "祖母", "外祖父", "外祖母", "其他监护人")
REFERRAL_OUTSIDE = "医疗机构"

GUARDIAN_FIELDS = {"relation": Choice(GUARDIAN_RELATIONS, True), "name": Text(50, True), "is_primary": Flag()}
CONTACT_LIMIT = 100
CONSENT_FIELDS = {"scope": Choice(tuple(CONSENT_SCOPES), True), "policy_version": Text(20, True),
                  "given_via": Choice(CONSENT_METHODS, True)}  # fmt: skip
WITHDRAWAL_FIELDS = {"withdrawn_via": Choice(CONSENT_METHODS, True)}

GIVEN, WITHDRAWN, MISSING, NOT_NEEDED = "given", "withdrawn", "missing", "not_needed"


def scopes_for_record(kind: str) -> tuple[str, ...]:
    return ("mentor_records", "home_visit") if kind == "home_visit" else ("mentor_records",)


def scopes_for_flag(fields: dict) -> tuple[str, ...]:
    if fields.get("referred_to") == REFERRAL_OUTSIDE and not fields.get("immediate_risk"):
        return ("referral",)
    return ()


class ConsentMissing(Forbidden):
    """A write for a student under 14 without the guardian's consent for its scope."""

    def __init__(self, scope: str, withdrawn: bool):
        key = "consent_withdrawn" if withdrawn else "consent_missing"
        english, chinese = msg(key, scope=scope, label=SCOPE_SHORT[scope])
        super().__init__(english, chinese, "consent")
        self.scope = scope


def scope_states(consents: list[Consent], needed: bool) -> dict[str, dict]:
    """Scope -> {status, policy_version, method, granted_at, withdrawn_at} from a student's consent rows."""
    states = {}
    for scope in CONSENT_SCOPES:
        rows = sorted((c for c in consents if c.scope == scope), key=lambda c: (c.granted_at, c.consent_id))
        latest = rows[-1] if rows else None
        if latest is not None and latest.withdrawn_at is None:
            status = GIVEN
        elif not needed:
            status = NOT_NEEDED
        else:
            status = WITHDRAWN if latest is not None else MISSING
        states[scope] = {"status": status,
                         "policy_version": latest.policy_version if latest else None,
                         "method": latest.method if latest else None,
                         "granted_at": plain(latest.granted_at) if latest else None,
                         "withdrawn_at": plain(latest.withdrawn_at) if latest else None}  # fmt: skip
    return states


class ConsentVerbs:
    """Mixin for ``RecordStore`` (uses ``PracticeVerbs``' ``_student_in_reach`` and ``_audit``)."""

    # --- the check every write makes ------------------------------------------------------------
    def _consent_state(self, student_id: str) -> tuple[bool, dict[str, bool]]:
        """(consent needed, scope -> ever given) and the active scopes, cached like callers are."""

        def load():
            with self.reading() as s:
                student = s.get(Student, student_id)
                rows = list(s.scalars(select(Consent).where(Consent.student_id == student_id)))
            needed = bool(student is not None and student.under_14(self.today()))
            states = scope_states(rows, needed)
            return needed, {scope: state["status"] for scope, state in states.items()}

        return self.cached(("consent", student_id, self.today()), load)

    def require_consent(self, student_id: str, scopes) -> None:
        """Raise ``ConsentMissing`` naming the first scope the student's guardian has not (or no longer)
        agreed to, when the student is under 14."""
        needed, states = self._consent_state(student_id)
        if not needed:
            return
        for scope in scopes:
            if states[scope] != GIVEN:
                raise ConsentMissing(scope, withdrawn=states[scope] == WITHDRAWN)

    # --- the school office ----------------------------------------------------------------------
    def _managed_student(self, session, actor: Actor, student_id) -> Student:
        student_id = validate_student_id(student_id)
        return self._student_in_reach(session, actor, access.GUARDIAN_MANAGE, student_id)

    def add_guardian(self, actor: Actor, payload) -> Guardian:
        if not isinstance(payload, dict):
            raise invalid("not_object")
        rest = {k: v for k, v in payload.items() if k not in ("student_id", "contact_channel")}
        fields = clean_fields(rest, GUARDIAN_FIELDS)
        contact = clean_contact(payload.get("contact_channel", ""))
        with self.writing() as s:
            student = self._managed_student(s, actor, payload.get("student_id"))
            guardian = Guardian(student_id=student.student_id, relation=fields["relation"], name=fields["name"],
                                contact_channel=contact, is_primary=fields.get("is_primary", False),
                                recorded_by=actor.username, created_at=utcnow())  # fmt: skip
            s.add(guardian)
            s.flush()
            self._audit(s, actor, "guardian.add", "guardian", guardian.guardian_id,
                        detail={"student_id": student.student_id})  # fmt: skip
        return guardian

    def find_guardians(self, actor: Actor, student_id) -> list[dict]:
        """The student's guardians with their contact channel and consents (school office only; audited, since
        it shows contacts)."""
        with self.writing() as s:
            student = self._managed_student(s, actor, student_id)
            guardians = list(s.scalars(select(Guardian).where(Guardian.student_id == student.student_id)
                                       .order_by(Guardian.guardian_id)))  # fmt: skip
            consents = list(s.scalars(select(Consent).where(Consent.student_id == student.student_id)
                                      .order_by(Consent.consent_id)))  # fmt: skip
            self._audit(s, actor, "guardian.read", "student", student.student_id,
                        detail={"student_ids": [student.student_id], "guardian_ids": [g.guardian_id for g in guardians]})
        return [{**g.to_dict(), "consents": [c.to_dict() for c in consents if c.guardian_id == g.guardian_id]}
                for g in guardians]  # fmt: skip

    def add_consent(self, actor: Actor, payload) -> Consent:
        """A guardian's consent to one scope, as the school office received it."""
        if not isinstance(payload, dict):
            raise invalid("not_object")
        rest = {k: v for k, v in payload.items() if k not in ("student_id", "guardian_id", "granted_on")}
        fields = clean_fields(rest, CONSENT_FIELDS)
        granted = parse_granted_on(payload.get("granted_on"), self.today())
        with self.writing() as s:
            student = self._managed_student(s, actor, payload.get("student_id"))
            guardian_id = check_row_id(payload.get("guardian_id"))
            guardian = s.get(Guardian, guardian_id) if guardian_id is not None else None
            if guardian is None or guardian.student_id != student.student_id:
                english, chinese = msg("guardian_not_found", value=echo(payload.get("guardian_id")))
                raise NotFound(english, chinese, "guardian_id")
            active = s.scalars(select(Consent).where(
                Consent.student_id == student.student_id, Consent.scope == fields["scope"],
                Consent.withdrawn_at.is_(None))).first()  # fmt: skip
            if active is not None:
                english, chinese = msg("consent_exists", label=SCOPE_SHORT[fields["scope"]])
                raise Conflict(english, chinese, "scope")
            consent = Consent(student_id=student.student_id, guardian_id=guardian.guardian_id,
                              scope=fields["scope"], policy_version=fields["policy_version"],
                              method=fields["given_via"], granted_at=granted, recorded_by=actor.username)  # fmt: skip
            s.add(consent)
            s.flush()
            self._audit(s, actor, "consent.give", "consent", consent.consent_id,
                        detail={"student_id": student.student_id, "scope": consent.scope,
                                "policy_version": consent.policy_version, "method": consent.method})  # fmt: skip
        self.forget_cached()
        return consent

    def withdraw_consent(self, actor: Actor, consent_id, payload) -> Consent:
        """The guardian withdraws a consent: dated and signed, never removed. Records already written stay
        (a deletion is a guardian's request of its own); from now on nothing of that scope is written."""
        if not isinstance(payload, dict):
            raise invalid("not_object")
        fields = clean_fields(payload, WITHDRAWAL_FIELDS)
        with self.writing() as s:
            row_id = check_row_id(consent_id)
            consent = s.get(Consent, row_id) if row_id is not None else None
            student = s.get(Student, consent.student_id) if consent is not None else None
            if consent is None or not access.permits(actor, access.GUARDIAN_MANAGE, access_ref(student)):
                english, chinese = msg("consent_not_found", value=str(consent_id)[:40])
                raise NotFound(english, chinese)
            if consent.withdrawn_at is not None:
                english, chinese = msg("consent_already_withdrawn")
                raise Conflict(english, chinese)
            consent.withdrawn_at, consent.withdrawn_by = utcnow(), actor.username
            consent.withdrawal_method = fields["withdrawn_via"]
            self._audit(s, actor, "consent.withdraw", "consent", consent.consent_id,
                        detail={"student_id": consent.student_id, "scope": consent.scope})  # fmt: skip
        self.forget_cached()
        return consent

    def import_guardians(self, rows: list[dict], recorded_by: str) -> dict[str, int]:
        """Administrative (the roster's guardians, the demo): guardians with their consents, in ONE transaction.

        Each row: student_id, relation, name, contact_channel, is_primary and ``consents``, a list of
        {scope, policy_version, given_via, granted_on}. A guardian already there (same student, relation and
        name) is kept; a consent is added only when the scope has none in force. Returns counts; one audit
        row names them (no names, no contacts)."""
        counts = {"guardians": 0, "consents": 0, "unchanged": 0}
        with self.writing() as s:
            for row in rows:
                guardian = s.scalars(select(Guardian).where(
                    Guardian.student_id == row["student_id"], Guardian.relation == row["relation"],
                    Guardian.name == row["name"])).first()  # fmt: skip
                if guardian is None:
                    guardian = Guardian(student_id=row["student_id"], relation=row["relation"], name=row["name"],
                                        contact_channel=row.get("contact_channel", ""),
                                        is_primary=bool(row.get("is_primary")), recorded_by=recorded_by,
                                        created_at=utcnow())  # fmt: skip
                    s.add(guardian)
                    s.flush()
                    counts["guardians"] += 1
                else:
                    counts["unchanged"] += 1
                for given in row.get("consents", ()):
                    active = s.scalars(select(Consent.consent_id).where(
                        Consent.student_id == row["student_id"], Consent.scope == given["scope"],
                        Consent.withdrawn_at.is_(None))).first()  # fmt: skip
                    if active is None:
                        s.add(Consent(student_id=row["student_id"], guardian_id=guardian.guardian_id,
                                      scope=given["scope"], policy_version=given["policy_version"],
                                      method=given["given_via"], recorded_by=recorded_by,
                                      granted_at=parse_granted_on(given.get("granted_on"), self.today())))  # fmt: skip
                        counts["consents"] += 1
            self._audit(s, recorded_by, "guardian.import", "guardians", "", detail=dict(counts))
        self.forget_cached()
        return counts

    # --- who may record what ----------------------------------------------------------------------
    def find_consents(self, actor: Actor, student_id: str | None = None) -> list[dict]:
        """For each student the caller may read (``consent.read``), by class and id: whether a guardian's
        consent is needed and, scope by scope, its status. No guardian names or contacts."""
        reach = access.reach(actor, access.CONSENT_READ)
        if reach.empty or reach.everything:
            return []
        query = select(Student).where(Student.active.is_(True), reach_filter(reach))
        if student_id is not None:
            query = query.where(Student.student_id == validate_student_id(student_id))
        with self.reading() as s:
            students = list(s.scalars(query.order_by(Student.class_id, Student.student_id)))
            ids = [st.student_id for st in students]
            consents = list(s.scalars(select(Consent).where(Consent.student_id.in_(ids)))) if ids else []
        by_student: dict[str, list[Consent]] = {}
        for consent in consents:
            by_student.setdefault(consent.student_id, []).append(consent)
        today = self.today()
        out = []
        for student in students:
            under_14 = student.under_14(today)
            out.append({"student_id": student.student_id, "display_name": student.display_name,
                        "class_id": student.class_id, "under_14": under_14, "needed": bool(under_14),
                        "scopes": scope_states(by_student.get(student.student_id, []), bool(under_14))})  # fmt: skip
        return out

    def find_missing_consents(self, actor: Actor) -> list[dict]:
        """The school office's list: students of its school under 14 with a scope not (or no longer) agreed
        to, and students whose age the roster does not give, by class and id."""
        if not access.reach(actor, access.GUARDIAN_MANAGE).school_ids:
            english, chinese = msg("forbidden", action=access.GUARDIAN_MANAGE)
            raise Forbidden(english, chinese)
        missing = []
        for row in self.find_consents(actor.ordinary()):
            if row["under_14"] is None:
                missing.append({**row, "reason": "age_unknown", "missing": []})
                continue
            lacking = [scope for scope, state in row["scopes"].items() if state["status"] in (MISSING, WITHDRAWN)]
            if lacking:
                missing.append({**row, "reason": "consent", "missing": lacking})
        return missing


def clean_contact(value) -> str:
    """A guardian's contact channel (a phone number or an app id; encrypted at rest): text, at most 100."""
    if value is None or value == "":
        return ""
    value = check_text(value, "contact_channel").strip()
    if len(value) > CONTACT_LIMIT:
        raise invalid("too_long", "contact_channel", limit=CONTACT_LIMIT)
    return value


def parse_granted_on(value, today: dt.date) -> dt.datetime:
    """When the consent was given (a date, not after today; default now)."""
    if value is None or value == "":
        return utcnow()
    from .validation import parse_day

    day = parse_day(value, "granted_on")
    if day > today:
        raise invalid("future_date", "granted_on")
    return dt.datetime.combine(day, dt.time())


def access_ref(student: Student) -> access.StudentRef:
    return access.StudentRef(student.student_id, student.class_id, student.school_id)
