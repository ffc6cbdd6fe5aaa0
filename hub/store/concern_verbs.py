"""Concern verbs of the records store: the receiving side of a concern flag (关注与转介).

A mentor raises a flag (``PracticeVerbs.add_flag``) and from then on sees only its status. Whoever the access
table gives ``flag.read_details`` and ``flag.update`` for the student (the school's psychology teachers and
school leaders) works it through:

- ``find_flag_queue``: the school's flags, the ones still open first (not yet triaged, immediate risk, higher
  level, older), with student, raiser and assignee named; without the free-text details;
- ``find_flag``: one flag with its details, every step of its handling and who it may be assigned to;
- ``act_on_flag``: one step, ``action`` one of ``FLAG_ACTIONS``: ``triage`` (set the level), ``assign`` (to a
  colleague who may handle it, or oneself), ``follow_up`` (what was done), ``refer`` (outside the school),
  ``close`` (with an outcome), ``reopen``. Each step is a ``ConcernNote`` and an audit row.

Every read here is of concern details, so each request writes one ``flag.read_details`` audit row naming the
flags and students it reached; each step writes ``flag.<action>``. A flag outside the caller's reach is
``NotFound`` (never ``Forbidden``), as everywhere in the store.
"""

from __future__ import annotations

from sqlalchemy import select

from . import access
from .access import Actor
from .errors import Conflict, Invalid, NotFound
from .messages import msg
from .models import (
    FLAG_ACTIONS,
    Account,
    ConcernFlag,
    ConcernNote,
    SchoolClass,
    Staff,
    Student,
    split_roles,
    utcnow,
)
from .practice import ref
from .reach import reach_filter
from .validation import FLAG_ACTION_FIELDS, check_row_id, clean_fields, echo, invalid, validate_flag_level

#: Queue filters: a status, or these groups of statuses.
QUEUE_FILTERS = {"active": ("open", "monitoring", "referred"), "closed": ("closed",),
                 "all": ("open", "monitoring", "referred", "closed"),
                 "open": ("open",), "monitoring": ("monitoring",), "referred": ("referred",)}  # fmt: skip
#: Order of the queue: what nobody has looked at yet first.
STATUS_ORDER = {"open": 0, "monitoring": 1, "referred": 2, "closed": 3}
#: Steps that leave a flag that nobody had handled yet "being followed up".
HANDLING = ("triage", "assign", "follow_up")


def flag_not_found(flag_id) -> NotFound:
    english, chinese = msg("flag_not_found", value=echo(flag_id))
    return NotFound(english, chinese)


def queue_key(flag: ConcernFlag) -> tuple:
    return (STATUS_ORDER.get(flag.status, 9), not flag.immediate_risk, -flag.level, flag.raised_at, flag.flag_id)


