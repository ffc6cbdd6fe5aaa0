"""三个一 tracker views: my mentees, a head teacher's class, a school admin's per-class summary.

Tables are HTML built from escaped values; rows come from ``widgets.tracker_model`` in class-then-id
order (no ranking, no sorting by counts). A student's record history opens below the table.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import ipywidgets as w

from .client import RecordsError
from .concern_model import open_concerns, status_text
from .forms_model import record_summary
from .texts import KIND_TITLES, t
from .tracker_model import (
    DONE,
    DUE_SOON,
    OVERDUE,
    TRI_ONE,
    TermInfo,
    TrackerRow,
    class_summary,
    mentee_rows,
    progress_rows,
)
from .year_texts import y

log = logging.getLogger(__name__)

STATE_COLOURS = {DONE: "#1b5e20", DUE_SOON: "#8a5a00", OVERDUE: "#b00020"}
TABLE_STYLE = "border-collapse:collapse;width:100%;font-size:14px"
CELL = 'style="border:1px solid #ddd;padding:4px 8px"'


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def state_cell(kind: str, state: str) -> str:
    colour = STATE_COLOURS.get(state, "#555")
    label = y("col_event_talk") if kind == "event_talk" else t("col_" + kind)  # a life event's talk: year_texts
    return (f'<td {CELL} class="mh-state mh-state-{state}" data-kind="{kind}" data-label="{esc(label)}">'
            f'<span style="color:{colour}">{esc(t("state_" + state))}</span></td>')  # fmt: skip


def follow_up_text(row: TrackerRow) -> str:
    f = row.follow_ups
    if f is None or (f.open == 0 and not f.concerns):
        return t("follow_ups_none")
    parts = []
    if f.open:
        parts.append(t("follow_ups_late", count=f.open, late=f.late) if f.late else t("follow_ups_open", count=f.open))
    if f.concerns:
        statuses = "、".join(dict.fromkeys(status_text(status) for status in f.concerns))
        parts.append(t("follow_ups_concerns", count=len(f.concerns), status=statuses))
    return "；".join(parts)


def rows_html(rows: list[TrackerRow], with_contact: bool) -> str:
    head = [t("col_class"), t("col_student"), *(t("col_" + k) for k in TRI_ONE)]
    with_events = any(row.event_talk for row in rows)  # a life event opened a talk task for someone
    if with_events:
        head.append(y("col_event_talk"))
    if with_contact:
        head += [t("col_last_contact"), t("col_follow_ups")]
    lines = ["<tr>" + "".join(f"<th {CELL}>{esc(h)}</th>" for h in head) + "</tr>"]
    for row in rows:
        cells = [f'<td {CELL} data-label="{esc(t("col_class"))}">{esc(row.class_id)}</td>',
                 f'<td {CELL} data-label="{esc(t("col_student"))}">{esc(row.display_name)}</td>']  # fmt: skip
        cells += [state_cell(kind, row.states[kind]) for kind in TRI_ONE]
        if with_events:
            cells.append(state_cell("event_talk", row.event_talk) if row.event_talk
                         else f"<td {CELL}>{esc(y('event_none'))}</td>")  # fmt: skip
        if with_contact:
            last = row.last_contact.isoformat() if row.last_contact else t("never")
            cells += [f'<td {CELL} class="mh-last-contact" data-label="{esc(t("col_last_contact"))}">{esc(last)}</td>',
                      f'<td {CELL} class="mh-follow-ups" data-label="{esc(t("col_follow_ups"))}">'
                      f"{esc(follow_up_text(row))}</td>"]  # fmt: skip
        lines.append(f'<tr class="mh-row" data-student="{esc(row.student_id)}">' + "".join(cells) + "</tr>")
    return f'<table class="mh-tracker mh-cards" style="{TABLE_STYLE}">' + "".join(lines) + "</table>"


def due_line(term: TermInfo) -> str:
    dates = {k: (term.due.get(k).isoformat() if term.due.get(k) else t("no_due")) for k in TRI_ONE}
    if term.windows:  # the plan's windows: e.g. the home visit before the term begins
        return y("window_line", **{k: windows_text(term.windows.get(k, ())) for k in TRI_ONE})
    return t("due_line", **dates)


def windows_text(windows) -> str:
    parts = [y("window_range", start=start.isoformat(), end=end.isoformat()) if start
             else y("window_until", end=end.isoformat()) for start, end in windows]  # fmt: skip
    return "、".join(parts) or y("window_none")


def history_html(student_name: str, records: list[dict]) -> str:
    title = f"<h4>{esc(t('history_title', student=student_name))}</h4>"
    live = [r for r in records if not r.get("deleted")]
    if not live:
        return title + f"<p>{esc(t('history_empty'))}</p>"
    head = ("history_col_date", "history_col_kind", "history_col_summary", "history_col_follow_up")
    lines = ["<tr>" + "".join(f"<th {CELL}>{esc(t(h))}</th>" for h in head) + "</tr>"]
    for record in sorted(live, key=lambda r: (r.get("date") or "", r.get("record_id") or 0), reverse=True):
        values = (record.get("date"), KIND_TITLES.get(record.get("kind"), record.get("kind")), record_summary(record),
                  record.get("follow_up_date") or "")  # fmt: skip
        lines.append(f'<tr class="mh-history-row" data-record="{esc(record.get("record_id"))}">'
                     + "".join(f'<td {CELL} data-label="{esc(t(h))}">{esc(v)}</td>' for h, v in zip(head, values,
                                                                                               strict=True))
                     + "</tr>")  # fmt: skip
    return title + f'<table class="mh-history mh-cards" style="{TABLE_STYLE}">' + "".join(lines) + "</table>"


def fetch_records(client, student_ids, workers: int = 4) -> dict[str, list[dict]]:
    """Records of each student, fetched a few at a time (the page is usable sooner)."""
    student_ids = list(student_ids)
    if not student_ids:
        return {}
    with ThreadPoolExecutor(max_workers=min(workers, len(student_ids))) as pool:
        results = pool.map(client.records_for, student_ids)
        return dict(zip(student_ids, results, strict=True))


class TrackerView:
    """A table of tracker rows plus a history panel for one chosen student."""

    def __init__(self, title: str, rows: list[TrackerRow], term: TermInfo, load_history: Callable[[str], list],
                 *, with_contact: bool):  # fmt: skip
        self.term = term
        self.load_history = load_history
        self.with_contact = with_contact
        self.title = w.HTML(f"<h3>{esc(title)}</h3><p>{esc(due_line(term))}</p>")
        self.table = w.HTML("")
        self.picker = w.Dropdown(description=t("col_student"), options=[], value=None)
        self.history_button = w.Button(description=t("history"), icon="list")
        self.history = w.HTML("")
        self.history_button.on_click(self._on_history)
        self.widget = w.VBox([self.title, self.table, w.HBox([self.picker, self.history_button]), self.history])
        self.widget.add_class("mh-tracker-view")
        self.set_rows(rows)

    def set_rows(self, rows: list[TrackerRow]) -> None:
        self.rows = rows
        self.table.value = rows_html(rows, self.with_contact)
        chosen = self.picker.value
        self.picker.options = [(f"{r.display_name}（{r.class_id}）", r.student_id) for r in rows]
        self.picker.value = chosen if chosen in {r.student_id for r in rows} else None

    def row(self, student_id: str) -> TrackerRow | None:
        return next((r for r in self.rows if r.student_id == student_id), None)

    def _on_history(self, _button=None) -> None:
        student_id = self.picker.value
        if not student_id:
            return
        try:
            self.show_history(student_id)
        except RecordsError as error:
            self.history.value = f'<p style="color:#b00020">{esc(t("load_failed", message=error.message_zh))}</p>'
        except Exception:
            log.exception("loading the history of %s failed", student_id)
            self.history.value = f'<p style="color:#b00020">{esc(t("unexpected"))}</p>'

    def show_history(self, student_id: str) -> None:
        row = self.row(student_id)
        self.history.value = history_html(row.display_name if row else student_id, self.load_history(student_id))


class MenteeTracker:
    """My mentees: states from each mentee's records, last contact and open follow-ups (record follow-up dates
    and concerns not yet closed)."""

    def __init__(self, client, mentees: list[dict], term: TermInfo, *, today: Callable[[], dt.date] = dt.date.today,
                 records: dict[str, list[dict]] | None = None, flags: list[dict] | None = None):  # fmt: skip
        self.client, self.mentees, self.term, self.today = client, mentees, term, today
        self.concerns = open_concerns(flags or [])
        self.records = records if records is not None else fetch_records(client, [m["student_id"] for m in mentees])
        self.view = TrackerView(t("tracker_title", term=term.term_id), self._rows(), term, self._history,
                                with_contact=True)  # fmt: skip
        self.widget = self.view.widget
        if not mentees:
            self.view.table.value = f"<p>{esc(t('no_mentees'))}</p>"

    def _rows(self) -> list[TrackerRow]:
        return mentee_rows(self.mentees, self.records, self.term, self.today(), self.concerns)

    def set_flags(self, flags: list[dict]) -> None:
        """New concern statuses (after one was raised or refreshed): redraw the table."""
        self.concerns = open_concerns(flags)
        self.view.set_rows(self._rows())

    def _history(self, student_id: str) -> list[dict]:
        self.records[student_id] = self.client.records_for(student_id)
        self.view.set_rows(self._rows())
        return self.records[student_id]

    def refresh_student(self, student_id: str) -> None:
        """Re-read one student's records (after a save) and redraw the table."""
        if student_id in {m["student_id"] for m in self.mentees}:
            self.records[student_id] = self.client.records_for(student_id)
            self.view.set_rows(self._rows())
            if self.view.picker.value == student_id:
                self.view.show_history(student_id)


