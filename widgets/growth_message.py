"""The 成长寄语 form with its writing helper beside it (view; the checks are in growth_message_model).

While the mentor types, the helper shows the length, whether a concrete strength is named, and any
comparison, rank or label words; it only advises. Personal data that does not belong in the message
blocks saving, with the message under the text field.
"""

from __future__ import annotations

import html

import ipywidgets as w

from .forms import RecordForm
from .growth_message_model import check_growth_message
from .texts import t

COLOURS = {"ok": "#1b5e20", "advice": "#8a5a00", "block": "#b00020"}
MARKS = {"ok": "✓", "advice": "•", "block": "✗"}


def advice_html(check) -> str:
    """One line per piece of advice, each with its own mark (the list itself has no bullets)."""
    items = "".join(
        f'<li class="mh-gm-{level}" style="color:{COLOURS[level]}">{MARKS[level]} {html.escape(text)}</li>'
        for level, text in check.advice()
    )
    return (f'<div class="mh-gm-helper"><b>{html.escape(t("gm_title"))}</b>'
            f'<ul style="list-style:none;padding-left:0;margin:4px 0">{items}</ul></div>')  # fmt: skip


class GrowthMessageForm:
    """A ``RecordForm`` for growth messages plus the live helper panel."""

    def __init__(self, form: RecordForm):
        self.form = form
        self.helper = w.HTML("", layout=w.Layout(width="34%", padding="0 0 0 1em"))
        form.check_extra = self.blocking_errors
        form.controls["text"].observe(self._refresh, names="value")
        form.controls["student_id"].observe(self._refresh, names="value")
        self._refresh()
        form.widget.layout.width = "64%"
        self.widget = w.HBox([form.widget, self.helper], layout=w.Layout(width="100%"))
        self.widget.add_class("mh-stack-on-phone")  # the helper goes below the form on a phone (widgets.style)

    @classmethod
    def from_client(cls, client, students, term, **kwargs) -> GrowthMessageForm:
        return cls(RecordForm("growth_message", client, students, term, **kwargs))

    def current_check(self):
        values = self.form.values()
        student = self.form.students.get(values.get("student_id"), {})
        others = [s.get("display_name", "") for sid, s in self.form.students.items() if sid != student.get("student_id")]
        return check_growth_message(values.get("text") or "", student.get("display_name", ""), others)

    def blocking_errors(self, _values) -> dict[str, str]:
        check = self.current_check()
        return {"text": t("gm_pii", words="、".join(check.pii))} if check.blocking else {}

    def _refresh(self, _change=None) -> None:
        self.helper.value = advice_html(self.current_check())
