"""The term calendar page's model (no ipywidgets): a term's calendar as form values and back.

Exams are edited as lines of "名称 日期" (``parse_exam_lines``); the body sent is the service's calendar
request (``hub.records.year_openapi.CALENDAR_BODY``). The service checks the plan's rules (home visit
before the term begins, windows within the term) and answers with the message to show.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .year_texts import y

EXAM_LINE = re.compile(r"\s*(.+?)\s+(\d{4}-\d{2}-\d{2})\s*")


class FormProblem(ValueError):
    """A value the page can refuse before asking the service (the message is for people)."""


@dataclass(frozen=True)
class CalendarForm:
    home_visit_from: dt.date | None
    home_visit_to: dt.date | None
    growth_from: dt.date | None
    growth_to: dt.date | None
    exam_lines: str
    days_before: int
    days_after: int
    event_days: int

    @classmethod
    def from_calendar(cls, calendar: dict) -> CalendarForm:
        """Form values from a calendar as the service answers it (a legacy term: the windows are empty)."""
        home = calendar.get("home_visit") or {}
        growth = calendar.get("growth_message") or {}
        lines = "\n".join(f"{e['name']} {e['date']}" for e in calendar.get("exams", []))
        return cls(day(home.get("from")), day(home.get("to")), day(growth.get("from")), day(growth.get("to")),
                   lines, calendar.get("talk_days_before", 7), calendar.get("talk_days_after", 7),
                   calendar.get("life_event_days", 7))  # fmt: skip

    def body(self) -> dict:
        """The request body; windows left empty are not sent (they stay as they are)."""
        body = {"exams": parse_exam_lines(self.exam_lines), "talk_days_before": int(self.days_before),
                "talk_days_after": int(self.days_after), "life_event_days": int(self.event_days)}  # fmt: skip
        if self.home_visit_from and self.home_visit_to:
            body["home_visit"] = {"from": self.home_visit_from.isoformat(), "to": self.home_visit_to.isoformat()}
        if self.growth_from and self.growth_to:
            body["growth_message"] = {"from": self.growth_from.isoformat(), "to": self.growth_to.isoformat()}
        return body


def day(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def parse_exam_lines(text: str) -> list[dict]:
    """Lines of "名称 日期" as exams; a line that is neither empty nor of that form is refused by number."""
    exams = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = EXAM_LINE.fullmatch(line)
        if not match:
            raise FormProblem(y("calendar_bad_exam_line", line=number))
        try:
            dt.date.fromisoformat(match.group(2))
        except ValueError:
            raise FormProblem(y("calendar_bad_exam_line", line=number)) from None
        exams.append({"name": match.group(1), "date": match.group(2)})
    return exams


def window_rows(calendar: dict) -> list[tuple[str, str]]:
    """(task, its windows as text) for the summary under the form."""
    names = {"home_visit": "家访", "talk": "谈心谈话", "growth_message": "成长寄语"}
    rows = []
    for kind, title in names.items():
        windows = calendar.get("windows", {}).get(kind, [])
        text = "、".join((f"{w['name']} " if w.get("name") else "") + (f"{w['from']}～{w['to']}" if w.get("from")
                        else f"截至 {w['to']}") for w in windows)  # fmt: skip
        rows.append((title, text or y("window_none")))
    return rows
