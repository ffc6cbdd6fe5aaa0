"""Domain exceptions of the records store: each carries a Chinese and an English message."""

from __future__ import annotations


class StoreError(Exception):
    """Base class. ``message_zh`` is for people, ``message_en`` for logs; ``field`` names the bad input."""

    status = 400

    def __init__(self, message_en: str, message_zh: str, field: str | None = None):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh
        self.field = field

    def to_dict(self) -> dict:
        return {"field": self.field, "message_zh": self.message_zh, "message_en": self.message_en}


class NotFound(StoreError):
    """The thing does not exist *or the caller may not know that it exists*."""

    status = 404


class Forbidden(StoreError):
    status = 403


class Invalid(StoreError):
    status = 422


class Conflict(StoreError):
    status = 409


class NotMigrated(StoreError):
    """The database has no schema or an outdated one."""

    status = 503

    def __init__(self, current: str | None, head: str):
        where = current or "empty"
        super().__init__(
            f"The records database is not migrated (at {where}, need {head}): run `mentorhub db upgrade`.",
            f"记录数据库尚未迁移到当前版本（现为 {where}，需要 {head}）：请先运行 `mentorhub db upgrade`。",
        )
        self.current = current
        self.head = head


class Unavailable(StoreError):
    """The database cannot be reached."""

    status = 503
