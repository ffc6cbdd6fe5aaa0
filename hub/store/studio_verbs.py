"""Case-study verbs of the records store: the case library and the case-discussion room.

The discussion rules are ``hub.cases.discussion.DiscussionRoom``'s; here they run server-side over
``SqlDiscussionStorage`` inside one store transaction per call, so a user's kernel (which runs
arbitrary code) can never bypass them. Studio membership comes from ``studio_members`` and the hub
group ``studio-<id>``; the studio's host is the discussion leader.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import select

from hub.cases import errors as case_errors
from hub.cases import library, texts
from hub.cases.discussion import Contribution, DiscussionRoom, RoomView, Session, Vote
from hub.cases.minutes import minutes_docx, minutes_markdown

from .access import Actor
from .errors import Forbidden, Invalid, NotFound
from .models import Case as CaseRow
from .models import School, Staff, Student, Studio, StudioMember, StudioSession
from .studio_models import Discussion, DiscussionContribution, DiscussionVote
from .validation import check_text

CONTRIBUTION_LABEL = "发言内容"
SUMMARY_LABEL = "研讨小结"

CASE_GROUPS = frozenset({"teachers", "studio-leaders", "trainers", "admins"})
CASE_ROLES = frozenset({"mentor", "studio_leader", "trainer", "admin"})
SECTION_FIELDS = ("background", "problem", "process", "outcome", "reflection")
MINUTES_FORMATS = {"md": "text/markdown; charset=utf-8",
                   "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip


def service_error(kind: type, key: str, value="", detail: str = ""):
    english, chinese = texts.SERVICE_MESSAGES[key]
    return kind(english.format(value=value), chinese.format(value=value, detail=detail))


@contextmanager
def room_rules() -> Iterator[None]:
    """Turn the room's domain exceptions into the store's (status codes, both languages)."""
    try:
        yield
    except case_errors.Forbidden as error:
        raise service_error(Forbidden, "rule_forbidden", detail=str(error)) from None
    except case_errors.NotFound as error:
        raise service_error(NotFound, "rule_not_found", detail=str(error)) from None
    except case_errors.Invalid as error:
        raise service_error(Invalid, "rule_invalid", detail=str(error)) from None


# --- the storage protocol over the database ------------------------------------------------------
def _iso(value: dt.datetime) -> str:
    return value.replace(tzinfo=dt.UTC).isoformat(timespec="seconds")


class SqlDiscussionStorage:
    """``DiscussionStorage`` over one SQLAlchemy session (one transaction of the store)."""

    def __init__(self, session, lock: bool = False):
        self.s = session
        self.lock = lock  # SELECT ... FOR UPDATE on the discussion row (PostgreSQL; SQLite writers are serial)

    def new_id(self, kind: str) -> str:
        # time-ordered (ms) then random: contributions made in the same second keep their order
        return f"{kind[:1]}{time.time_ns() // 1_000_000:x}{secrets.token_hex(3)}"

    def _row(self, session_id: str) -> Discussion:
        row = self.s.get(Discussion, session_id, with_for_update=self.lock) if isinstance(session_id, str) else None
        if row is None:
            raise case_errors.NotFound(texts.SESSION_NOT_FOUND.format(session_id=session_id))
        return row

    @staticmethod
    def _session(row: Discussion) -> Session:
        return Session(id=row.discussion_id, studio=row.studio_id, case_id=row.case_id, case_title=row.case_title,
                       leader=row.leader, members=tuple(row.members), participants=list(row.participants),
                       round=row.round, vote_closed=row.vote_closed, summary=row.summary, finished=row.finished,
                       version=row.version, created_at=_iso(row.created_at))  # fmt: skip

    def add_session(self, session: Session) -> None:
        created = dt.datetime.fromisoformat(session.created_at).replace(tzinfo=None)
        self.s.add(Discussion(discussion_id=session.id, studio_id=session.studio, case_id=session.case_id,
                              case_title=session.case_title, leader=session.leader, members=list(session.members),
                              participants=list(session.participants), round=session.round,
                              vote_closed=session.vote_closed, summary=session.summary, finished=session.finished,
                              version=session.version, created_at=created))  # fmt: skip
        self.s.flush()

    def find_session(self, session_id: str) -> Session:
        return self._session(self._row(session_id))

    def update_session(self, session: Session) -> None:
        row = self._row(session.id)
        row.members, row.participants = list(session.members), list(session.participants)
        row.round, row.vote_closed, row.summary = session.round, session.vote_closed, session.summary
        row.finished, row.version = session.finished, session.version
        self.s.flush()

    def find_sessions(self, studio: str) -> list[Session]:
        rows = self.s.scalars(select(Discussion).where(Discussion.studio_id == studio)
                              .order_by(Discussion.created_at.desc(), Discussion.discussion_id.desc()))  # fmt: skip
        return [self._session(row) for row in rows]

    def add_contribution(self, contribution: Contribution) -> None:
        self.s.add(DiscussionContribution(contribution_id=contribution.id, discussion_id=contribution.session_id,
                                          author=contribution.author, round=contribution.round,
                                          text=contribution.text, created_at=contribution.created_at,
                                          updated_at=contribution.updated_at))  # fmt: skip
        self.s.flush()

    def _contribution_row(self, contribution_id: str) -> DiscussionContribution:
        row = self.s.get(DiscussionContribution, contribution_id) if isinstance(contribution_id, str) else None
        if row is None:
            raise case_errors.NotFound(texts.CONTRIBUTION_NOT_FOUND.format(contribution_id=contribution_id))
        return row

    @staticmethod
    def _contribution(row: DiscussionContribution) -> Contribution:
        return Contribution(id=row.contribution_id, session_id=row.discussion_id, author=row.author,
                            round=row.round, text=row.text, created_at=row.created_at,
                            updated_at=row.updated_at)  # fmt: skip

    def find_contribution(self, contribution_id: str) -> Contribution:
        return self._contribution(self._contribution_row(contribution_id))

    def update_contribution(self, contribution: Contribution) -> None:
        row = self._contribution_row(contribution.id)
        row.text, row.updated_at = contribution.text, contribution.updated_at
        self.s.flush()

    def find_contributions(self, session_id: str) -> list[Contribution]:
        rows = self.s.scalars(select(DiscussionContribution)
                              .where(DiscussionContribution.discussion_id == session_id))  # fmt: skip
        return [self._contribution(row) for row in rows]

    def put_vote(self, vote: Vote) -> None:
        self.s.merge(DiscussionVote(discussion_id=vote.session_id, voter=vote.voter, proposal_id=vote.proposal_id))
        self.s.flush()

    def find_votes(self, session_id: str) -> list[Vote]:
        rows = self.s.scalars(select(DiscussionVote).where(DiscussionVote.discussion_id == session_id))
        return [Vote(row.discussion_id, row.voter, row.proposal_id) for row in rows]


def room_view_dict(view: RoomView) -> dict:
    """What the service sends for one person's view of a discussion (the client rebuilds a ``RoomView``)."""
    return {"session": view.session.to_dict(), "viewer": view.viewer,
            "contributions": [c.to_dict() for c in view.contributions],
            "tally": [{"proposal_id": t.proposal_id, "author": t.author, "text": t.text, "votes": t.votes}
                      for t in view.tally],
            "my_vote": view.my_vote, "version": view.session.version}  # fmt: skip


