"""nbgrader's teacher-side ("student") operations against the exchange service: fetch an assignment,
submit it, list released assignments and one's own submissions, fetch feedback."""

from __future__ import annotations

from pathlib import Path

from nbgrader.exchange import abc

from . import texts
from .nbbase import HubExchange
from .wire import decode_files, sha256

DOWNLOAD_LIMIT = 10 * 2**30  # what the server sends was size-checked on the way in


class HubExchangeFetchAssignment(HubExchange, abc.ExchangeFetchAssignment):
    def init_src(self):
        course = self.require_course()
        self.release = self.client.fetch_release(course, self.coursedir.assignment_id)

    def init_dest(self):
        self.dest_path = self.local_assignment_dir(self.coursedir.course_id, self.coursedir.assignment_id)
        if self.dest_path.is_dir() and not self.replace_missing_files:
            english, chinese = texts.CLIENT_ALREADY_FETCHED
            self.fail(f"{chinese.format(path=self.dest_path)} / {english.format(path=self.dest_path)}")

    def copy_files(self):
        files = decode_files(self.release["files"], DOWNLOAD_LIMIT)
        self.write_folder(self.dest_path, files, only_missing=self.replace_missing_files)
        self.log.info("Fetched as: %s %s", self.coursedir.course_id, self.coursedir.assignment_id)


class HubExchangeSubmit(HubExchange, abc.ExchangeSubmit):
    def init_src(self):
        course = self.require_course()
        self.src_path = self.local_assignment_dir(course, self.coursedir.assignment_id)
        if not self.src_path.is_dir():
            english, chinese = texts.CLIENT_NOTHING_TO_SUBMIT
            self.fail(f"{chinese.format(path=self.src_path)} / {english.format(path=self.src_path)}")

    def init_dest(self):
        self.files = self.read_folder(self.src_path)
        self.files.pop("timestamp.txt", None)  # the server sets the time
        self.check_upload_size(self.files)

    def check_notebooks(self):
        released = {e["path"] for e in self.client.fetch_release(self.coursedir.course_id,
                                                                   self.coursedir.assignment_id)["files"]
                    if e["path"].endswith(".ipynb")}
        missing = sorted(released - set(self.files))
        if missing:
            message = f"Missing notebooks for assignment {self.coursedir.assignment_id}: {', '.join(missing)}"
            if self.strict:
                self.fail(message)
            self.log.warning(message)

    def copy_files(self):
        self.check_notebooks()
        result = self.client.submit(self.coursedir.course_id, self.coursedir.assignment_id, self.files)
        self.timestamp = self.format_timestamp(result["timestamp"])
        self.log.info("Submitted as: %s %s %s", self.coursedir.course_id, self.coursedir.assignment_id,
                      self.timestamp)


class HubExchangeFetchFeedback(HubExchange, abc.ExchangeFetchFeedback):
    def init_src(self):
        course = self.require_course()
        assignment = self.coursedir.assignment_id or None
        self.entries = [e for e in self.client.feedback(course, assignment)
                        if e["student"] == self.client_user()]

    def client_user(self) -> str:
        return self.client.request("GET", "courses")["user"]

    def init_dest(self):
        pass

    def copy_files(self):
        course = self.coursedir.course_id
        for entry in self.entries:
            feedback = self.client.fetch_feedback(course, entry["student"], entry["assignment"],
                                                  entry["submission_id"])
            folder = (self.local_assignment_dir(course, entry["assignment"]) / "feedback"
                      / self.format_timestamp(entry["timestamp"]))
            folder.mkdir(parents=True, exist_ok=True)
            for path, data in decode_files(feedback["files"], DOWNLOAD_LIMIT).items():
                (folder / Path(path).name).write_bytes(data)
                self.log.info("Fetched feedback: %s", folder / Path(path).name)


