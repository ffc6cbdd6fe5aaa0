"""A term's calendar: when each task of the 三个一 is due, as the district's plan puts it. Pure: no database.

The plan (长宁区《全员导师制工作实施方案》) sets the three tasks of every term:

- 家访 (home visit): 每学期开学前, before the term begins. The window is the school's; by default from
  ``HOME_VISIT_DAYS_BEFORE`` days before the first day to the end (Sunday) of the first week.
- 谈心谈话 (talk): 重要考试前后 and after 学生生活发生重大变故. One window around each exam date, from
  ``talk_days_before`` days before to ``talk_days_after`` days after it; and, for one student, the
  ``life_event_days`` days after a life event that their mentor or head teacher marked (``LifeEvent``).
- 成长寄语 (growth message): 每学期末, by default the last ``GROWTH_MESSAGE_DAYS`` days of the term.

A task is due at the end of its (last) window. A term "opens" for records on the earliest of its first
day and its home-visit window, so a home visit made before the term begins belongs to that term.

The district keeps a template calendar per term (``school_id`` ""); a school may keep its own, which then
replaces the template for its students. A term without any calendar (made before calendars existed)
keeps its three due dates (``Term.home_visit_due`` ...) and no windows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

TRI_ONE = ("home_visit", "talk", "growth_message")
DISTRICT = ""  # the school_id of the district's template calendar
HOME_VISIT_DAYS_BEFORE = 14
GROWTH_MESSAGE_DAYS = 14
DEFAULT_TALK_DAYS = 7  # before and after an exam
DEFAULT_LIFE_EVENT_DAYS = 7
MAX_DAYS = 60  # the longest talk or life-event window a calendar may set
MAX_HOME_VISIT_LEAD = 60  # a home-visit window opens at most this many days before the term
EXAM_NAME_MAX = 20
MAX_EXAMS = 12

#: the kinds of life event a mentor or head teacher may mark (coded: no free text about the family)
LIFE_EVENT_KINDS = ("家庭变故", "亲人离世", "转学转班", "身体健康", "受处分", "其他重大变化")


class CalendarError(ValueError):
    """A calendar that cannot be: ``key`` names the message (``hub.store.year_messages``), ``field`` the input."""

    def __init__(self, key: str, field: str, **values):
        super().__init__(f"{key}: {field} {values}")
        self.key, self.field, self.values = key, field, values


@dataclass(frozen=True)
class Window:
    """An inclusive date range; ``start`` None: not known (a term without a calendar)."""

    start: dt.date | None
    end: dt.date
    name: str = ""

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and day <= self.end

    def to_dict(self) -> dict:
        return {"name": self.name, "from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat()}  # fmt: skip


@dataclass(frozen=True)
class Exam:
    name: str
    date: dt.date

    def to_dict(self) -> dict:
        return {"name": self.name, "date": self.date.isoformat()}


@dataclass(frozen=True)
class Calendar:
    term_id: str
    start: dt.date
    end: dt.date
    school_id: str = DISTRICT
    home_visit_from: dt.date | None = None
    home_visit_to: dt.date | None = None
    exams: tuple[Exam, ...] = ()
    talk_days_before: int = DEFAULT_TALK_DAYS
    talk_days_after: int = DEFAULT_TALK_DAYS
    life_event_days: int = DEFAULT_LIFE_EVENT_DAYS
    growth_message_from: dt.date | None = None
    growth_message_to: dt.date | None = None
    #: a term without a calendar: its due dates only (kind -> date or None)
    legacy_due: dict = field(default_factory=dict)

    @property
    def legacy(self) -> bool:
        return self.home_visit_to is None

    @property
    def opens_on(self) -> dt.date:
        """The first day a record may belong to this term: the home-visit window may begin before the term."""
        return min(self.start, self.home_visit_from) if self.home_visit_from else self.start

    def talk_windows(self) -> list[Window]:
        return [Window(max(self.opens_on, exam.date - dt.timedelta(days=self.talk_days_before)),
                       min(self.end, exam.date + dt.timedelta(days=self.talk_days_after)), exam.name)
                for exam in sorted(self.exams, key=lambda e: e.date)]  # fmt: skip

    def windows(self) -> dict[str, list[Window]]:
        """Each task's windows in date order; a legacy term has one window per due date, without a start."""
        if self.legacy:
            return {kind: [Window(None, due)] if due else [] for kind, due in
                    ((k, self.legacy_due.get(k)) for k in TRI_ONE)}  # fmt: skip
        growth = [Window(self.growth_message_from, self.growth_message_to)] if self.growth_message_to else []
        return {"home_visit": [Window(self.home_visit_from, self.home_visit_to)],
                "talk": self.talk_windows(), "growth_message": growth}  # fmt: skip

    def due(self) -> dict[str, dt.date | None]:
        """Each task's due date: the end of its last window (None: no window)."""
        return {kind: (windows[-1].end if windows else None) for kind, windows in self.windows().items()}

    def life_event_window(self, event_date: dt.date) -> Window:
        return Window(event_date, event_date + dt.timedelta(days=self.life_event_days), "重大变故")

    def to_dict(self) -> dict:
        """The calendar as the service answers it (dates as ISO text)."""
        return {
            "term_id": self.term_id, "school_id": self.school_id, "legacy": self.legacy,
            "start_date": self.start.isoformat(), "end_date": self.end.isoformat(),
            "opens_on": self.opens_on.isoformat(),
            "home_visit": ({"from": iso(self.home_visit_from), "to": iso(self.home_visit_to)}
                           if not self.legacy else None),
            "exams": [exam.to_dict() for exam in self.exams],
            "talk_days_before": self.talk_days_before, "talk_days_after": self.talk_days_after,
            "life_event_days": self.life_event_days,
            "growth_message": ({"from": iso(self.growth_message_from), "to": iso(self.growth_message_to)}
                               if not self.legacy else None),
            "due": {kind: iso(day) for kind, day in self.due().items()},
            "windows": {kind: [w.to_dict() for w in windows] for kind, windows in self.windows().items()},
        }  # fmt: skip


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def end_of_first_week(start: dt.date) -> dt.date:
    """The Sunday of the week in which the term begins."""
    return start + dt.timedelta(days=6 - start.weekday())


