"""Concern flag flow (view): signals checklist, the immediate-safety question, what to do now, status list.

The checks and the request body are in ``widgets.concern_model``. After submitting, the mentor sees
only the flag's status; details go to the psychology teacher through the records service.
"""

from __future__ import annotations

import html
import logging

import ipywidgets as w

from .client import RecordsError
from .concern_model import FLAG_SIGNALS, LEVELS, concern_payload, raised_by, status_rows, validate_concern
from .forms import STYLE, CheckGroup, error_line, show_error, student_options
from .texts import FLAG_SIGNAL_LABELS, LEVEL_LABELS, TEXTS, label, t

log = logging.getLogger(__name__)
CELL = 'style="border:1px solid #ddd;padding:4px 8px"'


def urgent_html() -> str:
    steps = "".join(f"<li>{html.escape(step)}</li>" for step in TEXTS["concern_urgent_steps"])
    return (f'<div class="mh-urgent" style="border:2px solid #b00020;padding:8px;margin:6px 0">'
            f'<b style="color:#b00020">{html.escape(t("concern_urgent_title"))}</b><ol>{steps}</ol></div>')


def status_html(rows: list[dict]) -> str:
    title = f"<h4>{html.escape(t('concern_status_title'))}</h4>"
    if not rows:
        return title + f"<p>{html.escape(t('concern_status_empty'))}</p>"
    columns = (("student", "concern_col_student"), ("raised_at", "concern_col_raised"),
               ("status", "concern_col_status"), ("updated_at", "concern_updated"))  # fmt: skip
    head = "".join(f"<th {CELL}>{html.escape(t(title))}</th>" for _, title in columns)
    body = "".join(
        f'<tr class="mh-flag-row" data-flag="{html.escape(str(r["flag_id"]))}">'
        + "".join(f'<td {CELL} class="mh-flag-{key}" data-label="{html.escape(t(title))}">{html.escape(str(r[key]))}</td>'
                  for key, title in columns)
        + "</tr>" for r in rows
    )  # fmt: skip
    return title + (f'<table class="mh-flags mh-cards" style="border-collapse:collapse;width:100%">'
                    f"<tr>{head}</tr>{body}</table>")  # fmt: skip


class ConcernFlow:
    """Raise a concern for one of my students, then follow the status of the concerns I raised.

    ``username``: whose concerns the status list shows (a psychology teacher or leader, who may read every
    concern of the school, sees only their own here; the others are in their queue). ``on_raised(flags)`` is
    called with the flags read after each concern raised or refresh (the workbench updates its tracker)."""

    def __init__(self, client, students: list[dict], flags: list[dict] | None = None, *, username: str | None = None,
                 on_raised=None):  # fmt: skip
        self.client = client
        self.username = username
        self.on_raised = on_raised
        self.names = {s["student_id"]: s.get("display_name", "") for s in students}
        self.student = w.Dropdown(description=label("student_id"), options=student_options(students), value=None,
                                  style=STYLE)  # fmt: skip
        self.signals = CheckGroup(FLAG_SIGNALS, label("signals"))
        for box in self.signals.boxes:
            box.tooltip = FLAG_SIGNAL_LABELS[box.description]
        self.signal_help = w.HTML("<ul>" + "".join(f"<li>{html.escape(v)}</li>" for v in FLAG_SIGNAL_LABELS.values())
                                  + "</ul>")  # fmt: skip
        self.level = w.Dropdown(description=label("level"), options=[(LEVEL_LABELS[n], n) for n in LEVELS], value=1,
                                style=STYLE)  # fmt: skip
        self.immediate_risk = w.RadioButtons(description=label("immediate_risk"), value=None, style=STYLE,
                                             options=[(t("yes"), True), (t("no"), False)])  # fmt: skip
        self.details = w.Textarea(description=label("details"), style=STYLE, layout=w.Layout(width="95%", height="6em"))
        self.urgent = w.HTML("")
        self.errors = {name: error_line() for name in ("student_id", "signals", "level", "immediate_risk", "details")}
        self.submit = w.Button(description=t("concern_submit"), button_style="warning", icon="flag")
        self.status = w.HTML("")
        self.flag_list = w.HTML(status_html(status_rows(raised_by(flags or [], username), self.names)))
        self.refresh_button = w.Button(description=t("concern_refresh"), icon="refresh")
        self.immediate_risk.observe(self._on_risk, names="value")
        self.submit.on_click(self._on_submit)
        self.refresh_button.on_click(self._on_refresh)
        self.widget = w.VBox([
            w.HTML(f"<p>{html.escape(t('concern_intro'))}</p>"),
            self.student, self.errors["student_id"],
            w.HTML(f"<b>{html.escape(t('concern_signals_help'))}</b>"), self.signals.widget, self.signal_help,
            self.errors["signals"], self.level, self.errors["level"],
            self.immediate_risk, self.errors["immediate_risk"], self.urgent,
            self.details, self.errors["details"], self.submit, self.status, self.flag_list, self.refresh_button,
        ])  # fmt: skip
        self.widget.add_class("mh-concern")

    def values(self) -> dict:
        return {"student_id": self.student.value, "signals": self.signals.value, "level": self.level.value,
                "immediate_risk": self.immediate_risk.value, "details": self.details.value}  # fmt: skip

    def _on_risk(self, change) -> None:
        self.urgent.value = urgent_html() if change["new"] is True else ""

    def _on_submit(self, _button=None) -> None:
        try:
            self.send()
        except Exception:
            log.exception("raising a concern failed")
            self._status(t("unexpected"), error=True)

    def send(self) -> dict | None:
        errors = validate_concern(self.values())
        for name, line in self.errors.items():
            show_error(line, errors.get(name))
        if errors:
            self._status(t("fix_errors", count=len(errors)), error=True)
            return None
        payload = concern_payload(self.values())
        try:
            flag = self.client.add_flag(**payload)
        except RecordsError as error:
            if error.field in self.errors:
                show_error(self.errors[error.field], error.message_zh)
            self._status(t("refused", message=error.message_zh), error=True)
            return None
        key = "concern_routed" if payload["immediate_risk"] else "concern_saved"
        self._status(t(key, flag_id=flag.get("flag_id", "")), error=False)
        self.details.value = ""
        self.signals.value = ()
        self.refresh()
        return flag

    def refresh(self) -> None:
        flags = self.client.flags()
        self.flag_list.value = status_html(status_rows(raised_by(flags, self.username), self.names))
        if self.on_raised:
            self.on_raised(flags)

    def _on_refresh(self, _button=None) -> None:
        try:
            self.refresh()
        except RecordsError as error:
            self._status(t("load_failed", message=error.message_zh), error=True)
        except Exception:
            log.exception("refreshing the concerns failed")
            self._status(t("unexpected"), error=True)

    def _status(self, message: str, error: bool) -> None:
        colour = "#b00020" if error else "#1b5e20"
        self.status.value = f'<div class="mh-status" style="color:{colour}">{html.escape(message)}</div>'
