"""50 concurrent writers x 20 records each through the store: all 1,000 stored, none lost or duplicated."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from hub.store.models import Record

WRITERS, PER_WRITER = 50, 20


@pytest.fixture
def store(fresh_small_world):
    return fresh_small_world


def test_fifty_writers_twenty_records_each(store):
    # the writers alternate between two mentors of different schools, each writing for own mentees
    actors = {"m_a": (store.actor_for("m_a"), "sa1"), "m_b": (store.actor_for("m_b"), "sb1")}
    day = dt.date.today().isoformat()

    def write(writer: int) -> list[int]:
        who, student = actors["m_a" if writer % 2 else "m_b"]
        ids = []
        for n in range(PER_WRITER):
            record = store.add_record(who, {
                "student_id": student, "kind": "guidance", "date": day, "domains": ["学习辅导"],
                "summary": f"第{writer}位写入者的第{n}条记录", "client_ref": f"w{writer}-n{n}"})  # fmt: skip
            ids.append(record.record_id)
        return ids

    before = store.count_records()
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        acknowledged = [rid for ids in pool.map(write, range(WRITERS)) for rid in ids]
    assert len(acknowledged) == len(set(acknowledged)) == WRITERS * PER_WRITER
    assert store.count_records() == before + WRITERS * PER_WRITER
    with store.reading() as session:
        refs = list(session.scalars(select(Record.client_ref).where(Record.client_ref.like("w%-n%"))))
    assert sorted(refs) == sorted(f"w{w}-n{n}" for w in range(WRITERS) for n in range(PER_WRITER))
