"""Engine creation and Alembic migration helpers.

SQLite gets WAL, foreign keys and a busy timeout on every connection; PostgreSQL is used through
psycopg 3 (``postgresql://`` URLs are rewritten to ``postgresql+psycopg://``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from .errors import NotMigrated

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: A PostgreSQL server that does not answer (host down, network cut: no "connection refused") fails a
#: request after this long, as a 503, instead of after the operating system's TCP timeout (minutes).
PG_CONNECT_TIMEOUT_SECONDS = 10


def normalize_url(db_url: str) -> str:
    if db_url.startswith("postgresql://") or db_url.startswith("postgres://"):
        return "postgresql+psycopg://" + db_url.split("://", 1)[1]
    return db_url


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_ONLY = "mentorhub_read_only"


def _sqlite_begin(conn):
    # Writers take the write lock when their transaction starts: no lock upgrade half-way, so no
    # "database is locked" failures between concurrent writers; the busy timeout queues them.
    # Read-only transactions (execution option READ_ONLY) stay deferred and never wait in WAL mode.
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(db_url: str) -> Engine:
    url = normalize_url(db_url)
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        kwargs = {"connect_args": {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}}
        if in_memory:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # let SQLAlchemy, not the sqlite3 module, open transactions (see _sqlite_begin)
        event.listen(engine, "connect", lambda conn, _rec: setattr(conn, "isolation_level", None))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # pool_pre_ping: connections that died with the server (restart, failover) are replaced on checkout,
    # so the service recovers by itself once the database is back (tests/app/test_reliability.py).
    connect_args = {} if "connect_timeout=" in url else {"connect_timeout": PG_CONNECT_TIMEOUT_SECONDS}
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args)


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(target: str | Engine, revision: str = "head") -> str:
    """Migrate the database at ``target`` (URL or engine) to ``revision``; returns the new revision."""
    engine = make_engine(target) if isinstance(target, str) else target
    command.upgrade(alembic_config(engine), revision)
    return current_revision(engine)


def check_migrated(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise NotMigrated(current, head)
