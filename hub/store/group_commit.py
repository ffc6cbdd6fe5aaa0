"""Group commit: writes that arrive while a transaction is committing share the next transaction.

``GroupCommit(write_batch)`` serializes calls of ``write_batch(values) -> results`` (one transaction for
a list of values, results in the same order) and gathers the callers that queue up meanwhile into the
next batch. ``submit(value)`` returns only after the transaction holding ``value`` has committed (or
raises its error), so every acknowledged write is durable, exactly as with one transaction per write.

Leader and followers (as in database group commit): the first caller writes its own value at once, with
no thread hand-off; callers that arrive meanwhile wait, and when the batch is done the oldest waiting
caller becomes the next leader and writes everything queued by then. When a batch fails, each of its
values is written again alone, so one bad value (a duplicate key) fails only its own caller; errors of the
``shared`` types (the database is unreachable) fail the whole batch at once instead, since each value would
only wait out the same timeout again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

MAX_BATCH = 64


class _Ticket:
    __slots__ = ("value", "result", "error", "done", "lead", "wake")

    def __init__(self, value):
        self.value = value
        self.result = None
        self.error: BaseException | None = None
        self.done = False
        self.lead = False
        self.wake = threading.Lock()  # held until the ticket's thread is woken (done, or to lead): once
        self.wake.acquire()

    def outcome(self):
        if self.error is not None:
            raise self.error
        if not self.done:  # the leader died of a BaseException (interpreter shutdown, KeyboardInterrupt)
            raise RuntimeError("the write was not completed")
        return self.result


class GroupCommit:
    """Batch concurrent ``submit`` calls into ``write_batch`` transactions (see the module docstring)."""

    def __init__(self, write_batch: Callable[[list], list], *, max_batch: int = MAX_BATCH,
                 shared: tuple[type[Exception], ...] = ()):  # fmt: skip
        self._write_batch = write_batch
        self._shared = shared
        self._max_batch = max_batch
        self._mutex = threading.Lock()
        self._queue: list[_Ticket] = []
        self._leading = False  # invariant: False only while the queue is empty

    def submit(self, value: Any):
        """Write ``value`` in the current or next batch; its result once committed, or its error."""
        ticket = _Ticket(value)
        with self._mutex:
            self._queue.append(ticket)
            if not self._leading:
                self._leading = ticket.lead = True
        if not ticket.lead:
            ticket.wake.acquire()
            if not ticket.lead:
                return ticket.outcome()
        self._lead()
        return ticket.outcome()

    def _lead(self) -> None:
        with self._mutex:  # this thread's own ticket is at the head of the queue
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        try:
            self._write(batch)
        finally:
            with self._mutex:
                successor = self._queue[0] if self._queue else None
                if successor is None:
                    self._leading = False
                else:
                    successor.lead = True
            for ticket in batch[1:]:
                ticket.wake.release()
            if successor is not None:
                successor.wake.release()

    def _write(self, batch: list[_Ticket]) -> None:
        try:
            results = self._write_batch([ticket.value for ticket in batch])
        except Exception as error:
            if len(batch) == 1 or isinstance(error, self._shared):
                for ticket in batch:
                    ticket.error = error
                return
            for ticket in batch:  # find the bad value: each alone, in its own transaction
                try:
                    ticket.result = self._write_batch([ticket.value])[0]
                    ticket.done = True
                except Exception as single_error:
                    ticket.error = single_error
            return
        for ticket, result in zip(batch, results, strict=True):
            ticket.result, ticket.done = result, True
