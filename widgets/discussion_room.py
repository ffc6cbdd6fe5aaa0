"""Case-discussion room (Voilà app): one person's page in one session.

Model: ``hub.cases.discussion.DiscussionRoom`` (rules) over a storage. View: ``DiscussionRoomApp``
shows the round, participants and contributions, lets the person contribute, edit their own
contributions and vote; the leader also moves rounds, closes the vote, writes the summary and
exports the minutes. ``poll_once`` re-reads when the session's version moved; ``start_polling``
runs it on the kernel's event loop so others' contributions appear without reloading.
Errors from the model are shown in ``message`` (never swallowed). No ``display()`` here.
"""

from __future__ import annotations

import asyncio
import base64
import html
import logging

import ipywidgets as widgets

from hub.cases import texts
from hub.cases.discussion import CONTRIBUTION_ROUNDS, ROUNDS, DiscussionRoom, RoomView
from hub.cases.errors import CaseStudyError
from hub.cases.minutes import minutes_docx, minutes_markdown

log = logging.getLogger(__name__)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def contributions_html(view: RoomView) -> str:
    """Contributions grouped by round, escaped."""
    parts = []
    for round_name in CONTRIBUTION_ROUNDS:
        items = view.in_round(round_name)
        if not items and ROUNDS.index(round_name) > ROUNDS.index(view.session.round):
            continue
        rows = "".join(f"<li><b>{html.escape(c.author)}</b>：{html.escape(c.text)}</li>" for c in items)
        parts.append(f"<h4>{texts.ROUND_NAMES[round_name]}</h4><ul>{rows or '<li>' + texts.UI_NO_CONTRIBUTIONS + '</li>'}</ul>")
    if view.tally and view.session.round in ("vote", "summary"):
        rows = "".join(
            f"<li>{html.escape(line.text)}（{html.escape(line.author)}）：{line.votes} {texts.MINUTES_VOTES_UNIT}</li>"
            for line in view.tally
        )
        parts.append(f"<h4>{texts.MINUTES_VOTE}</h4><ul>{rows}</ul>")
    if view.session.summary:
        parts.append(f"<h4>{texts.MINUTES_SUMMARY}</h4><p>{html.escape(view.session.summary)}</p>")
    return "".join(parts)


