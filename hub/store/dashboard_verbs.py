"""Research-dashboard aggregates from the records database (de-identified; small cells suppressed).

A handful of column-only queries feed one pandas pass each (``hub.cases.dashboards``); what leaves the
store are group-level tables: no student id, no name, no row per student, nothing sorted by a figure.
Groups of fewer than ``dashboards.MIN_CELL`` students have their figures blanked (``null``).
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import func, select

from hub.cases import dashboards, texts

from . import access
from .access import Actor
from .errors import Forbidden
from .models import AuditLog, ConcernFlag, Record, School, SchoolClass, Student
from .studio_verbs import service_error

#: store record kinds -> the dashboard's 三个一 kinds
KIND_NAMES = {"home_visit": "home_visit", "talk": "talk", "growth_message": "message"}


def table_rows(table: pd.DataFrame) -> list[dict]:
    """JSON-ready rows; blanked (suppressed) figures become ``None``."""
    return json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso"))


def exam_dates_of(term) -> list[str]:
    """The term's key time points that are exams (期中, 期末, …)."""
    return [point["date"] for point in term.key_timepoints or []
            if any(word in point.get("name", "") for word in texts.EXAM_TIMEPOINT_WORDS)]  # fmt: skip


class DashboardVerbs:
    """Mixin for ``RecordStore``."""

    def _aggregate_schools(self, actor: Actor) -> list[str] | None:
        """None for the whole district; else the schools the caller's aggregate scope covers."""
        reach = access.reach(actor, access.AGGREGATE_READ)
        if reach.everything:
            return None
        if reach.school_ids:
            return sorted(reach.school_ids)
        raise service_error(Forbidden, "aggregates_forbidden")

    def dashboard_frames(self, term, schools: list[str] | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(students, records, flags) frames with pseudonymous ids, school and class *names* as groups."""
        where = [Student.active.is_(True)] + ([Student.school_id.in_(schools)] if schools is not None else [])
        with self.reading() as s:
            school_names = dict(s.execute(select(School.school_id, School.name)).all())
            class_names = dict(s.execute(select(SchoolClass.class_id, SchoolClass.name)).all())
            student_rows = s.execute(select(Student.school_id, Student.class_id, Student.student_id).where(*where)).all()
            record_rows = s.execute(
                select(Student.school_id, Student.class_id, Record.student_id, Record.kind, Record.event_date,
                       Record.fields).join(Student, Student.student_id == Record.student_id)
                .where(Record.term_id == term.term_id, Record.deleted_at.is_(None), *where)
            ).all()  # fmt: skip
            flag_rows = s.execute(
                select(Student.school_id, ConcernFlag.student_id, ConcernFlag.flag_id, ConcernFlag.raised_at)
                .join(Student, Student.student_id == ConcernFlag.student_id)
                .where(func.date(ConcernFlag.raised_at) >= term.start_date, *where)
            ).all()  # fmt: skip
            first_follow_up = dict(s.execute(
                select(AuditLog.entity_id, func.min(AuditLog.at))
                .where(AuditLog.action == "flag.update").group_by(AuditLog.entity_id)
            ).all())  # fmt: skip

        def school(school_id):
            return school_names.get(school_id, school_id)

        def klass(class_id):
            return class_names.get(class_id) or class_id

        students = pd.DataFrame([(school(a), klass(b), c) for a, b, c in student_rows],
                                columns=["school", "class", "student"])  # fmt: skip
        records = pd.DataFrame(
            [(school(a), klass(b), c, KIND_NAMES.get(kind, kind), pd.Timestamp(day),
              list(fields.get("domains") or fields.get("guidance_domains") or []))
             for a, b, c, kind, day, fields in record_rows],
            columns=["school", "class", "student", "kind", "date", "domains"],
        )  # fmt: skip
        flags = pd.DataFrame(
            [(school(a), b, raised, first_follow_up.get(str(flag_id))) for a, b, flag_id, raised in flag_rows],
            columns=["school", "student", "raised_at", "followed_up_at"],
        )  # fmt: skip
        records["date"] = pd.to_datetime(records["date"])
        return students, records, flags

    def find_dashboards(self, actor: Actor, term_id: str | None = None) -> dict:
        """The research dashboards of one term (default: current) for the caller's aggregate scope."""
        schools = self._aggregate_schools(actor)
        term = self.find_term(term_id) if term_id else self.current_term()
        students, records, flags = self.dashboard_frames(term, schools)
        tables = {
            "tri_one": dashboards.tri_one_completion(students, records),
            "domains": dashboards.domain_distribution(records),
            "follow_up": dashboards.follow_up_delay(flags),
        }
        charts = {"tri_one": dashboards.tri_one_completion(students, records, by=("school",))}
        exams = exam_dates_of(term)
        if exams and len(records):
            tables["exam_timing"] = dashboards.talk_timing(records, exams)
        order = [key for key in texts.DASHBOARD_TITLES if key in tables]
        return {
            "term_id": term.term_id,
            "scope": "district" if schools is None else "schools",
            "min_cell": dashboards.MIN_CELL,
            "exam_dates": exams,
            "tables": {key: table_rows(tables[key]) for key in order},
            "charts": {key: table_rows(table) for key, table in charts.items()},
        }
