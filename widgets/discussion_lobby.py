"""The case-discussion page (Voilà app 案例研讨): pick or open a discussion, then the room itself.

Model: ``widgets.discussion_client.ServiceRoom`` (the service runs the rules). View: ``DiscussionLobby``
lists the discussions of the caller's studios, lets a studio's host open one on a case from the library,
joins by list or by number (non-members are refused by the service, and the refusal is shown), and then
shows ``DiscussionRoomApp`` with polling. Exposes ``root``; never calls ``display()``.
"""

from __future__ import annotations

import html
import logging

import ipywidgets as widgets

from hub.cases import texts
from hub.cases.errors import CaseStudyError
from widgets.client import RecordsClient, RecordsError
from widgets.discussion_client import ServiceRoom
from widgets.discussion_room import DiscussionRoomApp

log = logging.getLogger(__name__)


def error_html(message: str) -> str:
    return f'<p class="mh-error" style="color:#b00">{html.escape(message)}</p>'


def session_label(session, studio_names: dict[str, str]) -> str:
    state = texts.UI_FINISHED if session.finished else texts.ROUND_NAMES[session.round]
    return texts.UI_SESSION_OPTION.format(title=session.case_title, studio=studio_names.get(session.studio, session.studio),
                                          round=state, id=session.id)  # fmt: skip


class DiscussionLobby:
    def __init__(self, room: ServiceRoom, user: str, cases: list[dict], poll_interval: float | None = 2.0):
        self.room, self.user, self.poll_interval = room, user, poll_interval
        self.app: DiscussionRoomApp | None = None
        self.studios: list[dict] = []
        self.message = widgets.HTML()
        self.studio = widgets.Dropdown(options=[], description=texts.UI_STUDIO)
        self.case = widgets.Dropdown(options=[(c["title"], c["id"]) for c in cases], description=texts.UI_CASE,
                                     value=cases[0]["id"] if cases else None,
                                     layout=widgets.Layout(width="32em"))  # fmt: skip
        self.create = widgets.Button(description=texts.UI_CREATE, button_style="primary")
        self.host_box = widgets.HBox([self.studio, self.case, self.create])
        self.sessions = widgets.Dropdown(options=[], description=texts.UI_SESSIONS, layout=widgets.Layout(width="40em"))
        self.join = widgets.Button(description=texts.UI_JOIN)
        self.reload = widgets.Button(description=texts.UI_REFRESH)
        self.session_id = widgets.Text(description=texts.UI_JOIN_BY_ID, layout=widgets.Layout(width="20em"))
        self.join_by_id = widgets.Button(description=texts.UI_JOIN + "（" + texts.UI_JOIN_BY_ID + "）")
        self.lobby = widgets.VBox([
            self.host_box,
            widgets.HBox([self.sessions, self.join, self.reload]),
            widgets.HBox([self.session_id, self.join_by_id]),
        ])  # fmt: skip
        self.room_box = widgets.VBox([])
        self.back = widgets.Button(description=texts.UI_LEAVE)
        self.back.layout.display = "none"
        self.create.on_click(lambda _: self._act(self._create))
        self.join.on_click(lambda _: self._act(lambda: self.enter(self.sessions.value)))
        self.join_by_id.on_click(lambda _: self._act(lambda: self.enter(self.session_id.value.strip())))
        self.reload.on_click(lambda _: self._act(self.load))
        self.back.on_click(lambda _: self._act(self.leave))
        self.root = widgets.VBox([self.message, self.lobby, self.back, self.room_box])
        self.root.add_class("mh-discussion")
        self.message.add_class("mh-lobby-message")
        self._act(self.load)

    @classmethod
    def from_client(cls, client: RecordsClient, poll_interval: float | None = 2.0) -> DiscussionLobby:
        room = ServiceRoom(client)
        user = client.me()["username"]
        hosts = any(studio["is_host"] for studio in room.studios())
        cases = client.cases() if hosts else []
        return cls(room, user, cases, poll_interval)

    # --- lobby ------------------------------------------------------------------------------
    def load(self) -> None:
        self.studios = self.room.studios()
        names = {s["studio_id"]: s["name"] for s in self.studios}
        hosted = [(s["name"], s["studio_id"]) for s in self.studios if s["is_host"]]
        self.studio.options = hosted
        self.studio.value = hosted[0][1] if hosted else None
        self.host_box.layout.display = "" if hosted and self.case.options else "none"
        sessions = self.room.sessions()
        self.sessions.options = [(session_label(s, names), s.id) for s in sessions]
        self.sessions.value = sessions[0].id if sessions else None  # the newest
        if not self.studios:
            self.message.value = f"<p>{html.escape(texts.UI_NO_STUDIO)}</p>"
        elif not sessions:
            self.message.value = f"<p>{html.escape(texts.UI_NO_SESSIONS)}</p>"

    def _create(self) -> None:
        session = self.room.open_session(self.studio.value, self.case.value)
        self.load()
        self.enter(session.id)

    def enter(self, session_id: str) -> None:
        """Join ``session_id`` and show its room (the service refuses non-members)."""
        if not session_id:
            return
        app = DiscussionRoomApp.join(self.room, session_id, self.user)
        self.leave()
        self.app = app
        self.room_box.children = [app.root]
        self.lobby.layout.display = "none"
        self.back.layout.display = ""
        self.message.value = ""
        if self.poll_interval:
            app.start_polling(self.poll_interval)

    def leave(self) -> None:
        if self.app is not None:
            self.app.stop_polling()
        self.app = None
        self.room_box.children = []
        self.lobby.layout.display = ""
        self.back.layout.display = "none"

    def _act(self, action) -> None:
        try:
            action()
        except (CaseStudyError, RecordsError) as error:
            self.message.value = error_html(str(error))
        except Exception as error:
            log.exception("discussion lobby action failed")
            self.message.value = error_html(texts.UI_ERROR.format(message=error))
