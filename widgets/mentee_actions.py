"""The workbench's 学生动态 tab for a mentor (or head teacher with mentees): mark a major change in a mentee's
life (``POST life-events``: it opens a talk task for that student), nominate a mentee for the term's
排摸重点对象 (``POST focus-nominations``) and withdraw a nomination not yet decided (``POST
focus-nominations/{id}/withdraw``, after a confirmation step). The records service decides who may do each."""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable

import ipywidgets as w

from . import focus_client, year_client
from .client import RecordsError
from .focus_texts import LIFE_EVENT_KINDS, NOMINATION_STATUS, f

log = logging.getLogger(__name__)


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


class MenteeActions:
    def __init__(self, client, students: list[dict], *, today: Callable[[], dt.date] = dt.date.today,
                 nominations: list[dict] | None = None, on_event=None, nominees: list[dict] | None = None):  # fmt: skip
        self.client, self.today, self.on_event = client, today, on_event
        options = [(f"{s.get('display_name', '')}（{s.get('class_id', '')}）", s["student_id"]) for s in students]
        self.names = {s["student_id"]: s.get("display_name", s["student_id"]) for s in students}
        self.event_student = w.Dropdown(description=f("event_student"), options=options, value=None)
        self.event_kind = w.Dropdown(description=f("event_kind"), options=list(LIFE_EVENT_KINDS),
                                     value=LIFE_EVENT_KINDS[0])  # fmt: skip
        self.event_date = w.DatePicker(description=f("event_date"), value=today())
        self.event_button = w.Button(description=f("event_save"), button_style="warning", icon="flag")
        self.event_status = w.HTML("")
        self.event_button.on_click(self._on_event)
        nominees = students if nominees is None else nominees  # own mentees only (the service's rule)
        self.nominee = w.Dropdown(description=f("event_student"), value=None, options=[
            (f"{s.get('display_name', '')}（{s.get('class_id', '')}）", s["student_id"]) for s in nominees])
        self.reason = w.Textarea(description=f("nominate_reason"), placeholder=f("nominate_reason_help"))
        self.nominate_button = w.Button(description=f("nominate_save"), button_style="primary", icon="star")
        self.nominate_status = w.HTML("")
        self.nominated = w.HTML("")
        self.nominate_button.on_click(self._on_nominate)
        self.withdraw_pick = w.Dropdown(description=f("withdraw_pick"), options=[], value=None)
        self.withdraw_button = w.Button(description=f("withdraw_button"), icon="undo")
        self.withdraw_button.on_click(self._on_withdraw)
        self.confirm_text = w.HTML("")
        self.confirm_yes = w.Button(description=f("withdraw_yes"), button_style="danger", icon="check")
        self.confirm_no = w.Button(description=f("withdraw_no"), icon="times")
        self.confirm_yes.on_click(self._on_confirm_withdraw)
        self.confirm_no.on_click(lambda _button=None: self._ask(None))
        self.confirm_box = w.VBox([self.confirm_text, w.HBox([self.confirm_yes, self.confirm_no])])
        self.confirm_box.add_class("mh-withdraw-confirm")
        self.withdraw_status = w.HTML("")
        self.withdraw_box = w.VBox([w.HTML(f"<p>{esc(f('withdraw_help'))}</p>"), self.withdraw_pick,
                                    self.withdraw_button, self.confirm_box])  # fmt: skip
        self.withdraw_box.add_class("mh-withdraw")
        self.asking: int | None = None
        self._ask(None)
        self.set_nominations(nominations or [])
        event_box = w.VBox([w.HTML(f"<h3>{esc(f('event_title'))}</h3>"), self.event_student, self.event_kind,
                            self.event_date, self.event_button, self.event_status])  # fmt: skip
        event_box.add_class("mh-life-event")
        nominate_box = w.VBox([w.HTML(f"<h3>{esc(f('nominate_title'))}</h3>"), self.nominee, self.reason,
                               self.nominate_button, self.nominate_status, self.nominated,
                               self.withdraw_box, self.withdraw_status])  # fmt: skip
        nominate_box.add_class("mh-nominate")
        self.widget = w.VBox([w.HTML(f"<p>{esc(f('actions_intro'))}</p>"), event_box, nominate_box])
        self.widget.add_class("mh-mentee-actions")

    @classmethod
    def from_client(cls, client, students: list[dict], **kwargs) -> MenteeActions:
        try:
            nominations = focus_client.my_nominations(client)
        except RecordsError as error:
            log.warning("nominations could not load: %s", error)
            nominations = []
        return cls(client, students, nominations=nominations, **kwargs)

    def set_nominations(self, nominations: list[dict]) -> None:
        self.nominations = {n["nomination_id"]: n for n in nominations}
        open_ones = [n for n in nominations if n.get("status", "open") == "open"]
        self.withdraw_pick.options = [(self._label(n), n["nomination_id"]) for n in open_ones]
        self.withdraw_pick.value = None
        self.withdraw_box.layout.display = None if open_ones else "none"
        if self.asking not in {n["nomination_id"] for n in open_ones}:
            self._ask(None)
        if not nominations:
            self.nominated.value = f"<p>{esc(f('nominated_title'))}：{esc(f('nominated_none'))}</p>"
            return
        items = "".join(f'<li data-student="{esc(n["student_id"])}" data-status="{esc(n.get("status", "open"))}">'
                        f'{esc(self._label(n))}【{esc(NOMINATION_STATUS.get(n.get("status", "open"), ""))}】：'
                        f"{esc(n['reason'])}</li>" for n in nominations)  # fmt: skip
        self.nominated.value = f"<p>{esc(f('nominated_title'))}</p><ul class=\"mh-nominations\">{items}</ul>"

    def _label(self, nomination: dict) -> str:
        name = self.names.get(nomination["student_id"], nomination["student_id"])
        return f"{name}（{nomination['created_at'][:10]}）"

    def _ask(self, nomination_id: int | None) -> None:
        """Show (or, with None, hide) the confirmation step for withdrawing that nomination."""
        self.asking = nomination_id
        if nomination_id is None:
            self.confirm_text.value = ""
            self.confirm_box.layout.display = "none"
            return
        name = self.names.get(self.nominations[nomination_id]["student_id"], "")
        self.confirm_text.value = f'<p class="mh-confirm">{esc(f("withdraw_confirm", student=name))}</p>'
        self.confirm_box.layout.display = None

    @staticmethod
    def _show(target: w.HTML, message: str, ok: bool) -> None:
        colour, css = ("#1b5e20", "mh-status-ok") if ok else ("#b00020", "mh-status-error")
        target.value = f'<p class="{css}" style="color:{colour}">{esc(message)}</p>'

    def _run(self, target: w.HTML, action) -> bool:
        try:
            action()
        except RecordsError as error:
            self._show(target, str(error), False)
            return False
        except Exception:
            log.exception("a 学生动态 action failed")
            self._show(target, "发生了意外错误，已记入日志，请稍后再试。", False)
            return False
        return True

    def _on_event(self, _button=None) -> None:
        if not self.event_student.value:
            self._show(self.event_status, f("event_pick"), False)
            return
        day = self.event_date.value.isoformat() if self.event_date.value else None
        result = {}

        def send():
            result.update(year_client.add_life_event(self.client, self.event_student.value, self.event_kind.value, day))

        if self._run(self.event_status, send):
            self._show(self.event_status, f("event_saved", due=result.get("talk_due", "")), True)
            if self.on_event is not None:
                self.on_event(result)

    def _on_nominate(self, _button=None) -> None:
        if not self.nominee.value:
            self._show(self.nominate_status, f("event_pick"), False)
            return

        def send():
            focus_client.nominate(self.client, self.nominee.value, self.reason.value)
            self.set_nominations(focus_client.my_nominations(self.client))

        if self._run(self.nominate_status, send):
            self.reason.value = ""
            self._show(self.nominate_status, f("nominate_saved"), True)

    def _on_withdraw(self, _button=None) -> None:
        if self.withdraw_pick.value is None:
            self._show(self.withdraw_status, f("withdraw_first"), False)
            return
        self.withdraw_status.value = ""
        self._ask(self.withdraw_pick.value)

    def _on_confirm_withdraw(self, _button=None) -> None:
        nomination_id = self.asking
        if nomination_id is None:
            return
        name = self.names.get(self.nominations[nomination_id]["student_id"], "")

        def send():
            focus_client.withdraw_nomination(self.client, nomination_id)

        done = self._run(self.withdraw_status, send)
        self._ask(None)
        try:  # refreshed either way: a refusal (decided meanwhile) changes the list too
            self.set_nominations(focus_client.my_nominations(self.client))
        except RecordsError as error:
            log.warning("nominations could not reload: %s", error)
        if done:
            self._show(self.withdraw_status, f("withdrawn", student=name), True)
