"""The matching panel's model: tables in, match, adjust, preview and save. No ipywidgets here.

Students are listed by class and student_id only; the only per-student figure is which of the
student's own choices the primary mentor is (第1志愿 … 志愿外), never a score or a position.

Files only come in (uploads) and go out as bytes for the person's browser to download (``template_xlsx``,
``result_xlsx``): nothing is written to a folder, which every user's server may share. Saving to the records
service goes through a preview of what would change (``preview``), confirmed with ``confirm_save``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from hub.matching import InputError, Instance, MatchingError, MentorRecord, Problem, StudentRecord
from hub.matching import messages as msg
from hub.matching.adjust import reassign, swap_primary
from hub.matching.engine import match
from hub.matching.io import read_mentors, read_students, template_workbook
from hub.matching.model import MAX_CAPACITY, ROLE_ALIASES, Assignment, choice_number
from hub.matching.report import build_report, choice_label, instance_summary
from hub.matching.verify import blocking_pairs, verify
from hub.spreadsheets import xlsx_bytes
from widgets import matching_texts as T

TABLES = ("students", "mentors")


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
        #: what is wrong with each uploaded table (both are shown at once), and between the two
        self.problems: dict[str, list[Problem]] = {"students": [], "mentors": [], "both": []}
        #: names from the records service's directory (``set_directory``), overridden by names in the tables
        self.directory_students: list[dict] = []
        self.directory_staff: list[dict] = []
        self.student_names: dict[str, str] = {}
        self.mentor_names: dict[str, str] = {}
        self.pending: dict | None = None  # the preview waiting for confirmation, with its rows

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
        model.set_directory(students, staff)
        model.student_records = [_student_from_dict(d) for d in students]
        model.mentor_records = [_mentor_from_dict(d, default_capacity) for d in staff]
        model.students_source = model.mentors_source = "records"
        return model

    def set_directory(self, students: list[dict], staff: list[dict]) -> None:
        """The school's students (``student_id``, ``display_name``, ``class_id``) and staff (``staff_id``,
        ``name``, ``roles``, ``classes``, ``max_mentees``) as the records service lists them: names beside ids,
        and the rows of the template."""
        self.directory_students, self.directory_staff = list(students), list(staff)
        self.student_names = {str(d["student_id"]): d.get("display_name") or d.get("name") or "" for d in students}
        self.mentor_names = {str(d.get("staff_id", d.get("mentor_id"))): d.get("name") or "" for d in staff}

    # -- loading ------------------------------------------------------------------------------
    def load_students(self, name: str, data: bytes) -> int:
        """Read the students table; its problems are kept in ``problems["students"]`` and raised."""
        self._forget_result()
        self.students_source = Path(name).name
        self.student_records = None
        try:
            self.student_records = read_students(name, data=data)
        except InputError as error:
            self.problems["students"] = error.problems
            raise
        self.problems["students"] = []
        return len(self.student_records)

    def load_mentors(self, name: str, data: bytes) -> int:
        self._forget_result()
        self.mentors_source = Path(name).name
        self._mentors_upload = (name, bytes(data))
        self.mentor_records = None
        try:
            self.mentor_records = read_mentors(name, self.default_capacity, data=data)
        except InputError as error:
            self.problems["mentors"] = error.problems
            raise
        self.problems["mentors"] = []
        return len(self.mentor_records)

    def load_workbook(self, name: str, data: bytes) -> tuple[int | None, int | None]:
        """One .xlsx with a students sheet (学生/students) and a mentors sheet (导师/mentors): both are read,
        and the problems of both are raised together."""
        counts, problems = [], []
        for load in (self.load_students, self.load_mentors):
            try:
                counts.append(load(name, data))
            except InputError as error:
                counts.append(None)
                problems += error.problems
        if problems:
            raise InputError(problems)
        return counts[0], counts[1]

    def status(self, table: str) -> str:
        """One line on one table: not uploaded, read (how many), or how many problems."""
        records = self.student_records if table == "students" else self.mentor_records
        title = T.UPLOAD_STUDENTS if table == "students" else T.UPLOAD_MENTORS
        source = self.students_source if table == "students" else self.mentors_source
        if self.problems[table]:
            return T.TABLE_PROBLEMS.format(table=title, source=source, count=len(self.problems[table]))
        if records is None:
            return T.TABLE_MISSING.format(table=title)
        unit = T.UNIT_STUDENTS if table == "students" else T.UNIT_MENTORS
        return T.TABLE_READ.format(table=title, source=source if source != "records" else T.FROM_RECORDS,
                                   count=len(records), unit=unit)  # fmt: skip

    def problem_text(self) -> str:
        """Every problem known, table by table (empty when there is none)."""
        parts = []
        for table, title in (("students", T.UPLOAD_STUDENTS), ("mentors", T.UPLOAD_MENTORS), ("both", T.BOTH_TABLES)):
            if self.problems[table]:
                parts.append(T.PROBLEMS_OF.format(table=title, count=len(self.problems[table])) + "\n"
                             + InputError(self.problems[table]).render())  # fmt: skip
        return "\n".join(parts)

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
        try:
            self.instance = Instance.from_records(
                self.student_records or [], self.mentor_records or [], self.students_source, self.mentors_source
            )
        except InputError as error:
            self.problems["both"] = error.problems
            raise
        self.problems["both"] = []
        return self.instance

    def summary(self) -> dict[str, int]:
        return instance_summary(self.instance or self.build())

    # -- matching and results ------------------------------------------------------------------
    def run(self) -> dict:
        started = time.perf_counter()
        instance = self.build()
        self.pending = None
        self.assignment = match(instance)
        check = verify(instance, self.assignment)
        if not check.ok:  # never expected: the engine's result failed its independent check
            raise MatchingError("；".join(check.violations) or str(check.blocking_pairs))
        return build_report(instance, self.assignment, check.blocking_pairs, time.perf_counter() - started)

    def blocking_pairs(self) -> int:
        return blocking_pairs(self._instance(), self._assignment())[0]

    def classes(self) -> list[str]:
        return sorted(self._instance().class_ids)

    def student_name(self, student_id: str) -> str:
        return self._names()[0].get(student_id, "")

    def mentor_label(self, mentor_id: str) -> str:
        """``王老师（teacher3）``: the name beside the id, or the id alone when no name is known."""
        name = self._names()[1].get(mentor_id, "")
        return T.NAME_AND_ID.format(name=name, id=mentor_id) if name else mentor_id

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
                    "student_name": self.student_name(sid),
                    "class_id": cls,
                    "primary": self.mentor_label(mids[assignment.primary[s]]),
                    "choice": choice_label(choice_number(instance, assignment, s)),
                    "additional": "、".join(self.mentor_label(mids[m]) for m in assignment.additional[s]),
                }
            )
        rows.sort(key=lambda r: (r["class_id"], r["student_id"]))
        return rows

    def mentor_rows(self) -> list[dict[str, str | int]]:
        instance = self._instance()
        loads = self._assignment().loads(instance.n_mentors)
        names = self._names()[1]
        rows = [
            {
                "mentor_id": mid,
                "name": names.get(mid, ""),
                "roles": "、".join(T.ROLE_NAMES.get(r, r) for r in sorted(instance.mentor_roles[m])),
                "capacity": instance.capacity[m],
                "load": loads[m],
            }
            for m, mid in enumerate(instance.mentor_ids)
        ]
        rows.sort(key=lambda r: r["mentor_id"])
        return rows

    def _names(self) -> tuple[dict[str, str], dict[str, str]]:
        """(student names, mentor names): the directory's, then the tables' own name columns over them."""
        students = {**self.student_names, **{r.student_id: r.name for r in self.student_records or () if r.name}}
        mentors = {**self.mentor_names, **{r.mentor_id: r.name for r in self.mentor_records or () if r.name}}
        return students, mentors

    # -- manual adjustments ----------------------------------------------------------------------
    def reassign(self, student_id: str, new_mentor_id: str, old_mentor_id: str | None = None) -> str:
        instance, before = self._instance(), self._assignment()
        s = instance.student_index.get(student_id.strip())
        self.assignment = reassign(instance, before, student_id, new_mentor_id, old_mentor_id)
        self.pending = None
        old = old_mentor_id or instance.mentor_ids[before.primary[s]]
        return T.REASSIGNED.format(student=student_id.strip(), old=old.strip(), new=new_mentor_id.strip())

    def swap(self, first_id: str, second_id: str) -> str:
        self.assignment = swap_primary(self._instance(), self._assignment(), first_id, second_id)
        self.pending = None
        return T.SWAPPED.format(first=first_id.strip(), second=second_id.strip())

    # -- files for the browser ------------------------------------------------------------------
    def template_xlsx(self) -> bytes:
        """The two tables to fill in (Chinese headers, a sheet explaining each column), holding the school's
        students and mentors when the records service's directory is known."""
        students = [{"student_id": d["student_id"], "name": d.get("display_name", ""), "class_id": d.get("class_id", ""),
                     "needs_mentors": d.get("needs_mentors") or 1} for d in self.directory_students]  # fmt: skip
        mentors = [{"mentor_id": d.get("staff_id", d.get("mentor_id")), "name": d.get("name", ""),
                    "roles": [ROLE_ALIASES.get(r, r) for r in d.get("roles") or ()],
                    "capacity": d.get("max_mentees") or "", "classes": d.get("classes") or ()}
                   for d in self.directory_staff]  # fmt: skip
        return template_workbook(students, mentors)

    def result_xlsx(self) -> bytes:
        """This matching as a workbook: one row per student and mentor, names beside ids (formula-safe)."""
        instance, assignment = self._instance(), self._assignment()
        students, mentors = self._names()
        rows = []
        for row in self.rows_to_save():
            s = instance.student_index[row["student_id"]]
            rows.append([row["student_id"], students.get(row["student_id"], ""),
                         instance.class_ids[instance.student_class[s]], row["staff_id"],
                         mentors.get(row["staff_id"], ""), T.KIND_NAMES[row["kind"]],
                         choice_label(choice_number(instance, assignment, s)) if row["kind"] == "primary" else "",
                         row["method"]])  # fmt: skip
        return xlsx_bytes({T.RESULT_SHEET: (T.RESULT_COLUMNS, rows)})

    # -- saving to the records service -----------------------------------------------------------
    def rows_to_save(self) -> list[dict[str, str]]:
        """Rows as the records service takes them: student_id, staff_id, kind and method (学生志愿 when the
        primary was a listed choice, else 学校调配)."""
        instance, assignment = self._instance(), self._assignment()
        rows = []
        for s, sid in enumerate(instance.student_ids):
            listed = choice_number(instance, assignment, s) is not None
            for m in assignment.mentors_of(s):
                kind = "primary" if m == assignment.primary[s] else "additional"
                method = T.METHOD_STUDENT_CHOICE if kind == "primary" and listed else T.METHOD_SCHOOL
                rows.append({"student_id": sid, "staff_id": instance.mentor_ids[m], "kind": kind, "method": method})
        return rows

    def preview(self, client, term: str) -> dict:
        """Ask the service what saving this matching for ``term`` would change; kept for ``confirm_save``."""
        rows = self.rows_to_save()
        changes = _call(client, "preview_assignments", term, rows)
        self.pending = {"term": term, "rows": rows, "changes": changes}
        return changes

    def confirm_save(self, client) -> int:
        """Save what was previewed, refused by the service when the pairings changed since (someone saved)."""
        if self.pending is None:
            raise MatchingError(T.NEED_PREVIEW)
        pending, self.pending = self.pending, None
        _call(client, "save_assignments", pending["term"], pending["rows"], True, pending["changes"].get("basis"))
        return len(pending["rows"])

    # -- helpers ---------------------------------------------------------------------------------
    def _forget_result(self) -> None:
        self.instance = None
        self.assignment = None
        self.pending = None
        self.problems["both"] = []

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
        str(d["student_id"]), str(d.get("class_id") or ""), int(d.get("needs_mentors") or 1), _as_list(prefs),
        name=str(d.get("display_name") or ""),
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
        name=str(d.get("name") or ""),
    )
