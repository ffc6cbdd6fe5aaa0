"""Domain exceptions of the exchange. Each carries an HTTP status, an English and a Chinese message."""

from __future__ import annotations

from . import texts


class ExchangeProblem(Exception):
    status = 400

    def __init__(self, message: tuple[str, str], **values):
        english, chinese = message
        self.message_en = english.format(**values)
        self.message_zh = chinese.format(**values)
        super().__init__(self.message_en)

    def to_dict(self) -> dict:
        return {"message_en": self.message_en, "message_zh": self.message_zh}


class Invalid(ExchangeProblem):
    status = 400


class Forbidden(ExchangeProblem):
    status = 403


class NotFound(ExchangeProblem):
    status = 404


class Conflict(ExchangeProblem):
    status = 409


class TooLarge(ExchangeProblem):
    status = 413

    def __init__(self, size: int, limit: int):
        super().__init__(texts.TOO_LARGE, size_mb=size / 2**20, limit_mb=limit / 2**20)


class Leak(ExchangeProblem):
    """Feedback that would show hidden tests to teachers."""

    status = 422


class OverQuota(ExchangeProblem):
    """The teacher's submissions kept for a course would pass the quota."""

    status = 413


class Stopping(ExchangeProblem):
    """The service is stopping (``hub.graceful``): the caller may send the request again shortly."""

    status = 503

    def __init__(self):
        super().__init__(texts.STOPPING)


class TooManyRequests(ExchangeProblem):
    """More submissions in the rate limit's window than allowed; ``retry_after`` in seconds."""

    status = 429

    def __init__(self, message, retry_after: int, **values):
        super().__init__(message, **values)
        self.retry_after = retry_after