class HubExchangeList(HubExchange, abc.ExchangeList):
    """Released assignments (default), all submissions (``inbound``, trainers) or one's own (``cached``)."""

    def init_src(self):
        pass

    def init_dest(self):
        pass

    def copy_files(self):
        pass

    def courses(self) -> list[str]:
        """The caller's courses (as the exchange sees them), narrowed to the one asked for: listing a course
        one is not in shows nothing, as nbgrader's own exchange does, rather than an error."""
        mine = sorted(self.client.courses())
        wanted = self.coursedir.course_id
        return [course for course in mine if course == wanted] if wanted else mine

    def _wanted(self, value: str, attribute: str) -> bool:
        wanted = getattr(self.coursedir, attribute)
        return not wanted or wanted == "*" or wanted == value

    def list_files(self):
        if self.inbound or self.cached:
            return self._group(self._submissions())
        return self._released()

    def remove_files(self):
        if self.inbound or self.cached:
            self.fail("Removing submissions is not possible: the exchange keeps every submission.")
        removed = self._released()
        for info in removed:
            self.client.unrelease(info["course_id"], info["assignment_id"])
            info["status"] = "removed"
        return removed

    def _released(self) -> list[dict]:
        found = []
        for course in self.courses():
            for release in self.client.releases(course):
                if not self._wanted(release["assignment"], "assignment_id"):
                    continue
                local = self.local_assignment_dir(course, release["assignment"])
                fetched = local.is_dir()
                base = local if fetched else Path(f"exchange:{course}/{release['assignment']}")
                notebooks = [{"notebook_id": Path(f["path"]).stem, "path": str(base / f["path"])}
                             for f in release["files"] if f["path"].endswith(".ipynb")]
                found.append({"course_id": course, "assignment_id": release["assignment"],
                              "status": "fetched" if fetched else "released", "path": str(base),
                              "notebooks": notebooks})
        self.log.info("Released assignments: %s", ", ".join(f"{i['course_id']} {i['assignment_id']}"
                                                            for i in found))
        return found

    def _submissions(self) -> list[dict]:
        found = []
        for course in self.courses():
            assignment = self.coursedir.assignment_id if self.coursedir.assignment_id not in ("", "*") else None
            student = self.coursedir.student_id if self.inbound and self.coursedir.student_id != "*" else None
            feedback = {e["submission_id"]: e for e in self.client.feedback(course, assignment)}
            for entry in self.client.submissions(course, assignment, student):
                found.append(self._submission_info(course, entry, feedback.get(entry["submission_id"])))
        return found

    def _submission_info(self, course: str, entry: dict, feedback: dict | None) -> dict:
        timestamp = self.format_timestamp(entry["timestamp"])
        local = self.local_assignment_dir(course, entry["assignment"])
        feedback_dir = local / "feedback" / timestamp
        released = {Path(f["path"]).stem: f["sha256"] for f in (feedback or {}).get("files", [])}
        notebooks = []
        for item in entry["files"]:
            if not item["path"].endswith(".ipynb"):
                continue
            notebook_id = Path(item["path"]).stem
            local_html = feedback_dir / f"{notebook_id}.html"
            has_local = local_html.is_file()
            notebooks.append({
                "notebook_id": notebook_id, "path": str(local / item["path"]),
                "has_local_feedback": has_local, "has_exchange_feedback": notebook_id in released,
                "local_feedback_path": str(local_html) if has_local else None,
                "feedback_updated": has_local and notebook_id in released
                and sha256(local_html.read_bytes()) != released[notebook_id],
            })
        has_local = bool(notebooks) and all(n["has_local_feedback"] for n in notebooks)
        return {
            "course_id": course, "student_id": entry["student"], "assignment_id": entry["assignment"],
            "timestamp": timestamp, "status": "submitted", "path": str(local), "notebooks": notebooks,
            "submission_id": entry["submission_id"],
            "has_local_feedback": has_local,
            "has_exchange_feedback": bool(notebooks) and all(n["has_exchange_feedback"] for n in notebooks),
            "feedback_updated": any(n["feedback_updated"] for n in notebooks),
            "local_feedback_path": str(feedback_dir) if has_local else None,
        }

    @staticmethod
    def _group(submissions: list[dict]) -> list[dict]:
        groups: dict[tuple, list[dict]] = {}
        for info in submissions:
            groups.setdefault((info["course_id"], info["student_id"], info["assignment_id"]), []).append(info)
        return [{"course_id": c, "student_id": s, "assignment_id": a, "status": "submitted",
                 "submissions": sorted(items, key=lambda i: i["timestamp"])}
                for (c, s, a), items in sorted(groups.items())]
