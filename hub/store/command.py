"""`mentorhub db upgrade [--db URL]`: create or migrate the records database."""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def actor_name() -> str:
    """Who a command-line change is audited as: ``cli:`` and the operator's login."""
    return f"cli:{getpass.getuser()}"


def resolve_db_url(db: str | None, settings_path: str | None = None) -> str:
    """The URL given on the command line, else the site settings' records database."""
    if db:
        return db
    from hub.settings import load_settings

    return load_settings(settings_path).records_db_url


def open_from_args(args):
    """The records store named by a command's ``--db`` / ``--settings`` options (raises ``StoreError``), with
    the settings' field keys (``privacy.key_file``) when that file exists."""
    from hub.store import open_store

    return open_store(resolve_db_url(args.db, args.settings), key_file=settings_key_file(args.settings))


def settings_key_file(settings_path: str | None):
    """The settings' field key file when it exists (else None: the store looks for one itself)."""
    from hub.privacy import field_key_file
    from hub.settings import SettingsError, load_settings

    try:
        path = field_key_file(load_settings(settings_path))
    except SettingsError:
        return None
    return path if path.exists() else None


def open_or_say_why(args):
    """``open_from_args``, or None after printing (in Chinese, on stderr) why the store cannot be opened."""
    from hub.store import StoreError

    try:
        return open_from_args(args)
    except StoreError as error:
        print(error.message_zh, file=sys.stderr)
        return None


def ensure_sqlite_folder(db_url: str) -> None:
    if db_url.startswith("sqlite:///") and db_url not in ("sqlite:///:memory:",):
        Path(db_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)


def add_db_option(parser) -> None:
    parser.add_argument("--db", metavar="URL", help="records database URL (default: from the site settings)")
    parser.add_argument("--settings", metavar="FILE", help="site settings file (default: mentorhub.yaml / env)")


def run_upgrade(args) -> int:
    from hub.store import upgrade

    db_url = resolve_db_url(args.db, args.settings)
    ensure_sqlite_folder(db_url)
    revision = upgrade(db_url)
    print(f"记录数据库已迁移到版本 {revision}")
    log.info("records database %s at revision %s", _safe(db_url), revision)
    return 0


def _safe(db_url: str) -> str:
    """The URL without a password, for logs."""
    if "@" in db_url and "://" in db_url:
        scheme, rest = db_url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return db_url


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="记录数据库 (records database)")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION")
    up = db_commands.add_parser("upgrade", help="创建或迁移记录数据库 (create or migrate the database)")
    add_db_option(up)
    up.set_defaults(func=run_upgrade)
    db.set_defaults(func=lambda args: (db.print_help(), 2)[1])
