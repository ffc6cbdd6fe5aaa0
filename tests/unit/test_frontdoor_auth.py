"""The home page's role-aware sections, and the pure parts of the authenticator."""

import pytest

from hub import texts
from hub.auth import SlidingWindowLimiter, check_new_password, hash_password, password_matches
from hub.frontdoor import sections_for_groups


def section_keys(groups):
    return [section.key for section in sections_for_groups(set(groups))]


@pytest.mark.parametrize("groups, expected", [
    ({"teachers", "school-s1", "nbgrader-foundations"}, ["courses", "workbench", "cases"]),
    ({"trainers", "formgrade-foundations", "formgrade-psychology"}, ["grading"]),
    ({"studio-leaders", "teachers"}, ["courses", "workbench", "cases", "research"]),
    ({"school-admins", "teachers"}, ["courses", "workbench", "cases", "school"]),
    ({"admins"}, ["admin"]),
    (set(), []),
])
def test_each_role_sees_its_own_sections(groups, expected):
    assert section_keys(groups) == expected


def test_links_go_through_user_redirect_or_the_course_service():
    sections = {s.key: s for s in sections_for_groups({"teachers", "trainers", "formgrade-psychology"})}
    workbench = sections["workbench"].links[0].url
    assert workbench.startswith("/hub/user-redirect/voila/render/apps/")
    assert workbench.endswith("%E5%AF%BC%E5%B8%88%E5%B7%A5%E4%BD%9C%E5%8F%B0.ipynb")  # 导师工作台.ipynb
    assert [link.url for link in sections["grading"].links] == ["/services/psychology/formgrader"]


def test_password_hash_round_trip():
    stored = hash_password("correct horse", rounds=4)
    assert password_matches("correct horse", stored)
    assert not password_matches("wrong horse", stored)
    assert not password_matches("anything", "")


@pytest.mark.parametrize("new, confirm, problem", [
    ("abc", "abc", texts.PASSWORD_TOO_SHORT.format(n=8)),
    ("long-enough-1", "long-enough-2", texts.PASSWORD_MISMATCH),
    ("old-password", "old-password", texts.PASSWORD_SAME_AS_OLD),
    ("teacher1-pass", "teacher1-pass", texts.PASSWORD_TOO_EASY),
    ("mentorhub-demo", "mentorhub-demo", texts.PASSWORD_TOO_EASY),
    ("秋天的银杏叶2026", "秋天的银杏叶2026", None),
])
def test_new_password_rules(new, confirm, problem):
    assert check_new_password("teacher1", "old-password", new, confirm, min_length=8) == problem


def test_limiter_refuses_bursts_per_address_and_recovers():
    now = [0.0]
    limiter = SlidingWindowLimiter(limit=3, window=60, clock=lambda: now[0])
    assert [limiter.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("10.0.0.2")
    now[0] = 61
    assert limiter.allow("10.0.0.1")
