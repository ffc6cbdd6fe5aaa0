"""Record forms, one per kind (home visit, talk, growth message, parent contact, guidance note).

View classes only: the fields and checks come from ``widgets.forms_model``. A form checks its input
before anything is sent and shows each message under its field; the service's own refusal comes back
into the form too; a failed save keeps everything typed; a successful save says so clearly.

    form = RecordForm.from_client("talk", client, students=me["mentees"], term=term)
    form.widget            # the root widget (the view never calls display())
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import uuid
from collections.abc import Callable

import ipywidgets as w

from .client import RecordsError
from .forms_model import AREA, CHOICE, DATE, FLAG, KIND_FORMS, MULTI, TEXT, TermDates, build_payload, validate
from .texts import KIND_TITLES, PLACEHOLDERS, label, t

log = logging.getLogger(__name__)

WIDE = w.Layout(width="95%")
STYLE = {"description_width": "10em"}


class CheckGroup:
    """A row of check boxes with a tuple ``value`` (settable), used for multi-choice fields."""

    def __init__(self, choices, description: str = ""):
        self.boxes = [w.Checkbox(value=False, description=c, indent=False, layout=w.Layout(width="auto"))
                      for c in choices]  # fmt: skip
        self.widget = w.HBox([w.Label(description, layout=w.Layout(width="10em")), *self.boxes])

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(box.description for box in self.boxes if box.value)

    @value.setter
    def value(self, values) -> None:
        chosen = set(values or ())
        for box in self.boxes:
            box.value = box.description in chosen

    def observe(self, handler, names="value") -> None:
        for box in self.boxes:
            box.observe(handler, names=names)


def make_input(spec, description: str):
    """(control, widget to lay out) for one field spec."""
    placeholder = PLACEHOLDERS.get(spec.name, "")
    if spec.kind == TEXT:
        control = w.Text(description=description, placeholder=placeholder, layout=WIDE, style=STYLE)
    elif spec.kind == AREA:
        control = w.Textarea(description=description, placeholder=placeholder, style=STYLE,
                             layout=w.Layout(width="95%", height="5em"))  # fmt: skip
    elif spec.kind == CHOICE:
        options = [(t("not_answered"), None), *[(c, c) for c in spec.choices]]
        control = w.Dropdown(description=description, options=options, value=None, style=STYLE)
    elif spec.kind == MULTI:
        control = CheckGroup(spec.choices, description)
        return control, control.widget
    elif spec.kind == DATE:
        control = w.DatePicker(description=description, value=None, style=STYLE)
    elif spec.kind == FLAG:
        control = w.Checkbox(description=description, value=False, style=STYLE)
    else:
        raise ValueError(f"unknown field kind {spec.kind!r}")
    return control, control


def error_line() -> w.HTML:
    return w.HTML("", layout=w.Layout(margin="0 0 0 10.5em"))


def show_error(widget: w.HTML, message: str | None) -> None:
    widget.value = f'<span class="mh-error" style="color:#b00020">{html.escape(message)}</span>' if message else ""


def student_options(students) -> list[tuple[str, str]]:
    ordered = sorted(students, key=lambda s: (s.get("class_id") or "", s["student_id"]))
    return [(f"{s.get('display_name', '')}（{s.get('class_id', '')}）", s["student_id"]) for s in ordered]


class RecordForm:
    """One record kind's form. ``check_extra(values) -> {field: message}`` may add blocking checks."""

    def __init__(self, kind: str, client, students, term: TermDates, *, today: Callable[[], dt.date] = dt.date.today,
                 on_saved: Callable[[dict], None] | None = None):  # fmt: skip
        self.kind = kind
        self.client = client
        self.term = term
        self.today = today
        self.on_saved = on_saved
        self.check_extra: Callable[[dict], dict[str, str]] | None = None
        self.client_ref = uuid.uuid4().hex
        self.students = {s["student_id"]: s for s in students}
        self.controls: dict[str, object] = {}
        self.errors: dict[str, w.HTML] = {}
        rows = []
        self.controls["student_id"] = w.Dropdown(description=label("student_id"), style=STYLE,
                                                 options=student_options(students), value=None)  # fmt: skip
        self.controls["date"] = w.DatePicker(description=label("date"), value=self.default_date(), style=STYLE)
        for name in ("student_id", "date"):
            self.errors[name] = error_line()
            rows += [self.controls[name], self.errors[name]]
        for spec in KIND_FORMS[kind]:
            control, view = make_input(spec, label(spec.name) + (" *" if spec.required else ""))
            self.controls[spec.name] = control
            self.errors[spec.name] = error_line()
            rows += [view, self.errors[spec.name]]
        self.save_button = w.Button(description=t("save"), button_style="primary", icon="check")
        self.clear_button = w.Button(description=t("new"))
        self.status = w.HTML("")
        self.save_button.on_click(self._on_save)
        self.clear_button.on_click(lambda _: self.clear())
        self.fields_box = w.VBox(rows)
        self.widget = w.VBox([
            w.HTML(f"<h3>{html.escape(KIND_TITLES[kind])}</h3>"), self.fields_box,
            w.HBox([self.save_button, self.clear_button]), self.status,
        ], layout=w.Layout(width="100%"))  # fmt: skip
        self.widget.add_class(f"mh-form-{kind}")

    @classmethod
    def from_client(cls, kind: str, client, students, term: TermDates, **kwargs) -> RecordForm:
        return cls(kind, client, students, term, **kwargs)

    # --- values -------------------------------------------------------------------------------
    def default_date(self) -> dt.date:
        today = self.today()
        if self.term.end and today > self.term.end:
            return self.term.end
        return today

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def set_values(self, **values) -> None:
        for name, value in values.items():
            self.controls[name].value = value

    def clear(self) -> None:
        """Empty the kind's fields (student and date stay) and start a new record."""
        for spec in KIND_FORMS[self.kind]:
            control = self.controls[spec.name]
            control.value = () if spec.kind == MULTI else False if spec.kind == FLAG else None if spec.kind in (
                CHOICE, DATE) else ""  # fmt: skip
        for line in self.errors.values():
            show_error(line, None)
        self.client_ref = uuid.uuid4().hex

    # --- saving -------------------------------------------------------------------------------
    def check(self) -> dict[str, str]:
        values = self.values()
        errors = validate(self.kind, values, today=self.today(), term=self.term)
        if self.check_extra:
            for name, message in self.check_extra(values).items():
                errors.setdefault(name, message)
        for name, line in self.errors.items():
            show_error(line, errors.get(name))
        return errors

    def _on_save(self, _button=None) -> None:
        try:
            self.save()
        except Exception:  # a callback error must be visible, never swallowed
            log.exception("saving a %s record failed", self.kind)
            self._status(t("unexpected"), "error")

    def save(self) -> dict | None:
        """Check, send, report. Returns the stored record, or None when nothing was stored."""
        errors = self.check()
        if errors:
            self._status(t("fix_errors", count=len(errors)), "error")
            return None
        payload = build_payload(self.kind, self.values(), self.client_ref)
        self._status(t("saving"), "info")
        self.save_button.disabled = True
        try:
            record = self.client.add_record(**payload)
        except RecordsError as error:
            log.warning("records service refused a %s record: %s %s", self.kind, error.status, error)
            if error.field in self.errors:
                show_error(self.errors[error.field], error.message_zh)
            key = "refused" if error.status and 400 <= error.status < 500 else "failed"
            self._status(t(key, message=error.message_zh), "error")
            return None
        finally:
            self.save_button.disabled = False
        student = self.students.get(record.get("student_id"), {})
        self._status(t("saved", kind=KIND_TITLES[self.kind], student=student.get("display_name", ""),
                       date=record.get("date", ""), record_id=record.get("record_id", "")), "ok")  # fmt: skip
        self.clear()
        if self.on_saved:
            self.on_saved(record)
        return record

    def _status(self, message: str, level: str) -> None:
        colour = {"ok": "#1b5e20", "error": "#b00020", "info": "#555"}[level]
        self.status.value = (f'<div class="mh-status mh-status-{level}" style="color:{colour};padding:4px 0">'
                             f"{html.escape(message)}</div>")  # fmt: skip
