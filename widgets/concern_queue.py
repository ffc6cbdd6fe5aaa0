"""The concern queue (view) of a psychology teacher or school leader: the school's concerns, one opened with
its details and handling history, and the next step (triage, assignment, follow-up note, referral outside the
school, closing with an outcome, reopening).

    queue = ConcernQueue.from_client(client)
    queue.widget

The rows, history and checks are in ``widgets.concern_queue_model``; the records service decides who may see
and do what, and audits every read and step.
"""

from __future__ import annotations

import html
import logging

import ipywidgets as w

from .client import RecordsError
from .concern_queue_model import (
    EXTERNAL_REFERRALS,
    FLAG_OUTCOMES,
    FOLLOW_UP_METHODS,
    LEVELS,
    STATUS_FILTERS,
    flag_option,
    level_label,
    queue_rows,
    status_label,
    step_payload,
    steps_for,
    timeline_rows,
    validate_step,
    when,
)
from .forms import STYLE, error_line, show_error
from .texts import FLAG_SIGNAL_LABELS, t

log = logging.getLogger(__name__)
CELL = 'style="border:1px solid #ddd;padding:4px 8px"'
QUEUE_COLUMNS = ("student", "level", "risk", "signals", "status", "raised", "assignee")
TIMELINE_COLUMNS = ("at", "who", "what", "note")
WIDE = w.Layout(width="95%")


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def table_html(css_class: str, columns, titles, rows, row_attrs=lambda row: "") -> str:
    """An escaped table; each cell names its column (``data-label``), so a phone shows each row as a card."""
    head = "".join(f"<th {CELL}>{esc(title)}</th>" for title in titles)
    pairs = list(zip(columns, titles, strict=True))
    body = "".join(f"<tr{row_attrs(row)}>"
                   + "".join(f'<td {CELL} data-label="{esc(title)}">{esc(row[key])}</td>' for key, title in pairs)
                   + "</tr>" for row in rows)  # fmt: skip
    return f'<table class="{css_class} mh-cards" style="border-collapse:collapse;width:100%"><tr>{head}</tr>{body}</table>'


def queue_html(flags: list[dict]) -> str:
    if not flags:
        return f'<p class="mh-queue-empty">{esc(t("queue_empty"))}</p>'
    titles = [t(f"queue_col_{key}") for key in QUEUE_COLUMNS]
    return table_html("mh-queue", QUEUE_COLUMNS, titles, queue_rows(flags),
                      lambda row: f' class="mh-queue-row" data-flag="{esc(row["flag_id"])}"')  # fmt: skip


def detail_html(flag: dict) -> str:
    """Facts of one flag and its history (escaped)."""
    none = t("fact_none")
    signals = "；".join(FLAG_SIGNAL_LABELS.get(s, s) for s in flag.get("signals") or []) or none
    referral = flag.get("referred_out_to") or none
    if flag.get("referred_out_to") and flag.get("referred_at"):
        referral += f"（{when(flag['referred_at'])}）"
    facts = [
        ("fact_raised", f"{when(flag.get('raised_at'))} {flag.get('raised_by_name', '')}"),
        ("fact_level", level_label(flag.get("level"))),
        ("fact_status", status_label(flag.get("status"))),
        ("fact_risk", t("yes") if flag.get("immediate_risk") else t("no")),
        ("fact_signals", signals),
        ("fact_details", flag.get("details") or none),
        ("fact_assignee", flag.get("assigned_to_name") or t("queue_unassigned")),
        ("fact_referral", referral),
        ("fact_outcome", flag.get("outcome") or none),
    ]
    items = "".join(f'<dt style="font-weight:bold;margin-top:4px">{esc(t(key))}</dt>'
                    f'<dd style="margin:0 0 0 1em;white-space:pre-wrap">{esc(value)}</dd>' for key, value in facts)  # fmt: skip
    title = t("queue_detail_title", student=f"{flag.get('student_name', '')}（{flag.get('class_id', '')}）",
              flag_id=flag.get("flag_id"))  # fmt: skip
    titles = [t(f"timeline_col_{key}") for key in TIMELINE_COLUMNS]
    timeline = table_html("mh-timeline", TIMELINE_COLUMNS, titles, timeline_rows(flag))
    return (f'<div class="mh-flag-detail" data-flag="{esc(flag.get("flag_id"))}"><h4>{esc(title)}</h4>'
            f"<dl>{items}</dl><h4>{esc(t('timeline_title'))}</h4>{timeline}</div>")  # fmt: skip


