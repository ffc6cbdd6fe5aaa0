"""The OpenAPI 3 document of the records service (hand-written; a test checks it matches ``app.ROUTES``)."""

from __future__ import annotations

from hub.store.access import BREAK_GLASS_GROUNDS, BREAK_GLASS_REASON_MIN
from hub.store.models import FLAG_ACTIONS, RECORD_KINDS
from hub.store.validation import EXTERNAL_REFERRALS, FLAG_OUTCOMES, FOLLOW_UP_METHODS

from .district_openapi import DISTRICT_PATHS
from .guardian_openapi import GUARDIAN_PATHS
from .openapi_parts import JSON_OBJECT, errors, path_param, query, response
from .studio_openapi import STUDIO_PATHS
from .year_openapi import YEAR_PATHS

BREAK_GLASS_REQUEST = {
    "type": "object", "required": ["student_id", "ground", "reason"], "additionalProperties": False,
    "properties": {
        "student_id": {"type": "string", "maxLength": 32, "description": "一名学生（每次只能查阅一名）"},
        "ground": {"type": "string", "enum": list(BREAK_GLASS_GROUNDS),
                   "description": "查阅依据：" + "；".join(f"{k} = {v}" for k, v in BREAK_GLASS_GROUNDS.items())},
        "reason": {"type": "string", "minLength": BREAK_GLASS_REASON_MIN, "maxLength": 500,
                   "description": "写明发生了什么（记入审计日志）"},
    }}  # fmt: skip
FLAG_ACTION = {
    "type": "object", "required": ["action"],
    "properties": {
        "action": {"type": "string", "enum": list(FLAG_ACTIONS),
                   "description": "triage 分级（level）；assign 指派（assignee）；follow_up 跟进记录（follow_up_method、"
                                  "note）；refer 转介校外（referred_out_to、guardian_informed、note）；close 结案（outcome、"
                                  "note）；reopen 重新打开（note）"},
        "level": {"type": "integer", "enum": [1, 2, 3], "description": "1 一般关注、2 重点关注、3 紧急关注"},
        "assignee": {"type": "string", "description": "登录名：本校有权处理关注的心理教师或校领导"},
        "follow_up_method": {"type": "string", "enum": list(FOLLOW_UP_METHODS)},
        "referred_out_to": {"type": "string", "enum": list(EXTERNAL_REFERRALS)},
        "guardian_informed": {"type": "boolean"},
        "outcome": {"type": "string", "enum": list(FLAG_OUTCOMES)},
        "note": {"type": "string", "maxLength": 2000},
    }}  # fmt: skip
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DATE = {"type": "string", "format": "date", "nullable": True}
_COUNTS = {key: {"type": "integer"} for key in ("students", "home_visit", "talk", "growth_message", "complete")}
PROGRESS = {"type": "object", "required": ["term_id", "start_date", "end_date", "due", "students", "classes"],
            "properties": {
                "term_id": {"type": "string"}, "start_date": _DATE, "end_date": _DATE,
                "due": {"type": "object", "description": "三个一各项的截止日期",
                        "properties": {"home_visit": _DATE, "talk": _DATE, "growth_message": _DATE}},
                "students": {"type": "array", "description": "逐个学生（仅结对学生与本班学生；学校管理员为空）",
                             "items": {"type": "object"}},
                "classes": {"type": "array", "description": "各班人数，按班级编号排列",
                            "items": {"type": "object", "properties": {"class_id": {"type": "string"}, **_COUNTS}}},
                "mentors": {"type": "array",
                            "description": "仅全校范围（学校管理员）：每位导师（主导师与协同导师）结对学生中完成各项的"
                                           "人数，按教师编号排列，不排名",
                            "items": {"type": "object", "properties": {"staff_id": {"type": "string"},
                                                                       "name": {"type": "string"}, **_COUNTS}}},
            }}  # fmt: skip

