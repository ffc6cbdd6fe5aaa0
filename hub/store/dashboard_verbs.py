"""Research-dashboard aggregates from the records database (de-identified; small cells suppressed).

The database does the heavy part, so a district term (40,000 students, 400,000 records) stays fast:
三个一 comes from DISTINCT (student, kind) pairs fed to ``dashboards.tri_one_completion``; guidance
domains and talk timing are counted by GROUP BY in SQL over the few distinct domain lists and talk
dates (decoded and placed in exam windows in Python once each); follow-up delay reads the flags and the
first ``flag.update`` audit entry of each. What leaves the store are group-level tables with the same
columns as ``hub.cases.dashboards`` produces: no student id, no name, nothing sorted by a figure,
groups of fewer than ``dashboards.MIN_CELL`` students blanked (``null``).
"""

from __future__ import annotations

import json
import time

import pandas as pd
from sqlalchemy import String, case, cast, distinct, func, select

from hub.cases import dashboards, texts

from . import access
from .access import Actor
from .errors import Forbidden
from .models import AuditLog, ConcernFlag, Record, School, SchoolClass, Student
from .studio_verbs import service_error

#: how long a computed dashboard is served again
CACHE_SECONDS = 60.0
#: store record kinds -> the dashboard's 三个一 kinds
KIND_NAMES = {"home_visit": "home_visit", "talk": "talk", "growth_message": "message"}
DOMAINS_TEXT = func.coalesce(Record.fields["domains"].as_string(), Record.fields["guidance_domains"].as_string())


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
            students = pd.DataFrame(plain_rows(conn.execute(
                select(Student.school_id, Student.class_id, Student.student_id).where(*scope))),
                columns=["school", "class", "student"])  # fmt: skip
            done = pd.DataFrame(plain_rows(conn.execute(
                select(Record.student_id, Record.kind).distinct().join(Student, Student.student_id == Record.student_id)
                .where(Record.kind.in_(list(KIND_NAMES)), *in_term))), columns=["student", "kind"])  # fmt: skip
            domains = self._domain_rows(conn, in_term)
            timing = self._timing_rows(conn, in_term, exams) if exams else None
            flags = self._flag_frame(conn, term, scope)
        students["class"] = students["class"].map(class_names).fillna(students["class"])
        students["school"] = students["school"].map(names).fillna(students["school"])
        done["kind"] = done["kind"].map(KIND_NAMES)
        flags["school"] = flags["school"].map(names).fillna(flags["school"])
        tables = {
            "tri_one": dashboards.tri_one_completion(students, done),
            "domains": counted_table(domains, "domain", texts.DOMAINS),
            "follow_up": dashboards.follow_up_delay(flags),
        }
        if timing is not None:
            tables["exam_timing"] = counted_table(timing, "window", dashboards.WINDOW_ORDER)
        order = [key for key in texts.DASHBOARD_TITLES if key in tables]
        return {
            "term_id": term.term_id,
            "scope": "district" if schools is None else "schools",
            "min_cell": dashboards.MIN_CELL,
            "exam_dates": exams,
            "tables": {key: table_rows(tables[key]) for key in order},
            "charts": {"tri_one": table_rows(dashboards.tri_one_completion(students, done, by=("school",)))},
        }

    # --- one query each ----------------------------------------------------------------------
    @staticmethod
    def _domain_rows(conn, in_term) -> list[tuple[str, int, int]]:
        """(domain, records, distinct students) per guidance domain: SQL extracts each record's domain list
        as text (a few distinct values), pandas counts per domain in one pass over the pairs."""
        rows = plain_rows(conn.execute(select(DOMAINS_TEXT, Record.student_id)
                                       .join(Student, Student.student_id == Record.student_id)
                                       .where(*in_term, cast(Record.fields, String).like('%domains"%'))))  # fmt: skip
        pairs = pd.DataFrame(rows, columns=["text", "student"]).dropna(subset=["text"])  # the LIKE is a cheap sieve
        lists = {text: json.loads(text) for text in pairs["text"].unique()}
        counts = []
        for domain in texts.DOMAINS:
            having = pairs["text"].isin([text for text, values in lists.items() if domain in values])
            counts.append((domain, int(having.sum()), int(pairs.loc[having, "student"].nunique())))
        return counts

    @staticmethod
    def _timing_rows(conn, in_term, exams) -> list[tuple[str, int, int]]:
        """(window, talks, distinct students) around the nearest exam: the few talk dates are placed in
        windows in Python, the counting is a GROUP BY in SQL."""
        talks = [Record.kind == "talk", *in_term]
        days = [row[0] for row in conn.execute(select(Record.event_date).distinct()
                                               .join(Student, Student.student_id == Record.student_id).where(*talks))]
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
    def _flag_frame(conn, term, scope) -> pd.DataFrame:
        """Flags raised in the term, with the first follow-up (the first ``flag.update`` in the audit log)."""
        first = (select(AuditLog.entity_id.label("flag"), func.min(AuditLog.at).label("at"))
                 .where(AuditLog.action == "flag.update").group_by(AuditLog.entity_id).subquery())  # fmt: skip
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
