"""OpenAPI paths of the minors'-data endpoints (merged into the document; checked against ROUTES)."""

from __future__ import annotations

from hub.store.consent_verbs import CONSENT_METHODS, CONSENT_SCOPES, GUARDIAN_RELATIONS
from hub.store.guardian_verbs import REQUEST_CHANNELS
from hub.store.privacy_models import REQUEST_KINDS

from .openapi_parts import errors, path_param, query, response


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


CONSENT = {"type": "object", "required": ["student_id", "guardian_id", "scope", "policy_version", "given_via"],
           "additionalProperties": False,
           "properties": {"student_id": {"type": "string"}, "guardian_id": {"type": "integer"},
                          "scope": {"enum": list(CONSENT_SCOPES),
                                    "description": "；".join(f"{k} = {v}" for k, v in CONSENT_SCOPES.items())},
                          "policy_version": {"type": "string", "maxLength": 20, "description": "监护人阅读的告知书版本"},
                          "given_via": {"enum": list(CONSENT_METHODS)},
                          "granted_on": {"type": "string", "format": "date", "description": "同意日期，默认今天"}}}
GUARDIAN = {"type": "object", "required": ["student_id", "relation", "name"], "additionalProperties": False,
            "properties": {"student_id": {"type": "string"}, "relation": {"enum": list(GUARDIAN_RELATIONS)},
                           "name": {"type": "string", "maxLength": 50},
                           "contact_channel": {"type": "string", "maxLength": 100, "description": "加密保存"},
                           "is_primary": {"type": "boolean"}}}

GUARDIAN_PATHS = {
    "records/{record_id}/history": {"get": {
        "summary": "一条记录的全部版本（从最早到当前；谁在何时填写、谁在何时修改）。填写人总能查看自己的记录（含已删除的）；"
                   "其他可查看该记录的人查看非本人结对学生的记录时，每次记入审计",
        "parameters": [path_param("record_id", "integer")],
        "responses": {"200": response("记录的版本"), **errors(404)}}},
    "my-records": {"get": {
        "summary": "我填写过的全部记录（含已删除的），按填写时间排列：何时记录了什么",
        "responses": {"200": response("记录列表")}}},
    "consents": {
        "get": {"summary": "可记录范围：我可查看的学生（导师：结对学生；班主任：本班；校领导与学校管理员：全校）逐项的监护人"
                           "同意状态（given 已同意 / withdrawn 已撤回 / missing 未登记 / not_needed 年满14周岁无需）；"
                           "不含监护人姓名与联系方式",
                "parameters": [query("student_id", "只看某个学生")],
                "responses": {"200": response("同意状态")}},
        "post": {"summary": "登记监护人的同意（学校管理员，本校）", "requestBody": _body(CONSENT),
                 "responses": {"201": response("同意记录"), **errors(400, 404, 409, 422)}}},
    "consents/missing": {"get": {
        "summary": "本校缺少监护人同意的学生（学校管理员）：未满14周岁而某项未同意或已撤回，以及花名册未给出生年月的学生",
        "responses": {"200": response("学生列表"), **errors(403)}}},
    "consents/{consent_id}/withdraw": {"post": {
        "summary": "监护人撤回同意（学校管理员登记；此后不能再保存该范围的记录，已有记录保留）",
        "parameters": [path_param("consent_id", "integer")],
        "requestBody": _body({"type": "object", "required": ["withdrawn_via"],
                              "properties": {"withdrawn_via": {"enum": list(CONSENT_METHODS)}}}),
        "responses": {"200": response("同意记录"), **errors(404, 409, 422)}}},
    "guardians": {"post": {"summary": "登记学生的监护人（学校管理员，本校；联系方式加密保存）",
                           "requestBody": _body(GUARDIAN),
                           "responses": {"201": response("监护人"), **errors(400, 404, 422)}}},
    "students/{student_id}/guardians": {"get": {
        "summary": "学生的监护人、联系方式与各项同意（学校管理员，本校）", "parameters": [path_param("student_id")],
        "responses": {"200": response("监护人列表"), **errors(404)}}},
    "guardian-requests": {
        "get": {"summary": "本校的监护人申请（学校管理员），按截止日期排列，含剩余天数与是否逾期",
                "parameters": [query("status", "open / answered / refused")],
                "responses": {"200": response("申请列表"), **errors(403)}},
        "post": {"summary": "登记监护人的申请（查阅、复制、更正、删除）；截止日期 = 收到日期 + 规定天数（设置 privacy.request_days）",
                 "requestBody": _body({"type": "object", "required": ["student_id", "kind", "received_via"],
                                       "properties": {"student_id": {"type": "string"}, "guardian_id": {"type": "integer"},
                                                      "kind": {"enum": list(REQUEST_KINDS)},
                                                      "received_on": {"type": "string", "format": "date"},
                                                      "received_via": {"enum": list(REQUEST_CHANNELS)},
                                                      "details": {"type": "string", "maxLength": 2000,
                                                                  "description": "申请内容（加密保存）"}}}),
                 "responses": {"201": response("申请"), **errors(400, 404, 422)}}},
    "guardian-requests/{request_id}/answer": {"post": {
        "summary": "答复申请（answered 已办理 / refused 不予办理，写明答复）；已办理的删除申请会删除该生全部记录（下次保留期限运行时彻底删除）",
        "parameters": [path_param("request_id", "integer")],
        "requestBody": _body({"type": "object", "required": ["decision", "answer"],
                              "properties": {"decision": {"enum": ["answered", "refused"]},
                                             "answer": {"type": "string", "maxLength": 2000}}}),
        "responses": {"200": response("申请"), **errors(404, 409, 422)}}},
    "guardian-requests/{request_id}/copy.docx": {"get": {
        "summary": "查阅或复制申请的副本（.docx，在服务器上生成）：该生的记录、关注与转介（按学校规定）与监护人同意，"
                   "他人的个人信息已隐去；每次生成记入审计（不含内容）",
        "parameters": [path_param("request_id", "integer")],
        "responses": {"200": {"description": "Word 文件",
                              "content": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                                  "schema": {"type": "string", "format": "binary"}}}},
                      **errors(404, 409)}}},
    "access-review": {"get": {
        "summary": "访问审查（校领导：本校；平台管理员：任一学校）：某段时间内谁读取了哪些学生的记录（来自审计日志：超出本人结对学生的"
                   "记录读取、记录历史、关注详情、紧急查阅及其理由、监护人副本、汇总导出）；导师读取本人结对学生的记录不记入审计。"
                   "每次审查本身记入审计",
        "parameters": [query("school", "学校编号（校领导默认本校）"), query("since", "起始日期或时间 ISO"),
                       query("until", "截止日期（含当天）或时间 ISO")],
        "responses": {"200": response("审查结果"), **errors(400, 403, 404)}}},
}  # fmt: skip
