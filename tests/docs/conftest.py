"""Fixtures of the documentation's tests.

- ``built_docs`` (session): ``docs/`` built to HTML once per session, with the same ``sphinx-build`` options as
  ``make docs`` (every warning an error); the folder of the built pages. A failed build fails every test that
  uses it, with Sphinx's messages.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.docs_support import DOCS_DIR

SPHINX_OPTIONS = ("-W", "--keep-going", "-q", "-b", "html")


@pytest.fixture(scope="session")
def built_docs(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs-html")
    result = subprocess.run([sys.executable, "-m", "sphinx", *SPHINX_OPTIONS, str(DOCS_DIR), str(out)],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.fail(f"sphinx-build failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-6000:]}")
    return out
