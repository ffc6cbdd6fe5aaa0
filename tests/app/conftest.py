"""Fixtures of the tests against the session's real hub.

- ``store`` (module): the running hub's own records database, opened to set up targets and to count rows
  (a module that runs its own hub defines its own ``store``).
- ``token`` (module): ``token(user)``, a hub API token of that user, made once per module.
"""

from __future__ import annotations

import pytest

from hub.store import open_store


@pytest.fixture(scope="module")
def token(running_hub):
    cache = {}

    def get(user: str) -> str:
        if user not in cache:
            cache[user] = running_hub.user_token(user)
        return cache[user]

    return get


@pytest.fixture(scope="module")
def store(running_hub):
    st = open_store(f"sqlite:///{running_hub.state_dir / 'records.sqlite'}")
    yield st
    st.close()