# --- cases -------------------------------------------------------------------------------------
def case_row_values(case: library.Case) -> dict:
    sections = {name: getattr(case, name) for name in SECTION_FIELDS}
    sections["questions"] = list(case.questions)
    return {"title": case.title, "stage": case.stage, "grade": case.grade, "domains": list(case.domains),
            "tags": list(case.tags), "sections": sections, "scenario": case.scenario}  # fmt: skip


def case_from_row(row: CaseRow) -> library.Case:
    sections = row.sections or {}
    return library.Case(id=row.case_id, title=row.title, stage=row.stage, domains=tuple(row.domains or ()),
                        tags=tuple(row.tags or ()), questions=tuple(sections.get("questions", ())),
                        grade=row.grade or "", scenario=row.scenario,
                        **{name: sections.get(name, "") for name in SECTION_FIELDS})  # fmt: skip


class StudioVerbs:
    """Mixin for ``RecordStore``: case library and discussion room (aggregates: ``DashboardVerbs``)."""

    # --- roster words the PII check must know ---------------------------------------------------
    def pii_roster(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(person names, school names) of the roster, for the PII checker (cached briefly)."""
        def load():
            with self.reading() as s:
                names = set(s.scalars(select(Student.display_name))) | set(s.scalars(select(Staff.name)))
                schools = set(s.scalars(select(School.name)))
            return tuple(sorted(n for n in names if n)), tuple(sorted(n for n in schools if n))

        return self.cached("pii_roster", load)

    # --- case library ---------------------------------------------------------------------------
    def put_cases(self, cases: Iterable[library.Case], author: str = "library") -> dict:
        """Store (or update) de-identified cases, all or nothing; refused when any case fails the PII
        check against the generic patterns and the roster's names and schools."""
        cases = list(cases)
        names, schools = self.pii_roster()
        for case in cases:
            try:
                library.ensure_shareable(case, names, schools)
            except case_errors.Invalid as error:
                raise service_error(Invalid, "case_pii", value=case.id, detail=str(error)) from None
        counts = {"added": 0, "updated": 0, "unchanged": 0}
        with self.writing() as s:
            for case in cases:
                values = {**case_row_values(case), "status": "shared", "pii_checked": True}
                row = s.get(CaseRow, case.id)
                if row is None:
                    s.add(CaseRow(case_id=case.id, author=author, **values))
                    counts["added"] += 1
                elif any(getattr(row, key) != value for key, value in values.items()):
                    for key, value in values.items():
                        setattr(row, key, value)
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
        return counts

    def _require_case_reader(self, actor: Actor) -> None:
        if not (actor.groups & CASE_GROUPS or actor.roles & CASE_ROLES):
            raise service_error(Forbidden, "cases_forbidden")

    def find_cases(self, actor: Actor, *, stage=None, domain=None, tag=None, text=None) -> list[library.Case]:
        self._require_case_reader(actor)
        with self.reading() as s:
            rows = s.scalars(select(CaseRow).where(CaseRow.status == "shared", CaseRow.pii_checked.is_(True))
                             .order_by(CaseRow.case_id))  # fmt: skip
            cases = [case_from_row(row) for row in rows]
        return library.filter_cases(cases, stage=stage, domain=domain, tag=tag, text=text)

    def find_case(self, actor: Actor, case_id: str) -> library.Case:
        self._require_case_reader(actor)
        with self.reading() as s:
            row = s.get(CaseRow, case_id)
        if row is None or row.status != "shared" or not row.pii_checked:
            raise service_error(NotFound, "case_not_found", value=case_id)
        return case_from_row(row)

    # --- studios --------------------------------------------------------------------------------
    def _member_names(self, s, studio_id: str) -> list[str]:
        return list(s.scalars(select(StudioMember.username).where(StudioMember.studio_id == studio_id)
                              .order_by(StudioMember.username)))  # fmt: skip

    def _is_member(self, s, actor: Actor, studio_id: str) -> bool:
        return f"studio-{studio_id}" in actor.groups or actor.username in self._member_names(s, studio_id)

    def find_my_studios(self, actor: Actor) -> list[dict]:
        """Studios the caller belongs to (table or hub group), with ``is_host`` for the ones they lead."""
        with self.reading() as s:
            studios = list(s.scalars(select(Studio).order_by(Studio.studio_id)))
            mine = [st for st in studios if st.host == actor.username or self._is_member(s, actor, st.studio_id)]
        return [{"studio_id": st.studio_id, "name": st.name, "host": st.host,
                 "is_host": st.host == actor.username} for st in mine]  # fmt: skip

    # --- discussions ----------------------------------------------------------------------------
    def _room(self, s, lock: bool = False) -> DiscussionRoom:
        names, _ = self.pii_roster()
        return DiscussionRoom(SqlDiscussionStorage(s, lock=lock), names_for_pii=names)

    def add_discussion(self, actor: Actor, studio_id: str, case_id: str) -> dict:
        with room_rules(), self.writing() as s:
            studio = s.get(Studio, studio_id) if isinstance(studio_id, str) else None
            if studio is None:
                raise service_error(NotFound, "studio_not_found", value=studio_id)
            if studio.host != actor.username:
                raise service_error(Forbidden, "not_host", value=studio.name)
            case = s.get(CaseRow, case_id) if isinstance(case_id, str) else None
            if case is None or case.status != "shared":
                raise service_error(NotFound, "case_not_found", value=case_id)
            members = [studio.host, *self._member_names(s, studio_id)]
            session = self._room(s).create_session(actor.username, studio_id, members, case_id, case.title)
        return session.to_dict()

    def find_discussions(self, actor: Actor, studio_id: str | None = None) -> list[dict]:
        """Discussions of the caller's studios (newest first), without contributions."""
        studios = [st["studio_id"] for st in self.find_my_studios(actor)]
        if studio_id:
            studios = [st for st in studios if st == studio_id]
        with room_rules(), self.reading() as s:
            storage = SqlDiscussionStorage(s)
            return [session.to_dict() for studio in studios for session in storage.find_sessions(studio)]

    def join_discussion(self, actor: Actor, discussion_id: str) -> dict:
        """Join (studio members only). A member added to the studio after the discussion opened joins too."""
        with room_rules(), self.writing() as s:
            room = self._room(s, lock=True)
            session = room.storage.find_session(discussion_id)
            if actor.username not in session.members and self._is_member(s, actor, session.studio):
                session.members = (*session.members, actor.username)
                room.storage.update_session(session)
            return room.join(actor.username, discussion_id).to_dict()

    def find_discussion(self, actor: Actor, discussion_id: str) -> dict:
        with room_rules(), self.reading() as s:
            return room_view_dict(self._room(s).view(actor.username, discussion_id))

    def find_discussion_version(self, actor: Actor, discussion_id: str) -> dict:
        """The cheap poll: the session's version number (members only)."""
        with room_rules(), self.reading() as s:
            session = SqlDiscussionStorage(s).find_session(discussion_id)
        if actor.username not in session.members:
            raise service_error(Forbidden, "rule_forbidden",
                                detail=texts.NOT_A_MEMBER.format(user=actor.username))  # fmt: skip
        return {"id": session.id, "version": session.version, "round": session.round, "finished": session.finished}

    def _room_call(self, method: str, *args) -> dict:
        with room_rules(), self.writing() as s:
            result = getattr(self._room(s, lock=True), method)(*args)
        return result.to_dict()

    def add_contribution(self, actor: Actor, discussion_id: str, text: str) -> dict:
        text = check_text(text, "text", CONTRIBUTION_LABEL)
        return self._room_call("contribute", actor.username, discussion_id, text)

    def update_contribution(self, actor: Actor, contribution_id: str, text: str) -> dict:
        text = check_text(text, "text", CONTRIBUTION_LABEL)
        return self._room_call("edit_contribution", actor.username, contribution_id, text)

    def advance_discussion(self, actor: Actor, discussion_id: str) -> dict:
        return self._room_call("advance", actor.username, discussion_id)

    def close_discussion_vote(self, actor: Actor, discussion_id: str) -> dict:
        return self._room_call("close_vote", actor.username, discussion_id)

    def put_discussion_vote(self, actor: Actor, discussion_id: str, proposal_id: str) -> dict:
        return self._room_call("vote", actor.username, discussion_id, proposal_id)

    def write_discussion_summary(self, actor: Actor, discussion_id: str, text: str, finish: bool = False) -> dict:
        """Save the summary; with ``finish`` the discussion closes and its minutes become a studio session."""
        text = check_text(text, "text", SUMMARY_LABEL)
        with room_rules(), self.writing() as s:
            room = self._room(s, lock=True)
            session = room.write_summary(actor.username, discussion_id, text, finish)
            if finish:
                view = room.view(actor.username, discussion_id)
                s.add(StudioSession(studio_id=session.studio, date=self.today(), topic=session.case_title[:200],
                                    case_ids=[session.case_id], attendance=list(session.participants),
                                    minutes=minutes_markdown(view)))  # fmt: skip
        return session.to_dict()

    def find_minutes(self, actor: Actor, discussion_id: str, fmt: str = "md") -> tuple[bytes, str]:
        """The minutes as the caller sees them, as (content, media type); every export is audited."""
        if fmt not in MINUTES_FORMATS:
            raise service_error(Invalid, "bad_format")
        with room_rules(), self.writing() as s:
            view = self._room(s).view(actor.username, discussion_id)
            self._audit(s, actor, "minutes.export", "discussion", discussion_id, detail={"format": fmt})
        content = minutes_docx(view) if fmt == "docx" else minutes_markdown(view).encode("utf-8")
        return content, MINUTES_FORMATS[fmt]
