"""Server mode's Unix account names: one account per hub user (hub.accounts), a grader account per hub
instance (hub.courses.hubconfig)."""

from __future__ import annotations

import pwd

import pytest

from hub.accounts import AccountTaken, account_name_clashes, ensure_unix_account, unix_account_name


def test_names_map_to_lower_case_accounts_with_the_prefix():
    assert unix_account_name("mh-", "teacher1") == "mh-teacher1"
    assert unix_account_name("mh-", "li.ming") == unix_account_name("mh-", "li_ming") == "mh-li-ming"


def test_long_names_stay_apart_and_fit_useradd():
    first, second = (unix_account_name("mh-", f"school-a-teacher-of-grade-seven-{n}") for n in (1, 2))
    assert first != second and len(first) == len(second) == 32
    assert first.startswith("mh-school-a-teacher")


def test_clashes_are_found_among_distinct_names_only():
    assert account_name_clashes(["li.ming", "t1", "li_ming", "li.ming"]) == {"li-ming": ["li.ming", "li_ming"]}
    assert account_name_clashes(["t1", "t2", "t1"]) == {}


def test_an_existing_account_made_for_someone_else_is_refused():
    """root's passwd entry does not say it is for a Mentor Hub user: never taken as one."""
    root = pwd.getpwuid(0)
    with pytest.raises(AccountTaken) as info:
        ensure_unix_account(root.pw_name, "/home", "Mentor Hub user root")
    assert root.pw_name in info.value.message_zh and "另一位用户" in info.value.jupyterhub_message
