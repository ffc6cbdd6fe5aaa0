"""OpenAPI paths of the school-year endpoints (merged into ``openapi.PATHS``; checked against ROUTES)."""

from __future__ import annotations

from hub.store.term_calendar import LIFE_EVENT_KINDS

from .focus_openapi import FOCUS_PATHS
from .openapi_parts import errors, json_body, path_param, response

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


YEAR_PATHS = {
    "terms": {"get": {"summary": "全部学期及适用于本校的三个一日历（时间段、考试、截止日期；own：本校自定）",
                      "responses": {"200": response("学期列表")}}},
    "terms/{term_id}/calendar": {"put": {
        "summary": "设定本校某学期的日历（学校管理员；替代区模板；记入审计）",
        "parameters": [path_param("term_id")], "requestBody": json_body(CALENDAR_BODY),
        "responses": {"200": response("本校日历"), **errors(400, 403, 404, 422)}}},
    "life-events": {"post": {
        "summary": "标记学生生活中的重大变故（结对导师或班主任；只记类型不记细节）：为该生开启一次谈心任务",
        "requestBody": json_body(LIFE_EVENT_BODY),
        "responses": {"201": response("已标记（talk_due：谈心截止日期）"), **errors(400, 404, 422)}}},
    "students/{student_id}/life-events": {"get": {
        "summary": "该生的重大变故标记（可查看该生记录者；非本人结对学生的读取记入审计）",
        "parameters": [path_param("student_id")],
        "responses": {"200": response("变故标记列表"), **errors(404)}}},
}

_OBJ = {"type": "object"}
_ID = {"team_id": path_param("team_id", "integer"), "request_id": path_param("request_id", "integer"),
       "class_id": path_param("class_id"), "meeting_id": path_param("meeting_id", "integer")}  # fmt: skip
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

YEAR_PATHS.update({
    "class-teams": {"get": {"summary": "我可以打开的导师团（班主任：本班；导师：结对学生所在班级；校领导与学校管理员：全校）",
                            "responses": {"200": response("班级列表")}}},
    "class-teams/{class_id}": {"get": {
        "summary": "一个班级的导师团：成员（班主任与本班学生的导师）、本班三个一人数、会议、家校沟通请求",
        "parameters": [_ID["class_id"]], "responses": {"200": response("导师团"), **errors(404)}}},
    "class-teams/{class_id}/meetings": {"post": {
        "summary": "记录导师团会议（集体教研；班主任）：日期、参会人员、讨论的学生（仅编号）、决定事项、纪要",
        "parameters": [_ID["class_id"]], "requestBody": json_body(_OBJ),
        "responses": {"201": response("会议"), **errors(400, 404, 422)}}},
    "meetings/{meeting_id}/minutes.docx": {"get": {
        "summary": "导师团会议纪要（.docx）", "parameters": [_ID["meeting_id"]],
        "responses": {"200": {"description": "Word 文件", "content": {DOCX_MIME: {"schema": {"type": "string",
                                                                                          "format": "binary"}}}},
                      **errors(404)}}},
    "contact-targets": {"get": {"summary": "我任教班级的学生（学科教师提出家校沟通请求时选择）",
                                "responses": {"200": response("学生列表")}}},
    "contact-requests": {
        "get": {"summary": "家校沟通请求：我提出的，以及我作为导师或班主任需要答复的",
                "responses": {"200": response("请求列表")}},
        "post": {"summary": "学科教师请导师或班主任联系家长（归口管理）：学生、主题、理由",
                 "requestBody": json_body(_OBJ), "responses": {"201": response("请求"), **errors(400, 404, 422)}}},
    "contact-requests/{request_id}/answer": {"post": {
        "summary": "导师或班主任答复：接受（accept）、完成联系并记录（complete：channel、content_summary，生成家校沟通记录）、"
                   "婉拒并说明理由（decline：response）",
        "parameters": [_ID["request_id"]], "requestBody": json_body(_OBJ),
        "responses": {"200": response("请求"), **errors(400, 403, 404, 409, 422)}}},
    "support-plans": {
        "get": {"summary": "多对一帮扶计划（导师组成员；校领导与心理教师：全校，读取记入审计）",
                "responses": {"200": response("计划列表")}},
        "post": {"summary": "建立多对一导师组及帮扶计划（校领导、学校管理员）：组长、成员（须含德育骨干）、目标、行动、下次评估日期",
                 "requestBody": json_body(_OBJ), "responses": {"201": response("计划"), **errors(400, 404, 409, 422)}}},
    "support-plans/{team_id}": {
        "get": {"summary": "一个多对一帮扶计划及其评估", "parameters": [_ID["team_id"]],
                "responses": {"200": response("计划"), **errors(404)}},
        "patch": {"summary": "修改帮扶计划（导师组成员）：目标、行动、下次评估日期、状态", "parameters": [_ID["team_id"]],
                  "requestBody": json_body(_OBJ), "responses": {"200": response("计划"), **errors(400, 404, 409, 422)}}},
    "support-plans/{team_id}/reviews": {"post": {
        "summary": "记录一次评估（导师组成员）：结论、摘要、下次评估日期", "parameters": [_ID["team_id"]],
        "requestBody": json_body(_OBJ), "responses": {"201": response("计划"), **errors(400, 404, 409, 422)}}},
    "matching-review": {"get": {
        "summary": "结对核对（学校管理员）：无导师的学生、超额导师、休假或离职仍有结对的导师、多对一导师不足的学生",
        "parameters": [{"name": "term", "in": "query", "required": False, "schema": {"type": "string"}}],
        "responses": {"200": response("核对结果"), **errors(403, 404)}}},
})

YEAR_PATHS.update(FOCUS_PATHS)  # 排摸重点对象 and reminders
