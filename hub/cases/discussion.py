"""The case-discussion room model (案例研讨): sessions, rounds, contributions, votes, summary.

A studio leader (主持人) opens a session on a case for the studio's members. Rounds run in a fixed
order: 独立分析 → 观点分享 → 策略提案 → 投票 → 总结. Members join, contribute in the current round
and edit only their own contributions; the leader moves rounds on, closes the vote and writes the
summary. During 独立分析 each participant sees only their own analysis.

Persistence goes through ``DiscussionStorage`` (a small protocol); ``InMemoryStorage`` is the
reference implementation used by tests and the demo, the records service can provide another.
No ipywidgets here: the view is ``widgets/discussion_room.py``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from hub import pii
from hub.cases import texts
from hub.cases.errors import Forbidden, Invalid, NotFound

ROUNDS = ("analysis", "sharing", "proposal", "vote", "summary")
CONTRIBUTION_ROUNDS = ("analysis", "sharing", "proposal")
MAX_TEXT = 2000


@dataclass
class Session:
    id: str
    studio: str
    case_id: str
    case_title: str
    leader: str
    members: tuple[str, ...]
    participants: list[str] = field(default_factory=list)
    round: str = ROUNDS[0]
    vote_closed: bool = False
    summary: str = ""
    finished: bool = False
    version: int = 0
    created_at: str = ""

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["members"] = list(self.members)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Session:
        return cls(**{**data, "members": tuple(data["members"]), "participants": list(data["participants"])})


@dataclass
class Contribution:
    id: str
    session_id: str
    author: str
    round: str
    text: str
    created_at: str
    updated_at: str

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Contribution:
        return cls(**data)


@dataclass(frozen=True)
class Vote:
    session_id: str
    voter: str
    proposal_id: str

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


class DiscussionStorage(Protocol):
    """What the room needs from a store. Objects go in and come out as copies."""

    def new_id(self, kind: str) -> str: ...
    def add_session(self, session: Session) -> None: ...
    def find_session(self, session_id: str) -> Session: ...  # raises NotFound
    def update_session(self, session: Session) -> None: ...
    def find_sessions(self, studio: str) -> list[Session]: ...
    def add_contribution(self, contribution: Contribution) -> None: ...
    def find_contribution(self, contribution_id: str) -> Contribution: ...  # raises NotFound
    def update_contribution(self, contribution: Contribution) -> None: ...
    def find_contributions(self, session_id: str) -> list[Contribution]: ...
    def put_vote(self, vote: Vote) -> None: ...  # one vote per (session, voter): replaces
    def find_votes(self, session_id: str) -> list[Vote]: ...


class InMemoryStorage:
    """Dictionary-backed ``DiscussionStorage`` for tests and the demo."""

    def __init__(self) -> None:
        self._sessions: dict[str, dict] = {}
        self._contributions: dict[str, dict] = {}
        self._votes: dict[tuple[str, str], Vote] = {}
        self._counter = itertools.count(1)

    def new_id(self, kind: str) -> str:
        return f"{kind}-{next(self._counter)}"

    def add_session(self, session: Session) -> None:
        self._sessions[session.id] = session.to_dict()

    def find_session(self, session_id: str) -> Session:
        if session_id not in self._sessions:
            raise NotFound(texts.SESSION_NOT_FOUND.format(session_id=session_id))
        return Session.from_dict(self._sessions[session_id])

    def update_session(self, session: Session) -> None:
        self.find_session(session.id)
        self._sessions[session.id] = session.to_dict()

    def find_sessions(self, studio: str) -> list[Session]:
        return [Session.from_dict(data) for data in self._sessions.values() if data["studio"] == studio]

    def add_contribution(self, contribution: Contribution) -> None:
        self._contributions[contribution.id] = contribution.to_dict()

    def find_contribution(self, contribution_id: str) -> Contribution:
        if contribution_id not in self._contributions:
            raise NotFound(texts.CONTRIBUTION_NOT_FOUND.format(contribution_id=contribution_id))
        return Contribution.from_dict(self._contributions[contribution_id])

    def update_contribution(self, contribution: Contribution) -> None:
        self.find_contribution(contribution.id)
        self._contributions[contribution.id] = contribution.to_dict()

    def find_contributions(self, session_id: str) -> list[Contribution]:
        return [
            Contribution.from_dict(data) for data in self._contributions.values() if data["session_id"] == session_id
        ]

    def put_vote(self, vote: Vote) -> None:
        self._votes[(vote.session_id, vote.voter)] = vote

    def find_votes(self, session_id: str) -> list[Vote]:
        return [vote for (sid, _), vote in self._votes.items() if sid == session_id]


@dataclass(frozen=True)
class TallyLine:
    proposal_id: str
    author: str
    text: str
    votes: int


@dataclass(frozen=True)
class RoomView:
    """What one person sees of a session at one moment (used by the view and the minutes)."""

    session: Session
    viewer: str
    contributions: tuple[Contribution, ...]
    tally: tuple[TallyLine, ...]
    my_vote: str | None

    @property
    def is_leader(self) -> bool:
        return self.viewer == self.session.leader

    def in_round(self, round_name: str) -> list[Contribution]:
        return [c for c in self.contributions if c.round == round_name]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class DiscussionRoom:
    """The rules of the room over a storage. Every method names the acting user first."""

    def __init__(
        self,
        storage: DiscussionStorage,
        clock: Callable[[], str] = _now,
        names_for_pii: Iterable[str] = (),
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.names_for_pii = tuple(names_for_pii)

    # --- sessions ---------------------------------------------------------------------------
    def create_session(self, leader: str, studio: str, members: Iterable[str], case_id: str, case_title: str) -> Session:
        members = tuple(dict.fromkeys(members))
        if leader not in members:
            raise Invalid(texts.LEADER_NOT_MEMBER.format(user=leader))
        session = Session(
            id=self.storage.new_id("session"),
            studio=studio,
            case_id=case_id,
            case_title=case_title,
            leader=leader,
            members=members,
            participants=[leader],
            created_at=self.clock(),
        )
        self.storage.add_session(session)
        return session

    def join(self, user: str, session_id: str) -> Session:
        session = self.storage.find_session(session_id)
        if user not in session.members:
            raise Forbidden(texts.NOT_A_MEMBER.format(user=user))
        if user not in session.participants:
            session.participants.append(user)
            self._save(session)
        return session

    def advance(self, user: str, session_id: str) -> Session:
        session = self._leader_session(user, session_id, texts.ACTION_ADVANCE)
        index = ROUNDS.index(session.round)
        if index == len(ROUNDS) - 1:
            raise Invalid(texts.WRONG_ROUND.format(current=texts.ROUND_NAMES[session.round], action=texts.ACTION_ADVANCE))
        following = ROUNDS[index + 1]
        if following == "vote" and not self._proposals(session.id):
            raise Invalid(texts.NO_PROPOSALS)
        if following == "summary" and not session.vote_closed:
            raise Invalid(texts.VOTE_NOT_CLOSED)
        session.round = following
        return self._save(session)

    def close_vote(self, user: str, session_id: str) -> Session:
        session = self._leader_session(user, session_id, texts.ACTION_CLOSE_VOTE)
        self._require_round(session, "vote", texts.ACTION_CLOSE_VOTE)
        if session.vote_closed:
            raise Invalid(texts.VOTE_ALREADY_CLOSED)
        session.vote_closed = True
        return self._save(session)

    def write_summary(self, user: str, session_id: str, text: str, finish: bool = False) -> Session:
        session = self._leader_session(user, session_id, texts.ACTION_SUMMARY)
        self._require_round(session, "summary", texts.ACTION_SUMMARY)
        session.summary = self._checked_text(text)
        session.finished = finish
        return self._save(session)

    # --- contributions and votes ----------------------------------------------------------
    def contribute(self, user: str, session_id: str, text: str) -> Contribution:
        session = self._open_session(session_id)
        self._require_participant(session, user)
        if session.round not in CONTRIBUTION_ROUNDS:
            raise Invalid(texts.WRONG_ROUND.format(current=texts.ROUND_NAMES[session.round], action=texts.ACTION_CONTRIBUTE))
        now = self.clock()
        contribution = Contribution(
            id=self.storage.new_id("contribution"),
            session_id=session.id,
            author=user,
            round=session.round,
            text=self._checked_text(text),
            created_at=now,
            updated_at=now,
        )
        self.storage.add_contribution(contribution)
        self._save(session)
        return contribution

    def edit_contribution(self, user: str, contribution_id: str, text: str) -> Contribution:
        contribution = self.storage.find_contribution(contribution_id)
        session = self._open_session(contribution.session_id)
        if contribution.author != user:
            raise Forbidden(texts.NOT_THE_AUTHOR)
        if contribution.round != session.round:
            raise Invalid(texts.WRONG_ROUND.format(current=texts.ROUND_NAMES[session.round], action=texts.ACTION_CONTRIBUTE))
        contribution.text = self._checked_text(text)
        contribution.updated_at = self.clock()
        self.storage.update_contribution(contribution)
        self._save(session)
        return contribution

    def vote(self, user: str, session_id: str, proposal_id: str) -> Vote:
        session = self._open_session(session_id)
        self._require_participant(session, user)
        self._require_round(session, "vote", texts.ACTION_VOTE)
        if session.vote_closed:
            raise Invalid(texts.VOTE_ALREADY_CLOSED)
        if proposal_id not in {c.id for c in self._proposals(session_id)}:
            raise Invalid(texts.UNKNOWN_PROPOSAL.format(proposal_id=proposal_id))
        vote = Vote(session_id, user, proposal_id)
        self.storage.put_vote(vote)
        self._save(session)
        return vote

    # --- reading ----------------------------------------------------------------------------
    def view(self, user: str, session_id: str) -> RoomView:
        session = self.storage.find_session(session_id)
        self._require_participant(session, user)
        contributions = sorted(self.storage.find_contributions(session_id), key=lambda c: (c.created_at, c.id))
        if session.round == "analysis":
            contributions = [c for c in contributions if c.round != "analysis" or c.author == user]
        votes = self.storage.find_votes(session_id)
        return RoomView(
            session=session,
            viewer=user,
            contributions=tuple(contributions),
            tally=tally(contributions, votes),
            my_vote=next((v.proposal_id for v in votes if v.voter == user), None),
        )

    def version(self, session_id: str) -> int:
        """A counter that changes on every write: pollers re-read the view when it moves."""
        return self.storage.find_session(session_id).version

    # --- helpers ----------------------------------------------------------------------------
    def _save(self, session: Session) -> Session:
        session.version += 1
        self.storage.update_session(session)
        return session

    def _proposals(self, session_id: str) -> list[Contribution]:
        return [c for c in self.storage.find_contributions(session_id) if c.round == "proposal"]

    def _open_session(self, session_id: str) -> Session:
        session = self.storage.find_session(session_id)
        if session.finished:
            raise Invalid(texts.SESSION_CLOSED)
        return session

    def _leader_session(self, user: str, session_id: str, action: str) -> Session:
        session = self._open_session(session_id)
        if user != session.leader:
            raise Forbidden(texts.ONLY_LEADER.format(action=action))
        return session

    @staticmethod
    def _require_participant(session: Session, user: str) -> None:
        if user not in session.members:
            raise Forbidden(texts.NOT_A_MEMBER.format(user=user))
        if user not in session.participants:
            raise Forbidden(texts.NOT_A_PARTICIPANT.format(user=user))

    @staticmethod
    def _require_round(session: Session, round_name: str, action: str) -> None:
        if session.round != round_name:
            raise Invalid(texts.WRONG_ROUND.format(current=texts.ROUND_NAMES[session.round], action=action))

    def _checked_text(self, text: str) -> str:
        text = (text or "").strip()
        if not text:
            raise Invalid(texts.EMPTY_TEXT)
        if len(text) > MAX_TEXT:
            raise Invalid(texts.TEXT_TOO_LONG.format(limit=MAX_TEXT))
        findings = pii.find_pii(text, names=self.names_for_pii)
        if findings:
            raise Invalid(texts.TEXT_HAS_PII.format(details=pii.summarize(findings)))
        return text


def tally(contributions: Iterable[Contribution], votes: Iterable[Vote]) -> tuple[TallyLine, ...]:
    """Votes per strategy proposal, in the order the proposals were made."""
    counts: dict[str, int] = {}
    for vote in votes:
        counts[vote.proposal_id] = counts.get(vote.proposal_id, 0) + 1
    return tuple(
        TallyLine(c.id, c.author, c.text, counts.get(c.id, 0)) for c in contributions if c.round == "proposal"
    )
