"""What the hub needs prepared before its configuration is applied.

`prepare(settings)` makes the state folder and its secrets, checks (demo: performs) the records
database migration and reads the roster's group memberships. It returns a `Runtime`: plain data the pure
`hub.config.apply_*` functions consume.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from hub.kernel_queue import prepare_folder
from hub.settings import Settings

log = logging.getLogger("mentorhub")

DEMO_WARNING = (
    "Mentor Hub runs in DEMO mode: every user's server runs as the same Unix user, so users are NOT "
    "isolated from each other. Never put real student data in a demo hub."
)


@dataclass(frozen=True)
class Runtime:
    """Facts gathered at start-up. Tests build one directly."""

    proxy_token: str = "test-proxy-token"
    admin_token: str = "test-admin-token"
    running_as_root: bool = False
    memberships: dict[str, list[str]] = field(default_factory=dict)
    courses: tuple = ()  # hub.courses.catalog.Course objects, in course-id order

    @property
    def course_titles(self) -> dict[str, str]:
        return {course.course_id: course.title for course in self.courses}

    @property
    def roster_usernames(self) -> list[str]:
        return sorted({name for members in self.memberships.values() for name in members})


def read_or_create_secret(path: Path, nbytes: int = 32) -> str:
    """A secret kept in a 0600 file in the state folder; created on first use."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_hex(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def make_state_dirs(settings: Settings) -> None:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    settings.state_dir.chmod(0o711 if settings.mode == "server" else 0o755)
    settings.secrets_dir.mkdir(exist_ok=True, mode=0o700)
    settings.secrets_dir.chmod(0o700)
    if settings.mode == "demo":
        settings.users_dir.mkdir(exist_ok=True)
    if settings.mode in ("demo", "server"):
        prepare_folder(settings.kernel_queue_dir, shared=settings.mode == "server")


def open_migrated_store(settings: Settings):
    """The records store; demo mode migrates on the fly, other modes insist on `mentorhub db upgrade`."""
    from hub.store import open_store, upgrade

    if settings.mode == "demo":
        upgrade(settings.records_db_url)
    return open_store(settings.records_db_url)


def hub_database_in_wal_mode(settings: Settings) -> None:
    """The hub's own SQLite database in write-ahead-log mode (a property of the file, so set once here):
    a WAL commit is one append and one sync instead of a rollback journal's several, and JupyterHub
    commits on its event loop, where every other request waits meanwhile."""
    prefix = "sqlite:///"
    if not settings.hub_db_url.startswith(prefix):
        return
    with closing(sqlite3.connect(settings.hub_db_url[len(prefix):])) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def protect_database_files(settings: Settings) -> None:
    """SQLite files belong to the hub's account only (mode 0600): user code can never open them."""
    for name in ("records.sqlite", "records.sqlite-wal", "records.sqlite-shm", "jupyterhub.sqlite",
                 "jupyterhub.sqlite-wal", "jupyterhub.sqlite-shm"):
        path = settings.state_dir / name
        if path.exists():
            path.chmod(0o600)


def prepare(settings: Settings) -> Runtime:
    if settings.mode == "server":
        # Files the hub and its services create (SQLite journals, secrets, logs) are private to the hub's
        # account; user servers, started as other accounts, inherit the same strict default.
        os.umask(0o077)
    make_state_dirs(settings)
    if settings.mode == "demo":
        log.warning(DEMO_WARNING)
    if settings.mode == "server":
        keep_users_off_internal_ports(settings)
    from hub.privacy import field_key_file
    from hub.store.crypto import ensure_key_file

    ensure_key_file(field_key_file(settings))  # the records service's field keys (hub.store.crypto)
    store = open_migrated_store(settings)
    try:
        memberships = store.group_memberships()
    finally:
        store.close()
    hub_database_in_wal_mode(settings)
    protect_database_files(settings)
    courses = prepare_courses(settings)
    return Runtime(
        proxy_token=read_or_create_secret(settings.secrets_dir / "proxy_auth_token"),
        admin_token=read_or_create_secret(settings.secrets_dir / "admin_service_token"),
        running_as_root=os.geteuid() == 0,
        memberships={name: sorted(members) for name, members in memberships.items()},
        courses=courses,
    )


def prepare_courses(settings: Settings) -> tuple:
    """Load the course catalog and lay out each course's folder, gradebook and the teachers' nbgrader set-up."""
    from hub.courses.catalog import load_catalog
    from hub.courses.hubconfig import prepare_state

    courses = tuple(load_catalog(settings.courses_dir).values())
    prepare_state(settings, courses)
    if settings.mode == "server":
        give_courses_to_graders(settings, courses)
    return courses


def keep_users_off_internal_ports(settings: Settings) -> None:
    """Server mode: the network policy of users' accounts (hub.netpolicy), or no start at all."""
    from hub.netpolicy import NetworkPolicyError, UserNetworkPolicy, apply

    try:
        apply(UserNetworkPolicy.from_settings(settings))
    except NetworkPolicyError as error:
        raise SystemExit(f"Mentor Hub cannot start in server mode: {error}") from None
    log.info("Users' accounts (uids %d-%d) can reach only the public port %d of this machine",
             settings.server["uid_min"], settings.server["uid_max"], settings.public_port)


def give_courses_to_graders(settings: Settings, courses) -> None:
    """Server mode: each formgrader runs as its own Unix account (`<prefix>grader_<course>`) owning its course
    folder (private to it: the sources there hold the answers; autograding runs teachers' code, which must not
    run as the hub's account); teachers' servers may read the shared nbgrader configuration folder, which holds
    no secrets. The checkout's own copy of the sources is readable by the grader accounts only."""
    from hub.accounts import ensure_unix_account
    from hub.checkout import protect_checkout
    from hub.courses.hubconfig import course_state_dir, grader_unix_account_of, teacher_config_dir

    settings.course_state_dir.chmod(0o711)
    graders = []
    for course in courses:
        account = ensure_unix_account(grader_unix_account_of(settings, course.course_id), settings.server["home_root"],
                                      f"Mentor Hub grader for {course.course_id}")
        if settings.server["uid_min"] <= account.pw_uid <= settings.server["uid_max"]:
            raise SystemExit(f"Mentor Hub cannot start: {account.pw_name} has uid {account.pw_uid}, inside "
                             "server.uid_min..uid_max, the users' uids, which cannot reach the hub's ports; "
                             "choose a range outside login.defs' UID_MIN..UID_MAX")
        graders.append(account.pw_name)
        folder = course_state_dir(settings, course.course_id)
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
        folder.chmod(0o700)
    for path in [teacher_config_dir(settings), *teacher_config_dir(settings).rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    protect_checkout(settings, graders)
