"""Fixtures of the tests against the session's real hub.

- ``store`` (module): the running hub's own records database, opened to set up targets and to count rows
  (a module that runs its own hub defines its own ``store``).
"""

from __future__ import annotations

import pytest

from hub.store import open_store


@pytest.fixture(scope="module")
def store(running_hub):
    st = open_store(f"sqlite:///{running_hub.state_dir / 'records.sqlite'}")
    yield st
    st.close()
