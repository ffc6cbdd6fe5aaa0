"""`mentorhub backup FILE|FOLDER [--keep N]` and `mentorhub restore FILE`: the hub's whole state in one archive.

A backup is a gzip'd tar with ``manifest.json`` first, then:

- ``records.sqlite`` (SQLite's online backup API: a consistent copy while the hub runs) or ``records.pgdump``
  (``pg_dump --format=custom``), the records database: records, their history, consents, guardians'
  requests, concern flags, the audit log, the case library and discussions (sensitive fields as ciphertext);
- ``jupyterhub.sqlite`` / ``jupyterhub.pgdump``, the hub's own database (users, groups, tokens as hashes);
- ``state/courses/<course>/…``: sources, submissions, autograded and feedback folders, each ``gradebook.db``
  copied with the online backup API;
- ``state/exchange-store/…`` and ``state/exchange/…``: released assignments, submissions and feedback.

Never in a backup: the ``secrets`` folder (the field keys above all: keep the key file apart, see
``hub.privacy``; tokens and the cookie secret are made anew), users' home folders, pid files, SQLite's
``-wal``/``-shm`` files. The manifest names every file with its size and sha256, the database revision and
the ids (not the keys) of the field keys the data needs.

``restore`` refuses a state folder that already holds a database, a course or an exchange, and a
PostgreSQL database that already has tables; checks every file against the manifest before anything is
written (a damaged or tampered archive restores nothing), refuses links and paths that leave the folder,
then puts the databases and files in place, migrates the records database to the current revision and says
which field keys the restored data needs that the key file lacks.

Give ``FOLDER`` to name archives by date (``mentorhub-YYYYmmdd-HHMMSS.tar.gz``); ``--keep N`` then removes the
oldest such archives of that folder beyond N. README.md's "Backups" gives the schedule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

log = logging.getLogger(__name__)

FORMAT = "mentorhub-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
STATE_PREFIX = "state"
#: Folders of the state folder a backup holds (beside the two databases).
STATE_FOLDERS = ("courses", "exchange-store", "exchange")
SKIPPED_NAMES = {".incoming"}
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
ARCHIVE_NAME = re.compile(r"^mentorhub-\d{8}-\d{6}\.tar\.gz$")
CHUNK = 1024 * 1024

TEXTS = {
    "written": "备份已写入 {path}（{size}），包含：记录数据库（{records}）、平台数据库（{hub}）、{files} 个课程与作业交换文件",
    "pruned": "已删除较早的备份 {count} 个（保留最近 {keep} 个）",
    "keys": "恢复时需要的字段密钥：{keys}（备份中不含密钥，请另行保管密钥文件）",
    "not_empty": "状态目录 {path} 不是空的（已有 {what}）：只能恢复到空的状态目录",
    "pg_not_empty": "目标 PostgreSQL 数据库已有数据表：只能恢复到空的数据库",
    "not_backup": "{path} 不是 Mentor Hub 的备份文件（缺少或无法读取 manifest.json）",
    "newer": "备份格式版本 {version} 比当前程序支持的更新，无法恢复",
    "damaged": "备份文件已损坏或被改动：{name} 与清单不符，未恢复任何内容",
    "unsafe": "备份文件中有不安全的条目（{name}：链接或指向目录之外的路径），未恢复任何内容",
    "missing": "备份文件缺少清单中的 {name}，未恢复任何内容",
    "wrong_db": "备份中的记录数据库是 {kind}，而设置中的记录数据库是 {target}：请使用同类数据库恢复",
    "restored": "已恢复到 {path}：记录数据库（迁移到版本 {revision}）、平台数据库、{files} 个文件",
    "keys_ok": "恢复的数据所需的字段密钥都在密钥文件 {path} 中",
    "keys_missing": "注意：恢复的数据需要的字段密钥 {keys} 不在密钥文件 {path} 中，加密字段将无法读取；请放回保管的密钥文件",
    "pg_tool": "找不到 {tool}（PostgreSQL 客户端工具，apt-get install postgresql-client）",
    "pg_failed": "{tool} 失败：{detail}",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; ``message_zh`` says why (the command prints it)."""

    def __init__(self, message_zh: str):
        super().__init__(message_zh)
        self.message_zh = message_zh


