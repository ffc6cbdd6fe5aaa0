"""The reminders box of the workbench: what of the 三个一 is due this week and what is overdue (the service's
``GET reminders``: the caller's mentees task by task; their classes and school as counts only)."""

from __future__ import annotations

import html
import logging

import ipywidgets as w

from . import focus_client
from .client import RecordsError
from .focus_texts import TASK_TITLES, f

log = logging.getLogger(__name__)
CELL = 'style="border:1px solid #ddd;padding:4px 8px"'
STATE_COLOURS = {"due_this_week": "#8a5a00", "overdue": "#b00020"}


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def counts_line(counts: dict) -> str:
    totals = counts.get("totals", {})
    return f("reminders_count_line", due=totals.get("due_this_week", 0), overdue=totals.get("overdue", 0))


def reminders_html(reminders: dict) -> str:
    items = reminders.get("items", [])
    parts = [f"<h3>{esc(f('reminders_title'))}</h3>"]
    if reminders.get("week_end"):
        parts.append(f"<p>{esc(f('reminders_week', start=reminders['today'], end=reminders['week_end']))}</p>")
    if items:
        head = [f("reminders_col_class"), f("reminders_col_student"), f("reminders_col_task"),
                f("reminders_col_state"), f("reminders_col_due")]  # fmt: skip
        rows = ["<tr>" + "".join(f"<th {CELL}>{esc(h)}</th>" for h in head) + "</tr>"]
        for item in items:  # the service orders them by class, then student: never by a count
            state = item["state"]
            label = f("reminders_due") if state == "due_this_week" else f("reminders_overdue")
            cells = [item["class_id"], item["display_name"], TASK_TITLES.get(item["task"], item["task"])]
            rows.append(f'<tr class="mh-reminder mh-reminder-{esc(state)}" data-student="{esc(item["student_id"])}" '
                        f'data-task="{esc(item["task"])}">'
                        + "".join(f'<td {CELL} data-label="{esc(h)}">{esc(v)}</td>' for h, v in zip(head, cells, strict=False))
                        + f'<td {CELL} data-label="{esc(head[3])}"><span style="color:{STATE_COLOURS[state]}">'
                        f"{esc(label)}</span></td><td {CELL} data-label=\"{esc(head[4])}\">{esc(item['due'])}</td></tr>")
        parts.append('<table class="mh-reminders mh-cards" style="border-collapse:collapse;width:100%;font-size:14px">'
                     + "".join(rows) + "</table>")  # fmt: skip
    elif "mine" in reminders and not reminders.get("classes") and not reminders.get("school"):
        parts.append(f'<p class="mh-reminders-none">{esc(f("reminders_none"))}</p>')
    for key, title in (("classes", f("reminders_class")), ("school", f("reminders_school"))):
        if reminders.get(key):
            parts.append(f'<p class="mh-reminders-{key}">{esc(title)}：{esc(counts_line(reminders[key]))}</p>')
    return "".join(parts)


class RemindersPanel:
    def __init__(self, reminders: dict):
        self.reminders = reminders
        self.widget = w.HTML(reminders_html(reminders))
        self.widget.add_class("mh-reminders-box")

    @classmethod
    def from_client(cls, client) -> RemindersPanel | None:
        """None when the service cannot say (the workbench works without its reminders)."""
        try:
            return cls(focus_client.reminders(client))
        except RecordsError as error:
            log.warning("reminders could not load: %s", error)
        return None
