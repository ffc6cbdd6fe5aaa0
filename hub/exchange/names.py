"""Validation of every name and path a client sends. Nothing from a request reaches the filesystem
without passing through here."""

from __future__ import annotations

import re

from . import texts
from .errors import Invalid

# Course, assignment, student and notebook ids: one path component, no separators, no leading dot.
_NAME = re.compile(r"^[\w\-@][\w\-.@]{0,99}$")
# One part of a file path: the same, plus inner spaces ("Problem 1.ipynb").
_PART = re.compile(r"^[\w\-][\w\-. ]{0,99}$")
_KINDS = {"course": "课程编号", "assignment": "作业编号", "student": "用户名", "notebook": "笔记本名",
          "submission": "提交编号"}
MAX_PATH_DEPTH = 8


def check_name(value, what: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value) or ".." in value or "+" in value:
        raise Invalid(texts.BAD_NAME, what=what, what_zh=_KINDS.get(what, what), value=str(value)[:120])
    return value


def check_relative_path(value) -> str:
    """A file path inside an assignment folder: relative, '/'-separated, no '..', no hidden parts."""
    if not isinstance(value, str) or not value or len(value) > 255 or "\\" in value or "\x00" in value:
        raise Invalid(texts.BAD_PATH, value=str(value)[:120])
    parts = value.split("/")
    if value.startswith("/") or len(parts) > MAX_PATH_DEPTH:
        raise Invalid(texts.BAD_PATH, value=value)
    for part in parts:
        if part in ("", ".", "..") or part != part.strip() or not _PART.match(part):
            raise Invalid(texts.BAD_PATH, value=value)
    return value