class StepForm:
    """The fields and button of one step (``action``); ``values()`` for the model's checks."""

    def __init__(self, action: str, on_submit):
        self.action = action
        self.controls: dict[str, w.Widget] = {}
        rows = []
        if action == "triage":
            self.controls["level"] = w.Dropdown(options=[(level_label(n), n) for n in LEVELS], value=None,
                                                description=t("queue_field_level"), style=STYLE)  # fmt: skip
        if action == "assign":
            self.controls["assignee"] = w.Dropdown(options=[], value=None, description=t("queue_field_assignee"),
                                                   style=STYLE)  # fmt: skip
        if action == "follow_up":
            self.controls["follow_up_method"] = w.Dropdown(options=FOLLOW_UP_METHODS, value=None, style=STYLE,
                                                           description=t("queue_field_follow_up_method"))  # fmt: skip
        if action == "refer":
            rows.append(w.HTML(f'<p class="mh-help">{esc(t("queue_refer_help"))}</p>'))
            self.controls["referred_out_to"] = w.Dropdown(options=EXTERNAL_REFERRALS, value=None, style=STYLE,
                                                          description=t("queue_field_referred_out_to"))  # fmt: skip
            self.controls["guardian_informed"] = w.Checkbox(value=False, indent=False,
                                                            description=t("queue_field_guardian_informed"))  # fmt: skip
        if action == "close":
            rows.append(w.HTML(f'<p class="mh-help">{esc(t("queue_close_help"))}</p>'))
            self.controls["outcome"] = w.Dropdown(options=FLAG_OUTCOMES, value=None, style=STYLE,
                                                  description=t("queue_field_outcome"))  # fmt: skip
        self.controls["note"] = w.Textarea(description=t("queue_field_note"), placeholder=t("queue_note_placeholder"),
                                           style=STYLE, layout=w.Layout(width="95%", height="5em"))  # fmt: skip
        self.errors = {name: error_line() for name in self.controls}
        for name, control in self.controls.items():
            rows += [control, self.errors[name]]
        self.button = w.Button(description=t(f"queue_submit_{action}"), button_style="primary")
        self.button.on_click(lambda _: on_submit(self))
        self.widget = w.VBox([*rows, self.button])
        self.widget.add_class(f"mh-step-{action}")

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, line in self.errors.items():
            show_error(line, errors.get(name))

    def clear(self) -> None:
        for name, control in self.controls.items():
            control.value = False if name == "guardian_informed" else "" if name == "note" else None
        self.show_errors({})


