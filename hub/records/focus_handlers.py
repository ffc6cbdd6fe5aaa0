"""Records-service handlers of 排摸重点对象 (``hub.store.focus_verbs``) and reminders
(``hub.store.reminder_verbs``), with their OpenAPI paths. Thin: parse, call one store verb, write JSON."""

from __future__ import annotations

from .handlers import BaseHandler, path_id
from .openapi import _errors, _path_param, _response


class FocusReviewHandler(BaseHandler):
    async def get(self):
        self.send(await self.act("find_focus_review"))


class FocusDecisionHandler(BaseHandler):
    async def post(self, student_id):
        self.send(await self.act("decide_focus", student_id, self.body()))


class FocusTeamHandler(BaseHandler):
    async def post(self, student_id):
        self.send(await self.act("start_focus_team", student_id, self.body()), 201)


class FocusNominationsHandler(BaseHandler):
    async def get(self):
        self.send({"nominations": await self.act("find_my_nominations")})

    async def post(self):
        self.send(await self.act("add_focus_nomination", self.body()), 201)


class FocusWithdrawHandler(BaseHandler):
    """``POST focus-nominations/{nomination_id}/withdraw`` (no body): the nomination is kept, marked withdrawn."""

    async def post(self, nomination_id):
        self.send(await self.act("withdraw_focus_nomination", path_id(nomination_id)))


class RemindersHandler(BaseHandler):
    async def get(self):
        self.send(await self.act("find_reminders"))


FOCUS_ROUTES = [
    ("focus-review", FocusReviewHandler, ("get",)),
    ("focus-review/{student_id}/decision", FocusDecisionHandler, ("post",)),
    ("focus-review/{student_id}/team", FocusTeamHandler, ("post",)),
    ("focus-nominations", FocusNominationsHandler, ("get", "post")),
    ("focus-nominations/{nomination_id}/withdraw", FocusWithdrawHandler, ("post",)),
    ("reminders", RemindersHandler, ("get",)),
]

FOCUS_PATTERNS = {"nomination_id": r"(?P<nomination_id>\d+)"}
_OBJ = {"type": "object"}


def _json(schema) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


DECISION_BODY = {"type": "object", "required": ["outcome"], "additionalProperties": False,
                 "properties": {"outcome": {"type": "string", "enum": ["focus", "not_focus"]},
                                "note": {"type": "string", "maxLength": 500,
                                         "description": "暂不列为重点对象时必填"}}}  # fmt: skip
NOMINATION_BODY = {"type": "object", "required": ["student_id", "reason"], "additionalProperties": False,
                   "properties": {"student_id": {"type": "string"},
                                  "reason": {"type": "string", "minLength": 5, "maxLength": 300}}}  # fmt: skip

FOCUS_PATHS = {
    "focus-review": {"get": {
        "summary": "本学期排摸重点对象（校领导、心理教师；每次读取记入审计）：来自关注与转介、多对一导师组和导师提名的候选学生及结论",
        "responses": {"200": _response("候选学生"), **_errors(403)}}},
    "focus-review/{student_id}/decision": {"post": {
        "summary": "排摸结论（校领导、心理教师）：列为重点对象或暂不列为重点对象，附说明；记入审计",
        "parameters": [_path_param("student_id")], "requestBody": _json(DECISION_BODY),
        "responses": {"200": _response("结论"), **_errors(400, 404, 422)}}},
    "focus-review/{student_id}/team": {"post": {
        "summary": "为列为重点对象的学生建立多对一导师组（校领导）：组长、成员、目标、行动、下次评估日期",
        "parameters": [_path_param("student_id")], "requestBody": _json(_OBJ),
        "responses": {"201": _response("导师组"), **_errors(400, 403, 404, 409, 422)}}},
    "focus-nominations": {
        "get": {"summary": "我本学期提名的重点对象（只有我自己的提名，不含结论）",
                "responses": {"200": _response("提名列表")}},
        "post": {"summary": "导师提名自己的结对学生为重点对象候选，附理由；记入审计",
                 "requestBody": _json(NOMINATION_BODY),
                 "responses": {"201": _response("提名"), **_errors(400, 404, 409, 422)}}},
    "focus-nominations/{nomination_id}/withdraw": {"post": {
        "summary": "撤回本学期尚未排摸的提名（提名的导师本人，或本校校领导、心理教师）；提名保留并标记为已撤回，"
                   "排摸名单中不再列出；记入审计",
        "parameters": [_path_param("nomination_id", "integer")],
        "responses": {"200": _response("已撤回的提名"), **_errors(404, 409)}}},
    "reminders": {"get": {
        "summary": "本周到期与已逾期的三个一任务：我的结对学生逐项，班主任本班与学校管理员全校只有人数",
        "responses": {"200": _response("提醒")}}},
}
