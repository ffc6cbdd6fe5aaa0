"""Manual adjustments after a run (the school's 调配): reassign one mentor, or swap two primaries.

Each change is made on a copy and checked with the verifier's own rule checks (load within capacity,
distinct mentors, a priority role for students with special needs); a refused change raises
AdjustmentRefused with the Chinese reason and leaves the given assignment untouched.
"""

from __future__ import annotations

from hub.matching import messages as msg
from hub.matching.errors import AdjustmentRefused
from hub.matching.model import Assignment, Instance
from hub.matching.verify import rule_violations


def reassign(
    instance: Instance,
    assignment: Assignment,
    student_id: str,
    new_mentor_id: str,
    old_mentor_id: str | None = None,
) -> Assignment:
    """Give the student ``new_mentor_id`` in place of ``old_mentor_id`` (default: the primary)."""
    s = _student(instance, student_id)
    new = _mentor(instance, new_mentor_id)
    old = assignment.primary[s] if not old_mentor_id else _mentor(instance, old_mentor_id)
    if old not in assignment.mentors_of(s):
        raise AdjustmentRefused(
            msg.REFUSED.format(reason=msg.NOT_ASSIGNED.format(mentor=old_mentor_id, student=student_id))
        )
    if new == old:
        raise AdjustmentRefused(msg.REFUSED.format(reason=msg.SAME_MENTOR))
    changed = assignment.copy()
    if changed.primary[s] == old:
        changed.primary[s] = new
        changed.filled[s] = False
    else:
        changed.additional[s] = tuple(new if m == old else m for m in changed.additional[s])
    return _checked(instance, changed, [s], [new])


def swap_primary(instance: Instance, assignment: Assignment, first_id: str, second_id: str) -> Assignment:
    """Exchange the primary mentors of two students."""
    a, b = _student(instance, first_id), _student(instance, second_id)
    if a == b:
        raise AdjustmentRefused(msg.REFUSED.format(reason=msg.SAME_STUDENT))
    changed = assignment.copy()
    changed.primary[a], changed.primary[b] = assignment.primary[b], assignment.primary[a]
    changed.filled[a] = changed.filled[b] = False
    return _checked(instance, changed, [a, b], [changed.primary[a], changed.primary[b]])


def _checked(instance: Instance, changed: Assignment, students: list[int], mentors: list[int]) -> Assignment:
    problems = rule_violations(instance, changed, students=students, mentors=mentors)
    if problems:
        raise AdjustmentRefused(msg.REFUSED.format(reason="；".join(problems)))
    return changed


def _student(instance: Instance, student_id: str) -> int:
    s = instance.student_index.get((student_id or "").strip())
    if s is None:
        raise AdjustmentRefused(msg.REFUSED.format(reason=msg.UNKNOWN_STUDENT_ID.format(id=student_id)))
    return s


def _mentor(instance: Instance, mentor_id: str) -> int:
    m = instance.mentor_index.get((mentor_id or "").strip())
    if m is None:
        raise AdjustmentRefused(msg.REFUSED.format(reason=msg.UNKNOWN_MENTOR_ID.format(id=mentor_id)))
    return m
