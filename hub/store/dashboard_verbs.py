"""Research-dashboard aggregates from the records database (de-identified; small cells suppressed).

The database does the heavy part, so a district term (40,000 students, 400,000 records) stays fast:
三个一 is counted per class in SQL (what each student has done, summed per class; pandas only turns the
few hundred class rows into shares, as ``dashboards.tri_one_completion`` would from every record); guidance
domains are counted by GROUP BY over the ``record_domains`` table (one row per record and domain, kept
by the store's write verbs, see ``record_domains``; no JSON is decoded); talk timing is a GROUP BY over
the few talk dates placed in exam windows in Python once each; follow-up delay reads the flags and the
first ``flag.update`` audit entry of each; training completion reads ``training_results`` (imported from
the trainers' grade exports by ``mentorhub training import``, see ``hub.cases.training``). What leaves
the store are group-level tables with the same columns as ``hub.cases.dashboards`` produces: no
student or teacher id, no name, nothing sorted by a figure, groups of fewer than ``dashboards.MIN_CELL``
people blanked (``null``).
"""

from __future__ import annotations

import json
import time

import pandas as pd
from sqlalchemy import String, case, cast, delete, distinct, func, insert, select

from hub.cases import dashboards, texts

from . import access
from .access import Actor
from .errors import Forbidden, Invalid
from .models import (
    FLAG_ACTIONS,
    AuditLog,
    ConcernFlag,
    Record,
    RecordDomain,
    School,
    SchoolClass,
    Staff,
    Student,
    TrainingResult,
    utcnow,
)
from .studio_verbs import service_error

#: how long a computed dashboard is served again
CACHE_SECONDS = 60.0
#: Audit actions that count as a concern's first follow-up (the research dashboard's 关注标记到跟进的时长).
FOLLOW_UP_ACTIONS = ("flag.update", *(f"flag.{action}" for action in FLAG_ACTIONS if action != "reopen"))
#: store record kinds -> the dashboard's 三个一 kinds
KIND_NAMES = {"home_visit": "home_visit", "talk": "talk", "growth_message": "message"}


def table_rows(table: pd.DataFrame) -> list[dict]:
    """JSON-ready rows; blanked (suppressed) figures become ``None``."""
    return json.loads(table.to_json(orient="records", force_ascii=False, date_format="iso"))


def plain_rows(result) -> list[tuple]:
    """Rows as plain tuples (pandas builds a frame from those far faster than from Row objects)."""
    return list(map(tuple, result.fetchall()))


def exam_dates_of(term) -> list[str]:
    """The term's key time points that are exams (期中, 期末, …)."""
    return [point["date"] for point in term.key_timepoints or []
            if any(word in point.get("name", "") for word in texts.EXAM_TIMEPOINT_WORDS)]  # fmt: skip


def counted_table(rows, key: str, order, records: str = "records") -> pd.DataFrame:
    """(key, records, students) rows -> the dashboards' table: every key in ``order``, share, suppressed."""
    table = pd.DataFrame(rows, columns=[key, records, "students"]).set_index(key)
    table = table.reindex(list(order), fill_value=0).rename_axis(key).reset_index()
    table["share"] = table[records] / max(int(table[records].sum()), 1)
    return dashboards.suppress(table, "students", [records, "share"])


