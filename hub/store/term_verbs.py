"""Term verbs of the records store: terms with their calendar (``hub.store.term_calendar``), a school's own
calendar, and life events that open a talk task.

- ``add_term_with_calendar`` (administrative, no actor: ``mentorhub term add``) makes a term and the
  district's template calendar. The term's three due-date columns follow that calendar.
- ``set_school_calendar`` (a school admin, ``access.TERM_WRITE``) keeps a calendar for their own school,
  which replaces the template for its students.
- ``find_term_calendars`` lists every term with the calendar that applies to the caller's school.
- ``add_life_event`` (the student's mentor or head teacher, ``access.LIFE_EVENT_WRITE``) marks a major
  change in a student's life; the student's progress then holds a talk task due ``life_event_days`` later.

A term opens for records on the first day of its (school's) home-visit window, so a home visit made before
the term begins belongs to that term; ``_term_for`` and ``_current_term_in`` use that opening day.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from . import access
from .access import Actor
from .models import Record, Student, Term, utcnow
from .practice import forbidden
from .term_calendar import (
    DISTRICT,
    LIFE_EVENT_KINDS,
    Calendar,
    CalendarError,
    Exam,
    check_calendar,
    default_calendar,
    legacy_calendar,
    with_changes,
)
from .validation import check_text, echo, invalid, parse_day, validate_student_id
from .year_messages import year_error
from .year_models import LifeEvent, TermCalendar

TERM_ID = re.compile(r"(\d{4})-(\d{4})-([12])")
CALENDAR_KEYS = ("home_visit", "growth_message", "exams", "talk_days_before", "talk_days_after", "life_event_days")


def calendar_from_row(term: Term, row: TermCalendar) -> Calendar:
    exams = tuple(Exam(e["name"], dt.date.fromisoformat(e["date"])) for e in row.exams or [])
    return Calendar(term.term_id, term.start_date, term.end_date, row.school_id, row.home_visit_from,
                    row.home_visit_to, exams, row.talk_days_before, row.talk_days_after, row.life_event_days,
                    row.growth_message_from, row.growth_message_to)  # fmt: skip


def term_legacy_calendar(term: Term) -> Calendar:
    return legacy_calendar(term.term_id, term.start_date, term.end_date,
                           {"home_visit": term.home_visit_due, "talk": term.talk_due,
                            "growth_message": term.growth_message_due})  # fmt: skip


def parse_calendar_changes(payload) -> dict:
    """The fields of a calendar request body (``CALENDAR_KEYS``; any may be left out) as ``Calendar`` fields."""
    if not isinstance(payload, dict):
        raise invalid("not_object")
    changes = {}
    for key, value in payload.items():
        if key not in CALENDAR_KEYS:
            raise invalid("unknown_field", echo(key))
        if key in ("home_visit", "growth_message"):
            if not isinstance(value, dict) or set(value) - {"from", "to"} or not {"from", "to"} <= set(value):
                raise year_error("invalid", "bad_window", key)
            changes[f"{key}_from"] = parse_day(value["from"], key)
            changes[f"{key}_to"] = parse_day(value["to"], key)
        elif key == "exams":
            changes["exams"] = parse_exams(value)
        else:
            if isinstance(value, bool) or not isinstance(value, int):
                raise year_error("invalid", "bad_days", key, limit=60)
            changes[key] = value
    return changes


def parse_exams(value) -> tuple[Exam, ...]:
    if not isinstance(value, list):
        raise invalid("not_list", "exams")
    exams = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"name", "date"}:
            raise year_error("invalid", "bad_exam", "exams")
        name = check_text(item["name"], "exams").strip()
        if not 0 < len(name) <= 20:
            raise year_error("invalid", "bad_exam", "exams")
        exams.append(Exam(name, parse_day(item["date"], "exams")))
    return tuple(sorted(exams, key=lambda e: e.date))


def calendar_error(error: CalendarError):
    return year_error("invalid", error.key, error.field, **error.values)


def calendar_row_values(calendar: Calendar) -> dict:
    return {"home_visit_from": calendar.home_visit_from, "home_visit_to": calendar.home_visit_to,
            "exams": [e.to_dict() for e in calendar.exams], "talk_days_before": calendar.talk_days_before,
            "talk_days_after": calendar.talk_days_after, "life_event_days": calendar.life_event_days,
            "growth_message_from": calendar.growth_message_from,
            "growth_message_to": calendar.growth_message_to}  # fmt: skip


class TermVerbs:
    """Mixin for ``RecordStore``."""

    # --- calendars (cached with the terms) ------------------------------------------------------
    def _calendar_rows(self, session=None) -> dict[tuple[str, str], TermCalendar]:
        def load(s):
            return {(row.term_id, row.school_id): row for row in s.scalars(select(TermCalendar))}

        if session is None:
            def load_own():
                with self.reading() as s:
                    return load(s)

            return self.cached("calendars", load_own)
        return self.cached("calendars", lambda: load(session))

    def _calendar_of(self, term: Term, school_id: str | None, rows=None) -> Calendar:
        """The calendar that applies to ``school_id``'s students: the school's own, else the district's
        template, else (a term made before calendars) the term's three due dates."""
        rows = self._calendar_rows() if rows is None else rows
        row = rows.get((term.term_id, school_id)) if school_id else None
        row = row or rows.get((term.term_id, DISTRICT))
        return calendar_from_row(term, row) if row is not None else term_legacy_calendar(term)

    def _term_opens(self, term: Term, school_id: str | None = None, rows=None) -> dt.date:
        """First day a record may belong to ``term``: for one school, or (``school_id`` None) for any school."""
        rows = self._calendar_rows() if rows is None else rows
        if school_id is not None:
            return self._calendar_of(term, school_id, rows).opens_on
        days = [row.home_visit_from for (term_id, _), row in rows.items() if term_id == term.term_id]
        return min([term.start_date, *days])

    def find_calendar(self, term_id: str, school_id: str | None = None) -> Calendar:
        return self._calendar_of(self.find_term(term_id), school_id)

    # --- terms ----------------------------------------------------------------------------------
    def add_term_with_calendar(self, term_id: str, start_date: dt.date, end_date: dt.date,
                               calendar: dict | None = None, *, academic_year: str | None = None,
                               term_no: int | None = None, by: str = "") -> Calendar:  # fmt: skip
        """A new term and the district's template calendar (``calendar``: the body of a calendar request;
        what it leaves out takes the plan's defaults). Refused when the term exists or overlaps another."""
        term_id = validate_student_id(term_id, "term_id")
        match = TERM_ID.fullmatch(term_id)
        if (academic_year is None or term_no is None) and not match:
            raise year_error("invalid", "bad_term_id", "term_id", value=term_id)
        academic_year = academic_year or f"{match.group(1)}-{match.group(2)}"
        term_no = term_no or int(match.group(3))
        start_date, end_date = parse_day(start_date, "start_date"), parse_day(end_date, "end_date")
        changes = parse_calendar_changes(calendar or {})
        try:
            check_calendar(Calendar(term_id, start_date, end_date, home_visit_from=start_date,
                                    home_visit_to=start_date, growth_message_from=end_date,
                                    growth_message_to=end_date))  # the dates alone first  # fmt: skip
        except CalendarError as error:
            raise calendar_error(error) from None
        exams = changes.pop("exams", ())
        new = with_changes(default_calendar(term_id, start_date, end_date, exams), changes)
        with self.writing() as s:
            if s.get(Term, term_id) is not None:
                raise year_error("conflict", "term_exists", "term_id", value=term_id)
            terms = list(s.scalars(select(Term).order_by(Term.start_date)))
            previous = [t for t in terms if t.end_date < start_date]
            try:
                check_calendar(new, previous[-1].end_date if previous else None)
            except CalendarError as error:
                raise calendar_error(error) from None
            rows = {(r.term_id, r.school_id): r for r in s.scalars(select(TermCalendar))}
            for other in terms:
                opens = self._term_opens(other, None, rows)
                if new.opens_on <= other.end_date and opens <= end_date:
                    raise year_error("conflict", "term_overlaps", "start_date", value=term_id, other=other.term_id,
                                     start=opens, end=other.end_date)  # fmt: skip
            due = new.due()
            timepoints = [{"name": "开学", "date": start_date.isoformat()}] + [e.to_dict() for e in new.exams]
            s.add(Term(term_id=term_id, academic_year=academic_year, term_no=term_no, start_date=start_date,
                       end_date=end_date, home_visit_due=due["home_visit"], talk_due=due["talk"],
                       growth_message_due=due["growth_message"], key_timepoints=timepoints))  # fmt: skip
            s.flush()
            s.add(TermCalendar(term_id=term_id, school_id=DISTRICT, updated_by=by, **calendar_row_values(new)))
            self._audit(s, by or "mentorhub", "term.add", "term", term_id, detail=new.to_dict())
        self.forget_cached()
        return new

    def find_calendar_schools(self) -> dict[str, list[str]]:
        """Administrative: term id -> the schools that keep their own calendar for it."""
        out: dict[str, list[str]] = {}
        for term_id, school_id in sorted(self._calendar_rows()):
            if school_id != DISTRICT:
                out.setdefault(term_id, []).append(school_id)
        return out

    def find_term_calendars(self, actor: Actor) -> list[dict]:
        """Every term (by start date) with the calendar for the caller's school (the district's template for
        a caller without one); ``own``: the school keeps its own calendar for that term."""
        school = next(iter(sorted(actor.school_ids)), None)
        with self.reading() as s:
            terms = list(s.scalars(select(Term).order_by(Term.start_date)))
            rows = {(r.term_id, r.school_id): r for r in s.scalars(select(TermCalendar))}
            current = self._current_term_in(s)
        return [{"term_id": t.term_id, "academic_year": t.academic_year, "term_no": t.term_no,
                 "current": current is not None and current.term_id == t.term_id,
                 "own": school is not None and (t.term_id, school) in rows,
                 "calendar": self._calendar_of(t, school, rows).to_dict()} for t in terms]  # fmt: skip

    def set_school_calendar(self, actor: Actor, term_id: str, payload) -> dict:
        """The school admin's own calendar for ``term_id`` (what the body leaves out stays as it applies now)."""
        schools = access.reach(actor, access.TERM_WRITE).school_ids
        if len(schools) != 1:
            raise forbidden(access.TERM_WRITE)
        school_id = next(iter(schools))
        changes = parse_calendar_changes(payload)
        with self.writing() as s:
            term = s.get(Term, validate_student_id(term_id, "term_id"))
            if term is None:
                raise self._not_found_term(term_id)
            rows = {(r.term_id, r.school_id): r for r in s.scalars(select(TermCalendar))}
            base = self._calendar_of(term, school_id, rows)
            if base.legacy:
                base = default_calendar(term.term_id, term.start_date, term.end_date)
            new = with_changes(base, {**changes, "school_id": school_id})
            previous = s.scalars(select(Term).where(Term.end_date < term.start_date)
                                 .order_by(Term.end_date.desc()).limit(1)).first()  # fmt: skip
            try:
                check_calendar(new, previous.end_date if previous else None)
            except CalendarError as error:
                raise calendar_error(error) from None
            row = rows.get((term.term_id, school_id))
            values = {**calendar_row_values(new), "updated_by": actor.username, "updated_at": utcnow()}
            if row is None:
                s.add(TermCalendar(term_id=term.term_id, school_id=school_id, **values))
            else:
                row = s.get(TermCalendar, (term.term_id, school_id))
                for key, value in values.items():
                    setattr(row, key, value)
            self._audit(s, actor, "term.calendar", "term", term.term_id,
                        detail={"school_id": school_id, "fields": sorted(payload)})  # fmt: skip
        self.forget_cached()
        return new.to_dict()

    # --- life events ------------------------------------------------------------------------------
    def add_life_event(self, actor: Actor, payload) -> dict:
        """Mark a major change in a student's life (``kind`` from ``LIFE_EVENT_KINDS``, ``event_date``
        defaults to today): it opens a talk task for the student."""
        if not isinstance(payload, dict):
            raise invalid("not_object")
        unknown = set(payload) - {"student_id", "kind", "event_date"}
        if unknown:
            raise invalid("unknown_field", echo(sorted(unknown)[0]))
        student_id = validate_student_id(payload.get("student_id"))
        kind = payload.get("kind")
        if kind not in LIFE_EVENT_KINDS:
            raise year_error("invalid", "life_event_kind", "kind", choices="、".join(LIFE_EVENT_KINDS))
        day = parse_day(payload.get("event_date") or self.today().isoformat(), "event_date")
        if day > self.today():
            raise year_error("invalid", "event_future", "event_date")
        with self.writing() as s:
            student = self._student_in_reach(s, actor, access.LIFE_EVENT_WRITE, student_id)
            term = self._term_containing(s, day, student.school_id)
            if term is None:
                raise year_error("invalid", "event_no_term", "event_date", date=day)
            event = LifeEvent(student_id=student_id, term_id=term.term_id, event_date=day, kind=kind,
                              noted_by=actor.username)  # fmt: skip
            s.add(event)
            s.flush()
            self._audit(s, actor, "life_event.add", "student", student_id, detail={"event_id": event.event_id})
            calendar = self._calendar_of(term, student.school_id)
        return {**event.to_dict(), "talk_due": calendar.life_event_window(day).end.isoformat()}

    def find_life_events(self, actor: Actor, student_id: str) -> list[dict]:
        """A student's life events (for those who may read the student's records; audited beyond own mentees)."""
        with self.writing() as s:
            student = self._student_in_reach(s, actor, access.RECORD_READ, student_id)
            events = list(s.scalars(select(LifeEvent).where(LifeEvent.student_id == student_id)
                                    .order_by(LifeEvent.event_date, LifeEvent.event_id)))  # fmt: skip
            if events and access.beyond_own_mentees(actor, access.StudentRef(student.student_id, student.class_id,
                                                                             student.school_id)):
                self._audit(s, actor, "life_event.read", "student", student_id,
                            detail={"scope": access.covering_scope(actor, access.RECORD_READ, access.StudentRef(
                                student.student_id, student.class_id, student.school_id)),
                                "event_ids": [e.event_id for e in events]})  # fmt: skip
        return [e.to_dict() for e in events]

    def _term_containing(self, session, day: dt.date, school_id: str | None) -> Term | None:
        rows = self._calendar_rows(session)
        return next((t for t in self._all_terms(session)
                     if self._term_opens(t, school_id, rows) <= day <= t.end_date), None)  # fmt: skip

    def _life_event_tasks(self, session, term: Term, student_ids, school_id: str | None) -> dict[str, dict]:
        """For each of ``student_ids`` with a life event in ``term``: the latest event, the talk it asks for
        (due ``life_event_days`` after it) and whether a talk has been recorded since."""
        ids = sorted(student_ids)
        if not ids:
            return {}
        latest: dict[str, LifeEvent] = {}
        for event in session.scalars(select(LifeEvent).where(LifeEvent.term_id == term.term_id,
                                                             LifeEvent.student_id.in_(ids))
                                     .order_by(LifeEvent.event_date, LifeEvent.event_id)):  # fmt: skip
            latest[event.student_id] = event
        if not latest:
            return {}
        talks: dict[str, dt.date] = {}
        for sid, day in session.execute(select(Record.student_id, Record.event_date).where(
                Record.kind == "talk", Record.deleted_at.is_(None), Record.student_id.in_(sorted(latest)))):
            talks[sid] = max(day, talks.get(sid, day))
        schools = dict(session.execute(select(Student.student_id, Student.school_id)
                                       .where(Student.student_id.in_(sorted(latest)))).all())  # fmt: skip
        out = {}
        for sid, event in latest.items():
            window = self._calendar_of(term, schools.get(sid, school_id)).life_event_window(event.event_date)
            out[sid] = {"event_date": event.event_date.isoformat(), "kind": event.kind,
                        "due": window.end.isoformat(), "done": talks.get(sid, dt.date.min) >= event.event_date}
        return out

    def _add_calendar(self, progress: dict, term: Term, actor: Actor) -> dict:
        """``progress`` with the calendar of the caller's school: due dates, windows, exams, and the life-event
        talk tasks of the students it lists one by one."""
        school = next(iter(sorted(actor.school_ids)), None)
        calendar = self._calendar_of(term, school)
        info = calendar.to_dict()
        progress.update(due=info["due"], windows=info["windows"], exams=info["exams"],
                        life_event_days=info["life_event_days"], opens_on=info["opens_on"])  # fmt: skip
        listed = [row["student_id"] for row in progress.get("students", [])]
        schools = access.reach(actor, access.PROGRESS_READ).school_ids
        with self.reading() as s:
            progress["life_events"] = self._life_event_tasks(s, term, listed, school)
            if schools:  # the school's 多对一 plans by status (team_verbs), no student named
                progress["support_plans"] = self._support_status(s, schools)
        return progress
