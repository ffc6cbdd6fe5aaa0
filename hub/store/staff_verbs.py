"""Staff verbs of the records store that answer a caller (``Actor``): the school's staff list that a school
administrator needs for mentor matching (GET staff).

Only actors whose roles reach ``access.STAFF_READ`` (school admins, their own school) see the list;
everybody else is refused with ``Forbidden``: staff lists are not something a mentor needs.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from . import access
from .access import Actor
from .directory import MENTORING_ROLES  # the roles that make a staff member a mentor
from .errors import Forbidden
from .messages import msg
from .models import SchoolClass, Staff, TeachingAssignment, split_roles


def staff_entry(staff: Staff, taught: list[str], headed: list[str]) -> dict:
    """Pure: one staff member as GET staff returns it. ``roles`` holds the mentoring roles only (the matching
    engine's vocabulary); platform roles on the same row (school_admin, studio_leader) are ``other_roles``."""
    roles = split_roles(staff.roles)
    mentoring = [r for r in roles if r in MENTORING_ROLES]
    return {
        "staff_id": staff.staff_id,
        "name": staff.name,
        "school_id": staff.school_id,
        "subject": staff.subject,
        "roles": mentoring,
        "other_roles": [r for r in roles if r not in MENTORING_ROLES],
        "mentor": bool(mentoring),
        "max_mentees": staff.max_mentees,
        "classes": sorted(taught),
        "head_teacher_of": sorted(headed),
    }


class StaffVerbs:
    """Mixin for ``RecordStore``."""

    def find_school_staff(self, actor: Actor) -> list[dict]:
        """Active staff of the schools the actor administers, by staff_id (no ranking of any kind)."""
        schools = access.reach(actor, access.STAFF_READ).school_ids
        if not schools:
            english, chinese = msg("forbidden", action=access.STAFF_READ)
            raise Forbidden(english, chinese)
        in_schools = sorted(schools)
        with self.reading() as s:
            members = list(s.scalars(select(Staff).where(Staff.school_id.in_(in_schools), Staff.active.is_(True))
                                     .order_by(Staff.staff_id)))  # fmt: skip
            taught, headed = defaultdict(list), defaultdict(list)
            for staff_id, class_id in s.execute(
                select(TeachingAssignment.staff_id, TeachingAssignment.class_id)
                .join(Staff, Staff.staff_id == TeachingAssignment.staff_id)
                .where(Staff.school_id.in_(in_schools))
            ):  # fmt: skip
                taught[staff_id].append(class_id)
            for staff_id, class_id in s.execute(
                select(SchoolClass.head_teacher_id, SchoolClass.class_id)
                .where(SchoolClass.school_id.in_(in_schools), SchoolClass.head_teacher_id.is_not(None))
            ):  # fmt: skip
                headed[staff_id].append(class_id)
        return [staff_entry(m, taught[m.staff_id], headed[m.staff_id]) for m in members]