def tri_one_table(classes: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    """Per-class counts (students, and how many have each of 三个一 and all three) -> the table of
    ``dashboards.tri_one_completion``: shares per group of ``by``, small groups suppressed."""
    figures = [*dashboards.TRI_ONE_KINDS, "all_three"]
    table = classes.groupby(list(by), sort=True, observed=True)[["students", *figures]].sum()
    table[figures] = table[figures].div(table["students"], axis=0)
    return dashboards.suppress(table.reset_index(), "students", figures)


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

    def find_dashboards(self, actor: Actor, term_id: str | None = None) -> dict:
        """The research dashboards of one term (default: current) for the caller's aggregate scope.
        Kept ``CACHE_SECONDS`` per term and scope: aggregates move slowly, and a page opened by many
        leaders at once then costs one computation."""
        schools = self._aggregate_schools(actor)
        term = self.find_term(term_id) if term_id else self.current_term()
        key = (term.term_id, None if schools is None else tuple(schools))
        cache = self.__dict__.setdefault("_dashboard_cache", {})
        hit = cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        board = self.compute_dashboards(term, schools)
        cache[key] = (time.monotonic() + CACHE_SECONDS, board)  # counted from when it was computed
        return board

    def compute_dashboards(self, term, schools: list[str] | None) -> dict:
        """The dashboards of ``term`` over ``schools`` (None: the district), computed now."""
        exams = exam_dates_of(term)
        scope = [Student.active.is_(True)] + ([Student.school_id.in_(schools)] if schools is not None else [])
        in_term = [Record.term_id == term.term_id, Record.deleted_at.is_(None), *scope]
        with self.reading() as s:
            conn = s.connection()  # Core rows: no ORM bookkeeping on hundreds of thousands of rows
            names = dict(conn.execute(select(School.school_id, School.name)).all())
            class_names = dict(conn.execute(select(SchoolClass.class_id, SchoolClass.name)).all())
            classes = self._tri_one_counts(conn, term, scope)
            domains = self._domain_rows(conn, term, schools)
            timing = self._timing_rows(conn, term, in_term, exams) if exams else None
            flags = self._flag_frame(conn, term, scope)
            training = self._training_frame(conn, schools)
        classes["class"] = classes["class"].map(class_names).fillna(classes["class"])
        classes["school"] = classes["school"].map(names).fillna(classes["school"])
        flags["school"] = flags["school"].map(names).fillna(flags["school"])
        training["school"] = training["school"].map(names).fillna(training["school"])
        tables = {
            "tri_one": tri_one_table(classes, ("school", "class")),
            "domains": counted_table(domains, "domain", texts.DOMAINS),
            "follow_up": dashboards.follow_up_delay(flags),
        }
        if timing is not None:
            tables["exam_timing"] = counted_table(timing, "window", dashboards.WINDOW_ORDER)
        charts = {"tri_one": tri_one_table(classes, ("school",))}
        if len(training):
            tables["training"] = dashboards.training_completion(training)
            charts["training"] = dashboards.training_completion(training, by=("course",))
        order = [key for key in texts.DASHBOARD_TITLES if key in tables]
        return {
            "term_id": term.term_id,
            "scope": "district" if schools is None else "schools",
            "min_cell": dashboards.MIN_CELL,
            "exam_dates": exams,
            "tables": {key: table_rows(tables[key]) for key in order},
            "charts": {key: table_rows(chart) for key, chart in charts.items()},
        }

    # --- training results (imported from the trainers' grade exports) ----------------------------
    def find_unknown_staff(self, staff_ids) -> set[str]:
        """Those of ``staff_ids`` that are not on the staff roster."""
        wanted = set(staff_ids)
        with self.reading() as s:
            known = set(s.scalars(select(Staff.staff_id).where(Staff.staff_id.in_(wanted)))) if wanted else set()
        return wanted - known

    def put_training_results(self, course_id: str, course_title: str, results: list[dict]) -> dict:
        """Replace every result of ``course_id`` by ``results`` ({staff_id, completed, hours}), all or
        nothing; the command ``mentorhub training import`` checks the file first (hub.cases.training)."""
        now = utcnow()
        rows = [{"staff_id": r["staff_id"], "course_id": course_id, "course_title": course_title,
                 "completed": bool(r["completed"]), "hours": float(r["hours"]), "updated_at": now} for r in results]  # fmt: skip
        with self.writing() as s:
            wanted = {row["staff_id"] for row in rows}
            unknown = wanted - set(s.scalars(select(Staff.staff_id).where(Staff.staff_id.in_(wanted))))
            if unknown:
                raise Invalid(f"unknown staff ids: {sorted(unknown)}", f"工号不在教职工名册中：{'、'.join(sorted(unknown))}",
                              "staff_id")  # fmt: skip
            s.execute(delete(TrainingResult).where(TrainingResult.course_id == course_id))
            if rows:
                s.execute(insert(TrainingResult), rows)
            self._audit(s, "cli", "training.import", "course", course_id,
                        detail={"teachers": len(rows), "completed": sum(row["completed"] for row in rows)})  # fmt: skip
        self.__dict__.pop("_dashboard_cache", None)  # this process's next dashboard shows them at once
        return {"course": course_id, "title": course_title, "teachers": len(rows),
                "completed": sum(row["completed"] for row in rows)}  # fmt: skip

    # --- one query each ----------------------------------------------------------------------
    @staticmethod
    def _tri_one_counts(conn, term, scope) -> pd.DataFrame:
        """Per (school, class): students in scope and how many of them have a home visit, a talk, a 成长寄语
        and all three this term. The database does it all: one row per student with a record (what they
        have done), joined to the students and summed per class; a few hundred rows leave it."""
        has = {name: func.max(case((Record.kind == kind, 1), else_=0)) for kind, name in KIND_NAMES.items()}
        done = (select(Record.student_id, *(value.label(name) for name, value in has.items()))
                .where(Record.term_id == term.term_id, Record.deleted_at.is_(None), Record.kind.in_(list(KIND_NAMES)))
                .group_by(Record.student_id).subquery())  # fmt: skip
        kinds = [done.c[name] for name in dashboards.TRI_ONE_KINDS]
        all_three = kinds[0] * kinds[1] * kinds[2]
        query = (select(Student.school_id, Student.class_id, func.count(),
                        *(func.coalesce(func.sum(column), 0) for column in (*kinds, all_three)))
                 .select_from(Student).outerjoin(done, done.c.student_id == Student.student_id)
                 .where(*scope).group_by(Student.school_id, Student.class_id))  # fmt: skip
        columns = ["school", "class", "students", *dashboards.TRI_ONE_KINDS, "all_three"]
        return pd.DataFrame(plain_rows(conn.execute(query)), columns=columns)

    @staticmethod
    def _domain_rows(conn, term, schools: list[str] | None) -> list[tuple[str, int, int]]:
        """(domain, records, distinct students) per guidance domain, counted by SQL from the ``record_domains``
        index (no JSON decoded). Students split the rows cleanly, so the district's figures are those of
        every student minus those of the inactive ones (a few): no per-row lookup of the student; a school
        scope counts its own active students directly."""
        def counts(*students) -> dict[str, tuple[int, int]]:
            """{domain: (records, students)} of the term, for the students selected by ``students``."""
            query = (select(RecordDomain.domain, func.count(), func.count(distinct(RecordDomain.student_id)))
                     .where(RecordDomain.term_id == term.term_id).group_by(RecordDomain.domain))  # fmt: skip
            if students:
                query = query.where(RecordDomain.student_id.in_(select(Student.student_id).where(*students)))
            return {domain: (records, pupils) for domain, records, pupils in conn.execute(query)}

        if schools is None:
            everyone, gone = counts(), counts(Student.active.is_(False))
        else:
            everyone, gone = counts(Student.active.is_(True), Student.school_id.in_(schools)), {}
        rows = []
        for domain in texts.DOMAINS:
            records, pupils = everyone.get(domain, (0, 0))
            minus_records, minus_pupils = gone.get(domain, (0, 0))
            rows.append((domain, records - minus_records, pupils - minus_pupils))
        return rows

    @staticmethod
    def _timing_rows(conn, term, in_term, exams) -> list[tuple[str, int, int]]:
        """(window, talks, distinct students) around the nearest exam: the few talk dates are placed in
        windows in Python, the counting is a GROUP BY in SQL."""
        talks = [Record.kind == "talk", *in_term]
        # the dates need only cover the talks counted below, so no join with the students here
        days = [row[0] for row in conn.execute(select(Record.event_date).distinct().where(
            Record.kind == "talk", Record.term_id == term.term_id, Record.deleted_at.is_(None)))]
        if not days:
            return []
        windows = dashboards.window_of(dashboards.exam_offsets(pd.Series(pd.to_datetime(days)), exams))
        by_window: dict[str, list] = {}
        for day, window in zip(days, windows, strict=True):
            by_window.setdefault(str(window), []).append(day)
        label = case(*[(Record.event_date.in_(dates), window) for window, dates in by_window.items()])
        query = (select(label, func.count(), func.count(distinct(Record.student_id)))
                 .join(Student, Student.student_id == Record.student_id).where(*talks).group_by(label))  # fmt: skip
        return [tuple(row) for row in conn.execute(query)]

    @staticmethod
    def _training_frame(conn, schools: list[str] | None) -> pd.DataFrame:
        """(school, teacher, course, completed) of the active staff in scope, as ``training_completion`` takes."""
        query = (select(Staff.school_id, TrainingResult.staff_id, TrainingResult.course_title, TrainingResult.completed)
                 .join(Staff, Staff.staff_id == TrainingResult.staff_id).where(Staff.active.is_(True)))  # fmt: skip
        if schools is not None:
            query = query.where(Staff.school_id.in_(schools))
        frame = pd.DataFrame(plain_rows(conn.execute(query)), columns=["school", "teacher", "course", "completed"])
        frame["completed"] = frame["completed"].astype(bool)
        return frame

    @staticmethod
    def _flag_frame(conn, term, scope) -> pd.DataFrame:
        """Flags raised in the term, with the first follow-up: the first step of its handling in the audit log
        (``flag.update``, or a step of the concern queue: ``flag.triage``, ``flag.follow_up``, ...)."""
        first = (select(AuditLog.entity_id.label("flag"), func.min(AuditLog.at).label("at"))
                 .where(AuditLog.action.in_(FOLLOW_UP_ACTIONS)).group_by(AuditLog.entity_id).subquery())  # fmt: skip
        rows = plain_rows(conn.execute(
            select(Student.school_id, ConcernFlag.student_id, ConcernFlag.raised_at, first.c.at)
            .join(Student, Student.student_id == ConcernFlag.student_id)
            .outerjoin(first, first.c.flag == cast(ConcernFlag.flag_id, String))
            .where(func.date(ConcernFlag.raised_at) >= term.start_date, *scope)
        ))  # fmt: skip
        frame = pd.DataFrame(rows, columns=["school", "student", "raised_at", "followed_up_at"])
        frame["raised_at"] = pd.to_datetime(frame["raised_at"])
        frame["followed_up_at"] = pd.to_datetime(frame["followed_up_at"])
        return frame
