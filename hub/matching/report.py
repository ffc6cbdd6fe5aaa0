"""Figures about a finished assignment, for the command's report.json and the widget's summary.

Nothing here orders students: the figures are counts over the whole school or district.
"""

from __future__ import annotations

from collections import Counter

from hub.matching import messages as msg
from hub.matching.model import Assignment, Instance, choice_number


def choice_label(number: int | None) -> str:
    """Chinese label of which own choice a student obtained: 第1志愿, 第2志愿, …, 志愿外."""
    return msg.CHOICE_OUTSIDE if number is None else msg.CHOICE_LABEL.format(n=number)


def choice_histogram(instance: Instance, assignment: Assignment) -> dict[str, int]:
    """How many students got their 1st, 2nd, … listed choice as primary; 'unlisted' for the rest."""
    counts = Counter(choice_number(instance, assignment, s) for s in range(instance.n_students))
    histogram = {str(k): counts[k] for k in sorted(k for k in counts if k is not None)}
    histogram["unlisted"] = counts.get(None, 0)
    return histogram


def instance_summary(instance: Instance) -> dict[str, int]:
    return {
        "students": instance.n_students,
        "mentors": instance.n_mentors,
        "capacity_total": sum(instance.capacity),
        "mentor_places_needed": sum(instance.needs),
        "special_needs_students": sum(1 for k in instance.needs if k >= 2),
        "students_without_prefs": sum(1 for p in instance.student_prefs if not p),
        "priority_role_mentors": sum(instance.priority),
    }


def build_report(instance: Instance, assignment: Assignment, blocking_pairs: int, seconds: float) -> dict:
    loads = assignment.loads(instance.n_mentors)
    report = instance_summary(instance)
    report.update(
        {
            "primary_rank_histogram": choice_histogram(instance, assignment),
            "filled_outside_prefs": sum(assignment.filled),
            "additional_assignments": sum(len(a) for a in assignment.additional),
            "blocking_pairs": blocking_pairs,
            "max_load": max(loads, default=0),
            "mentors_without_mentees": sum(1 for x in loads if x == 0),
            "seconds": round(seconds, 3),
        }
    )
    return report
