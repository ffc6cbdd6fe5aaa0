"""OpenAPI paths of 排摸重点对象 and reminders (merged into the school year's, ``year_openapi``; checked
against ROUTES)."""

from __future__ import annotations

from .openapi_parts import errors, json_body, path_param, response

_OBJ = {"type": "object"}


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
        "responses": {"200": response("候选学生"), **errors(403)}}},
    "focus-review/{student_id}/decision": {"post": {
        "summary": "排摸结论（校领导、心理教师）：列为重点对象或暂不列为重点对象，附说明；记入审计",
        "parameters": [path_param("student_id")], "requestBody": json_body(DECISION_BODY),
        "responses": {"200": response("结论"), **errors(400, 404, 422)}}},
    "focus-review/{student_id}/team": {"post": {
        "summary": "为列为重点对象的学生建立多对一导师组（校领导）：组长、成员、目标、行动、下次评估日期",
        "parameters": [path_param("student_id")], "requestBody": json_body(_OBJ),
        "responses": {"201": response("导师组"), **errors(400, 403, 404, 409, 422)}}},
    "focus-nominations": {
        "get": {"summary": "我本学期提名的重点对象（只有我自己的提名，不含结论）",
                "responses": {"200": response("提名列表")}},
        "post": {"summary": "导师提名自己的结对学生为重点对象候选，附理由；记入审计",
                 "requestBody": json_body(NOMINATION_BODY),
                 "responses": {"201": response("提名"), **errors(400, 404, 409, 422)}}},
    "focus-nominations/{nomination_id}/withdraw": {"post": {
        "summary": "撤回本学期尚未排摸的提名（提名的导师本人，或本校校领导、心理教师）；提名保留并标记为已撤回，"
                   "排摸名单中不再列出；记入审计",
        "parameters": [path_param("nomination_id", "integer")],
        "responses": {"200": response("已撤回的提名"), **errors(404, 409)}}},
    "reminders": {"get": {
        "summary": "本周到期与已逾期的三个一任务：我的结对学生逐项，班主任本班与学校管理员全校只有人数",
        "responses": {"200": response("提醒")}}},
}
