"""The 导师团 page: a class's mentor team, its meetings and its parent-contact requests; and the 多对一 plans.

    page = ClassTeamPage.from_client(RecordsClient.from_environment())
    page.widget

The class picker lists the teams the caller may open (the records service decides). The head teacher
records meetings (students by code only); everyone on the page may download a meeting's minutes (.docx).
A subject teacher asks the student's mentor or head teacher to contact a parent; the mentor or head
teacher answers each request (accept, contact made and recorded, or decline with a reason).

    plans = SupportPlanPage.from_client(client)   # 多对一 plans the caller may read; the team records reviews
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging

import ipywidgets as w

from . import year_client
from .client import RecordsError
from .year_texts import y

log = logging.getLogger(__name__)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CELL = 'style="border:1px solid #ddd;padding:4px 8px"'
CHANNELS = ("电话", "面谈", "视频", "平台消息", "上门")
OUTCOMES = ("进展良好", "有所进展", "没有变化", "需要调整")


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def table(head: list[str], rows: list[list], css: str, row_attrs=None) -> str:
    lines = ["<tr>" + "".join(f"<th {CELL}>{esc(h)}</th>" for h in head) + "</tr>"]
    for i, row in enumerate(rows):
        attrs = row_attrs(i) if row_attrs else ""
        lines.append(f"<tr {attrs}>" + "".join(f"<td {CELL}>{esc(c)}</td>" for c in row) + "</tr>")
    return f'<table class="{css}" style="border-collapse:collapse">' + "".join(lines) + "</table>"


def ids(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("，", ",").replace("、", ",").split(",") if part.strip()]


class Status:
    """A one-line message under a form: ok in green, refusals in red, unexpected errors logged.

    Shared by the district's pages (``widgets.district_pages``), which show a refusal's Chinese message
    alone and their own text for an unexpected error: ``refusal`` turns a ``RecordsError`` into the text
    shown (default ``str``: the message with the field named), ``unexpected`` replaces ``y("unexpected")``.
    """

    def __init__(self, *, refusal=str, unexpected: str | None = None):
        self.widget = w.HTML("")
        self.refusal = refusal
        self.unexpected = unexpected if unexpected is not None else y("unexpected")

    def ok(self, message: str) -> None:
        self.widget.value = f'<p class="mh-status-ok" style="color:#1b5e20">{esc(message)}</p>'

    def error(self, message: str) -> None:
        self.widget.value = f'<p class="mh-status-error" style="color:#b00020">{esc(message)}</p>'

    def run(self, what: str, action) -> bool:
        try:
            action()
        except RecordsError as error:
            self.error(self.refusal(error))
            return False
        except Exception:
            log.exception("%s failed", what)
            self.error(self.unexpected)
            return False
        return True


class ClassTeamPage:
    def __init__(self, client, teams: list[dict], requests: list[dict], targets: list[dict], *,
                 today=dt.date.today):  # fmt: skip
        self.client, self.today = client, today
        self.picker = w.Dropdown(description=y("team_class"), options=[(f"{t['name']}（{t['class_id']}）", t["class_id"])
                                                                      for t in teams], value=None)  # fmt: skip
        self.summary, self.members, self.meetings = w.HTML(""), w.HTML(""), w.HTML("")
        self.minutes_pick = w.Dropdown(description=y("team_minutes"), options=[], value=None)
        self.minutes_button = w.Button(description=y("team_minutes"), icon="download")
        self.minutes_link = w.HTML("")
        self.minutes_button.on_click(self._on_minutes)
        self.meeting_form = self._meeting_form()
        self.requests_table = w.HTML("")
        self.answer_form = self._answer_form()
        self.request_form = self._request_form(targets)
        self.status = Status()
        self.picker.observe(lambda _change: self.show(), names="value")
        team_box = w.VBox([self.picker, self.summary, self.members,
                           w.HTML(f"<h4>{esc(y('team_meetings'))}</h4>"), self.meetings,
                           w.HBox([self.minutes_pick, self.minutes_button, self.minutes_link]),
                           self.meeting_form])  # fmt: skip
        parts = [w.HTML(f"<h3>{esc(y('team_title'))}</h3><p>{esc(y('team_intro'))}</p>")]
        parts.append(team_box if teams else w.HTML(f"<p class=\"mh-no-teams\">{esc(y('team_no_classes'))}</p>"))
        parts += [w.HTML(f"<h4>{esc(y('requests_title'))}</h4>"), self.requests_table, self.answer_form]
        if targets:
            parts.append(self.request_form)
        parts.append(self.status.widget)
        self.widget = w.VBox(parts)
        self.widget.add_class("mh-class-team")
        self.team: dict | None = None
        self.set_requests(requests)
        if teams:
            self.picker.value = teams[0]["class_id"]

    @classmethod
    def from_client(cls, client, **kwargs):
        try:
            return cls(client, year_client.class_teams(client), year_client.contact_requests(client),
                       year_client.contact_targets(client), **kwargs)  # fmt: skip
        except RecordsError as error:
            log.error("class team page could not load: %s %s", error.status, error)
            from .term_calendar import MessagePage

            return MessagePage(y("load_failed", message=error.message_zh))

    # --- the team -----------------------------------------------------------------------------------
    def show(self) -> None:
        if not self.picker.value:
            return
        if not self.status.run("loading a class team", lambda: self._load(self.picker.value)):
            return
        team = self.team
        self.summary.value = f'<p class="mh-team-progress">{esc(y("team_progress", **team["progress"]))}</p>'
        self.members.value = table(
            [y("team_col_member"), y("team_col_role"), y("team_col_mentees")],
            [[m["name"], y("team_head") if m["head_teacher"] else y("team_mentor"), m["mentees"]] for m in team["members"]],
            "mh-team-members")  # fmt: skip
        meetings = team["meetings"]
        self.meetings.value = table([y("meeting_date"), y("meeting_topic"), y("meeting_codes"), y("meeting_decisions")],
                                    [[m["meeting_date"], m["topic"], "、".join(m["student_codes"]), m["decisions"]]
                                     for m in meetings], "mh-team-meetings") if meetings else (
            f"<p>{esc(y('team_no_meetings'))}</p>")  # fmt: skip
        self.minutes_pick.options = [(f"{m['meeting_date']} {m['topic']}", m["meeting_id"]) for m in meetings]
        self.meeting_form.layout.display = "" if team.get("may_record_meetings") else "none"

    def _load(self, class_id: str) -> None:
        self.team = year_client.class_team(self.client, class_id)
        me = getattr(self, "_me", None)
        if me is None:
            me = self._me = self.client.me()
        self.team["may_record_meetings"] = class_id in set(me.get("classes", []))

    def _meeting_form(self) -> w.VBox:
        self.meeting_date = w.DatePicker(description=y("meeting_date"))
        self.meeting_topic = w.Text(description=y("meeting_topic"))
        wide = {"description_width": "initial"}  # long labels: whole, not cut at the default width
        self.meeting_attendees = w.Text(description=y("meeting_attendees"), style=wide)
        self.meeting_codes = w.Text(description=y("meeting_codes"), style=wide)
        self.meeting_decisions = w.Textarea(description=y("meeting_decisions"))
        self.meeting_minutes = w.Textarea(description=y("meeting_minutes"))
        self.meeting_save = w.Button(description=y("meeting_save"), button_style="primary", icon="save")
        self.meeting_save.on_click(self._on_meeting)
        box = w.VBox([self.meeting_date, self.meeting_topic, self.meeting_attendees, self.meeting_codes,
                      self.meeting_decisions, self.meeting_minutes, self.meeting_save])  # fmt: skip
        box.add_class("mh-meeting-form")
        return box

    def _on_meeting(self, _button=None) -> None:
        body = {"meeting_date": (self.meeting_date.value or self.today()).isoformat(), "topic": self.meeting_topic.value,
                "attendees": ids(self.meeting_attendees.value), "student_codes": ids(self.meeting_codes.value),
                "decisions": self.meeting_decisions.value, "minutes": self.meeting_minutes.value}  # fmt: skip
        if self.status.run("saving a meeting", lambda: year_client.add_meeting(self.client, self.picker.value, body)):
            self.show()
            self.status.ok(y("meeting_saved"))

    def _on_minutes(self, _button=None) -> None:
        meeting_id = self.minutes_pick.value
        if meeting_id is None:
            return

        def fetch():
            data = year_client.meeting_minutes(self.client, meeting_id)
            name = f"导师团纪要-{self.picker.value}-{meeting_id}.docx"
            encoded = base64.b64encode(data).decode("ascii")
            self.minutes_link.value = (f'<a class="mh-minutes-link" download="{esc(name)}" '
                                       f'href="data:{DOCX_MIME};base64,{encoded}">{esc(y("team_minutes_ready", name=name))}</a>')

        self.status.run("fetching minutes", fetch)

    # --- parent-contact requests ----------------------------------------------------------------------
    def set_requests(self, requests: list[dict]) -> None:
        self.requests = requests
        head = [y("request_col_student"), y("request_col_topic"), y("request_col_from"), y("request_col_status"),
                y("request_col_response")]  # fmt: skip
        rows = [[f"{r['display_name']}（{r['class_id']}）", r["topic"], r["requested_by"], r["status_text"], r["response"]]
                for r in requests]  # fmt: skip
        self.requests_table.value = table(head, rows, "mh-requests", lambda i: (
            f'data-request="{requests[i]["request_id"]}" data-status="{esc(requests[i]["status"])}"')) if requests else (
            f"<p>{esc(y('requests_none'))}</p>")  # fmt: skip
        answerable = [r for r in requests if r["may_answer"] and r["status"] in ("open", "accepted")]
        self.answer_pick.options = [(f"#{r['request_id']} {r['display_name']} · {r['topic']}", r["request_id"])
                                    for r in answerable]  # fmt: skip
        self.answer_pick.value = answerable[0]["request_id"] if answerable else None
        self.answer_form.layout.display = "" if answerable else "none"

    def _answer_form(self) -> w.VBox:
        self.answer_pick = w.Dropdown(description=y("answer_pick"), options=[], value=None)
        self.answer_response = w.Textarea(description=y("answer_response"))
        self.answer_channel = w.Dropdown(description=y("answer_channel"), options=CHANNELS, value=CHANNELS[0])
        self.answer_summary = w.Textarea(description=y("answer_summary"))
        self.accept_button = w.Button(description=y("answer_accept"))
        self.complete_button = w.Button(description=y("answer_complete"), button_style="primary")
        self.decline_button = w.Button(description=y("answer_decline"))
        self.accept_button.on_click(lambda _b: self._answer("accept"))
        self.complete_button.on_click(lambda _b: self._answer("complete"))
        self.decline_button.on_click(lambda _b: self._answer("decline"))
        box = w.VBox([self.answer_pick, self.answer_response, self.answer_channel, self.answer_summary,
                      w.HBox([self.accept_button, self.complete_button, self.decline_button])])  # fmt: skip
        box.add_class("mh-answer-form")
        return box

    def _answer(self, action: str) -> None:
        request_id = self.answer_pick.value
        if request_id is None:
            return
        fields = {"response": self.answer_response.value}
        if action == "complete":
            fields.update(channel=self.answer_channel.value, content_summary=self.answer_summary.value)
        result = {}

        def send():
            result.update(year_client.answer_contact_request(self.client, request_id, action, **fields))
            self.set_requests(year_client.contact_requests(self.client))

        if self.status.run("answering a request", send):
            self.answer_response.value = self.answer_summary.value = ""
            self.status.ok(y("answer_done", request=request_id, status=result.get("status_text", "")))
            if self.team is not None:
                self.show()

    def _request_form(self, targets: list[dict]) -> w.VBox:
        self.request_student = w.Dropdown(description=y("request_student"), value=None, options=[
            (f"{t['display_name']}（{t['class_id']}）", t["student_id"]) for t in targets])
        self.request_topic = w.Text(description=y("request_topic"))
        self.request_reason = w.Textarea(description=y("request_reason"))
        self.request_send = w.Button(description=y("request_send"), button_style="primary", icon="paper-plane")
        self.request_send.on_click(self._on_request)
        box = w.VBox([w.HTML(f"<h4>{esc(y('request_new'))}</h4>"), self.request_student, self.request_topic,
                      self.request_reason, self.request_send])  # fmt: skip
        box.add_class("mh-request-form")
        return box

    def _on_request(self, _button=None) -> None:
        def send():
            year_client.add_contact_request(self.client, self.request_student.value or "", self.request_topic.value,
                                            self.request_reason.value)  # fmt: skip
            self.set_requests(year_client.contact_requests(self.client))

        if self.status.run("sending a request", send):
            self.request_topic.value = self.request_reason.value = ""
            self.status.ok(y("request_sent"))


class SupportPlanPage:
    """The 多对一 plans the caller may read: members (priority roles first), goals, actions, reviews; the team
    records a review (the service refuses anyone else)."""

    def __init__(self, client, plans: list[dict], *, today=dt.date.today):
        self.client, self.today = client, today
        self.plans = {p["team_id"]: p for p in plans}
        self.picker = w.Dropdown(description=y("plan_pick"), value=None, options=[
            (f"{p['display_name']}（{p['class_id']}）· {y('plan_state_' + p['review_state'])}", p["team_id"])
            for p in plans])  # fmt: skip
        self.detail = w.HTML("")
        self.outcome = w.Dropdown(description=y("review_outcome"), options=OUTCOMES, value=OUTCOMES[1])
        self.summary = w.Textarea(description=y("review_summary"))
        self.next_review = w.DatePicker(description=y("review_next"))
        self.save = w.Button(description=y("review_save"), button_style="primary", icon="save")
        self.save.on_click(self._on_review)
        self.status = Status()
        self.picker.observe(lambda _change: self.show(), names="value")
        form = w.VBox([self.outcome, self.summary, self.next_review, self.save])
        form.add_class("mh-review-form")
        parts = [w.HTML(f"<h3>{esc(y('plans_title'))}</h3>")]
        parts += [self.picker, self.detail, form] if plans else [w.HTML(f"<p>{esc(y('plans_none'))}</p>")]
        self.widget = w.VBox([*parts, self.status.widget])
        self.widget.add_class("mh-support-plans")
        if plans:
            self.picker.value = plans[0]["team_id"]

    @classmethod
    def from_client(cls, client, **kwargs):
        try:
            return cls(client, year_client.support_plans(client), **kwargs)
        except RecordsError as error:
            from .term_calendar import MessagePage

            return MessagePage(y("load_failed", message=error.message_zh))

    def show(self) -> None:
        plan = self.plans.get(self.picker.value)
        if plan is None:
            return
        members = "、".join(f"{m['name']}（{m['role_text']}）" for m in plan["members"])
        goals = "".join(f"<li>{esc(g)}</li>" for g in plan["goals"])
        actions = "".join(f"<li>{esc(a['staff_id'])}：{esc(a['action'])}</li>" for a in plan["actions"])
        reviews = table([y("review_next"), y("review_outcome"), y("review_summary")],
                        [[r["review_date"], r["outcome"], r["summary"]] for r in plan["reviews"]],
                        "mh-plan-reviews") if plan["reviews"] else f"<p>{esc(y('plan_no_reviews'))}</p>"  # fmt: skip
        self.detail.value = (
            f'<div class="mh-plan" data-team="{plan["team_id"]}" data-state="{esc(plan["review_state"])}">'
            f"<p><b>{esc(y('plan_members'))}</b>：{esc(members)}</p>"
            f"<p><b>{esc(y('plan_goals'))}</b></p><ul>{goals}</ul><p><b>{esc(y('plan_actions'))}</b></p><ul>{actions}</ul>"
            f"<p class=\"mh-plan-next\">{esc(y('plan_next_review', date=plan['next_review'] or '—'))}</p>"
            f"<p><b>{esc(y('plan_reviews'))}</b></p>{reviews}</div>")  # fmt: skip

    def _on_review(self, _button=None) -> None:
        team_id = self.picker.value
        fields = {"outcome": self.outcome.value, "summary": self.summary.value,
                  "review_date": self.today().isoformat()}  # fmt: skip
        if self.next_review.value:
            fields["next_review"] = self.next_review.value.isoformat()

        def send():
            self.plans[team_id] = year_client.add_support_review(self.client, team_id, **fields)

        if self.status.run("recording a review", send):
            self.summary.value = ""
            self.show()
            self.status.ok(y("review_saved"))