@dataclass(frozen=True)
class Database:
    """One database of the hub as the backup sees it: a SQLite file or a PostgreSQL URL."""

    name: str  # "records" or "jupyterhub"
    url: str

    @property
    def kind(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    @property
    def path(self) -> Path:
        return Path(self.url.split("///", 1)[1].split("?", 1)[0])

    @property
    def member(self) -> str:
        return f"{self.name}.sqlite" if self.kind == "sqlite" else f"{self.name}.pgdump"

    @property
    def conninfo(self) -> str:
        """The URL as libpq reads it (``postgresql://``)."""
        return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", self.url)


def databases(settings) -> list[Database]:
    return [Database("records", settings.records_db_url), Database("jupyterhub", settings.hub_db_url)]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (its WAL included) through the online backup API."""
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file


def pg_tool(name: str) -> str:
    found = shutil.which(name) or next((str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                                                reverse=True)), None)  # fmt: skip
    if not found:
        raise BackupError(TEXTS["pg_tool"].format(tool=name))
    return found


def run_pg(tool: str, *args: str) -> None:
    done = subprocess.run([pg_tool(tool), *args], capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise BackupError(TEXTS["pg_failed"].format(tool=tool, detail=(done.stderr or done.stdout).strip()[-500:]))


def dump_database(database: Database, target: Path) -> None:
    if database.kind == "sqlite":
        sqlite_copy(database.path, target)
    else:
        run_pg("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
               f"--dbname={database.conninfo}")  # fmt: skip


def state_files(state_dir: Path) -> list[tuple[Path, str]]:
    """(file, archive name) of every file of the backed-up state folders, in name order; databases
    (``*.db``) are copied through SQLite's backup API by ``write_backup``."""
    found = []
    for folder in STATE_FOLDERS:
        root = state_dir / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(state_dir)
            if set(relative.parts) & SKIPPED_NAMES or path.is_symlink() or not path.is_file():
                continue
            if path.name.endswith(SQLITE_SIDE_FILES):
                continue
            found.append((path, str(PurePosixPath(STATE_PREFIX, *relative.parts))))
    return found


def records_revision_and_keys(database: Database) -> tuple[str | None, list[str]]:
    """The records database's migration revision and the ids of the field keys its sealed values need."""
    from hub.store.db import current_revision, head_revision, make_engine
    from hub.store.store import RecordStore

    engine = make_engine(database.url)
    try:
        revision = current_revision(engine)
        counts = RecordStore(engine).count_sealed() if revision == head_revision() else {}
    finally:
        engine.dispose()
    return revision, sorted({key for tally in counts.values() for key in tally if key != "plain"})


def write_backup(settings, target: Path, *, clock=dt.datetime.now) -> dict:
    """Write the archive ``target``; returns its manifest."""
    state_dir = Path(settings.state_dir)
    now = clock()
    with tempfile.TemporaryDirectory(prefix="mentorhub-backup-") as work:
        work = Path(work)
        entries: list[tuple[Path, str]] = []
        dbs = {}
        for database in databases(settings):
            copy = work / database.member
            dump_database(database, copy)
            entries.append((copy, database.member))
            dbs[database.name] = {"kind": database.kind, "file": database.member}
        revision, key_ids = records_revision_and_keys(Database("records", settings.records_db_url))
        dbs["records"].update({"revision": revision, "field_key_ids": key_ids})
        for path, name in state_files(state_dir):
            if path.suffix == ".db":  # a course's gradebook: consistent even while graders write
                copy = work / "gradebooks" / name
                copy.parent.mkdir(parents=True, exist_ok=True)
                sqlite_copy(path, copy)
                entries.append((copy, name))
            else:
                entries.append((path, name))
        files = [{"name": name, "size": path.stat().st_size, "sha256": sha256_of(path)} for path, name in entries]
        manifest = {"format": FORMAT, "version": FORMAT_VERSION, "created_at": now.isoformat(timespec="seconds"),
                    "mode": settings.mode, "databases": dbs, "files": files}  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
            for path, name in entries:
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, target)  # never a half-written archive under the final name
    return manifest