class ConcernVerbs:
    """Mixin for ``RecordStore``."""

    # --- reading ------------------------------------------------------------------------------
    def find_flag_queue(self, actor: Actor, status: str = "active") -> list[dict]:
        """The flags whose details the actor may read, as a work queue (audited: one row per request)."""
        if status not in QUEUE_FILTERS:
            english, chinese = msg("bad_queue_status", choices="、".join(QUEUE_FILTERS))
            raise Invalid(english, chinese, "status")
        reach = access.reach(actor, access.FLAG_READ_DETAILS)
        if reach.empty or reach.everything:
            return []
        with self.writing() as s:  # writing: the read is audited in the same transaction
            rows = s.execute(select(ConcernFlag, Student).join(Student).where(
                reach_filter(reach), ConcernFlag.status.in_(QUEUE_FILTERS[status]))).all()  # fmt: skip
            rows.sort(key=lambda pair: queue_key(pair[0]))
            names = self._people_names(s, {f.raised_by for f, _ in rows} | {f.assigned_to for f, _ in rows})
            counts = self._note_counts(s, [f.flag_id for f, _ in rows])
            out = [self._queue_entry(flag, student, names, counts.get(flag.flag_id, 0)) for flag, student in rows]
            if out:
                self._audit_flag_read(s, actor, [f for f, _ in rows])
        return out

    def find_flag(self, actor: Actor, flag_id: int) -> dict:
        """One flag: with details, handling steps and possible assignees for those who may read its details
        (audited), its status only for those who may read that, else ``NotFound``."""
        with self.writing() as s:
            flag, student = self._flag_and_student(s, flag_id)
            if student is not None and access.permits(actor, access.FLAG_READ_DETAILS, ref(student)):
                self._audit_flag_read(s, actor, [flag])
                return self._flag_detail(s, actor, flag, student)
            if student is not None and access.permits(actor, access.FLAG_READ_STATUS, ref(student)):
                return {**flag.status_dict(), "student_name": student.display_name}
        raise flag_not_found(flag_id)

    # --- one step -----------------------------------------------------------------------------
    def act_on_flag(self, actor: Actor, flag_id: int, payload: dict) -> dict:
        """Do one step of the flag's handling (``payload["action"]`` and that step's fields); returns the flag
        as ``find_flag`` shows it."""
        if not isinstance(payload, dict):
            raise invalid("not_object")
        action = payload.get("action")
        if not isinstance(action, str) or action not in FLAG_ACTIONS:
            raise invalid("bad_choice", "action", choices="、".join(FLAG_ACTIONS))
        rest = {k: v for k, v in payload.items() if k not in ("action", "level")}
        fields = clean_fields(rest, FLAG_ACTION_FIELDS[action])
        level = validate_flag_level(payload.get("level")) if action == "triage" else None
        if action != "triage" and "level" in payload:
            raise invalid("unknown_field", "level")
        with self.writing() as s:
            flag, student = self._flag_and_student(s, flag_id)
            if student is None or not access.permits(actor, access.FLAG_UPDATE, ref(student)):
                raise flag_not_found(flag_id)
            assignee = self._assignee_actor(fields["assignee"]) if action == "assign" else None
            if action == "reopen" and flag.status != "closed":
                english, chinese = msg("flag_not_closed", value=flag.flag_id)
                raise Conflict(english, chinese, "action")
            if action != "reopen" and flag.status == "closed":
                english, chinese = msg("flag_closed", value=flag.flag_id)
                raise Conflict(english, chinese, "action")
            if assignee is not None and not access.permits(assignee, access.FLAG_UPDATE, ref(student)):
                english, chinese = msg("bad_assignee", value=echo(fields["assignee"]))
                raise Invalid(english, chinese, "assignee")
            detail = self._apply_step(flag, actor, action, fields, level)
            s.add(ConcernNote(flag_id=flag.flag_id, author=actor.username, at=flag.updated_at, action=action,
                              text=fields.get("note", ""), detail=detail))  # fmt: skip
            self._audit(s, actor, f"flag.{action}", "flag", flag.flag_id,
                        detail={"student_id": student.student_id, **detail})  # fmt: skip
            s.flush()
            return self._flag_detail(s, actor, flag, student)

    def _apply_step(self, flag: ConcernFlag, actor: Actor, action: str, fields: dict, level: int | None) -> dict:
        """Change the flag for one step; returns what the step's note and audit row record (no free text)."""
        now = utcnow()
        detail: dict = {}
        if action == "triage":
            detail = {"level_from": flag.level, "level_to": level}
            flag.level, flag.triaged_by, flag.triaged_at = level, actor.username, now
        elif action == "assign":
            detail = {"assignee": fields["assignee"], "previous": flag.assigned_to}
            flag.assigned_to = fields["assignee"]
        elif action == "follow_up":
            detail = {"follow_up_method": fields["follow_up_method"]}
        elif action == "refer":
            informed = fields.get("guardian_informed", False)
            detail = {"referred_out_to": fields["referred_out_to"], "guardian_informed": informed}
            flag.status, flag.referred_out_to, flag.referred_at = "referred", fields["referred_out_to"], now
            if informed and flag.guardian_informed_at is None:
                flag.guardian_informed_at = now
        elif action == "close":
            detail = {"outcome": fields["outcome"]}
            flag.status, flag.outcome, flag.closed_at = "closed", fields["outcome"], now
        elif action == "reopen":
            detail = {"outcome_before": flag.outcome}
            flag.status = "referred" if flag.referred_out_to else "monitoring"
            flag.outcome, flag.closed_at = "", None
        if action in HANDLING and flag.status == "open":
            flag.status = "monitoring"
        flag.updated_at = now
        return detail

    # --- helpers ------------------------------------------------------------------------------
    def _assignee_actor(self, username: str) -> Actor:
        actor = self.actor_for(username)
        if not actor.roles:  # no such account, or deactivated
            english, chinese = msg("bad_assignee", value=echo(username))
            raise Invalid(english, chinese, "assignee")
        return actor

    def _flag_and_student(self, s, flag_id) -> tuple[ConcernFlag, Student | None]:
        row_id = check_row_id(flag_id)
        flag = s.get(ConcernFlag, row_id) if row_id is not None else None
        if flag is None:
            raise flag_not_found(flag_id)
        student = s.get(Student, flag.student_id)
        return flag, student if student is not None and student.active else None

    def _audit_flag_read(self, s, actor: Actor, flags: list[ConcernFlag]) -> None:
        ids = [f.flag_id for f in flags]
        self._audit(s, actor, "flag.read_details", "flag", ",".join(map(str, ids))[:64],
                    detail={"flag_ids": ids, "student_ids": sorted({f.student_id for f in flags})})  # fmt: skip

    def _people_names(self, s, usernames) -> dict[str, str]:
        """Display names of hub users (the account's, else the staff row's), for the names that are known."""
        wanted = sorted(u for u in usernames if u)
        if not wanted:
            return {}
        names = {}
        for account, staff in s.execute(select(Account, Staff).outerjoin(Staff, Staff.staff_id == Account.staff_id)
                                        .where(Account.username.in_(wanted))).all():  # fmt: skip
            names[account.username] = account.display_name or (staff.name if staff else "") or account.username
        return names

    def _note_counts(self, s, flag_ids: list[int]) -> dict[int, int]:
        counts: dict[int, int] = {}
        for flag_id in s.scalars(select(ConcernNote.flag_id).where(ConcernNote.flag_id.in_(flag_ids))):
            counts[flag_id] = counts.get(flag_id, 0) + 1
        return counts

    def _queue_entry(self, flag: ConcernFlag, student: Student, names: dict, steps: int) -> dict:
        entry = {key: value for key, value in flag.to_dict().items() if key != "details"}
        return {**entry, "student_name": student.display_name, "class_id": student.class_id,
                "raised_by_name": names.get(flag.raised_by, flag.raised_by),
                "assigned_to_name": names.get(flag.assigned_to, flag.assigned_to or ""), "steps": steps}  # fmt: skip

    def _flag_detail(self, s, actor: Actor, flag: ConcernFlag, student: Student) -> dict:
        notes = list(s.scalars(select(ConcernNote).where(ConcernNote.flag_id == flag.flag_id)
                               .order_by(ConcernNote.at, ConcernNote.note_id)))  # fmt: skip
        handlers = self._flag_handlers(s, student)
        names = self._people_names(s, {flag.raised_by, flag.assigned_to, flag.triaged_by}
                                   | {n.author for n in notes} | {n.detail.get("assignee") for n in notes})
        klass = s.get(SchoolClass, student.class_id)
        return {
            **flag.to_dict(), "student_name": student.display_name, "class_id": student.class_id,
            "class_name": klass.name if klass else "", "raised_by_name": names.get(flag.raised_by, flag.raised_by),
            "assigned_to_name": names.get(flag.assigned_to, flag.assigned_to or ""),
            "notes": [{**note.to_dict(), "author_name": names.get(note.author, note.author),
                       "assignee_name": names.get(note.detail.get("assignee"), "")} for note in notes],
            "assignees": handlers,
        }  # fmt: skip

    def _flag_handlers(self, s, student: Student) -> list[dict]:
        """Who may be given this student's concerns: active accounts of the school's staff whose roles the
        access table lets update (and so read) the student's flags."""
        roles = {role for role, actions in access.POLICY.items()
                 if actions.get(access.FLAG_UPDATE) == access.OWN_SCHOOL}  # fmt: skip
        found = []
        for account, staff in s.execute(select(Account, Staff).join(Staff, Staff.staff_id == Account.staff_id).where(
                Staff.school_id == student.school_id, Staff.active.is_(True), Account.active.is_(True))
                .order_by(Account.username)).all():  # fmt: skip
            held = roles & (set(split_roles(staff.roles)) | set(split_roles(account.platform_roles)))
            if held:
                found.append({"username": account.username, "name": account.display_name or staff.name,
                              "roles": sorted(held)})  # fmt: skip
        return found
