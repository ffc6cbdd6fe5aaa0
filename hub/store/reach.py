"""What an actor reaches (``access.Reach``) as an SQL condition on students, for the verbs that list them."""

from __future__ import annotations

from sqlalchemy import or_

from . import access
from .models import Student


def reach_filter(reach: access.Reach):
    """SQL condition on ``Student`` equivalent to ``reach.covers``."""
    if reach.everything:
        return Student.student_id.is_not(None)
    return or_(
        Student.student_id.in_(sorted(reach.student_ids)),
        Student.class_id.in_(sorted(reach.class_ids)),
        Student.school_id.in_(sorted(reach.school_ids)),
    )
