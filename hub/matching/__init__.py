"""Two-way mentor matching (双向匹配): engine, independent verifier, table I/O and the command.

Public API::

    instance = Instance.from_records(students, mentors)   # or io.load_instance(path, path)
    assignment = match(instance)
    check = verify(instance, assignment)                   # check.ok, check.blocking_pairs
"""

from hub.matching.engine import match
from hub.matching.errors import AdjustmentRefused, InfeasibleError, InputError, MatchingError, Problem
from hub.matching.model import Assignment, Instance, MentorRecord, StudentRecord
from hub.matching.verify import verify

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
    "match",
    "verify",
]
