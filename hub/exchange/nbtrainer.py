"""nbgrader's trainer-side operations against the exchange service: release an assignment, collect the
submissions, release feedback (checked for hidden tests before it leaves, and again by the server)."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange import abc
from nbgrader.utils import parse_utc

from . import texts
from .hidden import leaks_hidden_tests
from .nbbase import HubExchange
from .nbteacher import DOWNLOAD_LIMIT
from .wire import decode_files

SUBMISSION_ID_FILE = "submission_id.txt"  # written by collect; nbgrader carries it into feedback/


class HubExchangeReleaseAssignment(HubExchange, abc.ExchangeReleaseAssignment):
    def init_src(self):
        assignment = self.coursedir.assignment_id
        self.src_path = Path(self.coursedir.format_path(self.coursedir.release_directory, ".", assignment))
        if not self.src_path.is_dir():
            english, chinese = texts.CLIENT_NOT_GENERATED
            self.fail(f"{chinese.format(path=self.src_path)} / {english.format(path=self.src_path)}")

    def init_dest(self):
        self.require_course()
        self.files = self.read_folder(self.src_path)
        self.check_upload_size(self.files)

    def copy_files(self):
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        self.client.release(course, assignment, self.files, self.hidden_fingerprints(assignment), force=self.force)
        self.log.info("Released as: %s %s", course, assignment)


class HubExchangeCollect(HubExchange, abc.ExchangeCollect):
    def init_src(self):
        course = self.require_course()
        if self.client.courses().get(course) != "trainer":  # the server would only show one's own anyway
            english, chinese = texts.NOT_TRAINER
            self.fail(f"{chinese.format(course=course)} / {english.format(course=course)} (HTTP 403)")
        student = self.coursedir.student_id if self.coursedir.student_id not in ("", "*") else None
        entries = self.client.submissions(course, self.coursedir.assignment_id, student)
        by_student = defaultdict(list)
        for entry in entries:
            entry["parsed"] = parse_utc(entry["timestamp"])
            by_student[entry["student"]].append(entry)
        duedate = self._duedate() if self.before_duedate else None
        self.src_records = []
        for items in by_student.values():
            items.sort(key=lambda e: e["parsed"], reverse=True)
            on_time = [e for e in items if duedate is not None and e["parsed"] <= duedate]
            self.src_records.append(on_time[0] if on_time else items[0])

    def _duedate(self):
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                return gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                return None

    def init_dest(self):
        pass

    def copy_files(self):
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        if not self.src_records:
            self.log.warning("No submissions of '%s' for course '%s' to collect", assignment, course)
        for record in self.src_records:
            student = record["student"]
            dest = Path(self.coursedir.format_path(self.coursedir.submitted_directory, student, assignment))
            if dest.is_dir():
                existing = self.coursedir.get_existing_timestamp(str(dest))
                newer = existing is None or record["parsed"] > existing
                if not ((self.update and newer) or (self.before_duedate and existing != record["parsed"])):
                    self.log.info("No newer submission to collect: %s %s", student, assignment)
                    continue
            submission = self.client.fetch_submission(course, student, assignment, record["submission_id"])
            files = decode_files(submission["files"], DOWNLOAD_LIMIT)
            files["timestamp.txt"] = self.format_timestamp(record["timestamp"]).encode()
            files[SUBMISSION_ID_FILE] = record["submission_id"].encode()
            staging = dest.with_name(f".{dest.name}.collect")
            shutil.rmtree(staging, ignore_errors=True)
            self.write_folder(staging, files)
            if dest.is_dir():
                shutil.rmtree(dest)
            staging.rename(dest)
            self.log.info("Collected submission: %s %s (%s)", student, assignment, record["submission_id"])


class HubExchangeReleaseFeedback(HubExchange, abc.ExchangeReleaseFeedback):
    def init_src(self):
        self.require_course()
        student = self.coursedir.student_id if self.coursedir.student_id not in ("", None) else "*"
        pattern = self.coursedir.format_path(self.coursedir.feedback_directory, student,
                                             self.coursedir.assignment_id)
        root = Path(self.coursedir.root)
        self.folders = sorted(p for p in root.glob(str(Path(pattern).relative_to(root))) if p.is_dir())

    def init_dest(self):
        excluded = self.coursedir.student_id_exclude
        self.excluded = set(excluded.split(",")) if excluded else set()

    def _submission_id(self, folder: Path, student: str, submissions: list[dict]) -> str | None:
        marker = folder / SUBMISSION_ID_FILE
        if marker.is_file():
            return marker.read_text().strip()
        stamp = folder / "timestamp.txt"
        if stamp.is_file():
            when = parse_utc(stamp.read_text().strip())
            for entry in submissions:
                if entry["student"] == student and parse_utc(entry["timestamp"]) == when:
                    return entry["submission_id"]
        return None

    def copy_files(self):
        course, assignment = self.coursedir.course_id, self.coursedir.assignment_id
        submissions = self.client.submissions(course, assignment)
        known = set(self.hidden_fingerprints(assignment))
        for folder in self.folders:
            student = folder.parent.name
            if student in self.excluded:
                continue
            files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.html"))}
            if not files:
                continue
            for name, data in files.items():
                if leaks_hidden_tests(data.decode("utf-8", errors="replace"), known):
                    english, chinese = texts.HIDDEN_TESTS_IN_FEEDBACK
                    self.fail(f"{chinese.format(path=f'{student}/{name}')} / {english.format(path=name)}")
            submission_id = self._submission_id(folder, student, submissions)
            if submission_id is None:
                self.log.error("No exchange submission matches the feedback of %s; skipped", student)
                continue
            self.client.release_feedback(course, student, assignment, submission_id, files)
            self.log.info("Feedback released for %s on %s/%s", student, course, assignment)