def download_link(data: bytes, filename: str, mime: str, label: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<a download="{html.escape(filename)}" href="data:{mime};base64,{encoded}">{html.escape(label)}</a>'


def keep_choice(dropdown: widgets.Dropdown, options: list[tuple[str, str]], preferred: str | None,
                first: bool = True) -> None:
    """Set a dropdown's options without losing what the person picked (a poll may refresh mid-choice):
    keep the current value when still offered, else ``preferred``, else (with ``first``) the first option."""
    current = dropdown.value
    if tuple(options) != tuple(dropdown.options):
        dropdown.options = options
    values = [value for _, value in options]
    if current in values:
        dropdown.value = current
    elif preferred in values:
        dropdown.value = preferred
    else:
        dropdown.value = values[0] if values and first else None


class DiscussionRoomApp:
    def __init__(self, room: DiscussionRoom, session_id: str, user: str):
        self.room, self.session_id, self.user = room, session_id, user
        self.seen_version: int | None = None
        self.last_view: RoomView | None = None
        self._poll_task: asyncio.Task | None = None
        self.header = widgets.HTML()
        self.board = widgets.HTML()
        self.message = widgets.HTML()
        self.text = widgets.Textarea(placeholder=texts.UI_YOUR_TEXT, layout=widgets.Layout(width="100%", height="6em"))
        self.submit = widgets.Button(description=texts.UI_SUBMIT, button_style="primary")
        self.mine = widgets.Dropdown(options=[], description=texts.UI_EDIT_PICK)
        self.save_edit = widgets.Button(description=texts.UI_SAVE_EDIT)
        self.proposal = widgets.Dropdown(options=[], description=texts.UI_VOTE_FOR)
        self.vote_button = widgets.Button(description=texts.UI_VOTE)
        self.advance_button = widgets.Button(description=texts.UI_ADVANCE, button_style="warning")
        self.close_vote_button = widgets.Button(description=texts.UI_CLOSE_VOTE)
        self.summary = widgets.Textarea(placeholder=texts.UI_SUMMARY, layout=widgets.Layout(width="100%", height="6em"))
        self.save_summary = widgets.Button(description=texts.UI_SAVE_SUMMARY)
        self.finish = widgets.Button(description=texts.UI_FINISH, button_style="danger")
        self.export_button = widgets.Button(description=texts.UI_EXPORT)
        self.downloads = widgets.HTML()
        self.contribute_box = widgets.VBox([self.text, self.submit, widgets.HBox([self.mine, self.save_edit])])
        self.vote_box = widgets.HBox([self.proposal, self.vote_button])
        self.leader_box = widgets.VBox(
            [
                widgets.HBox([self.advance_button, self.close_vote_button]),
                self.summary,
                widgets.HBox([self.save_summary, self.finish, self.export_button]),
                self.downloads,
            ]
        )
        self.submit.on_click(lambda _: self._act(self._submit))
        self.mine.observe(self._on_pick_mine, names="value")
        self.save_edit.on_click(lambda _: self._act(self._save_edit))
        self.vote_button.on_click(lambda _: self._act(lambda: room.vote(user, session_id, self.proposal.value)))
        self.advance_button.on_click(lambda _: self._act(lambda: room.advance(user, session_id)))
        self.close_vote_button.on_click(lambda _: self._act(lambda: room.close_vote(user, session_id)))
        self.save_summary.on_click(lambda _: self._act(lambda: room.write_summary(user, session_id, self.summary.value)))
        self.finish.on_click(lambda _: self._act(lambda: room.write_summary(user, session_id, self.summary.value, True)))
        self.export_button.on_click(lambda _: self._act(self._export))
        self.root = widgets.VBox(
            [self.header, self.message, self.board, self.contribute_box, self.vote_box, self.leader_box]
        )
        for widget, name in ((self.root, "mh-room"), (self.header, "mh-room-header"), (self.board, "mh-room-board"),
                             (self.message, "mh-room-message"), (self.downloads, "mh-room-downloads")):
            widget.add_class(name)
        self.refresh()

    @classmethod
    def join(cls, room: DiscussionRoom, session_id: str, user: str) -> DiscussionRoomApp:
        """Join the session (refused for non-members with ``Forbidden``) and build the page."""
        room.join(user, session_id)
        return cls(room, session_id, user)

    # --- reading ----------------------------------------------------------------------------
    def refresh(self) -> RoomView:
        view = self.room.view(self.user, self.session_id)
        session = view.session
        self.seen_version, self.last_view = session.version, view
        state = texts.UI_FINISHED if session.finished else texts.UI_CURRENT_ROUND.format(round=texts.ROUND_NAMES[session.round])
        self.header.value = (
            f"<h3>{html.escape(session.case_title)}</h3><p><b>{html.escape(state)}</b></p>"
            f"<p>{html.escape(texts.UI_PARTICIPANTS.format(names='、'.join(session.participants)))}</p>"
            f'<p class="mh-room-id">{html.escape(texts.UI_SESSION_ID.format(id=session.id))}</p>'
        )
        hint = f"<p><i>{texts.UI_HIDDEN_ANALYSIS}</i></p>" if session.round == "analysis" else ""
        self.board.value = hint + contributions_html(view)
        editable = [c for c in view.contributions if c.author == self.user and c.round == session.round]
        keep_choice(self.mine, [(c.text[:20], c.id) for c in editable], None, first=False)
        keep_choice(self.proposal, [(f"{line.text[:30]}（{line.author}）", line.proposal_id) for line in view.tally],
                    view.my_vote)
        open_session = not session.finished
        self.contribute_box.layout.display = "" if open_session and session.round in CONTRIBUTION_ROUNDS else "none"
        self.vote_box.layout.display = "" if open_session and session.round == "vote" and not session.vote_closed else "none"
        self.leader_box.layout.display = "" if view.is_leader else "none"
        if view.is_leader and session.summary and not self.summary.value:
            self.summary.value = session.summary
        return view

    def poll_once(self) -> bool:
        """Re-read when someone else changed the session; True when the page was refreshed."""
        if self.room.version(self.session_id) != self.seen_version:
            self.refresh()
            return True
        return False

    def start_polling(self, interval: float = 2.0) -> asyncio.Task:
        """Poll on the kernel's event loop; the version check (an HTTP call on the service) runs in a
        worker thread so the kernel keeps answering the page meanwhile."""
        event_loop = asyncio.get_event_loop()

        async def loop():
            while True:
                await asyncio.sleep(interval)
                try:
                    version = await event_loop.run_in_executor(None, self.room.version, self.session_id)
                    if version != self.seen_version:
                        self.refresh()
                except Exception as error:  # keep polling, but show and log the failure
                    log.exception("discussion room poll failed")
                    self.message.value = html.escape(texts.UI_ERROR.format(message=error))

        self._poll_task = event_loop.create_task(loop())
        return self._poll_task

    def stop_polling(self) -> None:
        if self._poll_task is not None:
            self._poll_task.cancel()

    # --- actions ----------------------------------------------------------------------------
    def _act(self, action) -> None:
        try:
            action()
        except CaseStudyError as error:
            self.message.value = f'<p style="color:#b00">{html.escape(str(error))}</p>'
            return
        except Exception as error:
            log.exception("discussion room action failed")
            self.message.value = f'<p style="color:#b00">{html.escape(texts.UI_ERROR.format(message=error))}</p>'
            return
        self.message.value = html.escape(texts.UI_SAVED)
        self.refresh()

    def _submit(self) -> None:
        self.room.contribute(self.user, self.session_id, self.text.value)
        self.text.value = ""

    def _on_pick_mine(self, change) -> None:
        chosen = change["new"]
        mine = {c.id: c for c in self.last_view.contributions} if self.last_view else {}
        if chosen in mine:
            self.text.value = mine[chosen].text

    def _save_edit(self) -> None:
        self.room.edit_contribution(self.user, self.mine.value, self.text.value)
        self.text.value = ""

    def _export(self) -> None:
        name = f"研讨纪要-{self.session_id}"
        if hasattr(self.room, "minutes"):  # the service builds (and audits) the export
            docx, markdown = (self.room.minutes(self.user, self.session_id, fmt) for fmt in ("docx", "md"))
        else:
            view = self.room.view(self.user, self.session_id)
            docx, markdown = minutes_docx(view), minutes_markdown(view).encode("utf-8")
        self.downloads.value = " ".join(
            [
                download_link(docx, f"{name}.docx", DOCX_MIME, texts.UI_DOWNLOAD_DOCX),
                download_link(markdown, f"{name}.md", "text/markdown", texts.UI_DOWNLOAD_MD),
            ]
        )