def archive_target(target: Path, clock=dt.datetime.now) -> Path:
    """``target`` itself, or a dated archive name inside it when it is a folder."""
    if target.is_dir() or str(target).endswith(os.sep):
        return target / f"mentorhub-{clock().strftime('%Y%m%d-%H%M%S')}.tar.gz"
    return target


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove the oldest dated archives of ``folder`` beyond the newest ``keep``; returns those removed."""
    archives = sorted(p for p in folder.iterdir() if ARCHIVE_NAME.match(p.name))
    old = archives[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


# --- restore ----------------------------------------------------------------------------------------
def read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read().decode("utf-8"))
    except (KeyError, AttributeError, ValueError, UnicodeDecodeError):
        raise BackupError(TEXTS["not_backup"].format(path=path)) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(TEXTS["not_backup"].format(path=path))
    if manifest.get("version", 0) > FORMAT_VERSION:
        raise BackupError(TEXTS["newer"].format(version=manifest.get("version")))
    return manifest


def safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and name == str(pure) and bool(pure.parts)


def unpack_checked(path: Path, into: Path) -> dict:
    """Extract the archive into ``into`` (a private temporary folder) after checking every member against the
    manifest; returns the manifest. Nothing but regular files named in the manifest is extracted."""
    try:
        archive = tarfile.open(path, mode="r:gz")
    except (OSError, tarfile.TarError):
        raise BackupError(TEXTS["not_backup"].format(path=path)) from None
    with archive:
        manifest = read_manifest(archive, path)
        expected = {entry["name"]: entry for entry in manifest.get("files", [])}
        seen = set()
        for member in archive.getmembers():
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not safe_name(member.name) or member.name not in expected:
                raise BackupError(TEXTS["unsafe"].format(name=member.name[:80]))
            target = into / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with archive.extractfile(member) as source, open(target, "wb") as out:
                for block in iter(lambda: source.read(CHUNK), b""):  # noqa: B023 - consumed at once
                    digest.update(block)
                    out.write(block)
            entry = expected[member.name]
            if digest.hexdigest() != entry["sha256"] or target.stat().st_size != entry["size"]:
                raise BackupError(TEXTS["damaged"].format(name=member.name))
            seen.add(member.name)
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupError(TEXTS["missing"].format(name=missing[0]))
    return manifest


def check_empty_target(settings) -> None:
    state_dir = Path(settings.state_dir)
    present = [name for name in ("records.sqlite", "jupyterhub.sqlite", *STATE_FOLDERS)
               if (state_dir / name).exists() and (not (state_dir / name).is_dir() or any((state_dir / name).iterdir()))]  # fmt: skip
    for database in databases(settings):
        if database.kind == "sqlite" and database.path.exists() and database.path.parent != state_dir:
            present.append(str(database.path))
    if present:
        raise BackupError(TEXTS["not_empty"].format(path=state_dir, what="、".join(present)))
    for database in databases(settings):
        if database.kind == "postgresql" and pg_has_tables(database):
            raise BackupError(TEXTS["pg_not_empty"])


def pg_has_tables(database: Database) -> bool:
    from sqlalchemy import inspect

    from hub.store.db import make_engine

    engine = make_engine(database.url)
    try:
        with engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def restore_database(database: Database, manifest: dict, unpacked: Path) -> None:
    stored = manifest["databases"][database.name]
    if stored["kind"] != database.kind:
        raise BackupError(TEXTS["wrong_db"].format(kind=stored["kind"], target=database.kind))
    source = unpacked / stored["file"]
    if database.kind == "sqlite":
        database.path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, database.path)
        database.path.chmod(0o600)
    else:
        run_pg("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={database.conninfo}",
               str(source))  # fmt: skip


def restore_backup(settings, path: Path) -> dict:
    """Restore the archive ``path`` into the (empty) state folder and databases of ``settings``."""
    from hub.privacy import field_key_file
    from hub.store import upgrade
    from hub.store.crypto import KeyRing

    check_empty_target(settings)
    state_dir = Path(settings.state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mentorhub-restore-", dir=state_dir) as work:
        unpacked = Path(work)
        manifest = unpack_checked(path, unpacked)
        for database in databases(settings):
            restore_database(database, manifest, unpacked)
        restored = unpacked / STATE_PREFIX
        files = 0
        if restored.is_dir():
            for folder in sorted(restored.iterdir()):
                shutil.move(str(folder), str(state_dir / folder.name))
                files += sum(1 for p in (state_dir / folder.name).rglob("*") if p.is_file())
    revision = upgrade(settings.records_db_url)
    key_file = field_key_file(settings)
    needed = manifest["databases"]["records"].get("field_key_ids", [])
    have = {key.key_id for key in KeyRing.from_file(key_file).keys} if key_file.exists() else set()
    return {"manifest": manifest, "revision": revision, "files": files, "key_file": key_file,
            "missing_keys": sorted(set(needed) - have)}  # fmt: skip


# --- the commands -----------------------------------------------------------------------------------
def human_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def run_backup(args) -> int:
    from hub.settings import load_settings

    settings = load_settings(args.settings)
    target = archive_target(Path(args.file))
    try:
        manifest = write_backup(settings, target)
    except BackupError as error:
        print(error.message_zh, file=sys.stderr)
        return 1
    dbs = manifest["databases"]
    print(TEXTS["written"].format(path=target, size=human_size(target.stat().st_size), records=dbs["records"]["kind"],
                                  hub=dbs["jupyterhub"]["kind"],
                                  files=sum(1 for f in manifest["files"] if f["name"].startswith(STATE_PREFIX))))  # fmt: skip
    print(TEXTS["keys"].format(keys="、".join(dbs["records"]["field_key_ids"]) or "—"))
    if args.keep:
        removed = prune(target.parent, args.keep)
        if removed:
            print(TEXTS["pruned"].format(count=len(removed), keep=args.keep))
    return 0


def run_restore(args) -> int:
    from hub.settings import load_settings

    settings = load_settings(args.settings)
    try:
        result = restore_backup(settings, Path(args.file))
    except BackupError as error:
        print(error.message_zh, file=sys.stderr)
        return 1
    print(TEXTS["restored"].format(path=settings.state_dir, revision=result["revision"], files=result["files"]))
    if result["missing_keys"]:
        print(TEXTS["keys_missing"].format(keys="、".join(result["missing_keys"]), path=result["key_file"]),
              file=sys.stderr)  # fmt: skip
        return 2
    print(TEXTS["keys_ok"].format(path=result["key_file"]))
    return 0


def register(subparsers) -> None:
    backup = subparsers.add_parser("backup", help="备份记录数据库、平台数据库、成绩册与作业交换 (back up the hub's state)")
    backup.add_argument("file", metavar="FILE", help="备份文件（.tar.gz），或一个文件夹（按时间命名）")
    backup.add_argument("--keep", type=int, default=0, metavar="N", help="在该文件夹中只保留最近 N 个备份")
    backup.add_argument("--settings", metavar="FILE", help="site settings file (default: mentorhub.yaml / env)")
    backup.set_defaults(func=run_backup)


def register_restore(subparsers) -> None:
    restore = subparsers.add_parser("restore", help="把备份恢复到空的状态目录 (restore into an empty state folder)")
    restore.add_argument("file", metavar="FILE", help="mentorhub backup 写出的 .tar.gz 文件")
    restore.add_argument("--settings", metavar="FILE", help="site settings file (default: mentorhub.yaml / env)")
    restore.set_defaults(func=run_restore)