PATHS = {
    "health": {"get": {"summary": "服务与数据库状态（无需登录）", "security": [],
                       "responses": {"200": response("正常"), **errors(503)}}},
    "openapi.json": {"get": {"summary": "本文档", "security": [], "responses": {"200": response("OpenAPI")}}},
    "me": {"get": {"summary": "我是谁：角色、学校、班级、本学期结对学生", "responses": {"200": response("当前用户")}}},
    "students": {"get": {"summary": "我可以查看的学生", "responses": {"200": response("学生列表")}}},
    "students/{student_id}": {"get": {
        "summary": "一名学生", "parameters": [path_param("student_id")],
        "responses": {"200": response("学生"), **errors(404)}}},
    "students/{student_id}/records": {"get": {
        "summary": "该生我可以查看的记录（非本人结对学生的记录，每次读取记入审计）",
        "parameters": [path_param("student_id")],
        "responses": {"200": response("记录列表"), **errors(404)}}},
    "staff": {"get": {"summary": "本校教职工（学校管理员，用于师生匹配）：编号、姓名、导师角色、任教班级、结对上限",
                      "responses": {"200": response("教职工列表"), **errors(403)}}},
    "records": {"post": {
        "summary": "新增一条记录（家访/谈心/成长寄语/家校沟通/指导）",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["student_id", "kind", "date"],
            "properties": {"student_id": {"type": "string"}, "kind": {"enum": list(RECORD_KINDS)},
                           "date": {"type": "string", "format": "date"}, "client_ref": {"type": "string"}},
            "additionalProperties": True}}}},
        "responses": {"201": response("已保存的记录"), **errors(400, 403, 404, 409, 422)}}},
    "records/{record_id}": {
        "get": {"summary": "一条记录（非本人结对学生的记录，每次读取记入审计）",
                "parameters": [path_param("record_id", "integer")],
                "responses": {"200": response("记录"), **errors(404)}},
        "patch": {"summary": "修改自己填写的记录", "parameters": [path_param("record_id", "integer")],
                  "requestBody": {"content": {"application/json": {"schema": JSON_OBJECT}}},
                  "responses": {"200": response("修改后的记录"), **errors(400, 403, 404, 422)}},
        "delete": {"summary": "删除自己填写的记录（软删除，记入审计）",
                   "parameters": [path_param("record_id", "integer"), query("reason", "删除理由")],
                   "responses": {"200": response("已删除的记录"), **errors(403, 404)}},
    },
    "progress": {"get": {"summary": "“三个一”完成情况（导师：结对学生；班主任：本班；学校管理员：全校各班及各导师的人数）",
                         "parameters": [query("term", "学期编号，默认当前学期")],
                         "responses": {"200": response("完成情况", PROGRESS), **errors(403, 404)}}},
    "assignments": {
        "get": {"summary": "结对名单", "parameters": [query("term", "学期编号")],
                "responses": {"200": response("结对名单")}},
        "post": {"summary": "保存本校一个学期的结对结果（学校管理员）",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["term_id", "rows"],
                     "properties": {"term_id": {"type": "string"}, "rows": {"type": "array"},
                                    "replace": {"type": "boolean"},
                                    "basis": {"type": "string",
                                              "description": "预览（assignments/preview）返回的 basis：结对名单在预览后"
                                                             "被修改时拒绝保存（409）"}}}}}},
                 "responses": {"201": response("已保存"), **errors(400, 403, 404, 409, 422)}},
    },
    "assignments/preview": {"post": {
        "summary": "预览保存结对结果会带来的变化（不写入）：换导师的学生及原导师本学期已写的记录数、新结对、失去导师的"
                   "学生、协同导师的增减；列出结对名单的全部问题（学校管理员）",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["term_id", "rows"],
            "properties": {"term_id": {"type": "string"}, "rows": {"type": "array"}}}}}},
        "responses": {"200": response("变化与 basis"), **errors(400, 403, 404, 422)}}},
    "flags": {
        "get": {"summary": "关注与转介（导师只见状态；心理教师与德育负责人见详情，读取记入审计）",
                "parameters": [query("student_id", "只看某个学生"),
                               query("mine", "1：只看我提交的关注，只含状态（不读详情，不记审计）")],
                "responses": {"200": response("关注记录")}},
        "post": {"summary": "提出关注", "requestBody": {"required": True, "content": {
                    "application/json": {"schema": JSON_OBJECT}}},
                 "responses": {"201": response("关注状态"), **errors(400, 404, 422)}},
    },
    "flags/queue": {"get": {
        "summary": "关注处理队列（心理教师、校领导：本校的关注，未处理的在前；不含情况说明；每次读取记入审计）",
        "parameters": [query("status", "active（默认：未结束的）、open、monitoring、referred、closed、all")],
        "responses": {"200": response("关注列表"), **errors(400, 422)}}},
    "flags/{flag_id}": {
        "get": {"summary": "一条关注：可查看详情者（心理教师、校领导）得到情况说明、处理经过和可指派的人（记入审计）；"
                           "提出者等只得到状态",
                "parameters": [path_param("flag_id", "integer")],
                "responses": {"200": response("关注"), **errors(404)}},
        "patch": {"summary": "更新关注状态（心理教师/德育负责人）",
                  "parameters": [path_param("flag_id", "integer")],
                  "requestBody": {"content": {"application/json": {"schema": JSON_OBJECT}}},
                  "responses": {"200": response("关注状态"), **errors(404, 422)}},
    },
    "flags/{flag_id}/actions": {"post": {
        "summary": "处理关注的一步（心理教师、校领导；每一步记入处理经过和审计日志）",
        "parameters": [path_param("flag_id", "integer")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": FLAG_ACTION}}},
        "responses": {"201": response("处理后的关注（同 GET flags/{flag_id}）"), **errors(400, 404, 409, 422)}}},
    "break-glass": {"post": {
        "summary": "紧急查阅（仅平台管理员）：一次一名学生，须选择查阅依据并写明理由；返回该生信息、记录与关注状态，"
                   "并在同一事务中记入审计日志",
        "requestBody": {"required": True, "content": {"application/json": {"schema": BREAK_GLASS_REQUEST}}},
        "responses": {"200": response("该生信息、记录与关注状态"), **errors(400, 403, 404, 422)}}},
    "audit": {"get": {"summary": "审计日志（平台管理员；只读）",
                      "parameters": [query("who", "操作人"), query("action", "操作前缀"),
                                     query("since", "起始时间 ISO"), query("until", "截止时间 ISO"),
                                     query("limit", "最多条数")],
                      "responses": {"200": response("审计记录"), **errors(400, 403)}}},
    "exports/progress.xlsx": {"get": {
        "summary": "下载本校一个学期的三个一汇总表（.xlsx：按班级、按导师的人数，不含学生信息；学校管理员；每次导出记入审计）",
        "parameters": [query("term", "学期编号，默认当前学期"), query("school", "学校编号，默认本人所在学校")],
        "responses": {"200": {"description": "Excel 文件（Content-Disposition 附 UTF-8 文件名）",
                              "content": {XLSX_MIME: {"schema": {"type": "string", "format": "binary"}}}},
                      **errors(403, 404)}}},
}  # fmt: skip


def openapi_document(api_prefix: str = "/services/records/api/v1/") -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Mentor Hub 记录服务 (records service)", "version": "1"},
        "servers": [{"url": api_prefix}],
        "security": [{"hubToken": []}, {"hubOAuthCookie": []}],
        "paths": {"/" + path: spec for path, spec in {**PATHS, **STUDIO_PATHS, **YEAR_PATHS, **GUARDIAN_PATHS,
                                                    **DISTRICT_PATHS}.items()},
        "components": {
            "securitySchemes": {
                "hubToken": {"type": "apiKey", "in": "header", "name": "Authorization",
                             "description": "token <JupyterHub API token>"},
                "hubOAuthCookie": {"type": "apiKey", "in": "cookie", "name": "service-records"},
            },
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "field": {"type": "string", "nullable": True}, "message_zh": {"type": "string"},
                "message_en": {"type": "string"}}}}}},
        },
    }  # fmt: skip
