"""The matching panel's model: tables in, match, adjust, save. No ipywidgets here.

Students are listed by class and student_id only; the only per-student figure is which of the
student's own choices the primary mentor is (第1志愿 … 志愿外), never a score or a position.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from hub.matching import InputError, Instance, MatchingError, MentorRecord, Problem, StudentRecord
from hub.matching import messages as msg
from hub.matching.adjust import reassign, swap_primary
from hub.matching.engine import match
from hub.matching.io import (
    assignment_rows,
    assignment_writer,
    read_mentors,
    read_students,
    write_outputs,
)
from hub.matching.model import MAX_CAPACITY, ROLE_ALIASES, Assignment, choice_number
from hub.matching.report import build_report, choice_label, instance_summary
from hub.matching.verify import blocking_pairs, verify
from widgets import matching_texts as T


class MatchingModel:
    """State of one matching session for a school: the two tables, the result and its edits."""

    def __init__(self, default_capacity: int = MAX_CAPACITY):
        self.default_capacity = default_capacity
        self.student_records: list[StudentRecord] | None = None
        self.mentor_records: list[MentorRecord] | None = None
        self.students_source = T.UPLOAD_STUDENTS
        self.mentors_source = T.UPLOAD_MENTORS
        self._mentors_upload: tuple[str, bytes] | None = None
        self.instance: Instance | None = None
        self.assignment: Assignment | None = None

    # -- alternate constructors --------------------------------------------------------------
    @classmethod
    def from_files(cls, students: str | Path, mentors: str | Path, default_capacity: int = MAX_CAPACITY):
        model = cls(default_capacity)
        model.load_students(Path(students).name, Path(students).read_bytes())
        model.load_mentors(Path(mentors).name, Path(mentors).read_bytes())
        return model

    @classmethod
    def from_client(cls, client, default_capacity: int = MAX_CAPACITY):
        """Read students and staff through ``widgets.client.RecordsClient`` (``students()``, ``staff()``).

        Store rows carry no preferences yet: students and staff without ``prefs`` are matched on the
        mentor order and completeness rules alone (class teachers first, then the least loaded).
        """
        model = cls(default_capacity)
        students = _call(client, "students")
        staff = _call(client, "staff")
        model.student_records = [_student_from_dict(d) for d in students]
        model.mentor_records = [_mentor_from_dict(d, default_capacity) for d in staff]
        model.students_source = model.mentors_source = "records"
        return model

    # -- loading ------------------------------------------------------------------------------
    def load_students(self, name: str, data: bytes) -> int:
        self.student_records = read_students(name, data=data)
        self.students_source = Path(name).name
        self._forget_result()
        return len(self.student_records)

    def load_mentors(self, name: str, data: bytes) -> int:
        self.mentor_records = read_mentors(name, self.default_capacity, data=data)
        self.mentors_source = Path(name).name
        self._mentors_upload = (name, bytes(data))
        self._forget_result()
        return len(self.mentor_records)

    def load_workbook(self, name: str, data: bytes) -> tuple[int, int]:
        """One .xlsx with a 'students' and a 'mentors' sheet."""
        return self.load_students(name, data), self.load_mentors(name, data)

    def set_default_capacity(self, value: int) -> None:
        """A new default for blank capacity cells; re-reads an uploaded mentors table."""
        if not 1 <= value <= MAX_CAPACITY:
            text = msg.DEFAULT_CAPACITY_RANGE.format(max=MAX_CAPACITY, value=value)
            raise InputError([Problem(None, None, T.DEFAULT_CAPACITY, text)])
        self.default_capacity = value
        if self._mentors_upload:
            self.load_mentors(*self._mentors_upload)

    @property
    def ready(self) -> bool:
        return self.student_records is not None and self.mentor_records is not None

    def build(self) -> Instance:
        """Check the tables against each other (raises InputError naming file, row, column)."""
        self.instance = Instance.from_records(
            self.student_records or [], self.mentor_records or [], self.students_source, self.mentors_source
        )
        return self.instance

    def summary(self) -> dict[str, int]:
        return instance_summary(self.instance or self.build())

    # -- matching and results ------------------------------------------------------------------
    def run(self) -> dict:
        started = time.perf_counter()
        instance = self.build()
        self.assignment = match(instance)
        check = verify(instance, self.assignment)
        if not check.ok:  # never expected: the engine's result failed its independent check
            raise MatchingError("；".join(check.violations) or str(check.blocking_pairs))
        return build_report(instance, self.assignment, check.blocking_pairs, time.perf_counter() - started)

    def blocking_pairs(self) -> int:
        return blocking_pairs(self._instance(), self._assignment())[0]

    def classes(self) -> list[str]:
        return sorted(self._instance().class_ids)

    def result_rows(self, class_id: str | None = None) -> list[dict[str, str]]:
        """One row per student, by class then student_id: mentors and which own choice was obtained."""
        instance, assignment = self._instance(), self._assignment()
        mids = instance.mentor_ids
        rows = []
        for s, sid in enumerate(instance.student_ids):
            cls = instance.class_ids[instance.student_class[s]]
            if class_id and cls != class_id:
                continue
            rows.append(
                {
                    "student_id": sid,
                    "class_id": cls,
                    "primary": mids[assignment.primary[s]],
                    "choice": choice_label(choice_number(instance, assignment, s)),
                    "additional": "、".join(mids[m] for m in assignment.additional[s]),
                }
            )
        rows.sort(key=lambda r: (r["class_id"], r["student_id"]))
        return rows

    def mentor_rows(self) -> list[dict[str, str | int]]:
        instance = self._instance()
        loads = self._assignment().loads(instance.n_mentors)
        rows = [
            {
                "mentor_id": mid,
                "roles": "、".join(T.ROLE_NAMES.get(r, r) for r in sorted(instance.mentor_roles[m])),
                "capacity": instance.capacity[m],
                "load": loads[m],
            }
            for m, mid in enumerate(instance.mentor_ids)
        ]
        rows.sort(key=lambda r: r["mentor_id"])
        return rows

    # -- manual adjustments ----------------------------------------------------------------------
    def reassign(self, student_id: str, new_mentor_id: str, old_mentor_id: str | None = None) -> str:
        instance, before = self._instance(), self._assignment()
        s = instance.student_index.get(student_id.strip())
        self.assignment = reassign(instance, before, student_id, new_mentor_id, old_mentor_id)
        old = old_mentor_id or instance.mentor_ids[before.primary[s]]
        return T.REASSIGNED.format(student=student_id.strip(), old=old.strip(), new=new_mentor_id.strip())

    def swap(self, first_id: str, second_id: str) -> str:
        self.assignment = swap_primary(self._instance(), self._assignment(), first_id, second_id)
        return T.SWAPPED.format(first=first_id.strip(), second=second_id.strip())

    # -- saving --------------------------------------------------------------------------------
    def rows_to_save(self) -> list[tuple[str, str, str]]:
        return list(assignment_rows(self._instance(), self._assignment()))

    def save_file(self, path: str | Path) -> int:
        rows = self.rows_to_save()
        write_outputs([(path, assignment_writer(path, rows))])
        return len(rows)

    def save_to_client(self, client, term: str) -> int:
        """Save through ``client.save_assignments(term, rows)``; rows as the records service takes them:
        student_id, staff_id, kind and method (学生志愿 when the primary was a listed choice, else 学校调配)."""
        instance, assignment = self._instance(), self._assignment()
        rows = []
        for s, sid in enumerate(instance.student_ids):
            listed = choice_number(instance, assignment, s) is not None
            for m in assignment.mentors_of(s):
                kind = "primary" if m == assignment.primary[s] else "additional"
                method = T.METHOD_STUDENT_CHOICE if kind == "primary" and listed else T.METHOD_SCHOOL
                rows.append({"student_id": sid, "staff_id": instance.mentor_ids[m], "kind": kind, "method": method})
        _call(client, "save_assignments", term, rows)
        return len(rows)

    # -- helpers ---------------------------------------------------------------------------------
    def _forget_result(self) -> None:
        self.instance = None
        self.assignment = None

    def _instance(self) -> Instance:
        if self.instance is None or self.assignment is None:
            raise MatchingError(T.NEED_RESULT)
        return self.instance

    def _assignment(self) -> Assignment:
        self._instance()
        return self.assignment


def _call(client, method: str, *args):
    function = getattr(client, method, None)
    if function is None:
        raise MatchingError(T.CLIENT_MISSING_METHOD.format(method=method))
    return function(*args)


def _as_list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.replace("；", ";").split(";") if p.strip())
    if isinstance(value, Iterable):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return (str(value),)


def _student_from_dict(d: dict) -> StudentRecord:
    prefs = d.get("prefs", d.get("preferred_mentor_choices"))
    return StudentRecord(
        str(d["student_id"]), str(d.get("class_id") or ""), int(d.get("needs_mentors") or 1), _as_list(prefs)
    )


def _mentor_from_dict(d: dict, default_capacity: int) -> MentorRecord:
    capacity = d.get("capacity", d.get("max_mentees"))
    roles = frozenset(ROLE_ALIASES.get(r, r) for r in _as_list(d.get("roles")))
    return MentorRecord(
        str(d.get("mentor_id", d.get("staff_id"))),
        roles,
        int(capacity) if capacity not in (None, "") else default_capacity,
        _as_list(d.get("classes")),
        _as_list(d.get("prefs")),
    )
