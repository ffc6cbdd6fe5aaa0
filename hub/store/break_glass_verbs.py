"""Break-glass: a platform admin opens ONE student's file in an emergency (``POST break-glass``).

The request names the student, a ground from ``access.BREAK_GLASS_GROUNDS`` and a reason in the admin's own
words (at least ``BREAK_GLASS_REASON_MIN`` characters, and as many different ones as
``BREAK_GLASS_REASON_DISTINCT``). What the admin's break-glass scope reaches of that student -- the student,
their records, their concern flags (status only: break-glass never opens flag details) -- comes back in
one answer, and one audit row names the ground, the reason, the student and every record and flag it
showed, written in the same transaction as the read. Nothing else ever carries break-glass: no list,
no GET, no second student.
"""

from __future__ import annotations

from sqlalchemy import select

from . import access
from .access import Actor, BreakGlass
from .errors import Forbidden, Invalid
from .messages import msg
from .models import ConcernFlag, Record
from .practice import ref
from .validation import Text, clean_text, echo, invalid, validate_student_id

REQUEST_FIELDS = ("student_id", "ground", "reason")
REASON = Text(500, True, min_len=access.BREAK_GLASS_REASON_MIN)
AUDIT_ACTION = "break_glass.read"


def check_break_glass_request(payload) -> BreakGlass:
    """Pure: the request as a ``BreakGlass``, or ``Invalid`` naming the bad field."""
    if not isinstance(payload, dict):
        raise invalid("not_object")
    for name in payload:
        if name not in REQUEST_FIELDS:
            raise invalid("unknown_field", echo(name))
    student_id = validate_student_id(payload.get("student_id"))
    ground = payload.get("ground")
    if ground is None or ground == "":
        raise invalid("required", "ground")
    if not isinstance(ground, str) or ground not in access.BREAK_GLASS_GROUNDS:
        raise invalid("bad_choice", "ground", choices="、".join(
            f"{key}（{label}）" for key, label in access.BREAK_GLASS_GROUNDS.items()))  # fmt: skip
    reason = clean_text(payload.get("reason"), "reason", REASON)
    meaningful = {ch for ch in reason if ch.isalnum()}
    if len(meaningful) < access.BREAK_GLASS_REASON_DISTINCT:
        english, chinese = msg("break_glass_reason", limit=access.BREAK_GLASS_REASON_DISTINCT)
        raise Invalid(english, chinese, "reason")
    return BreakGlass(student_id, ground, reason)


class BreakGlassVerbs:
    """Mixin for ``RecordStore`` (uses ``PracticeVerbs``' ``_student_in_reach`` and ``_audit``)."""

    def find_break_glass(self, actor: Actor, payload) -> dict:
        """One student's file for an admin's stated emergency; one audit row. Refused (403) for anyone whose
        roles hold no break-glass scope, before anything is looked up."""
        if not access.may_break_glass(actor):
            english, chinese = msg("forbidden", action="break_glass")
            raise Forbidden(english, chinese)
        request = check_break_glass_request(payload)
        glass = actor.ordinary().with_break_glass(request)
        with self.writing() as s:
            student = self._student_in_reach(s, glass, access.STUDENT_READ, request.student_id)
            records, flags = [], []
            if access.permits(glass, access.RECORD_READ, ref(student)):
                records = list(s.scalars(select(Record).where(
                    Record.student_id == student.student_id, Record.deleted_at.is_(None))
                    .order_by(Record.event_date, Record.record_id)))  # fmt: skip
            if access.permits(glass, access.FLAG_READ_STATUS, ref(student)):
                details = access.permits(glass, access.FLAG_READ_DETAILS, ref(student))
                rows = s.scalars(select(ConcernFlag).where(ConcernFlag.student_id == student.student_id)
                                 .order_by(ConcernFlag.flag_id))  # fmt: skip
                flags = [flag.to_dict() if details else flag.status_dict() for flag in rows]
            label = access.BREAK_GLASS_GROUNDS[request.ground]
            self._audit(s, actor, AUDIT_ACTION, "student", student.student_id, reason=f"{label}：{request.reason}",
                        detail={"ground": request.ground, "student_ids": [student.student_id],
                                "record_ids": [r.record_id for r in records],
                                "flag_ids": [f["flag_id"] for f in flags]})  # fmt: skip
            return {"student": student.to_dict(), "records": [r.to_dict() for r in records], "flags": flags,
                    "ground": request.ground}  # fmt: skip
