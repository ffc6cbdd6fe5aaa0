"""Request handlers of the exchange service. Thin: identify the caller, apply the policy, call one store
verb in a worker thread, answer JSON. Errors become ``{"error": {"message_zh", "message_en"}}``."""

from __future__ import annotations

import json
import logging

from jupyterhub.services.auth import HubAuthenticated, UserNotAllowed
from tornado import web
from tornado.ioloop import IOLoop

from hub.graceful import DrainedHandler

from . import texts
from .access import Caller
from .errors import ExchangeProblem, Forbidden, Invalid, Leak, Stopping, TooLarge, TooManyRequests
from .hidden import leaks_hidden_tests
from .names import check_name
from .store import CorruptFile
from .wire import decode_files, encode_files, raw_limit

log = logging.getLogger("hub.exchange")

STUDENT_FIELDS = {"student", "student_id", "user", "username", "owner"}
TIME_FIELDS = {"timestamp", "submitted_at", "time", "date", "created"}
TIMESTAMP_FILES = {"timestamp.txt"}


class Unavailable(ExchangeProblem):
    status = 503


class Unauthorized(ExchangeProblem):
    status = 403


class HubIdentity(HubAuthenticated):
    """Identity from the hub token only (``Authorization: token ...``); needs access:services!service=exchange."""

    async def identify(self) -> Caller | None:
        try:
            model = await self.hub_auth.get_user(self, sync=False)
        except web.HTTPError as error:
            if error.status_code < 500:
                raise
            raise Unavailable(texts.HUB_UNREACHABLE) from error
        if model:
            try:
                model = self.check_hub_user(model)
            except UserNotAllowed:
                model = None
        return Caller.from_hub_model(model) if model else None


class BaseHandler(DrainedHandler, web.RequestHandler):
    public = False

    def initialize(self, store, policy, executor, rate=None):
        self.store, self.policy, self.executor, self.rate = store, policy, executor, rate
        self.caller: Caller | None = None

    async def identify(self) -> Caller | None:  # provided by HubIdentity (or a test subclass)
        raise NotImplementedError

    async def prepare(self):
        self.set_header("Cache-Control", "no-store")
        if not self.count_in():  # a request on a connection kept open since before the stop (hub.graceful)
            raise Stopping()
        if self.public:
            return
        self.caller = await self.identify()
        if self.caller is None:
            raise Unauthorized(texts.LOGIN_REQUIRED)

    async def call(self, func, *args, **kwargs):
        return await IOLoop.current().run_in_executor(self.executor, lambda: func(*args, **kwargs))

    def send(self, payload, status: int = 200):
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(payload, ensure_ascii=False))

    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, TooManyRequests):
            self.set_header("Retry-After", str(error.retry_after))
        if isinstance(error, ExchangeProblem):
            body = error.to_dict()
        elif isinstance(error, web.HTTPError) and status_code == 405:
            english, chinese = texts.METHOD_NOT_ALLOWED
            method = self.request.method
            body = {"message_en": english.format(method=method), "message_zh": chinese.format(method=method)}
        elif isinstance(error, web.HTTPError) and status_code < 500:
            body = {"message_en": error.log_message or self._reason, "message_zh": "请求无法处理"}
        else:
            body = dict(zip(("message_en", "message_zh"), texts.INTERNAL, strict=True))
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": body}, ensure_ascii=False))

    def _handle_request_exception(self, e):
        if isinstance(e, ExchangeProblem):
            if self._finished:
                return
            log.info("%s %s refused for %s: %s", self.request.method, self.request.path,
                     self.caller.name if self.caller else "-", e.message_en)
            self.send_error(e.status, exc_info=(type(e), e, e.__traceback__))
            return
        if isinstance(e, CorruptFile):
            log.error("corrupt file in the exchange store: %s", e)
        super()._handle_request_exception(e)


