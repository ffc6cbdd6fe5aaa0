"""三个一 tracker: pure state computation from a term's due dates and the records. No ipywidgets here.

Each task (home visit, talk, growth message) of each student is in one state:

- ``done``      a record of that kind exists for the term;
- ``overdue``   not done and the due date has passed;
- ``due_soon``  not done and the due date is at most ``DUE_SOON_DAYS`` days away (today included);
- ``open``      not done, due later (or no due date set).

When the term has a calendar (``windows`` in the service's progress: the plan's windows, e.g. the home visit
before the term begins), a task is ``due_soon`` from the day its current window opens (or
``DUE_SOON_DAYS`` before it closes) and ``overdue`` only once its last window has closed: a talk missed
around the mid-term exam is still open for the end-of-term exam. A life event marked for a student opens a
talk task of its own (``event_talk``), done by a talk recorded on or after the event's day.

Students are never ranked: rows are ordered by class, then by pseudonymous student id, never by a count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TRI_ONE = ("home_visit", "talk", "growth_message")
CONTACT_KINDS = ("home_visit", "talk", "parent_contact", "guidance")
DUE_SOON_DAYS = 14
DONE, DUE_SOON, OVERDUE, OPEN = "done", "due_soon", "overdue", "open"


@dataclass(frozen=True)
class TermInfo:
    term_id: str
    due: dict[str, dt.date | None] = field(default_factory=dict)  # kind -> due date
    start: dt.date | None = None
    end: dt.date | None = None
    #: kind -> the task's windows in date order, (from or None, to); empty: only the due date is known
    windows: dict[str, tuple[tuple[dt.date | None, dt.date], ...]] = field(default_factory=dict)
    #: student_id -> the talk a life event asks for: {"event_date", "kind", "due", "done"}
    life_events: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def from_progress(cls, progress: dict) -> TermInfo:
        """From the service's ``GET progress`` answer (``term_id``, ``due``, optional ``start``/``end``,
        ``windows`` and ``life_events``)."""
        due = {kind: parse_date((progress.get("due") or {}).get(kind)) for kind in TRI_ONE}
        windows = {kind: tuple((parse_date(w.get("from")), parse_date(w.get("to")))
                               for w in (progress.get("windows") or {}).get(kind, []) if w.get("to"))
                   for kind in TRI_ONE}  # fmt: skip
        return cls(progress.get("term_id") or "", due, parse_date(progress.get("start_date")),
                   parse_date(progress.get("end_date")), {k: v for k, v in windows.items() if v},
                   dict(progress.get("life_events") or {}))  # fmt: skip


@dataclass(frozen=True)
class FollowUps:
    open: int = 0
    late: int = 0
    concerns: tuple[str, ...] = ()  # statuses of the student's concerns not yet closed


@dataclass(frozen=True)
class TrackerRow:
    student_id: str
    display_name: str
    class_id: str
    states: dict[str, str]
    last_contact: dt.date | None = None
    follow_ups: FollowUps | None = None  # None: not known in this view
    event_talk: str | None = None  # the state of the talk a life event asks for; None: no life event


def parse_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def task_state(done: bool, due: dt.date | None, today: dt.date, soon_days: int = DUE_SOON_DAYS) -> str:
    if done:
        return DONE
    if due is None:
        return OPEN
    if today > due:
        return OVERDUE
    if (due - today).days <= soon_days:
        return DUE_SOON
    return OPEN


def window_state(done: bool, windows, today: dt.date, soon_days: int = DUE_SOON_DAYS) -> str:
    """A task with windows ((from or None, to), in date order): due soon while its current window is open
    or about to close, overdue once the last one has closed."""
    if done:
        return DONE
    current = next(((start, end) for start, end in windows if end >= today), None)
    if current is None:
        return OVERDUE if windows else OPEN
    start, end = current
    if (start is not None and start <= today) or (end - today).days <= soon_days:
        return DUE_SOON
    return OPEN


def kind_state(kind: str, done: bool, term: TermInfo, today: dt.date) -> str:
    """A 三个一 task's state by the term's windows when it has them, else by its due date."""
    if term.windows.get(kind):
        return window_state(done, term.windows[kind], today)
    return task_state(done, term.due.get(kind), today)


def event_talk_state(event: dict | None, records, today: dt.date) -> str | None:
    """The talk a life event asks for: done by a talk on or after the event's day (in ``records`` when given,
    else as the service said), due ``life_event_days`` after it."""
    if not event:
        return None
    day = parse_date(event.get("event_date"))
    if records is None:
        done = bool(event.get("done"))
    else:
        done = any(r.get("kind") == "talk" and (parse_date(r.get("date")) or dt.date.min) >= day for r in live(records))
    return task_state(done, parse_date(event.get("due")), today)


def live(records) -> list[dict]:
    return [r for r in records if not r.get("deleted")]


def done_kinds(records, term: TermInfo) -> set[str]:
    """Kinds of the 三个一 that have a record in ``term``."""
    kinds = set()
    for record in live(records):
        in_term = record.get("term_id") == term.term_id if record.get("term_id") else (
            term.start is not None and term.end is not None
            and term.start <= parse_date(record.get("date")) <= term.end)  # fmt: skip
        if in_term and record.get("kind") in TRI_ONE:
            kinds.add(record["kind"])
    return kinds


def last_contact(records) -> dt.date | None:
    days = [parse_date(r.get("date")) for r in live(records) if r.get("kind") in CONTACT_KINDS]
    return max((d for d in days if d), default=None)


def follow_ups(records, today: dt.date) -> FollowUps:
    """Follow-ups still open: a record asked for one and no later record of the student exists yet.
    ``late`` counts those whose follow-up date has passed."""
    records = live(records)
    dates = [parse_date(r.get("date")) for r in records]
    open_count = late = 0
    for record, day in zip(records, dates, strict=True):
        follow = parse_date(record.get("follow_up_date"))
        if follow is None or day is None:
            continue
        if any(other and other > day for other in dates):
            continue
        open_count += 1
        late += follow < today
    return FollowUps(open_count, late)


def sort_key(row) -> tuple[str, str]:
    if isinstance(row, dict):
        return (row.get("class_id") or "", row.get("student_id") or "")
    return (row.class_id, row.student_id)


def mentee_rows(mentees, records_by_student: dict, term: TermInfo, today: dt.date,
                concerns: dict[str, list[str]] | None = None) -> list[TrackerRow]:  # fmt: skip
    """Rows for my mentees from their records (``records_by_student[student_id]`` -> record dicts) and the
    statuses of their concerns not yet closed (``concerns[student_id]``, from ``concern_model.open_concerns``)."""
    rows = []
    for mentee in sorted(mentees, key=sort_key):
        records = records_by_student.get(mentee["student_id"], [])
        done = done_kinds(records, term)
        states = {kind: kind_state(kind, kind in done, term, today) for kind in TRI_ONE}
        event = event_talk_state(term.life_events.get(mentee["student_id"]), records, today)
        pending = follow_ups(records, today)
        pending = FollowUps(pending.open, pending.late, tuple((concerns or {}).get(mentee["student_id"], ())))
        rows.append(TrackerRow(mentee["student_id"], mentee.get("display_name", ""), mentee.get("class_id", ""),
                               states, last_contact(records), pending, event))  # fmt: skip
    return rows


def progress_rows(progress: dict, term: TermInfo, today: dt.date, class_ids=None) -> list[TrackerRow]:
    """Rows from the service's per-student progress (a head teacher's class), optionally one set of classes."""
    rows = []
    for student in sorted(progress.get("students", []), key=sort_key):
        if class_ids is not None and student.get("class_id") not in class_ids:
            continue
        states = {kind: kind_state(kind, bool(student.get(kind)), term, today) for kind in TRI_ONE}
        event = event_talk_state(term.life_events.get(student["student_id"]), None, today)
        rows.append(TrackerRow(student["student_id"], student.get("display_name", ""), student.get("class_id", ""),
                               states, event_talk=event))  # fmt: skip
    return rows


def class_summary(progress: dict) -> list[dict]:
    """Per-class counts for a school admin, ordered by class id (never by a count)."""
    keys = ("class_id", "students", *TRI_ONE, "complete")
    return [{k: row.get(k, 0) for k in keys} for row in sorted(progress.get("classes", []), key=sort_key)]


def state_counts(rows) -> dict[str, dict[str, int]]:
    """How many tasks are in each state, per kind (for a header line; not per student)."""
    counts = {kind: {DONE: 0, DUE_SOON: 0, OVERDUE: 0, OPEN: 0} for kind in TRI_ONE}
    for row in rows:
        for kind, state in row.states.items():
            counts[kind][state] += 1
    return counts
