"""Who may do what in a course, decided only from the caller's hub identity (pure functions).

- ``nbgrader-<course>`` members are the course's participants (teachers, nbgrader's "students");
- ``formgrade-<course>`` members (trainers, the ``grader-<course>`` account) and the hub service named
  exactly like the course (its formgrader) are the course's trainers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import texts
from .errors import Forbidden, NotFound


@dataclass(frozen=True)
class Caller:
    name: str
    groups: frozenset = field(default_factory=frozenset)
    is_service: bool = False

    @classmethod
    def from_hub_model(cls, model: dict) -> Caller:
        kind = model.get("kind", "user")
        return cls(name=model["name"], groups=frozenset(model.get("groups") or ()), is_service=kind == "service")

    def is_trainer(self, course: str) -> bool:
        if self.is_service:
            return self.name == course
        return f"formgrade-{course}" in self.groups

    def is_participant(self, course: str) -> bool:
        return not self.is_service and f"nbgrader-{course}" in self.groups

    def courses(self) -> dict[str, str]:
        """{course: "trainer" | "participant"} for every course the caller's groups name."""
        found = {}
        if self.is_service:
            return {self.name: "trainer"}
        for group in self.groups:
            prefix, _, course = group.partition("-")
            if course and prefix == "nbgrader":
                found.setdefault(course, "participant")
            elif course and prefix == "formgrade":
                found[course] = "trainer"
        return found


@dataclass(frozen=True)
class Policy:
    """The rules, with the set of known courses (None: any course a hub group names)."""

    known_courses: frozenset | None = None

    def check_course(self, course: str) -> None:
        if self.known_courses is not None and course not in self.known_courses:
            raise NotFound(texts.UNKNOWN_COURSE, course=course)

    def require_trainer(self, caller: Caller, course: str) -> None:
        self.check_course(course)
        if not caller.is_trainer(course):
            raise Forbidden(texts.NOT_TRAINER, course=course)

    def require_member(self, caller: Caller, course: str) -> None:
        """Trainer or participant: may see the released assignments."""
        self.check_course(course)
        if not (caller.is_trainer(course) or caller.is_participant(course)):
            raise Forbidden(texts.NOT_IN_COURSE, course=course)

    def require_participant(self, caller: Caller, course: str) -> None:
        self.check_course(course)
        if not caller.is_participant(course):
            raise Forbidden(texts.NOT_IN_COURSE, course=course)

    def require_owner_or_trainer(self, caller: Caller, course: str, student: str) -> None:
        self.require_member(caller, course)
        if not caller.is_trainer(course) and caller.name != student:
            raise Forbidden(texts.NOT_YOURS)

    def visible_courses(self, caller: Caller) -> dict[str, str]:
        courses = caller.courses()
        if self.known_courses is not None:
            courses = {c: role for c, role in courses.items() if c in self.known_courses}
        return courses
