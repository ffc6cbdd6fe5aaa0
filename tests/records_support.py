"""Shared steps of the records-API tests that run against more than one hub (SQLite and PostgreSQL).

- ``call(hub, token, method, path, body=None, **requests_options)``: one request to the records API through the
  hub's proxy with a user's token (``params=`` etc. go to requests).
- ``concurrent_writers(hub, store, writers=50, per_writer=20)``: the issue's concurrency test. Each writer
  has its own user token (two tokens for each of 25 demo mentors) and writes ``per_writer`` talk records
  for one of its mentees through the hub's proxy; returns (acknowledged client refs, stored client refs).
"""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import select

from hub.store.models import Record

API = "/services/records/api/v1/"
MENTORS = [f"teacher{n}" for n in range(1, 25)] + ["psych1"]


def call(hub, token: str, method: str, path: str, body=None, **options) -> requests.Response:
    return requests.request(method, hub.url + API + path, headers={"Authorization": f"token {token}"}, json=body,
                            timeout=60, **options)  # fmt: skip


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
