"""``ServiceRoom``: the discussion room as seen from a user's kernel, over the records service.

It offers the methods of ``hub.cases.discussion.DiscussionRoom`` that ``DiscussionRoomApp`` calls and
returns the same objects (``Session``, ``Contribution``, ``RoomView``), so the view works unchanged on
either. The rules are NOT run here: a kernel runs arbitrary user code, so the service runs
``DiscussionRoom`` over the database and this class only forwards. The ``user`` arguments are kept for
the shared interface; the service knows the caller from the token. Refusals come back as the room's own
exceptions (``Forbidden``, ``Invalid``, ``NotFound``) carrying the service's Chinese message.
"""

from __future__ import annotations

from urllib.parse import quote

from hub.cases.discussion import Contribution, RoomView, Session, TallyLine
from hub.cases.errors import Forbidden, Invalid, NotFound
from widgets.client import RecordsClient, RecordsError

ERRORS_BY_STATUS = {403: Forbidden, 404: NotFound, 400: Invalid, 409: Invalid, 422: Invalid}


def session_from(data: dict) -> Session:
    return Session.from_dict(data)


def view_from(data: dict) -> RoomView:
    return RoomView(
        session=session_from(data["session"]),
        viewer=data["viewer"],
        contributions=tuple(Contribution.from_dict(c) for c in data["contributions"]),
        tally=tuple(TallyLine(**line) for line in data["tally"]),
        my_vote=data["my_vote"],
    )


class ServiceRoom:
    def __init__(self, client: RecordsClient):
        self.client = client

    def _call(self, method: str, path: str, *, json=None, params=None, raw: bool = False):
        try:
            return self.client.request(method, path, json=json, params=params, raw=raw)
        except RecordsError as error:
            kind = ERRORS_BY_STATUS.get(error.status)
            if kind is None:
                raise
            raise kind(error.message_zh) from error

    @staticmethod
    def _path(session_id: str, tail: str = "") -> str:
        return f"discussions/{quote(str(session_id), safe='')}{tail}"

    # --- lobby ------------------------------------------------------------------------------
    def studios(self) -> list[dict]:
        return self._call("GET", "studios")["studios"]

    def sessions(self, studio: str | None = None) -> list[Session]:
        return [session_from(d) for d in self._call("GET", "discussions", params={"studio": studio})["discussions"]]

    def open_session(self, studio_id: str, case_id: str) -> Session:
        """Open a discussion (the studio's host only; the members come from the studio)."""
        return session_from(self._call("POST", "discussions", json={"studio_id": studio_id, "case_id": case_id}))

    # --- the DiscussionRoom interface used by DiscussionRoomApp -------------------------------
    def join(self, user: str, session_id: str) -> Session:
        return session_from(self._call("POST", self._path(session_id, "/join")))

    def view(self, user: str, session_id: str) -> RoomView:
        return view_from(self._call("GET", self._path(session_id)))

    def version(self, session_id: str) -> int:
        return self._call("GET", self._path(session_id, "/version"))["version"]

    def contribute(self, user: str, session_id: str, text: str) -> Contribution:
        return Contribution.from_dict(self._call("POST", self._path(session_id, "/contributions"), json={"text": text}))

    def edit_contribution(self, user: str, contribution_id: str, text: str) -> Contribution:
        path = f"contributions/{quote(str(contribution_id), safe='')}"
        return Contribution.from_dict(self._call("PATCH", path, json={"text": text}))

    def advance(self, user: str, session_id: str) -> Session:
        return session_from(self._call("POST", self._path(session_id, "/advance")))

    def close_vote(self, user: str, session_id: str) -> Session:
        return session_from(self._call("POST", self._path(session_id, "/close-vote")))

    def vote(self, user: str, session_id: str, proposal_id: str) -> dict:
        return self._call("POST", self._path(session_id, "/votes"), json={"proposal_id": proposal_id})

    def write_summary(self, user: str, session_id: str, text: str, finish: bool = False) -> Session:
        body = {"text": text, "finish": bool(finish)}
        return session_from(self._call("POST", self._path(session_id, "/summary"), json=body))

    def minutes(self, user: str, session_id: str, fmt: str = "md") -> bytes:
        """The minutes file as the service exports it (audited there)."""
        return self._call("GET", self._path(session_id, "/minutes"), params={"format": fmt}, raw=True)
