"""``RecordStore``: the one domain API over the records database (STYLE.md §5).

Verbs are grouped in mixins by subject (``directory.DirectoryVerbs``, ``practice.PracticeVerbs``,
``roster_verbs.RosterVerbs``); this module holds sessions, error mapping and the caller model.

    store = RecordStore.open("sqlite:///state/records.sqlite")
    actor = store.actor_for("teacher1")
    store.add_record(actor, {"student_id": "S1-0001", "kind": "talk", "date": "2025-03-05", ...})
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from . import crypto
from .access import Actor
from .account_verbs import AccountAdminVerbs
from .assignment_verbs import AssignmentVerbs
from .break_glass_verbs import BreakGlassVerbs
from .concern_verbs import ConcernVerbs
from .dashboard_verbs import DashboardVerbs
from .db import READ_ONLY, check_migrated, make_engine
from .directory import DirectoryVerbs
from .district_verbs import DistrictVerbs
from .errors import Unavailable
from .focus_verbs import FocusVerbs
from .group_commit import GroupCommit
from .messages import msg
from .minors_verbs import MinorsDataVerbs
from .models import Account, MentorAssignment, SchoolClass, Staff, Student
from .practice import PracticeVerbs
from .progress_verbs import ProgressVerbs
from .reminder_verbs import ReminderVerbs
from .roster_verbs import RosterVerbs
from .staff_verbs import StaffVerbs
from .studio_verbs import StudioVerbs
from .team_verbs import TeamVerbs
from .term_verbs import TermVerbs
from .year_verbs import YearVerbs

log = logging.getLogger(__name__)

#: How long callers (roles, classes, mentees), students' class and school, and terms are kept in memory.
#: Changes made through this store object are seen at once; changes by another process (a roster import)
#: within this many seconds.
CACHE_SECONDS = 10.0


class RecordStore(DirectoryVerbs, PracticeVerbs, RosterVerbs, StaffVerbs, AccountAdminVerbs, StudioVerbs,
                  DashboardVerbs, ProgressVerbs, BreakGlassVerbs, ConcernVerbs, AssignmentVerbs, TermVerbs,
                  YearVerbs, TeamVerbs, MinorsDataVerbs, DistrictVerbs, FocusVerbs, ReminderVerbs):
    """All reads and writes of mentor and student data.

    ``today`` can be replaced (a callable returning a date) so tests and the demo control "now".
    """

    def __init__(self, engine: Engine, *, today: Callable[[], dt.date] = dt.date.today):
        self.engine = engine
        self._read_engine = engine.execution_options(**{READ_ONLY: True})
        self.today = today
        self._cache: dict = {}
        # SQLite has one writer at a time: queue this process's writers on a lock instead of letting
        # them poll the database lock (busy timeout, sleeps of up to 100 ms); other processes still
        # wait through the busy timeout.
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else None
        # Record writes that arrive while one commits share the next transaction (see group_commit).
        self._record_writes = GroupCommit(self._insert_records, shared=(Unavailable,))

    @classmethod
    def open(cls, target: str | Engine, *, key_file=None, keyring=None, **kwargs) -> RecordStore:
        """Open an existing, migrated database; raises ``NotMigrated`` (run `mentorhub db upgrade`).

        Sensitive fields use ``keyring``, else the keys of ``key_file``, else those found by
        ``crypto.default_key_file`` (hub.store.crypto)."""
        engine = make_engine(target) if isinstance(target, str) else target
        try:
            check_migrated(engine)
        except OperationalError as error:
            raise unavailable(error) from error
        if keyring is None:
            key_file = key_file or crypto.default_key_file(target if isinstance(target, str) else str(engine.url))
            keyring = crypto.KeyRing.from_file(key_file) if key_file else None
        crypto.attach(engine, keyring)
        return cls(engine, **kwargs)

    def close(self) -> None:
        self.engine.dispose()

    # --- sessions ---------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error (nothing half-written)."""
        try:
            with self._write_lock or nullcontext(), Session(self.engine, expire_on_commit=False) as session, \
                    session.begin():
                yield session
        except (OperationalError, DBAPIError) as error:
            if is_connection_error(error):
                raise unavailable(error) from error
            raise

    @contextmanager
    def writing_core(self) -> Iterator[Connection]:
        """``writing`` for Core statements: one transaction on a plain connection, without an ORM session
        (whose bookkeeping costs more CPU than a small insert)."""
        try:
            with self._write_lock or nullcontext(), self.engine.begin() as connection:
                yield connection
        except (OperationalError, DBAPIError) as error:
            if is_connection_error(error):
                raise unavailable(error) from error
            raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        try:
            with Session(self._read_engine, expire_on_commit=False) as session, session.begin():
                yield session
        except (OperationalError, DBAPIError) as error:
            if is_connection_error(error):
                raise unavailable(error) from error
            raise

    def cached(self, key, load):
        """``load()``, remembered for CACHE_SECONDS under ``key``."""
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = load()
        self._cache[key] = (now + CACHE_SECONDS, value)
        return value

    def forget_cached(self) -> None:
        """Called by every verb that changes people, classes, terms or assignments."""
        self._cache.clear()

    def ping(self) -> bool:
        with self.reading() as s:
            s.execute(select(1))
        return True

    # --- callers ----------------------------------------------------------------------------
    def actor_for(self, username: str, groups=()) -> Actor:
        """The policy's view of a hub user. Unknown user names get an actor with no roles at all. Never a
        break-glass actor: only ``find_break_glass`` makes one, for one student and one request."""
        groups = frozenset(groups)
        return self.cached(("actor", username, groups), lambda: self._load_actor(username, groups))

    def _load_actor(self, username: str, groups: frozenset) -> Actor:
        with self.reading() as s:
            account = s.get(Account, username)
            if account is None or not account.active:
                return Actor(username=username, groups=groups)
            staff = s.get(Staff, account.staff_id) if account.staff_id else None
            roles = self.account_roles(account, staff)
            schools, classes, mentees = set(), set(), set()
            if staff is not None and staff.active:
                schools.add(staff.school_id)
                classes = set(s.scalars(
                    select(SchoolClass.class_id).where(SchoolClass.head_teacher_id == staff.staff_id)))
                term = self._current_term_in(s)
                if term is not None:
                    mentees = set(s.scalars(select(MentorAssignment.student_id).where(
                        MentorAssignment.term_id == term.term_id,
                        MentorAssignment.staff_id == staff.staff_id)))  # fmt: skip
            teams = self._team_reach(s, staff, mentees)  # 导师团, 多对一 teams, taught classes (team_verbs)
        return Actor(username=username, roles=frozenset(roles), staff_id=account.staff_id,
                     school_ids=frozenset(schools), class_ids=frozenset(classes),
                     mentee_ids=frozenset(mentees), groups=groups, **teams)  # fmt: skip

    def find_me(self, actor: Actor) -> dict:
        """Who the caller is: roles, schools, head-teacher classes and current mentees (ids and names)."""
        with self.reading() as s:
            mentees = list(s.scalars(select(Student).where(Student.student_id.in_(sorted(actor.mentee_ids)))
                                     .order_by(Student.class_id, Student.student_id)))  # fmt: skip
            account = s.get(Account, actor.username)
            term = self._current_term_in(s) if actor.staff_id else None
        return {
            "username": actor.username,
            "display_name": account.display_name if account else "",
            "staff_id": actor.staff_id,
            "roles": sorted(actor.roles),
            "groups": sorted(actor.groups),
            "schools": sorted(actor.school_ids),
            "classes": sorted(actor.class_ids),
            "term_id": term.term_id if term else None,
            "mentees": [{"student_id": m.student_id, "display_name": m.display_name, "class_id": m.class_id}
                        for m in mentees],  # fmt: skip
        }


def is_connection_error(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    text = str(error.orig).lower() if error.orig is not None else str(error).lower()
    return any(word in text for word in ("connection", "could not connect", "server closed", "unable to open",
                                         "terminating", "database is locked", "disk i/o"))  # fmt: skip


def unavailable(error: Exception) -> Unavailable:
    log.error("records database unavailable: %s", error)
    english, chinese = msg("db_unavailable")
    return Unavailable(english, chinese)
