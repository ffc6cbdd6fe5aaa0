"""排摸重点对象 (issue 20, part 5): each term the school's leaders and psychology teacher review which students
need focus, and the outcome feeds the 多对一 teams.

- Candidates (``find_focus_review``, ``access.FOCUS_REVIEW``: the school's leaders and psychology teacher):
  the school's active students with a concern flag not yet closed (its level and status, never its details),
  an active 多对一 team, or a mentor's nomination this term (who and why), and every student already decided
  this term. Ordered by class and student id (no ranking). Each read is one audit row naming the students.
- Nominations (``add_focus_nomination``, ``access.FOCUS_NOMINATE``: a mentor for their own mentee): a reason
  of 5 to 300 characters; one per mentor, student and term (a withdrawn one does not count). The mentor sees
  what they nominated (``find_my_nominations``) and whether it is still open, withdrawn or decided, not the
  outcome.
- Withdrawal (``withdraw_focus_nomination``, ``access.FOCUS_WITHDRAW``: the mentor who nominated, or the
  school's reviewers): only this term's nominations of a student not yet decided. The row is kept, marked
  with who withdrew it and when; the review no longer lists it. Anyone else gets "not found", as for a
  nomination that does not exist: a nomination says something about a student.
- Decisions (``decide_focus``): focus or not focus, with a note (required when not focus), one per student and
  term (deciding again replaces it; the audit log keeps every decision).
- ``start_focus_team``: for a student decided "focus", a 多对一 team (``TeamVerbs.add_support_team``, which
  needs ``SUPPORT_MANAGE``: a school leader) linked to the decision.

Reason and note are sealed at rest (``focus_models``). Every read and write is audited (``focus.*``), without
the texts.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from . import access
from .access import Actor
from .errors import Conflict, Invalid, NotFound
from .focus_models import FocusDecision, FocusNomination
from .messages import FIELD_LABELS
from .models import ConcernFlag, MentorTeam, Staff, Student, split_roles, utcnow
from .practice import forbidden, ref
from .team_models import SupportPlan
from .team_verbs import PRIORITY_ROLES, check_keys
from .validation import Text, check_row_id, clean_text, echo, validate_student_id

OUTCOMES = {"focus": "列为重点对象", "not_focus": "暂不列为重点对象"}
SOURCES = {"concern": "关注与转介", "support_team": "多对一导师组", "nomination": "导师提名"}
REASON = Text(300, True, 5)
NOTE = Text(500)
FIELD_LABELS.setdefault("outcome", "排摸结论")

FOCUS_TEXTS = {
    "bad_outcome": ("outcome must be focus or not_focus", "排摸结论只能是：列为重点对象、暂不列为重点对象"),
    "note_required": ("a note is required when a student is not made a focus student",
                      "暂不列为重点对象时请填写说明"),
    "nominated": ("you have already nominated this student this term", "您本学期已提名过该生，无需重复提名"),
    "not_candidate": ("student {value} is not decided as a focus student this term",
                      "学生 {value} 本学期尚未被列为重点对象，不能据此建立多对一导师组"),
    "has_team": ("student {value} already has a 多对一 team from this review", "学生 {value} 已据本次排摸建立了多对一导师组"),
    "one_school": ("the focus review is for the leaders of one school", "排摸重点对象由本校校领导和心理教师进行"),
    "nomination_not_found": ("nomination {value} not found", "找不到编号为 {value} 的提名"),
    "withdrawn": ("this nomination was already withdrawn", "该提名已经撤回"),
    "decided": ("the review has already decided on this student this term: the nomination can no longer be "
                "withdrawn", "本学期的排摸已对该生作出结论，提名不能再撤回"),
    "past_term": ("only this term's nominations can be withdrawn", "只能撤回本学期的提名"),
}
NOMINATION_STATUS = {"open": "待排摸", "decided": "已排摸", "withdrawn": "已撤回"}


def focus_error(cls, key: str, field: str | None = None, **values):
    english, chinese = FOCUS_TEXTS[key]
    return cls(english.format(**values), chinese.format(**values), field)


class FocusVerbs:
    """Mixin for ``RecordStore``."""

    def _focus_school(self, actor: Actor) -> str:
        schools = access.reach(actor, access.FOCUS_REVIEW).school_ids
        if len(schools) != 1:
            raise forbidden(access.FOCUS_REVIEW)
        return next(iter(schools))

    # --- a mentor's nominations -----------------------------------------------------------------------
    def add_focus_nomination(self, actor: Actor, payload) -> dict:
        payload = check_keys(payload, ("student_id", "reason"))
        student_id = validate_student_id(payload.get("student_id"))
        reason = clean_text(payload.get("reason") if payload.get("reason") is not None else "", "reason", REASON)
        term = self.current_term()
        with self.writing() as s:
            self._student_in_reach(s, actor, access.FOCUS_NOMINATE, student_id)
            earlier = s.scalar(select(FocusNomination.nomination_id).where(
                FocusNomination.term_id == term.term_id, FocusNomination.student_id == student_id,
                FocusNomination.nominated_by == actor.username, FocusNomination.withdrawn_at.is_(None)))  # fmt: skip
            if earlier is not None:
                raise focus_error(Conflict, "nominated", "student_id")
            row = FocusNomination(term_id=term.term_id, student_id=student_id, nominated_by=actor.username,
                                  reason=reason)  # fmt: skip
            s.add(row)
            s.flush()
            self._audit(s, actor, "focus.nominate", "student", student_id, detail={"nomination_id": row.nomination_id})
            return {"nomination_id": row.nomination_id, "term_id": term.term_id, "student_id": student_id,
                    "reason": reason, "created_at": row.created_at.isoformat()}  # fmt: skip

    def find_my_nominations(self, actor: Actor) -> list[dict]:
        """What the caller nominated this term (their own words) and each one's status: open, withdrawn, or
        decided (the review has concluded on the student; the outcome is the reviewers')."""
        term = self.current_term()
        with self.reading() as s:
            rows = list(s.scalars(select(FocusNomination).where(FocusNomination.term_id == term.term_id,
                                                                FocusNomination.nominated_by == actor.username)
                                  .order_by(FocusNomination.nomination_id)))  # fmt: skip
            decided = set(s.scalars(select(FocusDecision.student_id).where(
                FocusDecision.term_id == term.term_id, FocusDecision.student_id.in_({r.student_id for r in rows}))))
            return [nomination_dict(r, r.student_id in decided) for r in rows]

    def withdraw_focus_nomination(self, actor: Actor, nomination_id) -> dict:
        """Withdraw an open nomination of this term (the nominating mentor, or the school's reviewers); audited."""
        row_id = check_row_id(nomination_id)
        term = self.current_term()
        with self.writing() as s:
            row = s.get(FocusNomination, row_id) if row_id is not None else None
            student = s.get(Student, row.student_id) if row is not None else None
            if student is None or not (access.permits(actor, access.FOCUS_WITHDRAW, ref(student)) and (
                    row.nominated_by == actor.username or access.permits(actor, access.FOCUS_REVIEW, ref(student)))):
                raise focus_error(NotFound, "nomination_not_found", "nomination_id", value=echo(nomination_id)[:40])
            if row.withdrawn_at is not None:
                raise focus_error(Conflict, "withdrawn", "nomination_id")
            if row.term_id != term.term_id:
                raise focus_error(Conflict, "past_term", "nomination_id")
            decided = s.scalar(select(FocusDecision.decision_id).where(FocusDecision.term_id == row.term_id,
                                                                      FocusDecision.student_id == row.student_id))
            if decided is not None:
                raise focus_error(Conflict, "decided", "nomination_id")
            row.withdrawn_at, row.withdrawn_by = utcnow(), actor.username
            s.flush()
            self._audit(s, actor, "focus.withdraw", "student", row.student_id,
                        detail={"nomination_id": row.nomination_id, "term_id": row.term_id,
                                "nominated_by": row.nominated_by})  # fmt: skip
            return nomination_dict(row, False)

    # --- the review -----------------------------------------------------------------------------------
    def find_focus_review(self, actor: Actor) -> dict:
        """The term's candidates of the caller's school with their sources and the decision so far (audited)."""
        school_id = self._focus_school(actor)
        term = self.current_term()
        with self.writing() as s:
            students = {st.student_id: st for st in s.scalars(
                select(Student).where(Student.school_id == school_id, Student.active.is_(True)))}
            ids = sorted(students)
            sources: dict[str, dict] = defaultdict(lambda: {"sources": [], "nominations": []})
            for flag in s.scalars(select(ConcernFlag).where(ConcernFlag.student_id.in_(ids),
                                                            ConcernFlag.status != "closed")):  # fmt: skip
                entry = sources[flag.student_id]
                entry.setdefault("concerns", []).append({"level": flag.level, "status": flag.status,
                                                         "immediate_risk": bool(flag.immediate_risk)})
            teams = dict(s.execute(select(MentorTeam.student_id, MentorTeam.team_id)
                                   .join(SupportPlan, SupportPlan.team_id == MentorTeam.team_id)
                                   .where(MentorTeam.student_id.in_(ids), SupportPlan.status == "active")).all())
            for sid, team_id in teams.items():
                sources[sid]["support_team"] = team_id
            nominations = list(s.scalars(select(FocusNomination).where(
                FocusNomination.term_id == term.term_id, FocusNomination.student_id.in_(ids),
                FocusNomination.withdrawn_at.is_(None)).order_by(FocusNomination.nomination_id)))  # fmt: skip
            names = self._people_names(s, {n.nominated_by for n in nominations})
            for n in nominations:
                sources[n.student_id]["nominations"].append(
                    {"by": n.nominated_by, "by_name": names.get(n.nominated_by, n.nominated_by), "reason": n.reason,
                     "date": n.created_at.date().isoformat()})  # fmt: skip
            decisions = {d.student_id: d for d in s.scalars(select(FocusDecision).where(
                FocusDecision.term_id == term.term_id, FocusDecision.school_id == school_id))}
            for sid in decisions:  # a decided student stays listed
                if sid in students:
                    sources.setdefault(sid, {"sources": [], "nominations": []})
            rows = []
            for sid in sorted(sources, key=lambda x: (students[x].class_id, x)):
                entry, student = sources[sid], students[sid]
                kinds = [k for k, present in (("concern", entry.get("concerns")), ("support_team", "support_team" in entry),
                                              ("nomination", entry["nominations"])) if present]  # fmt: skip
                decision = decisions.get(sid)
                rows.append({"student_id": sid, "display_name": student.display_name, "class_id": student.class_id,
                             "sources": kinds, "concerns": entry.get("concerns", []),
                             "support_team_id": entry.get("support_team"), "nominations": entry["nominations"],
                             "decision": decision_dict(decision) if decision else None})  # fmt: skip
            self._audit(s, actor, "focus.read", "school", school_id,
                        detail={"term_id": term.term_id, "student_ids": [r["student_id"] for r in rows]})
            staff = self._team_staff(s, actor, school_id)
        return {"term_id": term.term_id, "school_id": school_id, "candidates": rows, "staff": staff,
                "may_start_team": bool(staff)}  # fmt: skip

    def _team_staff(self, s, actor: Actor, school_id: str) -> list[dict]:
        """The school's active staff (to choose a 多对一 team from), for those who may set teams up."""
        if school_id not in access.reach(actor, access.SUPPORT_MANAGE).school_ids:
            return []
        rows = s.scalars(select(Staff).where(Staff.school_id == school_id, Staff.active.is_(True))
                         .order_by(Staff.staff_id))  # fmt: skip
        out = [{"staff_id": r.staff_id, "name": r.name,
                "priority": bool(set(split_roles(r.roles)) & set(PRIORITY_ROLES))} for r in rows]  # fmt: skip
        return sorted(out, key=lambda r: (not r["priority"], r["staff_id"]))

    def decide_focus(self, actor: Actor, student_id: str, payload) -> dict:
        payload = check_keys(payload, ("outcome", "note"))
        outcome = payload.get("outcome")
        if not isinstance(outcome, str) or outcome not in OUTCOMES:
            raise focus_error(Invalid, "bad_outcome", "outcome")
        note = clean_text(payload.get("note") if payload.get("note") is not None else "", "note", NOTE)
        if outcome == "not_focus" and not note:
            raise focus_error(Invalid, "note_required", "note")
        student_id = validate_student_id(student_id)
        term = self.current_term()
        with self.writing() as s:
            student = self._student_in_reach(s, actor, access.FOCUS_REVIEW, student_id)
            row = s.scalar(select(FocusDecision).where(FocusDecision.term_id == term.term_id,
                                                       FocusDecision.student_id == student_id))  # fmt: skip
            previous = row.outcome if row is not None else None
            if row is None:
                row = FocusDecision(term_id=term.term_id, student_id=student_id, school_id=student.school_id,
                                    outcome=outcome, note=note, decided_by=actor.username)  # fmt: skip
                s.add(row)
            else:
                row.outcome, row.note, row.decided_by, row.decided_at = outcome, note, actor.username, utcnow()
            s.flush()
            self._audit(s, actor, "focus.decide", "student", student_id,
                        detail={"term_id": term.term_id, "outcome": outcome, "previous": previous})  # fmt: skip
            return decision_dict(row)

    def start_focus_team(self, actor: Actor, student_id: str, payload) -> dict:
        """A 多对一 team for a student decided "focus" this term (the body of ``add_support_team`` without
        ``student_id``; the reason defaults to 排摸重点对象), linked to the decision."""
        if not isinstance(payload, dict):
            payload = {}
        student_id = validate_student_id(student_id)
        term = self.current_term()
        with self.reading() as s:
            student = s.get(Student, student_id)
            if student is None or not access.permits(actor, access.FOCUS_REVIEW, ref(student)):
                raise NotFound(f"student {student_id} not found", f"找不到学生 {student_id}", "student_id")
            decision = s.scalar(select(FocusDecision).where(FocusDecision.term_id == term.term_id,
                                                            FocusDecision.student_id == student_id))  # fmt: skip
            if decision is None or decision.outcome != "focus":
                raise focus_error(Conflict, "not_candidate", "student_id", value=student_id)
            if decision.team_id is not None:
                raise focus_error(Conflict, "has_team", "student_id", value=student_id)
        body = {**payload, "student_id": student_id}
        body.setdefault("reason", "排摸重点对象")
        team = self.add_support_team(actor, body)  # its own checks: SUPPORT_MANAGE, members, one active team
        with self.writing() as s:
            row = s.get(FocusDecision, decision.decision_id)
            row.team_id = team["team_id"]
            self._audit(s, actor, "focus.team", "student", student_id, detail={"team_id": team["team_id"]})
        return {**team, "decision": decision_dict(row)}


def nomination_dict(row: FocusNomination, decided: bool) -> dict:
    status = "withdrawn" if row.withdrawn_at is not None else "decided" if decided else "open"
    return {"nomination_id": row.nomination_id, "student_id": row.student_id, "reason": row.reason,
            "created_at": row.created_at.isoformat(), "status": status, "status_text": NOMINATION_STATUS[status],
            "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
            "withdrawn_by": row.withdrawn_by}  # fmt: skip


def decision_dict(row: FocusDecision) -> dict:
    return {"outcome": row.outcome, "outcome_text": OUTCOMES[row.outcome], "note": row.note,
            "decided_by": row.decided_by, "decided_at": row.decided_at.isoformat(), "team_id": row.team_id}
