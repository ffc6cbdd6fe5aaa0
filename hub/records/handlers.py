"""Request handlers of the records service. Thin: parse the request, build the caller's ``Actor``, call
one store verb in a worker thread, write JSON. Errors become ``{"error": {field, message_zh, message_en}}``.

No request is answered with a 500 because of what it sent: a body nested too deeply for the JSON parser, a
string that is not valid Unicode (a lone surrogate), an id too large for the database are each refused
with a 4xx and a Chinese message. Break-glass is ``POST break-glass`` only; a ``break_glass`` query
parameter (the old GET form) is refused on every address.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from urllib.parse import quote

from jupyterhub.services.auth import HubOAuthenticated, UserNotAllowed
from tornado import web
from tornado.httpclient import AsyncHTTPClient
from tornado.ioloop import IOLoop

from hub.graceful import DrainedHandler
from hub.store import StoreError, Unavailable
from hub.store.messages import msg
from hub.store.validation import CONTROL, SURROGATE, echo

log = logging.getLogger("hub.records")
access_log = logging.getLogger("hub.records.access")

NOT_LOGGED_IN = ("login required: send `Authorization: token <hub token>`", "请先登录平台（需要有效的令牌）")
NOT_THIS_ACCOUNT = ("this hub user is not the one the roster account was bound to (renamed or recreated)",
                    "当前平台用户与该花名册账号绑定的用户不一致（账号可能被改名或重建），已拒绝；请联系平台管理员")
STOPPING = ("the records service is restarting: send the request again in a few seconds",
            "记录服务正在重启，请几秒后再提交一次")
HUB_UNREACHABLE = ("the hub cannot be reached to check the caller's token", "暂时无法连接平台验证身份，请稍后再试")
BAD_JSON = ("the request body is not valid JSON", "请求内容不是有效的 JSON")
TOO_DEEP = ("the request body is nested too deeply", "请求内容的嵌套层数过多，无法处理")
BAD_UNICODE = ("{name} holds text that is not valid Unicode (a lone surrogate) or control characters",
               "提交的内容（{name}）含有无效的字符（编码错误或控制字符），请删除后重新提交")  # fmt: skip
BAD_PARAM = ("query parameter {name} is not valid", "查询参数 {name} 的格式不正确")
MAX_BODY = 8 * 1024 * 1024  # a 1 MB text field still reaches validation and gets its field named
#: Longest id in an address that can name a row (a 64-bit integer has 19 digits); longer ones are not found.
MAX_ID_DIGITS = 19


class ApiError(Exception):
    def __init__(self, status: int, message_en: str, message_zh: str, field: str | None = None):
        super().__init__(message_en)
        self.status, self.message_en, self.message_zh, self.field = status, message_en, message_zh, field


class BaseHandler(DrainedHandler, HubOAuthenticated, web.RequestHandler):
    """JSON API handler authenticated by the hub (token header or OAuth cookie)."""

    public = False  # set on handlers that need no login (health, openapi)

    def initialize(self, store, executor):
        self.store = store
        self.executor = executor
        self.user_model = None

    async def prepare(self):
        self.set_header("Cache-Control", "no-store")
        if not self.count_in():  # a request on a connection kept open since before the stop (hub.graceful)
            raise ApiError(503, *STOPPING)
        if self.public:
            return
        try:
            model = await self.hub_auth.get_user(self, sync=False)
        except web.HTTPError as error:
            if error.status_code < 500:
                raise
            raise ApiError(503, *HUB_UNREACHABLE) from error
        if model:
            try:
                model = self.check_hub_user(model)
            except UserNotAllowed:
                model = None
        self._hub_auth_user_cache = self.user_model = model
        if model is None:
            if self.request.method == "GET" and "text/html" in self.request.headers.get("Accept", ""):
                self.redirect(self.get_login_url())
                return
            raise ApiError(403, *NOT_LOGGED_IN)
        if "break_glass" in self.request.query_arguments:
            english, chinese = msg("break_glass_get")
            raise ApiError(400, english, chinese, "break_glass")
        self.refuse_unusable_arguments()
        if model.get("kind", "user") == "user":
            await self.check_roster_identity(model)

    def refuse_unusable_arguments(self) -> None:
        """400 for a query or path argument with control characters (e.g. NUL, which PostgreSQL cannot hold)."""
        arguments = [(name, value) for name in self.request.query_arguments
                     for value in self.get_query_arguments(name)]  # fmt: skip
        arguments += list(self.path_kwargs.items())
        for name, value in arguments:
            if unusable(name) or unusable(value):
                english, chinese = BAD_PARAM
                raise ApiError(400, english.format(name=echo(name)), chinese.format(name=echo(name)), echo(name))

    async def check_roster_identity(self, model: dict) -> None:
        """Serve a roster account only to the hub user it is bound to: a name can change hands (a rename,
        a user deleted and made again), the hub user's ``created`` timestamp cannot (``bind_hub_user``)."""
        name = model["name"]
        created = model.get("created") or await self.hub_created_for_token(name)
        verified = self.settings["verified_identities"]
        if (name, created) in verified:
            return
        if not created or not await self.call(self.store.bind_hub_user, name, created):
            log.warning("refused hub user %s (created %s): the roster account is bound to another hub user "
                        "(if this one is really its owner, e.g. the hub's database was made anew: "
                        "`mentorhub account unbind %s`)", name, created, name)
            raise ApiError(403, *NOT_THIS_ACCOUNT)
        verified.add((name, created))

    async def hub_created_for_token(self, name: str) -> str:
        """``hub_created`` once per token: a token always belongs to the same hub user, whatever it is called."""
        token = self.hub_auth.get_token(self) or ""
        known = self.settings["created_by_token"]
        if token not in known:
            if len(known) > 10_000:
                known.clear()
            known[token] = await self.hub_created(name)
        return known[token]

    async def hub_created(self, name: str) -> str:
        """``created`` of the hub user ``name``, asked with the service's own token (a token that may only read
        its owner's name and groups does not carry it)."""
        response = await AsyncHTTPClient().fetch(
            f"{self.hub_auth.api_url.rstrip('/')}/users/{quote(name, safe='')}", raise_error=False,
            headers={"Authorization": f"token {self.hub_auth.api_token}"})
        if response.code != 200:
            if response.code >= 500 or response.code == 599:
                raise ApiError(503, *HUB_UNREACHABLE)
            return ""
        return json.loads(response.body).get("created") or ""

    # --- helpers ---------------------------------------------------------------------------
    def actor(self):
        """The caller as the access policy sees it (hub user name and groups; services get no roles)."""
        name = self.user_model["name"] if self.user_model.get("kind", "user") == "user" else ""
        return self.store.actor_for(name, groups=self.user_model.get("groups", []))

    async def call(self, func, *args, **kwargs):
        """Run a blocking store call in the worker pool."""
        return await IOLoop.current().run_in_executor(self.executor, lambda: func(*args, **kwargs))

    async def act(self, verb: str, *args, **kwargs):
        def run():
            return getattr(self.store, verb)(self.actor(), *args, **kwargs)

        return await self.call(run)

    def body(self):
        if len(self.request.body) > MAX_BODY:
            raise ApiError(413, "request body too large", "提交的内容过大", None)
        try:
            payload = json.loads(self.request.body or b"null")
        except RecursionError:
            raise ApiError(400, *TOO_DEEP) from None
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, *BAD_JSON) from None
        refuse_invalid_unicode(payload)
        return payload

    def query_date(self, name: str) -> dt.datetime | None:
        value = self.get_query_argument(name, "")
        if not value:
            return None
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            english, chinese = BAD_PARAM
            raise ApiError(400, english.format(name=name), chinese.format(name=name), name) from None

    def send(self, payload, status: int = 200):
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json_bytes(payload))

    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, StoreError | ApiError):
            field, zh, en = error.field, error.message_zh, error.message_en
        elif isinstance(error, web.HTTPError) and status_code < 500:
            field, zh, en = None, "请求无法处理", error.log_message or self._reason
        else:
            field, zh, en = None, "服务内部错误，请稍后再试", "internal error"
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json_bytes({"error": {"field": field, "message_zh": zh, "message_en": en}}))

    def _handle_request_exception(self, e):
        if isinstance(e, StoreError | ApiError):
            if isinstance(e, Unavailable):
                log.error("database unavailable during %s %s", self.request.method, self.request.path)
            self.send_error(e.status, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)


