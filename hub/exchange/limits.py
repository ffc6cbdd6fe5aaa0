"""How much one teacher may send: a rate limit on submissions (the quota on what is kept is the store's).

``SubmissionRate`` is a sliding window in memory (the exchange is one process): at most ``count``
submissions per teacher in any ``window`` seconds, all courses together. ``check`` refuses before a
request's body is read; ``admit`` checks again and counts, just before the submission is stored, so that
requests sent at the same moment cannot all pass. Only submissions that get that far count: a request
refused for its content does not use up the teacher's allowance.
"""

from __future__ import annotations

import math
import time
from collections import deque

from . import texts
from .errors import TooManyRequests

DEFAULT_COUNT = 10
DEFAULT_WINDOW_SECONDS = 600


class SubmissionRate:
    def __init__(self, count: int = DEFAULT_COUNT, window: float = DEFAULT_WINDOW_SECONDS, clock=time.monotonic):
        if count < 1 or window <= 0:
            raise ValueError(f"a rate limit needs count >= 1 and window > 0, not {count} per {window} s")
        self.count, self.window, self.clock = int(count), float(window), clock
        self._times: dict[str, deque] = {}

    def check(self, name: str) -> None:
        """Raise ``TooManyRequests`` if ``name`` has used up the window's allowance."""
        now = self.clock()
        times = self._times.get(name)
        if times is None:
            return
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._times[name]
        elif len(times) >= self.count:
            wait = max(1, math.ceil(times[0] + self.window - now))
            raise TooManyRequests(texts.TOO_MANY_SUBMISSIONS, wait, student=name, count=self.count,
                                  window=f"{self.window:g}", wait=wait)  # fmt: skip

    def admit(self, name: str) -> None:
        """``check``, then count one submission for ``name``."""
        self.check(name)
        self._times.setdefault(name, deque()).append(self.clock())