class ConcernQueue:
    """A work queue of concerns with one concern opened below it."""

    def __init__(self, client, flags: list[dict]):
        self.client = client
        self.flags = flags
        self.current: dict | None = None
        self.filter = w.Dropdown(options=[(t(label), value) for label, value in STATUS_FILTERS], value="active",
                                 description=t("queue_filter"), style=STYLE)  # fmt: skip
        self.refresh_button = w.Button(description=t("refresh"), icon="refresh")
        self.table = w.HTML(queue_html(flags))
        self.picker = w.Dropdown(description=t("queue_pick"), options=[], value=None, style=STYLE, layout=WIDE)
        self.open_button = w.Button(description=t("queue_open"), icon="folder-open")
        self.detail = w.HTML("")
        self.forms = {action: StepForm(action, self._on_step) for action in ("triage", "assign", "follow_up", "refer",
                                                                             "close", "reopen")}  # fmt: skip
        self.step = w.ToggleButtons(options=[], description=t("queue_step"), style=STYLE)
        self.step_box = w.VBox([])
        self.status = w.HTML("")
        self.actions = w.VBox([self.step, self.step_box], layout=w.Layout(display="none"))
        self.filter.observe(lambda _: self._guarded(self.reload), names="value")
        self.refresh_button.on_click(lambda _: self._guarded(self.reload))
        self.open_button.on_click(lambda _: self._guarded(self.open_selected))
        self.step.observe(self._on_step_choice, names="value")
        self._set_picker()
        self.widget = w.VBox([
            w.HTML(f"<h3>{esc(t('queue_title'))}</h3><p>{esc(t('queue_intro'))}</p>"),
            w.HBox([self.filter, self.refresh_button]), self.table,
            w.HBox([self.picker, self.open_button]), self.status, self.detail, self.actions,
        ])  # fmt: skip
        self.widget.add_class("mh-concern-queue")

    @classmethod
    def from_client(cls, client) -> ConcernQueue:
        return cls(client, client.flag_queue("active"))

    # --- loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        self.flags = self.client.flag_queue(self.filter.value)
        self.table.value = queue_html(self.flags)
        self._set_picker()

    def _set_picker(self) -> None:
        chosen = self.picker.value
        self.picker.options = [(flag_option(f), f["flag_id"]) for f in self.flags]
        ids = {f["flag_id"] for f in self.flags}
        self.picker.value = chosen if chosen in ids else None

    def open_selected(self) -> None:
        if self.picker.value is None:
            self._status(t("queue_no_pick"), error=True)
            return
        self.open(self.picker.value)

    def open(self, flag_id: int) -> dict:
        """Show one flag (a read of its details, audited by the service) with the steps it can take."""
        self.show(self.client.flag(flag_id))
        self._status(t("queue_audited"), error=False)
        return self.current

    def show(self, flag: dict) -> None:
        self.current = flag
        self.detail.value = detail_html(flag)
        self.forms["assign"].controls["assignee"].options = [
            (f"{a['name']}（{a['username']}）", a["username"]) for a in flag.get("assignees", [])]
        steps = steps_for(flag)
        self.step.options = [(t(f"queue_step_{s}"), s) for s in steps]
        self.step.value = steps[0]
        self._on_step_choice({"new": steps[0]})
        self.actions.layout.display = None

    # --- one step -----------------------------------------------------------------------------
    def _on_step_choice(self, change) -> None:
        if change["new"] in self.forms:
            self.step_box.children = [self.forms[change["new"]].widget]

    def _on_step(self, form: StepForm) -> None:
        self._guarded(lambda: self.take_step(form.action))

    def take_step(self, action: str) -> dict | None:
        """Check and send the step ``action`` for the open flag; returns the flag as it now is, or None."""
        form = self.forms[action]
        if self.current is None:
            self._status(t("queue_no_pick"), error=True)
            return None
        errors = validate_step(action, form.values())
        form.show_errors(errors)
        if errors:
            self._status(t("fix_errors", count=len(errors)), error=True)
            return None
        try:
            flag = self.client.act_on_flag(self.current["flag_id"], action, **step_payload(action, form.values()))
        except RecordsError as error:
            if error.field in form.errors:
                show_error(form.errors[error.field], error.message_zh)
            self._status(t("queue_refused", message=error.message_zh), error=True)
            return None
        form.clear()
        self.show(flag)
        self._status(t("queue_done", what=t(f"queue_step_{action}")), error=False)
        self.reload()
        return flag

    # --- helpers ------------------------------------------------------------------------------
    def _guarded(self, call) -> None:
        try:
            call()
        except RecordsError as error:
            self._status(t("load_failed", message=error.message_zh), error=True)
        except Exception:  # a callback error must be visible, never swallowed
            log.exception("concern queue callback failed")
            self._status(t("unexpected"), error=True)

    def _status(self, message: str, error: bool) -> None:
        colour = "#b00020" if error else "#1b5e20"
        kind = "error" if error else "ok"
        self.status.value = f'<div class="mh-status mh-status-{kind}" style="color:{colour}">{esc(message)}</div>'
