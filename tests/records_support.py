"""Shared steps of the records-API tests that run against more than one hub (SQLite and PostgreSQL).

- ``call(hub, token, method, path, body=None, **requests_options)``: one request to the records API through the
  hub's proxy with a user's token (``params=`` etc. go to requests).
- ``ServedRecords(store)``: the records service app on a free loopback port without a hub, in a background
  thread with its own event loop (``url`` is the API's base, ``stop()`` ends it).
- ``concurrent_writers(hub, store, writers=50, per_writer=20)``: the issue's concurrency test. Each writer
  has its own user token (two tokens for each of 25 demo mentors) and writes ``per_writer`` talk records
  for one of its mentees through the hub's proxy; returns (acknowledged client refs, stored client refs).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import select
from tornado.httpserver import HTTPServer
from tornado.testing import bind_unused_port

from hub.records.app import make_app
from hub.store.models import Record

PREFIX = "/services/records/"
API = PREFIX + "api/v1/"
MENTORS = [f"teacher{n}" for n in range(1, 25)] + ["psych1"]


def call(hub, token: str, method: str, path: str, body=None, **options) -> requests.Response:
    return requests.request(method, hub.url + API + path, headers={"Authorization": f"token {token}"}, json=body,
                            timeout=60, **options)  # fmt: skip


class ServedRecords:
    """A records service app on a free loopback port, in a background thread with its own event loop."""

    def __init__(self, store):
        self.ready = threading.Event()

        def run():
            asyncio.set_event_loop(asyncio.new_event_loop())
            sock, port = bind_unused_port()
            self.server = HTTPServer(make_app(store, PREFIX))
            self.server.add_sockets([sock])
            self.url = f"http://127.0.0.1:{port}{API}"
            self.loop = asyncio.get_event_loop()
            self.ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert self.ready.wait(10), "the records service did not start within 10 s"

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def talk_body(student_id: str, **extra) -> dict:
    return {"student_id": student_id, "kind": "talk", "date": dt.date.today().isoformat(),
            "talk_type": "例行关怀", "summary": "聊了聊最近的学习和生活", **extra}  # fmt: skip


def concurrent_writers(hub, store, writers: int = 50, per_writer: int = 20) -> tuple[list[str], list[str]]:
    seats = []
    for user in MENTORS:
        student = sorted(store.actor_for(user).mentee_ids)[0]
        seats += [(hub.user_token(user), student) for _ in range(2)]
    seats = seats[:writers]
    run = uuid.uuid4().hex[:8]

    def write(index: int) -> list[str]:
        token, student = seats[index]
        session = requests.Session()
        session.headers["Authorization"] = f"token {token}"
        acknowledged = []
        for n in range(per_writer):
            ref = f"w{run}-{index}-{n}"
            response = session.post(hub.url + API + "records", json=talk_body(student, client_ref=ref), timeout=60)
            assert response.status_code == 201, response.text
            acknowledged.append(ref)
        return acknowledged

    with ThreadPoolExecutor(max_workers=len(seats)) as pool:
        acknowledged = [ref for refs in pool.map(write, range(len(seats))) for ref in refs]
    with store.reading() as session:
        stored = list(session.scalars(select(Record.client_ref).where(Record.client_ref.like(f"w{run}-%"))))
    return acknowledged, stored
