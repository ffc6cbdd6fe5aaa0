"""Reminders (issue 20, part 6): what of the 三个一 is due this week and what is overdue, from the term
calendar's windows (``term_calendar``) and the life events' talk tasks.

A task of a student (home visit, talk, growth message; ``event_talk``: the talk a life event asks for) that
has no record yet this term is

- ``due_this_week`` when its current window (the first that has not ended) ends within ``WEEK_DAYS`` days
  from today (today included) and has begun by then;
- ``overdue`` when its last window has closed (a talk missed at mid-term is not overdue while the end-of-term
  exams' window is still to come, as in the tracker).

``find_reminders`` (any caller): their own mentees task by task (they see these students in their tracker
anyway), counts for the classes they are head teacher of and, for a school admin or leader, counts for the
school (``PROGRESS_READ``). ``reminder_digest`` (administrative, for ``mentorhub remind send``): counts per
school and nothing else, so that a notification never names a student.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select

from . import access
from .access import Actor
from .errors import Forbidden
from .models import Record, School, Student, Term
from .practice import TRI_ONE
from .term_calendar import current_window

WEEK_DAYS = 7
TASKS = (*TRI_ONE, "event_talk")
DUE, OVERDUE = "due_this_week", "overdue"


def task_state(windows, done: bool, today: dt.date) -> tuple[str | None, dt.date | None]:
    """(``due_this_week`` / ``overdue`` / None, the due day) of one task."""
    if done or not windows:
        return None, None
    current = current_window(windows, today)
    if current is None:
        return OVERDUE, windows[-1].end
    week_end = today + dt.timedelta(days=WEEK_DAYS - 1)
    if current.end <= week_end and (current.start is None or current.start <= week_end):
        return DUE, current.end
    return None, current.end


def empty_counts() -> dict:
    return {DUE: dict.fromkeys(TASKS, 0), OVERDUE: dict.fromkeys(TASKS, 0)}


class ReminderVerbs:
    """Mixin for ``RecordStore``."""

    def _reminder_items(self, session, term: Term, students: list[Student], today: dt.date) -> list[dict]:
        """One item per task due this week or overdue, for ``students`` (class, then id order)."""
        ids = sorted(s.student_id for s in students)
        if not ids:
            return []
        done = set()
        for chunk in (ids[i:i + 5000] for i in range(0, len(ids), 5000)):
            done |= set(session.execute(select(Record.student_id, Record.kind).distinct().where(
                Record.term_id == term.term_id, Record.deleted_at.is_(None), Record.kind.in_(TRI_ONE),
                Record.student_id.in_(chunk))).all())  # fmt: skip
        events = {}
        for chunk in (ids[i:i + 5000] for i in range(0, len(ids), 5000)):
            events.update(self._life_event_tasks(session, term, chunk, None))
        rows = self._calendar_rows(session)
        calendars = {}
        items = []
        for student in sorted(students, key=lambda s: (s.class_id, s.student_id)):
            if student.school_id not in calendars:
                calendars[student.school_id] = self._calendar_of(term, student.school_id, rows).windows()
            windows = calendars[student.school_id]
            for kind in TRI_ONE:
                state, due = task_state(windows[kind], (student.student_id, kind) in done, today)
                if state:
                    items.append({"student_id": student.student_id, "display_name": student.display_name,
                                  "class_id": student.class_id, "school_id": student.school_id, "task": kind,
                                  "state": state, "due": due.isoformat()})  # fmt: skip
            event = events.get(student.student_id)
            if event and not event["done"]:
                due = dt.date.fromisoformat(event["due"])
                state = OVERDUE if due < today else DUE if (due - today).days < WEEK_DAYS else None
                if state:
                    items.append({"student_id": student.student_id, "display_name": student.display_name,
                                  "class_id": student.class_id, "school_id": student.school_id,
                                  "task": "event_talk", "state": state, "due": event["due"]})  # fmt: skip
        return items

    def find_reminders(self, actor: Actor) -> dict:
        """What is due this week and overdue: the caller's own mentees task by task, counts for their classes
        (head teacher) and their school (school admin, leader). Refused to a caller who can have no such work
        (district staff, trainers, studio leaders without mentees): reminders are about students."""
        reach = access.reach(actor, access.PROGRESS_READ)
        if not (actor.mentee_ids or reach.class_ids or reach.school_ids or access.MENTOR in actor.roles):
            raise Forbidden("reminders are for mentors, head teachers and school staff",
                            "提醒只面向导师、班主任和学校工作人员")
        today = self.today()
        with self.reading() as s:
            term = self._current_term_in(s)
            if term is None:
                return {"term_id": None, "today": today.isoformat(), "mine": counts_of([]), "items": []}
            mine = list(s.scalars(select(Student).where(Student.student_id.in_(sorted(actor.mentee_ids)),
                                                        Student.active.is_(True))))  # fmt: skip
            items = self._reminder_items(s, term, mine, today)
            out = {"term_id": term.term_id, "today": today.isoformat(),
                   "week_end": (today + dt.timedelta(days=WEEK_DAYS - 1)).isoformat(),
                   "mine": counts_of(items), "items": items}  # fmt: skip
            if actor.class_ids and reach.class_ids:
                students = list(s.scalars(select(Student).where(Student.class_id.in_(sorted(reach.class_ids)),
                                                                Student.active.is_(True))))  # fmt: skip
                out["classes"] = counts_of(self._reminder_items(s, term, students, today))
            if reach.school_ids:
                students = list(s.scalars(select(Student).where(Student.school_id.in_(sorted(reach.school_ids)),
                                                                Student.active.is_(True))))  # fmt: skip
                out["school"] = counts_of(self._reminder_items(s, term, students, today))
        return out

    def reminder_digest(self) -> dict:
        """Administrative: the current term's counts per school (no student named, no id), for notifications."""
        today = self.today()
        with self.reading() as s:
            term = self._current_term_in(s)
            if term is None:
                return {"term_id": None, "today": today.isoformat(), "schools": []}
            schools = []
            for school in s.scalars(select(School).order_by(School.school_id)):
                students = list(s.scalars(select(Student).where(Student.school_id == school.school_id,
                                                                Student.active.is_(True))))  # fmt: skip
                counts = counts_of(self._reminder_items(s, term, students, today))
                schools.append({"school_id": school.school_id, "name": school.name, **counts})
        return {"term_id": term.term_id, "today": today.isoformat(), "schools": schools}

    def note_reminders_sent(self, detail: dict) -> None:
        """One audit row for a run of ``mentorhub remind send``: counts and outcomes, no address, no key."""
        with self.writing() as s:
            self._audit(s, "mentorhub-remind", "remind.send", "term", detail.get("term_id") or "", detail=detail)


def counts_of(items: list[dict]) -> dict:
    """Tasks per state and kind, and the number of students concerned per state."""
    counts = empty_counts()
    students = {DUE: set(), OVERDUE: set()}
    for item in items:
        counts[item["state"]][item["task"]] += 1
        students[item["state"]].add(item["student_id"])
    totals = Counter({state: sum(counts[state].values()) for state in (DUE, OVERDUE)})
    return {**counts, "totals": dict(totals), "students": {k: len(v) for k, v in students.items()}}
