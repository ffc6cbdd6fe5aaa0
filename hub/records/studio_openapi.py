"""OpenAPI paths of the case-study endpoints (merged into ``openapi.PATHS``; checked against ROUTES)."""

from __future__ import annotations

from .openapi_parts import JSON_OBJECT, errors, path_param, query, response


def _body(*required: str, extra: dict | None = None) -> dict:
    properties = {name: {"type": "string"} for name in required} | (extra or {})
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": list(required), "properties": properties}}}}  # fmt: skip


DISCUSSION = path_param("discussion_id")
ROOM_ERRORS = errors(403, 404, 422)

STUDIO_PATHS = {
    "cases": {"get": {"summary": "去标识化案例库（教师、工作室主持人、培训者）",
                      "parameters": [query("stage", "学段"), query("domain", "指导领域"), query("tag", "标签"),
                                     query("q", "关键词")],
                      "responses": {"200": response("案例列表"), **errors(403)}}},
    "cases/{case_id}": {"get": {"summary": "一个案例", "parameters": [path_param("case_id")],
                                "responses": {"200": response("案例"), **errors(403, 404)}}},
    "studios": {"get": {"summary": "我所在的导师工作室（is_host：我是主持人）",
                        "responses": {"200": response("工作室列表")}}},
    "discussions": {
        "get": {"summary": "我所在工作室的研讨活动", "parameters": [query("studio", "只看某个工作室")],
                "responses": {"200": response("研讨列表")}},
        "post": {"summary": "发起研讨（工作室主持人）", "requestBody": _body("studio_id", "case_id"),
                 "responses": {"201": response("研讨"), **ROOM_ERRORS}},
    },
    "discussions/{discussion_id}": {"get": {
        "summary": "我看到的研讨：环节、发言、投票、总结、版本号", "parameters": [DISCUSSION],
        "responses": {"200": response("研讨视图"), **ROOM_ERRORS}}},
    "discussions/{discussion_id}/version": {"get": {
        "summary": "版本号（轮询用：变化时再读取研讨）", "parameters": [DISCUSSION],
        "responses": {"200": response("版本"), **ROOM_ERRORS}}},
    "discussions/{discussion_id}/join": {"post": {
        "summary": "加入研讨（仅工作室成员）", "parameters": [DISCUSSION],
        "responses": {"200": response("研讨"), **ROOM_ERRORS}}},
    "discussions/{discussion_id}/contributions": {"post": {
        "summary": "在当前环节发言", "parameters": [DISCUSSION], "requestBody": _body("text"),
        "responses": {"201": response("发言"), **ROOM_ERRORS}}},
    "contributions/{contribution_id}": {"patch": {
        "summary": "修改自己的发言", "parameters": [path_param("contribution_id")], "requestBody": _body("text"),
        "responses": {"200": response("发言"), **ROOM_ERRORS}}},
    "discussions/{discussion_id}/advance": {"post": {
        "summary": "进入下一环节（主持人）", "parameters": [DISCUSSION],
        "responses": {"200": response("研讨"), **ROOM_ERRORS}}},
    "discussions/{discussion_id}/close-vote": {"post": {
        "summary": "结束投票（主持人）", "parameters": [DISCUSSION],
        "responses": {"200": response("研讨"), **ROOM_ERRORS}}},
    "discussions/{discussion_id}/votes": {"post": {
        "summary": "投票给一个策略提案（每人一票，可改投）", "parameters": [DISCUSSION],
        "requestBody": _body("proposal_id"), "responses": {"200": response("投票"), **ROOM_ERRORS}}},
    "discussions/{discussion_id}/summary": {"post": {
        "summary": "撰写总结；finish 为 true 时结束研讨（主持人）", "parameters": [DISCUSSION],
        "requestBody": _body("text", extra={"finish": {"type": "boolean"}}),
        "responses": {"200": response("研讨"), **ROOM_ERRORS}}},
    "discussions/{discussion_id}/minutes": {"get": {
        "summary": "研讨纪要（Markdown 或 Word；导出记入审计）",
        "parameters": [DISCUSSION, query("format", "md 或 docx")],
        "responses": {"200": {"description": "纪要文件", "content": {
            "text/markdown": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                "schema": {"type": "string", "format": "binary"}}}}, **ROOM_ERRORS}}},
    "dashboards": {"get": {
        "summary": "研究看板的去标识化汇总（不足 5 人的单元格不显示；工作室主持人、培训者、管理员）",
        "parameters": [query("term", "学期编号，默认当前学期")],
        "responses": {"200": response("汇总表", JSON_OBJECT), **errors(403, 404)}}},
}  # fmt: skip
