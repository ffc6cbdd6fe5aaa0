"""OpenAPI paths of the district's endpoints (merged into the document; checked against ROUTES)."""

from __future__ import annotations

from hub.store.district_verbs import PLAN_HEADINGS, REVIEW_ACTIONS

from .openapi_parts import errors, json_body, path_param, query, response

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_YEAR = query("year", "学年（默认：当前学期所在学年）")
_SCHOOL = path_param("school_id")


def _file(mime: str, what: str) -> dict:
    return {"description": what, "content": {mime: {"schema": {"type": "string", "format": "binary"}}}}


SECTIONS = {"type": "object", "additionalProperties": False,
            "properties": {key: {"type": "string", "maxLength": 5000, "description": label}
                           for key, label in PLAN_HEADINGS.items()}}  # fmt: skip
PLAN_BODY = {"type": "object", "properties": {"sections": SECTIONS, "school_year": {"type": "string"}}}
REVIEW_BODY = {"type": "object", "required": ["action"], "properties": {
    "action": {"type": "string", "enum": list(REVIEW_ACTIONS), "description": "comment 意见；request_changes 需修改；file 备案"},
    "text": {"type": "string", "maxLength": 2000}, "school_year": {"type": "string"}}}  # fmt: skip
MILESTONES_BODY = {"type": "object", "required": ["milestones"], "properties": {
    "school_year": {"type": "string"},
    "milestones": {"type": "array", "maxItems": 40, "items": {"type": "object", "required": ["title", "due_date"]}}}}

DISTRICT_PATHS = {
    "school-plans": {"get": {"summary": "各校实施方案及状态（未提交/已提交/需修改/已备案；区德育科：全部学校，学校：本校），学校按固定顺序",
                             "parameters": [_YEAR], "responses": {"200": response("方案列表"), **errors(403)}}},
    "school-plans/{school_id}": {
        "get": {"summary": "一所学校的实施方案：各部分正文、平台统计的学校数据、历次上报版本与区德育科意见",
                "parameters": [_SCHOOL, _YEAR], "responses": {"200": response("方案"), **errors(403, 404)}},
        "put": {"summary": "保存实施方案草稿（学校管理员、校领导；已上报或已备案时不能修改）",
                "parameters": [_SCHOOL], "requestBody": json_body(PLAN_BODY),
                "responses": {"200": response("方案"), **errors(403, 404, 409, 422)}}},
    "school-plans/{school_id}/submit": {"post": {
        "summary": "上报实施方案：七个部分须全部填写；保存为新版本并附当日学校数据", "parameters": [_SCHOOL],
        "requestBody": json_body({"type": "object"}), "responses": {"200": response("方案"), **errors(403, 404, 409, 422)}}},
    "school-plans/{school_id}/reviews": {"post": {
        "summary": "区德育科审阅：意见、需修改或备案", "parameters": [_SCHOOL], "requestBody": json_body(REVIEW_BODY),
        "responses": {"201": response("方案"), **errors(403, 404, 409, 422)}}},
    "school-plans/{school_id}/plan.docx": {"get": {
        "summary": "实施方案（.docx；version：某次上报的版本，缺省为当前草稿；记入审计）",
        "parameters": [_SCHOOL, _YEAR, query("version", "版本号")],
        "responses": {"200": _file(DOCX_MIME, "Word 文件"), **errors(400, 403, 404)}}},
    "district/dashboard": {"get": {
        "summary": "区级看板（区德育科、平台管理员）：按学校和学段的导师覆盖、三个一、培训学时、导师团与工作室活动；小样本隐去，不排名",
        "parameters": [query("term", "学期（默认当前）")], "responses": {"200": response("看板"), **errors(403, 404)}}},
    "district/dashboard.xlsx": {"get": {
        "summary": "区级看板导出（.xlsx，公式安全；记入审计）", "parameters": [query("term", "学期（默认当前）")],
        "responses": {"200": _file(XLSX_MIME, "Excel 文件"), **errors(403, 404)}}},
    "district/brief.docx": {"get": {
        "summary": "月度推进简报（.docx：图表与表格；记入审计）", "parameters": [query("term", "学期（默认当前）")],
        "responses": {"200": _file(DOCX_MIME, "Word 文件"), **errors(403, 404)}}},
    "portfolio": {"get": {
        "summary": "导师工作档案（本人；校领导、学校管理员：本校教师）：学时、三个一次数、导师团与工作室、案例、多对一",
        "parameters": [query("staff_id", "教师工号（默认本人）"), _YEAR],
        "responses": {"200": response("档案"), **errors(404)}}},
    "portfolio.docx": {"get": {
        "summary": "导师工作档案（.docx；记入审计）", "parameters": [query("staff_id", "教师工号（默认本人）"), _YEAR],
        "responses": {"200": _file(DOCX_MIME, "Word 文件"), **errors(404)}}},
    "portfolios": {"get": {
        "summary": "本校全部教师的导师工作档案（校领导、学校管理员；按姓名排列，不排名）",
        "parameters": [query("school", "学校"), _YEAR], "responses": {"200": response("档案列表"), **errors(403, 404)}}},
    "portfolios.xlsx": {"get": {
        "summary": "本校导师工作汇总（.xlsx，年度考核用；记入审计）", "parameters": [query("school", "学校"), _YEAR],
        "responses": {"200": _file(XLSX_MIME, "Excel 文件"), **errors(403, 404)}}},
    "milestones": {
        "get": {"summary": "区级时间节点中与我的角色有关的，以及本校是否已完成（区德育科：完成的学校数）",
                "parameters": [_YEAR], "responses": {"200": response("时间节点")}},
        "put": {"summary": "替换某学年的区级时间节点（区德育科）", "requestBody": json_body(MILESTONES_BODY),
                "responses": {"200": response("时间节点"), **errors(403, 422)}}},
}  # fmt: skip
