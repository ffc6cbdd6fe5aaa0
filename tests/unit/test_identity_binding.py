"""A roster account belongs to one hub user, known by the hub's ``created`` timestamp of that user, which a
rename keeps (issue 16, finding 1): ``RecordStore.bind_hub_user``. The records service behind a real hub:
tests/app/test_hub_security.py."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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


def test_the_operator_can_unbind_an_account_and_it_is_audited(tmp_path):
    """After the hub's own database is made anew every hub user is new: `mentorhub account unbind USER`."""
    url, _ = new_database_url("sqlite", tmp_path)
    st = open_store(url)
    build_small_world(st)
    st.bind_hub_user("m_a", FIRST)
    mentorhub = str(Path(sys.executable).parent / "mentorhub")
    done = subprocess.run([mentorhub, "account", "unbind", "m_a", "--db", url], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0 and "已解除" in done.stdout, done.stderr
    assert st.bind_hub_user("m_a", OTHER) is True  # the next hub user seen is bound
    (entry,) = st.find_audit(st.actor_for("admin"), action="account.unbind_hub_user")
    assert entry.actor.startswith("cli:") and entry.detail == {"was": FIRST}
    missing = subprocess.run([mentorhub, "account", "unbind", "nobody", "--db", url], capture_output=True,
                             text=True, timeout=120)  # fmt: skip
    assert missing.returncode == 1 and "找不到账号 nobody" in missing.stderr
    st.close()
