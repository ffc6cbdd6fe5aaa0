"""A stop that cuts no request off, for the project's own HTTP services (records, exchange).

The hub stops a service with SIGINT, waits ``interrupt_timeout`` (10 s), then sends SIGTERM and at last
SIGKILL. Left to Python, SIGINT raises KeyboardInterrupt in the middle of whatever the service is doing: a
record being written got a 500 (which no client retries) at every restart of the hub. Here the first signal
stops the listening socket, answers requests that arrive on connections still open (the proxy keeps some
alive) with 503, which callers do retry, and waits up to ``DRAIN_SECONDS`` for the requests being answered;
a second signal ends the process at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable

from tornado.httpserver import HTTPServer

DRAIN_SECONDS = 8  # below the hub's interrupt_timeout


class Drain:
    """The requests a service is answering (``enter``/``leave``, from its handlers) and whether it is stopping."""

    def __init__(self):
        self.stopping = False
        self.active = 0

    def enter(self) -> bool:
        """Count a request in; False once the service is stopping (answer 503 then)."""
        if self.stopping:
            return False
        self.active += 1
        return True

    def leave(self) -> None:
        self.active -= 1

    async def wait(self, seconds: float) -> int:
        """Wait until no request is being answered, at most ``seconds``; how many still are."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while self.active and loop.time() < deadline:
            await asyncio.sleep(0.02)
        return self.active


class DrainedHandler:
    """Mixin of a service's request handlers: ``count_in()`` at the start of ``prepare`` (False once the
    service is stopping: answer 503 then), and the request is counted out when it has been answered. The
    application's settings hold the ``Drain`` (``settings["drain"]``)."""

    _counted = False

    def count_in(self) -> bool:
        self._counted = self.settings["drain"].enter()
        return self._counted

    def on_finish(self):
        if self._counted:
            self._counted = False
            self.settings["drain"].leave()
        super().on_finish()


async def serve_until_stopped(listen: Callable[[], HTTPServer], drain: Drain, name: str,
                              log: logging.Logger, seconds: float = DRAIN_SECONDS) -> None:  # fmt: skip
    """Serve (``listen()`` starts the server) until SIGINT or SIGTERM, then stop as the module says."""
    server = listen()
    stop = asyncio.Event()

    def on_signal():
        if stop.is_set():
            log.warning("%s stopped at once (a second signal)", name)
            os._exit(1)
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    await stop.wait()
    drain.stopping = True
    server.stop()
    left = await drain.wait(seconds)
    if left:
        log.warning("%s stopped with %d request(s) still being answered", name, left)
    else:
        log.info("%s stopped", name)
