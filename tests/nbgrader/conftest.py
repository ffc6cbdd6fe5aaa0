"""Fixtures for tests that run the real nbgrader on the real course notebooks.

(HOME and Jupyter paths are already private through ``tests/conftest.py``'s ``isolated_jupyter_env``.)

- ``catalog`` (session): the repository's course catalog.
- ``planted`` (session): the planted wrong answers of ``planted_answers.yaml``.
"""

from __future__ import annotations

import pytest

from hub.courses.catalog import load_catalog
from tests.nbgrader.course_notebooks import COURSES_DIR, load_planted


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(COURSES_DIR)


@pytest.fixture(scope="session")
def planted():
    return load_planted()