def json_bytes(payload) -> bytes:
    """UTF-8 JSON of ``payload``. Text that cannot be UTF-8 (a lone surrogate stored before such text was
    refused) is sent escaped (``\\ud800``) instead of failing the whole answer."""
    text = json.dumps(payload, ensure_ascii=False, default=str)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        log.error("an answer holds text that is not valid Unicode; sent with \\u escapes")
        return json.dumps(payload, default=str).encode("ascii")


def unusable(text: str) -> bool:
    return bool(SURROGATE.search(text) or CONTROL.search(text))


def refuse_invalid_unicode(payload, name: str = "") -> None:
    """422 when any key or text anywhere in a decoded JSON body holds a lone surrogate (``"\\ud800"``) or a
    control character (tab and line breaks are text): such text can be neither stored nor sent back."""
    stack = [(payload, name)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            bad = unusable(value)
        elif isinstance(value, dict):
            bad = any(unusable(key) for key in value)
            stack.extend((item, where or key) for key, item in value.items())
        elif isinstance(value, list):
            bad = False
            stack.extend((item, where) for item in value)
        else:
            bad = False
        if bad:
            english, chinese = BAD_UNICODE
            field = echo(where) if where else None
            raise ApiError(422, english.format(name=field or "body"), chinese.format(name=field or "请求内容"), field)


def path_id(value: str) -> int:
    """An integer id from the address (digits only, by the route); 0, which names nothing, when too long."""
    return int(value) if len(value) <= MAX_ID_DIGITS else 0


def log_request(handler) -> None:
    """The service's access log: failures as warnings and errors; successful calls only at debug level, since
    every record write would otherwise cost a formatted log line in the hub's log (and its CPU)."""
    status = handler.get_status()
    if status < 400:
        if not access_log.isEnabledFor(logging.DEBUG):
            return
        level = logging.DEBUG
    else:
        level = logging.WARNING if status < 500 else logging.ERROR
    request = handler.request
    access_log.log(level, "%d %s %s %.1fms", status, request.method, request.path,
                   1000 * request.request_time())  # fmt: skip


def dicts(items):
    return [item.to_dict() if hasattr(item, "to_dict") else item for item in items]


class HealthHandler(BaseHandler):
    public = True

    async def get(self):
        try:
            await self.call(self.store.ping)
        except StoreError:
            english, chinese = msg("db_unavailable")
            raise ApiError(503, english, chinese) from None
        self.send({"status": "ok", "database": "ok"})


class OpenApiHandler(BaseHandler):
    public = True

    def get(self):
        # on demand: its district part imports the plan's verbs, and they pandas
        from .openapi import openapi_document

        self.send(openapi_document(self.settings["api_prefix"]))


class MeHandler(BaseHandler):
    async def get(self):
        self.send(await self.act("find_me"))


class StudentsHandler(BaseHandler):
    async def get(self):
        self.send({"students": dicts(await self.act("find_students"))})


class StudentHandler(BaseHandler):
    async def get(self, student_id):
        self.send((await self.act("find_student", student_id)).to_dict())


class StudentRecordsHandler(BaseHandler):
    async def get(self, student_id):
        self.send({"records": dicts(await self.act("find_records", student_id))})


class StaffHandler(BaseHandler):
    async def get(self):
        self.send({"staff": await self.act("find_school_staff")})


class RecordsHandler(BaseHandler):
    async def post(self):
        self.send((await self.act("add_record", self.body())).to_dict(), 201)


class RecordHandler(BaseHandler):
    async def get(self, record_id):
        self.send((await self.act("find_record", path_id(record_id))).to_dict())

    async def patch(self, record_id):
        self.send((await self.act("update_record", path_id(record_id), self.body())).to_dict())

    async def delete(self, record_id):
        reason = self.get_query_argument("reason", "")
        self.send((await self.act("remove_record", path_id(record_id), reason)).to_dict())


class ProgressHandler(BaseHandler):
    async def get(self):
        self.send(await self.act("find_progress", self.get_query_argument("term", None) or None))


class AssignmentsHandler(BaseHandler):
    async def get(self):
        term = self.get_query_argument("term", None) or None
        self.send({"assignments": dicts(await self.act("find_assignments", term))})

    async def post(self):
        body = self.body()
        if not isinstance(body, dict):
            english, chinese = msg("not_object")
            raise ApiError(422, english, chinese)
        replace = body.get("replace", True) is not False
        basis = body.get("basis")
        if basis is not None and not isinstance(basis, str):
            english, chinese = msg("not_text", field="basis")
            raise ApiError(422, english, chinese, "basis")
        self.send(await self.act("add_assignments", body.get("term_id"), body.get("rows"), replace=replace,
                                 basis=basis), 201)  # fmt: skip


class AssignmentPreviewHandler(BaseHandler):
    """What saving a term's matching would change (nothing is written): POST, since the rows are many."""

    async def post(self):
        body = self.body()
        if not isinstance(body, dict):
            english, chinese = msg("not_object")
            raise ApiError(422, english, chinese)
        self.send(await self.act("preview_assignments", body.get("term_id"), body.get("rows")))


class FlagsHandler(BaseHandler):
    async def get(self):
        student_id = self.get_query_argument("student_id", None) or None
        mine = self.get_query_argument("mine", "") in ("1", "true")
        self.send({"flags": await self.act("find_flags", student_id, mine=mine)})

    async def post(self):
        flag = await self.act("add_flag", self.body())
        self.send(flag.status_dict(), 201)


class FlagQueueHandler(BaseHandler):
    """The psychology teacher's and school leaders' queue (``?status=active|open|monitoring|referred|closed|all``)."""

    async def get(self):
        self.send({"flags": await self.act("find_flag_queue", self.get_query_argument("status", "active"))})


class FlagHandler(BaseHandler):
    async def get(self, flag_id):
        self.send(await self.act("find_flag", path_id(flag_id)))

    async def patch(self, flag_id):
        self.send((await self.act("update_flag", path_id(flag_id), self.body())).status_dict())


class FlagActionsHandler(BaseHandler):
    """One step of a flag's handling: ``{"action": "triage"|"assign"|"follow_up"|"refer"|"close"|"reopen", ...}``."""

    async def post(self, flag_id):
        self.send(await self.act("act_on_flag", path_id(flag_id), self.body()), 201)


class BreakGlassHandler(BaseHandler):
    """``POST break-glass`` {student_id, ground, reason}: one student's file for an admin's emergency, audited.
    A POST, so a browser's cookie alone never opens it: the hub's XSRF check applies to cookie-authenticated
    POSTs (a request with the user's token header needs none)."""

    async def post(self):
        self.send(await self.act("find_break_glass", self.body()))


class AuditHandler(BaseHandler):
    async def get(self):
        try:
            limit = int(self.get_query_argument("limit", "500"))
        except ValueError:
            english, chinese = BAD_PARAM
            raise ApiError(400, english.format(name="limit"), chinese.format(name="limit"), "limit") from None
        entries = await self.act(
            "find_audit", who=self.get_query_argument("who", None), action=self.get_query_argument("action", None),
            since=self.query_date("since"), until=self.query_date("until"), limit=limit,
        )  # fmt: skip
        self.send({"audit": dicts(entries)})
