"""The test suite's own layout: pytest imports test files without packages by their bare name, so two test
files of one name in two such folders stop the whole run at collection."""

from __future__ import annotations

from collections import Counter

from hub.settings import REPO_ROOT


def test_no_two_test_files_share_a_name():
    names = Counter(path.name for path in (REPO_ROOT / "tests").rglob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
