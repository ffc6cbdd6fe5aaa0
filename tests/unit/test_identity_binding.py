"""A roster account belongs to one hub user, known by the hub's ``created`` timestamp of that user, which a
rename keeps (issue 16, finding 1): ``RecordStore.bind_hub_user``. The records service behind a real hub:
tests/app/test_hub_security.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from hub.store import open_store
from hub.store.testing import build_small_world, new_database_url

FIRST, OTHER = "2026-09-01T08:00:00.123456Z", "2026-09-01T08:00:00.654321Z"


@pytest.fixture
def store(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    st = open_store(url)
    build_small_world(st)
    yield st
    st.close()


def audit(store, action):
    return [(e.entity_id, e.detail) for e in store.find_audit(store.actor_for("admin"), action=action)]


def test_the_first_hub_user_seen_is_bound_and_any_other_refused(store):
    assert store.bind_hub_user("m_a", FIRST) is True
    assert store.bind_hub_user("m_a", FIRST) is True
    assert store.bind_hub_user("m_a", OTHER) is False
    assert store.find_account("m_a")["hub_created"] == FIRST
    assert audit(store, "account.bind_hub_user") == [("m_a", {"hub_created": FIRST})]
    assert audit(store, "account.identity_refused") == [("m_a", {"bound_to": FIRST, "presented": OTHER})]


def test_a_name_without_a_roster_account_has_nothing_to_bind(store):
    assert store.bind_hub_user("somebody-else", FIRST) is True
    assert store.bind_hub_user("somebody-else", OTHER) is True  # and gets no roles: actor_for knows nobody
    assert not store.actor_for("somebody-else").roles
    assert audit(store, "account.bind_hub_user") == []


def test_two_hub_users_racing_for_one_account_bind_only_one(store):
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda created: store.bind_hub_user("m_b", created), [FIRST, OTHER] * 8))
    bound = store.find_account("m_b")["hub_created"]
    assert results.count(True) == 8 and {FIRST, OTHER} - {bound}
    assert len(audit(store, "account.bind_hub_user")) == 1