class ClassTracker:
    """A head teacher's classes, from the service's per-student progress."""

    def __init__(self, client, progress: dict, class_ids, term: TermInfo, *,
                 today: Callable[[], dt.date] = dt.date.today):  # fmt: skip
        self.client, self.class_ids, self.term, self.today = client, set(class_ids), term, today
        title = t("class_title", class_id="、".join(sorted(self.class_ids)))
        rows = progress_rows(progress, term, today(), self.class_ids)
        self.view = TrackerView(title, rows, term, client.records_for, with_contact=False)
        self.widget = self.view.widget

    def reload(self) -> None:
        progress = self.client.progress()
        self.view.set_rows(progress_rows(progress, self.term, self.today(), self.class_ids))


def summary_html(rows: list[dict]) -> str:
    keys = ("class_id", "students", *TRI_ONE, "complete")
    titles = [t("col_class"), t("col_students"), *(t("col_" + k) for k in TRI_ONE), t("col_complete")]
    lines = ["<tr>" + "".join(f"<th {CELL}>{esc(h)}</th>" for h in titles) + "</tr>"]
    for row in rows:
        lines.append(f'<tr class="mh-class-row" data-class="{esc(row["class_id"])}">'
                     + "".join(f'<td {CELL} data-label="{esc(title)}">{esc(row[k])}</td>'
                               for k, title in zip(keys, titles, strict=True)) + "</tr>")  # fmt: skip
    return f'<table class="mh-school-summary mh-cards" style="{TABLE_STYLE}">' + "".join(lines) + "</table>"


class SchoolSummary:
    """A school admin's per-class counts (no student rows) with the .xlsx export below."""

    def __init__(self, progress: dict, term: TermInfo, export_widget: w.Widget | None = None):
        rows = class_summary(progress)
        body = summary_html(rows) if rows else f"<p>{esc(t('no_school_rows'))}</p>"
        self.table = w.HTML(body)
        parts = [w.HTML(f"<h3>{esc(t('school_title', term=term.term_id))}</h3><p>{esc(due_line(term))}</p>"),
                 self.table]  # fmt: skip
        if export_widget is not None:
            parts.append(export_widget)
        self.widget = w.VBox(parts)
