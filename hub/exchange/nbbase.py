"""Shared part of the nbgrader exchange classes that talk to the hub's exchange service."""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import secrets
import shutil
from pathlib import Path

from dateutil.tz import gettz
from nbgrader.exchange.abc import Exchange
from traitlets import Bool, Integer, Unicode

from . import texts
from .client import ExchangeClient, ExchangeRequestFailed
from .errors import ExchangeProblem
from .hidden import fingerprints
from .names import check_relative_path
from .store import DEFAULT_MAX_BYTES

SKIPPED_DIRS = {".ipynb_checkpoints", "__pycache__", "feedback"}


class HubExchange(Exchange):
    """Base class: the HTTP client, local paths and error translation (nbgrader's ``fail``)."""

    exchange_url = Unicode(
        "", help="Base URL of the exchange service, e.g. http://127.0.0.1:10102/services/exchange/. Empty "
                 "means MENTORHUB_EXCHANGE_URL, or else ask the hub where its 'exchange' service listens.",
    ).tag(config=True)

    path_includes_course = Bool(
        False, help="Keep assignments in ./<course>/<assignment> (True, needed with several courses) or "
                    "./<assignment> (False); the same meaning as nbgrader's own Exchange setting.",
    ).tag(config=True)

    max_upload_bytes = Integer(
        DEFAULT_MAX_BYTES, help="Refuse locally before sending more than this many bytes of files, e.g. "
                                "20971520; keep it equal to the service's MENTORHUB_EXCHANGE_MAX_BYTES.",
    ).tag(config=True)

    _client = None

    @property
    def client(self) -> ExchangeClient:
        if self._client is None:
            self._client = ExchangeClient.from_environment(url=self.exchange_url)
        return self._client

    def start(self):
        try:
            return super().start()
        except ExchangeRequestFailed as error:
            self.fail(str(error))
        except ExchangeProblem as error:
            self.fail(f"{error.message_zh} / {error.message_en}")

    def require_course(self) -> str:
        if not self.coursedir.course_id:
            self.fail(" / ".join(reversed(texts.CLIENT_NO_COURSE)))
        return self.coursedir.course_id

    def local_assignment_dir(self, course: str, assignment: str) -> Path:
        """Relative to the server's root, like nbgrader's own exchange: the paths the assignment list
        reports (notebooks, feedback pages) are opened by JupyterLab relative to that root."""
        root = Path(self.assignment_dir)
        return root / course / assignment if self.path_includes_course else root / assignment

    def format_timestamp(self, iso: str) -> str:
        """The server's ISO timestamp in nbgrader's format and configured time zone."""
        zone = gettz(self.timezone) or dt.UTC
        return dt.datetime.fromisoformat(iso).astimezone(zone).strftime(self.timestamp_format)

    # -- local files -----------------------------------------------------------------------------
    def read_folder(self, folder: Path, *, skip_large: bool = True) -> dict[str, bytes]:
        """Files of an assignment folder as ``{relative path: bytes}``, leaving out nbgrader's ignore
        patterns, checkpoints, hidden files and (with a warning) files over ``max_file_size``."""
        ignore = list(self.coursedir.ignore) if self.coursedir else []
        max_file = (self.coursedir.max_file_size * 1000) if self.coursedir else None
        files = {}
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith(".")
                                 and not _ignored(d, ignore))
            for name in sorted(filenames):
                if name.startswith(".") or _ignored(name, ignore):
                    continue
                path = Path(dirpath) / name
                if path.is_symlink():
                    continue
                if skip_large and max_file and path.stat().st_size > max_file:
                    self.log.warning("Skipping %s: larger than max_file_size", path)
                    continue
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
        return files

    def check_upload_size(self, files: dict[str, bytes]) -> None:
        total = sum(len(data) for data in files.values())
        if total > self.max_upload_bytes:
            english, chinese = texts.TOO_LARGE
            values = {"size_mb": total / 2**20, "limit_mb": self.max_upload_bytes / 2**20}
            self.fail(f"{chinese.format(**values)} / {english.format(**values)}")

    @staticmethod
    def write_folder(target: Path, files: dict[str, bytes], *, only_missing: bool = False) -> None:
        """Write files under ``target`` (paths validated); a new folder appears whole or not at all."""
        target = Path(target)
        if only_missing and target.is_dir():
            for path, data in files.items():
                destination = target / check_relative_path(path)
                if not destination.exists():
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(data)
            return
        staging = target.with_name(f".{target.name}.{secrets.token_hex(4)}.incoming")
        try:
            for path, data in files.items():
                destination = staging / check_relative_path(path)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(data)
            staging.mkdir(parents=True, exist_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # -- hidden tests ----------------------------------------------------------------------------
    def hidden_fingerprints(self, assignment: str) -> list[str]:
        """Fingerprints of the hidden-test lines of the source version (trainer side only)."""
        source = Path(self.coursedir.format_path(self.coursedir.source_directory, ".", assignment))
        release = Path(self.coursedir.format_path(self.coursedir.release_directory, ".", assignment))
        return fingerprints(_notebooks(source), _notebooks(release))


def _ignored(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)


def _notebooks(folder: Path) -> list[dict]:
    found = []
    for path in sorted(Path(folder).glob("**/*.ipynb")) if Path(folder).is_dir() else []:
        if ".ipynb_checkpoints" in path.parts:
            continue
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except ValueError:
            continue
    return found
