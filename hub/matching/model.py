"""The matching instance: students and mentors as integer-indexed arrays.

Records (one per table row) are what readers produce; ``Instance.from_records`` checks them against
each other and builds the compact form the engine and the verifier work on. Students and mentors are
referred to by their position in the input (0..n-1); ids are only used at the edges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from hub.matching import messages as msg
from hub.matching.errors import InfeasibleError, InputError, Problem

MAX_CAPACITY = 15
PRIORITY_ROLES = frozenset({"head_teacher", "psychology", "leader", "middle_manager"})
#: Roles a school's staff list may also give a mentor (全员导师制: every staff member mentors); they give
#: no priority for students needing several mentors.
OTHER_ROLES = frozenset({"mentor", "school_admin", "studio_leader", "trainer", "admin"})
ALL_ROLES = PRIORITY_ROLES | {"subject"} | OTHER_ROLES
# Chinese role names accepted in the roles column, for tables kept by school staff.
ROLE_ALIASES = {
    "学科教师": "subject",
    "班主任": "head_teacher",
    "心理教师": "psychology",
    "校领导": "leader",
    "中层干部": "middle_manager",
    "导师": "mentor",
    "学校管理员": "school_admin",
    "德育处": "school_admin",
    "工作室主持人": "studio_leader",
    "培训者": "trainer",
    "平台管理员": "admin",
}


class StudentRecord(NamedTuple):
    """One row of the students table (``row`` as a spreadsheet numbers it, None if not from a file)."""

    student_id: str
    class_id: str
    needs_mentors: int = 1
    prefs: tuple[str, ...] = ()
    row: int | None = None
    name: str = ""  # for people reading results; never used for matching


class MentorRecord(NamedTuple):
    """One row of the mentors table."""

    mentor_id: str
    roles: frozenset[str] = frozenset()
    capacity: int = MAX_CAPACITY
    classes: tuple[str, ...] = ()
    prefs: tuple[str, ...] = ()
    row: int | None = None
    name: str = ""


@dataclass
class Instance:
    """A checked matching instance in integer-indexed form."""

    student_ids: list[str]
    student_class: list[int]
    needs: list[int]
    student_prefs: list[list[int]]
    class_ids: list[str]
    mentor_ids: list[str]
    mentor_roles: list[frozenset[str]]
    capacity: list[int]
    mentor_classes: list[frozenset[int]]
    mentor_prefs: list[list[int]]
    students_source: str = "students"
    mentors_source: str = "mentors"
    # Derived lookups, filled in __post_init__.
    student_index: dict[str, int] = field(init=False, repr=False)
    mentor_index: dict[str, int] = field(init=False, repr=False)
    mentor_pref_pos: list[dict[int, int]] = field(init=False, repr=False)
    student_tiebreak: list[int] = field(init=False, repr=False)
    mentor_tiebreak: list[int] = field(init=False, repr=False)
    priority: list[bool] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.student_index = {sid: i for i, sid in enumerate(self.student_ids)}
        self.mentor_index = {mid: i for i, mid in enumerate(self.mentor_ids)}
        self.mentor_pref_pos = [{s: pos for pos, s in enumerate(p)} for p in self.mentor_prefs]
        self.student_tiebreak = _string_order(self.student_ids)
        self.mentor_tiebreak = _string_order(self.mentor_ids)
        self.priority = [bool(r & PRIORITY_ROLES) for r in self.mentor_roles]

    @property
    def n_students(self) -> int:
        return len(self.student_ids)

    @property
    def n_mentors(self) -> int:
        return len(self.mentor_ids)

    def mentor_key(self, m: int, s: int) -> int:
        """How mentor ``m`` orders student ``s``: smaller is preferred; never equal for two students.

        Listed students first (in the mentor's order), then students of classes the mentor teaches,
        then everyone else; within the last two groups by student_id in plain string order.
        """
        pos = self.mentor_pref_pos[m].get(s)
        if pos is not None:
            return pos
        n = len(self.student_ids)
        if self.student_class[s] in self.mentor_classes[m]:
            return n + self.student_tiebreak[s]
        return 2 * n + self.student_tiebreak[s]

    @classmethod
    def from_records(
        cls,
        students: Sequence[StudentRecord],
        mentors: Sequence[MentorRecord],
        students_source: str = "students",
        mentors_source: str = "mentors",
    ) -> Instance:
        """Check the two tables against each other and build the instance, or raise InputError."""
        problems: list[Problem] = []
        if not students:
            problems.append(Problem(students_source, None, None, msg.NO_ROWS))
        if not mentors:
            problems.append(Problem(mentors_source, None, None, msg.NO_ROWS))
        mentor_index = _index_ids(mentors, "mentor_id", mentors_source, problems)
        student_index = _index_ids(students, "student_id", students_source, problems)

        class_index: dict[str, int] = {}
        student_class = [class_index.setdefault(r.class_id, len(class_index)) for r in students]
        needs, student_prefs = [], []
        for r in students:
            if r.needs_mentors < 1:
                text = msg.NEEDS_TOO_SMALL.format(value=r.needs_mentors)
                problems.append(Problem(students_source, r.row, "needs_mentors", text))
            elif r.needs_mentors > len(mentors):
                text = msg.NEEDS_TOO_MANY.format(value=r.needs_mentors, mentors=len(mentors))
                problems.append(Problem(students_source, r.row, "needs_mentors", text))
            needs.append(r.needs_mentors)
            student_prefs.append(
                _resolve_prefs(r.prefs, mentor_index, msg.UNKNOWN_MENTOR, students_source, r.row, problems)
            )

        capacity, mentor_classes, mentor_prefs, roles = [], [], [], []
        for r in mentors:
            if not 1 <= r.capacity <= MAX_CAPACITY:
                text = msg.CAPACITY_RANGE.format(max=MAX_CAPACITY, value=r.capacity)
                problems.append(Problem(mentors_source, r.row, "capacity", text))
            unknown = sorted(r.roles - ALL_ROLES)
            if unknown:
                allowed = "、".join(ROLE_ALIASES)
                text = msg.UNKNOWN_ROLE.format(role=unknown[0], allowed=allowed)
                problems.append(Problem(mentors_source, r.row, "roles", text))
            capacity.append(r.capacity)
            roles.append(frozenset(r.roles))
            mentor_classes.append(frozenset(class_index[c] for c in r.classes if c in class_index))
            mentor_prefs.append(
                _resolve_prefs(r.prefs, student_index, msg.UNKNOWN_STUDENT, mentors_source, r.row, problems)
            )
        if problems:
            raise InputError(problems)

        instance = cls(
            student_ids=[r.student_id for r in students],
            student_class=student_class,
            needs=needs,
            student_prefs=student_prefs,
            class_ids=list(class_index),
            mentor_ids=[r.mentor_id for r in mentors],
            mentor_roles=roles,
            capacity=capacity,
            mentor_classes=mentor_classes,
            mentor_prefs=mentor_prefs,
            students_source=students_source,
            mentors_source=mentors_source,
        )
        instance.check_feasible()
        return instance

    def check_feasible(self) -> None:
        """Refuse, naming the shortfall, when the capacity cannot cover every student's needs."""
        needed = sum(self.needs)
        total = sum(self.capacity)
        if needed > total:
            text = msg.SHORTFALL.format(needed=needed, capacity=total, missing=needed - total)
            raise InfeasibleError([Problem(self.mentors_source, None, "capacity", text)])
        special = sum(1 for k in self.needs if k >= 2)
        priority_capacity = sum(c for c, p in zip(self.capacity, self.priority, strict=True) if p)
        if special > priority_capacity:
            text = msg.PRIORITY_SHORTFALL.format(special=special, capacity=priority_capacity)
            raise InfeasibleError([Problem(self.mentors_source, None, "roles", text)])


def _string_order(ids: list[str]) -> list[int]:
    """Position of each id when all ids are put in plain string order (used only to break ties)."""
    order = [0] * len(ids)
    for pos, i in enumerate(sorted(range(len(ids)), key=ids.__getitem__)):
        order[i] = pos
    return order


def _index_ids(records, attr: str, source: str, problems: list[Problem]) -> dict[str, int]:
    index: dict[str, int] = {}
    first_row: dict[str, int | None] = {}
    for i, r in enumerate(records):
        value = getattr(r, attr)
        if not value:
            problems.append(Problem(source, r.row, attr, msg.ID_EMPTY))
        elif value in index:
            text = msg.ID_DUPLICATE.format(id=value, first_row=first_row[value])
            problems.append(Problem(source, r.row, attr, text))
        else:
            index[value] = i
            first_row[value] = r.row
    return index


def _resolve_prefs(prefs, index, unknown_text, source, row, problems) -> list[int]:
    try:
        resolved = [index[other] for other in prefs]
    except KeyError:
        pass
    else:
        if len(set(resolved)) == len(resolved):
            return resolved
    return _resolve_prefs_reporting(prefs, index, unknown_text, source, row, problems)


def _resolve_prefs_reporting(prefs, index, unknown_text, source, row, problems) -> list[int]:
    resolved: list[int] = []
    seen: set[int] = set()
    for other in prefs:
        i = index.get(other)
        if i is None:
            problems.append(Problem(source, row, "prefs", unknown_text.format(id=other)))
        elif i in seen:
            problems.append(Problem(source, row, "prefs", msg.PREF_DUPLICATE.format(id=other)))
        else:
            seen.add(i)
            resolved.append(i)
    return resolved


@dataclass
class Assignment:
    """The result: mentor indices per student.

    ``primary[s]`` is the primary mentor (-1 only while the engine runs), ``additional[s]`` the extra
    mentors of a student with special needs (empty for the others), ``filled[s]`` whether the primary
    was given from spare capacity outside the student's choices by the completeness step.
    """

    primary: list[int]
    additional: list[tuple[int, ...]]
    filled: list[bool]

    def copy(self) -> Assignment:
        return Assignment(list(self.primary), list(self.additional), list(self.filled))

    def mentors_of(self, s: int) -> tuple[int, ...]:
        return (self.primary[s], *self.additional[s])

    def loads(self, n_mentors: int) -> list[int]:
        """Total load (primary + additional) of every mentor."""
        load = [0] * n_mentors
        for m in self.primary:
            if m >= 0:
                load[m] += 1
        for extra in self.additional:
            for m in extra:
                load[m] += 1
        return load


def choice_number(instance: Instance, assignment: Assignment, s: int) -> int | None:
    """Which of the student's own choices the primary mentor is (1 = first), None if not listed."""
    try:
        return instance.student_prefs[s].index(assignment.primary[s]) + 1
    except ValueError:
        return None
