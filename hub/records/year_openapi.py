"""OpenAPI paths of the school-year endpoints (merged into ``openapi.PATHS``; checked against ROUTES)."""

from __future__ import annotations

from hub.store.term_calendar import LIFE_EVENT_KINDS

from .openapi import _errors, _path_param, _response

_DATE = {"type": "string", "format": "date"}
_WINDOW = {"type": "object", "required": ["from", "to"], "additionalProperties": False,
           "properties": {"from": _DATE, "to": _DATE}}  # fmt: skip
CALENDAR_BODY = {
    "type": "object", "additionalProperties": False,
    "description": "本校的学期日历（未给出的项保持现状）",
    "properties": {
        "home_visit": {**_WINDOW, "description": "家访时间段：须在开学日或之前开始（每学期开学前）"},
        "growth_message": {**_WINDOW, "description": "成长寄语时间段：学期末，须在学期之内"},
        "exams": {"type": "array", "description": "重要考试：考前考后各若干天为谈心时间段",
                  "items": {"type": "object", "required": ["name", "date"],
                            "properties": {"name": {"type": "string", "maxLength": 20}, "date": _DATE}}},
        "talk_days_before": {"type": "integer", "minimum": 0, "maximum": 60},
        "talk_days_after": {"type": "integer", "minimum": 0, "maximum": 60},
        "life_event_days": {"type": "integer", "minimum": 0, "maximum": 60,
                            "description": "学生发生重大变故后几天内谈心"},
    }}  # fmt: skip
LIFE_EVENT_BODY = {
    "type": "object", "required": ["student_id", "kind"], "additionalProperties": False,
    "properties": {"student_id": {"type": "string"}, "kind": {"type": "string", "enum": list(LIFE_EVENT_KINDS)},
                   "event_date": {**_DATE, "description": "默认今天"}}}  # fmt: skip


def _json(schema) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


YEAR_PATHS = {
    "terms": {"get": {"summary": "全部学期及适用于本校的三个一日历（时间段、考试、截止日期；own：本校自定）",
                      "responses": {"200": _response("学期列表")}}},
    "terms/{term_id}/calendar": {"put": {
        "summary": "设定本校某学期的日历（学校管理员；替代区模板；记入审计）",
        "parameters": [_path_param("term_id")], "requestBody": _json(CALENDAR_BODY),
        "responses": {"200": _response("本校日历"), **_errors(400, 403, 404, 422)}}},
    "life-events": {"post": {
        "summary": "标记学生生活中的重大变故（结对导师或班主任；只记类型不记细节）：为该生开启一次谈心任务",
        "requestBody": _json(LIFE_EVENT_BODY),
        "responses": {"201": _response("已标记（talk_due：谈心截止日期）"), **_errors(400, 404, 422)}}},
    "students/{student_id}/life-events": {"get": {
        "summary": "该生的重大变故标记（可查看该生记录者；非本人结对学生的读取记入审计）",
        "parameters": [_path_param("student_id")],
        "responses": {"200": _response("变故标记列表"), **_errors(404)}}},
}
