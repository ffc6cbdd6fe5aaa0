"""The pieces every part of the records service's OpenAPI document is written with (``openapi`` and the
modules of its paths import them from here)."""

from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}
JSON_OBJECT = {"type": "object"}


def response(description: str, schema=JSON_OBJECT) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes) -> dict:
    texts = {400: "请求格式错误（含地址中的 break_glass 参数：紧急查阅只能用 POST break-glass）",
             403: "无权限或未登录（用浏览器登录凭据提交时还需要 XSRF 令牌）", 404: "不存在或不在您的范围内",
             409: "重复提交", 422: "字段校验失败（含无效的字符编码）", 503: "数据库暂不可用"}  # fmt: skip
    return {str(code): response(texts[code], ERROR) for code in codes}


def path_param(name: str, kind: str = "string") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def query(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string"},
            "description": description}  # fmt: skip


def json_body(schema) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}