@web.stream_request_body
class UploadHandler(BaseHandler):
    """Handlers that accept files: the body is streamed and cut off past the size limit (413).

    A body over the limit is answered at once -- from its ``Content-Length`` before any of it is read, or as
    soon as a chunked body passes the limit -- and what is still on its way is read and dropped, up to the
    size of the largest body accepted (``drain_limit``), before the connection is closed. Closing with
    unread data would reset the connection, and a proxy in front (the hub's) would then answer 503 instead of
    passing the 413 and its message on; a client that stops sending once answered costs only what was
    already in flight, and one that keeps sending is cut off."""

    def drain_limit(self) -> int:
        return raw_limit(self.store.max_bytes)

    async def prepare(self):
        self._chunks, self._received, self._refused = [], 0, False
        await super().prepare()
        if self.request.method not in ("POST", "PUT"):
            return
        limit = raw_limit(self.store.max_bytes)
        length = self.request.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            self.request.connection.set_max_body_size(int(length))
            self.refuse(TooLarge(int(length) * 3 // 4, self.store.max_bytes))
            return
        self.request.connection.set_max_body_size(limit + 65536)
        try:
            self.before_body()
        except ExchangeProblem as error:
            self.refuse(error)

    def before_body(self) -> None:
        """Checks that can refuse a request before its body is read (raise an ExchangeProblem)."""

    def refuse(self, error: ExchangeProblem) -> None:
        """Send the error answer now, while the body may still be arriving; drop the rest of the body."""
        log.info("%s %s refused for %s: %s", self.request.method, self.request.path,
                 self.caller.name if self.caller else "-", error.message_en)
        self._refused, self._chunks = True, []
        body = json.dumps({"error": error.to_dict()}, ensure_ascii=False).encode("utf-8")
        self.set_status(error.status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Content-Length", str(len(body)))
        self.set_header("Connection", "close")
        if isinstance(error, TooManyRequests):
            self.set_header("Retry-After", str(error.retry_after))
        self.write(body)
        self.flush()

    def answered(self) -> bool:
        """True when the request was refused while its body came in (the answer is sent: nothing to do)."""
        if self._refused and not self._finished:
            self.finish()
        return self._refused or self._finished

    def data_received(self, chunk: bytes):
        self._received += len(chunk)
        if self._refused:
            if self._received > self.drain_limit():
                self.request.connection.close()
            return
        if self._received > raw_limit(self.store.max_bytes):
            error, self._received = TooLarge(self._received * 3 // 4, self.store.max_bytes), 0
            self.refuse(error)
            return
        self._chunks.append(chunk)

    def json_body(self) -> dict:
        try:
            payload = json.loads(b"".join(self._chunks) or b"null")
        except RecursionError:
            raise Invalid(texts.TOO_DEEP) from None
        except (ValueError, UnicodeDecodeError):
            raise Invalid(texts.BAD_JSON) from None
        if not isinstance(payload, dict):
            raise Invalid(texts.BAD_JSON)
        return payload

    def files(self, payload: dict) -> dict[str, bytes]:
        return decode_files(payload.get("files"), self.store.max_bytes)


# --- handlers --------------------------------------------------------------------------------------
class HealthHandler(BaseHandler):
    public = True

    def get(self):
        self.send({"status": "ok"})


class CoursesHandler(BaseHandler):
    def get(self):
        self.send({"user": self.caller.name, "courses": self.policy.visible_courses(self.caller)})


class ReleasesHandler(BaseHandler):
    async def get(self, course):
        self.policy.require_member(self.caller, check_name(course, "course"))
        self.send({"assignments": await self.call(self.store.find_releases, course)})


class ReleaseHandler(UploadHandler):
    async def get(self, course, assignment):
        self.policy.require_member(self.caller, check_name(course, "course"))
        manifest, files = await self.call(self.store.read_release, course, check_name(assignment, "assignment"))
        self.send({**manifest, "files": encode_files(files)})

    async def put(self, course, assignment):
        if self.answered():
            return
        self.policy.require_trainer(self.caller, check_name(course, "course"))
        check_name(assignment, "assignment")
        payload = self.json_body()
        unknown = set(payload) - {"files", "fingerprints"}
        if unknown:
            raise Invalid(texts.UNKNOWN_FIELD, field=sorted(unknown)[0])
        fingerprints = payload.get("fingerprints") or []
        if not isinstance(fingerprints, list) or not all(isinstance(f, str) and len(f) == 64 for f in fingerprints):
            raise Invalid(texts.UNKNOWN_FIELD, field="fingerprints")
        force = self.get_query_argument("force", "0") in ("1", "true", "yes")
        result = await self.call(self.store.add_release, course, assignment, self.files(payload),
                                 fingerprints=fingerprints, force=force)
        log.info("%s released %s/%s", self.caller.name, course, assignment)
        self.send(result, status=201)

    async def delete(self, course, assignment):
        self.policy.require_trainer(self.caller, check_name(course, "course"))
        await self.call(self.store.remove_release, course, check_name(assignment, "assignment"))
        self.set_status(204)
        self.finish()


class SubmitHandler(UploadHandler):
    def before_body(self) -> None:
        if self.rate is not None and self.request.method == "POST":
            self.rate.check(self.caller.name)

    async def post(self, course, assignment):
        if self.answered():
            return
        self.policy.require_participant(self.caller, check_name(course, "course"))
        check_name(assignment, "assignment")
        payload = self.json_body()
        for key, value in payload.items():
            if key in STUDENT_FIELDS and value != self.caller.name:
                raise Forbidden(texts.NAME_IN_PAYLOAD, field=key, value=str(value)[:100])
            if key in TIME_FIELDS:
                raise Invalid(texts.TIMESTAMP_IN_PAYLOAD, field=key)
            if key not in STUDENT_FIELDS and key != "files":
                raise Invalid(texts.UNKNOWN_FIELD, field=key[:100])
        files = self.files(payload)
        if any(path.rsplit("/", 1)[-1] in TIMESTAMP_FILES for path in files):
            raise Invalid(texts.TIMESTAMP_IN_PAYLOAD, field="timestamp.txt")
        if self.rate is not None:
            self.rate.admit(self.caller.name)  # on the event loop: requests sent together are counted one by one
        result = await self.call(self.store.add_submission, course, assignment, self.caller.name, files)
        log.info("%s submitted %s/%s as %s", self.caller.name, course, assignment, result["submission_id"])
        self.send(result, status=201)


class SubmissionsHandler(BaseHandler):
    async def get(self, course):
        check_name(course, "course")
        student = self.get_query_argument("student", "") or None
        assignment = self.get_query_argument("assignment", "") or None
        if assignment:
            check_name(assignment, "assignment")
        self.policy.require_member(self.caller, course)
        if not self.caller.is_trainer(course):
            if student not in (None, self.caller.name):
                raise Forbidden(texts.NOT_YOURS)
            student = self.caller.name
        self.send({"submissions": await self.call(self.store.find_submissions, course, assignment=assignment,
                                                  student=student)})


class SubmissionHandler(BaseHandler):
    async def get(self, course, student, assignment, submission_id):
        self.policy.require_owner_or_trainer(self.caller, check_name(course, "course"),
                                             check_name(student, "student"))
        manifest, files = await self.call(self.store.read_submission, course, student,
                                          check_name(assignment, "assignment"),
                                          check_name(submission_id, "submission"))
        self.send({**manifest, "files": encode_files(files)})


class FeedbackListHandler(SubmissionsHandler):
    async def get(self, course):
        check_name(course, "course")
        assignment = self.get_query_argument("assignment", "") or None
        if assignment:
            check_name(assignment, "assignment")
        self.policy.require_member(self.caller, course)
        student = None if self.caller.is_trainer(course) else self.caller.name
        self.send({"feedback": await self.call(self.store.find_feedback, course, assignment=assignment,
                                               student=student)})


class FeedbackHandler(UploadHandler):
    async def get(self, course, student, assignment, submission_id):
        self.policy.require_owner_or_trainer(self.caller, check_name(course, "course"),
                                             check_name(student, "student"))
        manifest, files = await self.call(self.store.read_feedback, course, student,
                                          check_name(assignment, "assignment"),
                                          check_name(submission_id, "submission"))
        self.send({**manifest, "files": encode_files(files)})

    async def put(self, course, student, assignment, submission_id):
        if self.answered():
            return
        self.policy.require_trainer(self.caller, check_name(course, "course"))
        check_name(student, "student"), check_name(assignment, "assignment")
        check_name(submission_id, "submission")
        payload = self.json_body()
        if set(payload) - {"files"}:
            raise Invalid(texts.UNKNOWN_FIELD, field=sorted(set(payload) - {"files"})[0])
        files = self.files(payload)
        known = await self.call(self.store.hidden_fingerprints, course, assignment)
        for path, data in files.items():
            if "/" in path or not path.endswith(".html"):
                raise Invalid(texts.FEEDBACK_NOT_HTML)
            if leaks_hidden_tests(data.decode("utf-8", errors="replace"), known):
                log.warning("%s tried to release feedback with hidden tests: %s/%s/%s %s", self.caller.name,
                            course, assignment, student, path)
                raise Leak(texts.HIDDEN_TESTS_IN_FEEDBACK, path=path)
        result = await self.call(self.store.add_feedback, course, student, assignment, submission_id, files)
        self.send(result, status=201)