def default_calendar(term_id: str, start: dt.date, end: dt.date, exams=(), *, school_id: str = DISTRICT) -> Calendar:
    """The plan's calendar with the default windows: home visit two weeks before the start to the end of the
    first week; talks a week either side of each exam; growth message in the last two weeks."""
    return Calendar(term_id, start, end, school_id,
                    home_visit_from=start - dt.timedelta(days=HOME_VISIT_DAYS_BEFORE),
                    home_visit_to=min(end, end_of_first_week(start)), exams=tuple(exams),
                    growth_message_from=max(start, end - dt.timedelta(days=GROWTH_MESSAGE_DAYS - 1)),
                    growth_message_to=end)  # fmt: skip


def legacy_calendar(term_id: str, start: dt.date, end: dt.date, due: dict) -> Calendar:
    return Calendar(term_id, start, end, legacy_due={k: due.get(k) for k in TRI_ONE})


def with_changes(calendar: Calendar, changes: dict) -> Calendar:
    """``calendar`` with the (already parsed) fields of ``changes`` replaced; checked by ``check_calendar``."""
    return replace(calendar, **changes)


def check_calendar(calendar: Calendar, previous_end: dt.date | None = None) -> Calendar:
    """The calendar, or ``CalendarError`` naming the first thing that cannot be."""
    c = calendar
    if c.end < c.start:
        raise CalendarError("term_end_before_start", "end_date", start=c.start, end=c.end)
    if c.home_visit_from is None or c.home_visit_to is None:
        raise CalendarError("window_missing", "home_visit")
    if c.home_visit_to < c.home_visit_from:
        raise CalendarError("window_reversed", "home_visit", start=c.home_visit_from, end=c.home_visit_to)
    if c.home_visit_from > c.start:
        raise CalendarError("home_visit_after_start", "home_visit", start=c.start)
    if (c.start - c.home_visit_from).days > MAX_HOME_VISIT_LEAD:
        raise CalendarError("home_visit_too_early", "home_visit", days=MAX_HOME_VISIT_LEAD)
    if c.home_visit_to > c.end:
        raise CalendarError("outside_term_window", "home_visit", start=c.start, end=c.end)
    if previous_end is not None and c.home_visit_from <= previous_end:
        raise CalendarError("home_visit_in_previous_term", "home_visit", end=previous_end)
    if c.growth_message_from is None or c.growth_message_to is None:
        raise CalendarError("window_missing", "growth_message")
    if c.growth_message_to < c.growth_message_from:
        raise CalendarError("window_reversed", "growth_message", start=c.growth_message_from,
                            end=c.growth_message_to)  # fmt: skip
    if c.growth_message_from < c.start or c.growth_message_to > c.end:
        raise CalendarError("outside_term_window", "growth_message", start=c.start, end=c.end)
    if len(c.exams) > MAX_EXAMS:
        raise CalendarError("too_many_exams", "exams", limit=MAX_EXAMS)
    for exam in c.exams:
        if not c.start <= exam.date <= c.end:
            raise CalendarError("exam_outside_term", "exams", name=exam.name, start=c.start, end=c.end)
    if len({exam.name for exam in c.exams}) != len(c.exams):
        raise CalendarError("exam_twice", "exams")
    for name in ("talk_days_before", "talk_days_after", "life_event_days"):
        value = getattr(c, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_DAYS:
            raise CalendarError("bad_days", name, limit=MAX_DAYS)
    return c


def current_window(windows: list[Window], today: dt.date) -> Window | None:
    """The first window that has not ended by ``today`` (None: all have ended, or there are none)."""
    return next((w for w in windows if w.end >= today), None)
