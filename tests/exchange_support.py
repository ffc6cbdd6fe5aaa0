"""Helpers for the exchange tests: an in-process exchange server whose only difference from production
is how the caller is identified (a header naming the user and groups instead of a hub token).

- ``ExchangeServer(root, max_bytes, quota_bytes=..., rate=...)``: starts the real tornado app on a free loopback port in a thread;
  ``client(user, *groups, service=False)`` returns a real ``ExchangeClient`` acting as that caller;
  ``close()`` stops it.
- ``snapshot(root)``: ``{relative path: sha256}`` of every file in the store, to prove nothing changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from pathlib import Path

from tornado.ioloop import IOLoop

from hub.exchange.access import Caller, Policy
from hub.exchange.app import make_app
from hub.exchange.client import ExchangeClient
from hub.exchange.handlers import HubIdentity
from hub.exchange.store import DEFAULT_QUOTA_BYTES, ExchangeStore
from tests.helpers import free_port

PREFIX = "/services/exchange/"


def caller_token(user: str, *groups: str, service: bool = False) -> str:
    """A stand-in token the test identity maps to a caller (used as JUPYTERHUB_API_TOKEN by nbgrader code)."""
    return f"test|{user}|{','.join(groups)}|{int(service)}"


class HeaderIdentity(HubIdentity):
    """Test-only identity: ``X-Test-User`` / ``X-Test-Groups`` / ``X-Test-Service`` headers, or an
    ``Authorization: token test|user|groups|service`` header made by ``caller_token``."""

    async def identify(self):
        auth = self.request.headers.get("Authorization", "")
        if auth.startswith("token test|"):
            _, name, groups, service = auth[len("token "):].split("|")
            return Caller(name, frozenset(g for g in groups.split(",") if g), is_service=service == "1")
        name = self.request.headers.get("X-Test-User")
        if not name:
            return None
        groups = frozenset(g for g in self.request.headers.get("X-Test-Groups", "").split(",") if g)
        return Caller(name, groups, is_service=self.request.headers.get("X-Test-Service") == "1")


class ExchangeServer:
    def __init__(self, root: Path, max_bytes: int = 20 * 2**20, courses=None, *,
                 quota_bytes: int = DEFAULT_QUOTA_BYTES, rate=None):
        self.store = ExchangeStore(root, max_bytes=max_bytes, quota_bytes=quota_bytes)
        self.policy = Policy(frozenset(courses) if courses else None)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{PREFIX}"
        started = threading.Event()
        self._loop = None

        def run():
            asyncio.set_event_loop(asyncio.new_event_loop())
            self.app = app = make_app(self.store, self.policy, PREFIX, identity=HeaderIdentity, rate=rate)
            app.listen(self.port, "127.0.0.1", max_body_size=max_bytes * 2 + 2**20)
            self._loop = IOLoop.current()
            started.set()
            self._loop.start()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        started.wait(10)

    def client(self, user: str, *groups: str, service: bool = False) -> ExchangeClient:
        client = ExchangeClient(self.url, token="not-used-by-the-test-identity", timeout=60)
        client.session.headers.update({"X-Test-User": user, "X-Test-Groups": ",".join(groups),
                                       "X-Test-Service": "1" if service else "0"})
        return client

    def close(self) -> None:
        if self._loop is not None:
            self._loop.add_callback(self._loop.stop)
        self._thread.join(10)


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(root).rglob("*")) if p.is_file()}
