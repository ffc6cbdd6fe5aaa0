"""Two-way mentor matching (双向匹配): engine, independent verifier, table I/O and the command.

Public API::

    from hub.matching.engine import match
    from hub.matching.verify import verify

    instance = Instance.from_records(students, mentors)   # or hub.matching.io.load_instance(...)
    assignment = match(instance)
    check = verify(instance, assignment)                   # check.ok, check.blocking_pairs

The package itself only exports the data model and exceptions, so that importing the command for
the `mentorhub` parser stays cheap (no numpy).
"""

from hub.matching.errors import AdjustmentRefused, InfeasibleError, InputError, MatchingError, Problem
from hub.matching.model import Assignment, Instance, MentorRecord, StudentRecord

__all__ = [
    "AdjustmentRefused",
    "Assignment",
    "InfeasibleError",
    "InputError",
    "Instance",
    "MatchingError",
    "MentorRecord",
    "Problem",
    "StudentRecord",
]

