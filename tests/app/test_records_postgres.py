"""The records service behind a second real hub whose records database is PostgreSQL (MENTORHUB_TEST_PG_URL):
50 concurrent writers x 20 records through the API, none lost or duplicated; and a school's matching saved
through the API from the matching panel's model.

A fresh database (``mh_api_test_<random>``) is created on that server, migrated and seeded with the demo
district through the store, and dropped afterwards. When MENTORHUB_TEST_PG_URL is set and the server cannot
be reached, the module's fixture raises: an error, never a skip.
"""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg
import pytest
import requests
from sqlalchemy import func, select

from hub.demo import seed_demo
from hub.store import open_store, upgrade
from hub.store.models import MentorAssignment
from tests.helpers import start_hub, write_hub_settings
from tests.records_support import concurrent_writers
from widgets.client import RecordsClient
from widgets.matching_model import MatchingModel

pytestmark = [pytest.mark.app, pytest.mark.postgres]
API = "/services/records/api/v1/"
TODAY = dt.date.today().isoformat()


def server_conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1).split("?", 1)[0]


def database_url(url: str, name: str) -> str:
    base = server_conninfo(url)
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module")
def pg_records_url(pg_url):
    """A new, migrated, seeded database on the test server; dropped at the end (with any connection left)."""
    name = f"mh_api_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_conninfo(pg_url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = database_url(pg_url, name)
    try:
        upgrade(url)
        store = open_store(url)
        try:
            seed_demo(store)
        finally:
            store.close()
        yield url
    finally:
        with psycopg.connect(server_conninfo(pg_url), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_hub(pg_records_url, tmp_path_factory, artifacts_dir):
    settings = write_hub_settings(tmp_path_factory.mktemp("pghub"), seed=False,
                                  extra={"database": {"records_url": pg_records_url}})  # fmt: skip
    handle = start_hub(settings)
    try:
        yield handle
    finally:
        handle.shutdown(log_copy=artifacts_dir / "hub-postgres.log")


@pytest.fixture(scope="module")
def store(pg_records_url):
    st = open_store(pg_records_url)
    yield st
    st.close()


def test_the_service_really_uses_postgresql(pg_hub, store):
    token = pg_hub.user_token("teacher1")
    me = requests.get(pg_hub.url + API + "me", headers={"Authorization": f"token {token}"}, timeout=60).json()
    assert store.engine.dialect.name == "postgresql"
    assert sorted(m["student_id"] for m in me["mentees"]) == sorted(store.actor_for("teacher1").mentee_ids)


def test_fifty_concurrent_writers_through_the_api_on_postgresql(pg_hub, store):
    """50 writers, each with its own user token (two for each of 25 mentors), 20 records each."""
    acknowledged, stored = concurrent_writers(pg_hub, store)
    assert len(acknowledged) == 1000 and sorted(stored) == sorted(acknowledged)


def test_matching_saved_through_the_api_on_postgresql(pg_hub, store):
    client = RecordsClient(pg_hub.url + API, pg_hub.user_token("schooladmin1"))
    model = MatchingModel.from_client(client)
    assert model.run()["blocking_pairs"] == 0
    term = client.me()["term_id"]
    changes = model.preview(client, term)  # what the panel shows before the 德育 office confirms
    assert changes["students"] == len(model.student_records) and changes["basis"]
    saved = model.confirm_save(client)
    students = {s.student_id for s in store.find_students_in(school_id="dh")}
    with store.reading() as session:
        primaries = session.scalar(select(func.count()).select_from(MentorAssignment).where(
            MentorAssignment.term_id == term, MentorAssignment.kind == "primary",
            MentorAssignment.student_id.in_(sorted(students))))  # fmt: skip
    assert primaries == len(students) and saved >= len(students)
    assert {a["student_id"] for a in client.assignments(term)} == students
