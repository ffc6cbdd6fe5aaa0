"""The term calendar page (学期日历) for school admins: each term's 三个一 windows for their school.

    page = TermCalendarPage.from_client(RecordsClient.from_environment())
    page.widget

A term picker, the calendar that applies now (the school's own, or the district's template), a form to
set the school's own, and the resulting windows. The records service checks and stores it.
"""

from __future__ import annotations

import html
import logging

import ipywidgets as w

from . import year_client
from .client import RecordsError
from .term_calendar_model import CalendarForm, FormProblem, window_rows
from .year_texts import y

log = logging.getLogger(__name__)


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


class TermCalendarPage:
    def __init__(self, client, terms: list[dict]):
        self.client, self.terms = client, {term["term_id"]: term for term in terms}
        current = next((t["term_id"] for t in terms if t.get("current")), terms[-1]["term_id"] if terms else None)
        self.picker = w.Dropdown(description=y("calendar_term"), options=list(self.terms), value=current)
        self.source = w.HTML("")
        self.home_from = w.DatePicker(description=y("calendar_home_visit_from"))
        self.home_to = w.DatePicker(description=y("calendar_home_visit_to"))
        self.growth_from = w.DatePicker(description=y("calendar_growth_from"))
        self.growth_to = w.DatePicker(description=y("calendar_growth_to"))
        self.exams = w.Textarea(description=y("calendar_exams"), placeholder=y("calendar_exams_help"),
                                layout=w.Layout(width="32em", height="6em"))  # fmt: skip
        self.days_before = w.BoundedIntText(description=y("calendar_days_before"), min=0, max=60)
        self.days_after = w.BoundedIntText(description=y("calendar_days_after"), min=0, max=60)
        self.event_days = w.BoundedIntText(description=y("calendar_event_days"), min=0, max=60)
        self.save = w.Button(description=y("calendar_save"), button_style="primary", icon="save")
        self.status = w.HTML("")
        self.windows = w.HTML("")
        self.picker.observe(lambda _change: self.show(), names="value")
        self.save.on_click(self._on_save)
        form = w.VBox([w.HBox([self.home_from, self.home_to]), self.exams,
                       w.HBox([self.days_before, self.days_after, self.event_days]),
                       w.HBox([self.growth_from, self.growth_to]), self.save, self.status])  # fmt: skip
        intro = w.HTML(f"<h3>{esc(y('calendar_title'))}</h3><p>{esc(y('calendar_intro'))}</p>")
        parts = [intro, self.picker, self.source, form, self.windows] if terms else [
            intro, w.HTML(f"<p>{esc(y('calendar_no_terms'))}</p>")]
        self.widget = w.VBox(parts)
        self.widget.add_class("mh-term-calendar")
        if terms:
            self.show()

    @classmethod
    def from_client(cls, client):
        try:
            return cls(client, year_client.terms(client))
        except RecordsError as error:
            log.error("term calendar page could not load: %s %s", error.status, error)
            return MessagePage(y("load_failed", message=error.message_zh))

    def show(self) -> None:
        term = self.terms[self.picker.value]
        calendar = term["calendar"]
        form = CalendarForm.from_calendar(calendar)
        self.home_from.value, self.home_to.value = form.home_visit_from, form.home_visit_to
        self.growth_from.value, self.growth_to.value = form.growth_from, form.growth_to
        self.exams.value = form.exam_lines
        self.days_before.value, self.days_after.value, self.event_days.value = (
            form.days_before, form.days_after, form.event_days)
        source = y("calendar_source_own") if term.get("own") else y("calendar_source_district")
        dates = y("calendar_term_dates", start=calendar["start_date"], end=calendar["end_date"])
        self.source.value = f'<p class="mh-calendar-source">{esc(dates)}（{esc(source)}）</p>'
        self.windows.value = self._windows_html(calendar)

    def _windows_html(self, calendar: dict) -> str:
        rows = "".join(f"<tr><td>{esc(task)}</td><td>{esc(text)}</td></tr>" for task, text in window_rows(calendar))
        return f"<h4>{esc(y('calendar_windows'))}</h4><table class=\"mh-calendar-windows\">{rows}</table>"

    def form(self) -> CalendarForm:
        return CalendarForm(self.home_from.value, self.home_to.value, self.growth_from.value, self.growth_to.value,
                            self.exams.value, self.days_before.value, self.days_after.value,
                            self.event_days.value)  # fmt: skip

    def _on_save(self, _button=None) -> None:
        term_id = self.picker.value
        try:
            calendar = year_client.set_calendar(self.client, term_id, self.form().body())
        except FormProblem as problem:
            self._say(str(problem), ok=False)
            return
        except RecordsError as error:
            self._say(str(error), ok=False)
            return
        except Exception:
            log.exception("saving the calendar of %s failed", term_id)
            self._say(y("unexpected"), ok=False)
            return
        self.terms[term_id] = {**self.terms[term_id], "own": True, "calendar": calendar}
        self.show()
        self._say(y("calendar_saved", term=term_id), ok=True)

    def _say(self, message: str, ok: bool) -> None:
        css, colour = ("mh-status-ok", "#1b5e20") if ok else ("mh-status-error", "#b00020")
        self.status.value = f'<p class="{css}" style="color:{colour}">{esc(message)}</p>'


class MessagePage:
    def __init__(self, message: str):
        self.widget = w.VBox([w.HTML(f'<p class="mh-load-error" style="color:#b00020">{esc(message)}</p>')])
