"""The exchange's storage: one folder per course under the exchange root, written atomically.

Layout (every leaf folder holds ``manifest.json`` and ``files/``)::

    <root>/<course>/released/<assignment>/               the version teachers fetch
    <root>/<course>/hidden/<assignment>.json             hidden-test fingerprints (never served)
    <root>/<course>/submissions/<student>/<assignment>/<submission_id>/
    <root>/<course>/feedback/<student>/<assignment>/<submission_id>/
    <root>/.incoming/                                    folders being written (renamed into place)

Every stored file is listed in its manifest with its sha256 and size; reads verify them. Timestamps and
submission ids come from the server's clock. Callers pass names already checked by ``hub.exchange.names``;
the store checks them again before building any path.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
import threading
from pathlib import Path

from . import texts
from .errors import Conflict, NotFound, OverQuota, TooLarge
from .names import check_name, check_relative_path
from .wire import check_no_folder_clash, sha256

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_QUOTA_BYTES = 50 * 1024 * 1024  # per teacher and course: two and a half submissions of the largest size
MANIFEST = "manifest.json"


class CorruptFile(RuntimeError):
    """A stored file no longer matches its manifest (disk damage or tampering on the server)."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ExchangeStore:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES, clock=utcnow, *,
                 quota_bytes: int = DEFAULT_QUOTA_BYTES):
        self.root = Path(root)
        self.max_bytes = int(max_bytes)
        self.quota_bytes = int(quota_bytes)
        self.clock = clock
        self._release_lock = threading.Lock()
        self._student_locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()
        (self.root / ".incoming").mkdir(parents=True, exist_ok=True)

    # -- releases ----------------------------------------------------------------------------
    def add_release(self, course: str, assignment: str, files: dict[str, bytes], *,
                    fingerprints: list[str] = (), force: bool = False) -> dict:
        final = self._course(course) / "released" / check_name(assignment, "assignment")
        with self._release_lock:
            if final.exists() and not force:
                raise Conflict(texts.ALREADY_RELEASED, course=course, assignment=assignment)
            manifest = {"course": course, "assignment": assignment, "released_at": self.clock().isoformat()}
            staged = self._stage(files, manifest)
            self._write_json(self._course(course) / "hidden" / f"{assignment}.json", sorted(set(fingerprints)))
            self._commit(staged, final, replace=True)
        return self._public(manifest)

    def remove_release(self, course: str, assignment: str) -> None:
        final = self._release_dir(course, assignment)
        with self._release_lock:
            trash = self._incoming_path("removed")
            final.rename(trash)
            shutil.rmtree(trash)
            (self._course(course) / "hidden" / f"{assignment}.json").unlink(missing_ok=True)

    def find_releases(self, course: str) -> list[dict]:
        folder = self._course(course) / "released"
        return [self._public(self._manifest(p)) for p in sorted(folder.iterdir())] if folder.is_dir() else []

    def find_release(self, course: str, assignment: str) -> dict:
        return self._public(self._manifest(self._release_dir(course, assignment)))

    def read_release(self, course: str, assignment: str) -> tuple[dict, dict[str, bytes]]:
        return self._read(self._release_dir(course, assignment))

    def hidden_fingerprints(self, course: str, assignment: str) -> frozenset:
        path = self._course(course) / "hidden" / f"{check_name(assignment, 'assignment')}.json"
        return frozenset(json.loads(path.read_text())) if path.exists() else frozenset()

    # -- submissions ---------------------------------------------------------------------------
    def add_submission(self, course: str, assignment: str, student: str, files: dict[str, bytes]) -> dict:
        """File a submission under ``student`` with the server's time; never replaces an earlier one.

        Refused (``OverQuota``) when the student's submissions kept for the course would pass
        ``quota_bytes``; checked and stored under one lock per student and course, so that submissions
        sent at the same moment cannot pass the quota together."""
        self.find_release(course, assignment)
        size = sum(len(data) for data in files.values())
        with self._student_lock(course, check_name(student, "student")):
            used = self.used_bytes(course, student)
            if used + size > self.quota_bytes:
                raise OverQuota(texts.OVER_QUOTA, student=student, course=course, size_mb=size / 2**20,
                                total_mb=(used + size) / 2**20, quota_mb=self.quota_bytes / 2**20)  # fmt: skip
            now = self.clock()
            submission_id = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{secrets.token_hex(4)}"
            manifest = {"course": course, "assignment": assignment, "student": student,
                        "submission_id": submission_id, "timestamp": now.isoformat()}
            final = self._course(course) / "submissions" / student / assignment / submission_id
            self._commit(self._stage(files, manifest), final, replace=False)
        return self._public(manifest)

    def used_bytes(self, course: str, student: str) -> int:
        """What the exchange keeps of ``student``'s submissions to ``course``, in bytes."""
        base = self._course(course) / "submissions" / check_name(student, "student")
        return sum(self._manifest(folder).get("total_bytes", 0)
                   for aid in _children(base) for folder in (base / aid / sid for sid in _children(base / aid)))

    def _student_lock(self, course: str, student: str) -> threading.Lock:
        with self._locks_lock:
            return self._student_locks.setdefault((course, student), threading.Lock())

    def find_submissions(self, course: str, *, assignment: str | None = None,
                         student: str | None = None) -> list[dict]:
        base = self._course(course) / "submissions"
        students = [check_name(student, "student")] if student else _children(base)
        found = []
        for name in students:
            assignments = [check_name(assignment, "assignment")] if assignment else _children(base / name)
            for aid in assignments:
                for sid in _children(base / name / aid):
                    entry = self._public(self._manifest(base / name / aid / sid))
                    entry["has_feedback"] = self._feedback_dir(course, name, aid, sid).joinpath(MANIFEST).exists()
                    found.append(entry)
        return sorted(found, key=lambda e: (e["assignment"], e["student"], e["timestamp"]))

    def read_submission(self, course: str, student: str, assignment: str, submission_id: str):
        return self._read(self._submission_dir(course, student, assignment, submission_id))

    # -- feedback ------------------------------------------------------------------------------
    def add_feedback(self, course: str, student: str, assignment: str, submission_id: str,
                     files: dict[str, bytes]) -> dict:
        submission = self._manifest(self._submission_dir(course, student, assignment, submission_id))
        manifest = {"course": course, "assignment": assignment, "student": student,
                    "submission_id": submission_id, "timestamp": submission["timestamp"],
                    "released_at": self.clock().isoformat()}
        final = self._feedback_dir(course, student, assignment, submission_id)
        self._commit(self._stage(files, manifest), final, replace=True)
        return self._public(manifest)

    def find_feedback(self, course: str, *, assignment: str | None = None,
                      student: str | None = None) -> list[dict]:
        return [self._public(self._manifest(self._feedback_dir(course, s["student"], s["assignment"],
                                                               s["submission_id"])))
                for s in self.find_submissions(course, assignment=assignment, student=student)
                if s["has_feedback"]]

    def read_feedback(self, course: str, student: str, assignment: str, submission_id: str):
        folder = self._feedback_dir(course, student, assignment, submission_id)
        if not (folder / MANIFEST).exists():
            raise NotFound(texts.NO_FEEDBACK)
        return self._read(folder)

    # -- paths ---------------------------------------------------------------------------------
    def _course(self, course: str) -> Path:
        return self.root / check_name(course, "course")

    def _release_dir(self, course: str, assignment: str) -> Path:
        folder = self._course(course) / "released" / check_name(assignment, "assignment")
        if not (folder / MANIFEST).exists():
            raise NotFound(texts.NOT_RELEASED, course=course, assignment=assignment)
        return folder

    def _submission_dir(self, course, student, assignment, submission_id) -> Path:
        folder = (self._course(course) / "submissions" / check_name(student, "student")
                  / check_name(assignment, "assignment") / check_name(submission_id, "submission"))
        if not (folder / MANIFEST).exists():
            raise NotFound(texts.NO_SUBMISSION)
        return folder

    def _feedback_dir(self, course, student, assignment, submission_id) -> Path:
        return (self._course(course) / "feedback" / check_name(student, "student")
                / check_name(assignment, "assignment") / check_name(submission_id, "submission"))

    # -- atomic writes -------------------------------------------------------------------------
    def _incoming_path(self, kind: str) -> Path:
        return self.root / ".incoming" / f"{kind}-{secrets.token_hex(8)}"

    def _stage(self, files: dict[str, bytes], manifest: dict) -> Path:
        """Write files and manifest into a fresh folder under ``.incoming``; return it."""
        total = sum(len(data) for data in files.values())
        if total > self.max_bytes:
            raise TooLarge(total, self.max_bytes)
        check_no_folder_clash(files)
        staged = self._incoming_path("new")
        (staged / "files").mkdir(parents=True)
        try:
            entries = []
            for path, data in sorted(files.items()):
                target = staged / "files" / check_relative_path(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                entries.append({"path": path, "sha256": sha256(data), "size": len(data)})
            manifest.update(files=entries, total_bytes=total)
            self._write_json(staged / MANIFEST, manifest)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        return staged

    def _commit(self, staged: Path, final: Path, *, replace: bool) -> None:
        final.parent.mkdir(parents=True, exist_ok=True)
        old = None
        if final.exists():
            if not replace:  # cannot happen with server-made ids; never overwrite a submission
                shutil.rmtree(staged, ignore_errors=True)
                raise Conflict(texts.NO_SUBMISSION)
            old = self._incoming_path("old")
            final.rename(old)
        staged.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def _write_json(path: Path, data) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)

    # -- reads ---------------------------------------------------------------------------------
    @staticmethod
    def _manifest(folder: Path) -> dict:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))

    def _read(self, folder: Path) -> tuple[dict, dict[str, bytes]]:
        manifest = self._manifest(folder)
        files = {}
        for entry in manifest["files"]:
            data = (folder / "files" / check_relative_path(entry["path"])).read_bytes()
            if sha256(data) != entry["sha256"]:
                raise CorruptFile(f"{folder}: {entry['path']} does not match its checksum")
            files[entry["path"]] = data
        return self._public(manifest), files

    @staticmethod
    def _public(manifest: dict) -> dict:
        return dict(manifest)


def _children(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
