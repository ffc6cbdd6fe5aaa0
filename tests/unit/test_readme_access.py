"""README.md says what the code does: its "Who can read what" table is the access policy
(``hub.store.access.POLICY``), and its demo-accounts table names the roles the demo district really gives
each login (``hub.demo``). Both tables are parsed from the README and compared cell by cell; the parser is
itself checked to notice a changed cell, a missing row and an extra role.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.demo import seed_demo
from hub.store import access, open_store
from hub.store.testing import new_database_url

README = Path(__file__).resolve().parents[2] / "README.md"
ACCESS_HEADING = "### Who can read what"
DEMO_HEADING = "## The demo district"
WORDS_TO_SCOPES = {word: scope for scope, word in access.SCOPE_WORDS.items()}


def table_after(text: str, heading: str) -> list[list[str]]:
    """The first markdown table after ``heading``: its rows (header first) as lists of stripped cells."""
    rest = text[text.index(heading) + len(heading):]
    rows, started = [], False
    for line in rest.splitlines():
        if line.startswith("|"):
            started = True
            if not re.fullmatch(r"\|(\s*-+\s*\|)+", line.strip()):
                rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif started:
            break
    return rows


def unquote(cell: str) -> str:
    return cell.strip().strip("`")


def readme_policy(text: str) -> dict[str, dict[str, str]]:
    """role -> action -> scope, as README's access table states it (a dash: no entry)."""
    header, *rows = table_after(text, ACCESS_HEADING)
    roles = [unquote(cell) for cell in header[1:]]
    policy: dict[str, dict[str, str]] = {role: {} for role in roles}
    for row in rows:
        action = unquote(row[0])
        assert len(row) == len(roles) + 1, f"row {action} has {len(row) - 1} cells for {len(roles)} roles"
        for role, cell in zip(roles, row[1:], strict=True):
            if cell != access.NO_SCOPE:
                assert cell in WORDS_TO_SCOPES, f"{action}/{role}: unknown scope {cell!r}"
                policy[role][action] = WORDS_TO_SCOPES[cell]
    return policy


def differences(stated: dict, actual: dict) -> list[str]:
    found = [f"role {role} is in the README but not in the policy" for role in stated.keys() - actual.keys()]
    found += [f"role {role} is missing from the README" for role in actual.keys() - stated.keys()]
    for role in stated.keys() & actual.keys():
        for action in sorted(stated[role].keys() | actual[role].keys()):
            said, done = stated[role].get(action), actual[role].get(action)
            if said != done:
                found.append(f"{role} / {action}: README says {said}, the policy says {done}")
    return found


def test_readme_access_table_is_the_policy():
    text = README.read_text(encoding="utf-8")
    stated = readme_policy(text)
    assert differences(stated, access.POLICY) == []
    header, *rows = table_after(text, ACCESS_HEADING)
    assert [unquote(row[0]) for row in rows] == list(access.ACTIONS)  # every action, in the code's order


def test_readme_access_table_is_what_the_code_prints():
    assert access.markdown_table() in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("change, expected", [
    (lambda t: t.replace("| `record.read` | own mentees | — | own class |",
                         "| `record.read` | own mentees | — | own mentees |"),
     "head_teacher / record.read: README says own_mentee, the policy says own_class"),
    (lambda t: t.replace("| `audit.read` | — | — | — | — | — | — | — | — | — | district |",
                         "| `audit.read` | — | — | — | — | — | — | — | — | — | — |"),
     "admin / audit.read: README says None, the policy says district"),
])  # fmt: skip
def test_the_comparison_notices_a_changed_cell(change, expected):
    text = README.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the README no longer has the row this test changes"
    assert expected in differences(readme_policy(changed), access.POLICY)


def test_the_comparison_notices_a_role_the_code_does_not_have():
    extra = {**access.POLICY, "district_office": {access.AGGREGATE_READ: access.DISTRICT}}
    assert "role district_office is missing from the README" in differences(
        readme_policy(README.read_text(encoding="utf-8")), extra)


# --- the demo accounts -------------------------------------------------------------------------------
def demo_rows(text: str) -> list[tuple[list[str], set[str]]]:
    """(logins, policy roles named) for each row of the README's demo-accounts table."""
    header, *rows = table_after(text, DEMO_HEADING)
    column = header.index("roles in the access table")
    out = []
    for row in rows:
        logins = re.findall(r"`([a-z]+\d*)`", row[0])
        if "…" in row[0]:  # `teacher1` … `teacher24`
            first, last = logins
            prefix = re.match(r"[a-z]+", first).group()
            logins = [f"{prefix}{n}" for n in range(int(first[len(prefix):]), int(last[len(prefix):]) + 1)]
        out.append((logins, set(re.findall(r"`(\w+)`", row[column]))))
    return out


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("readme-demo"))
    store = open_store(url)
    seed_demo(store)
    yield store
    store.close()


def granting_roles(actor) -> set[str]:
    """The actor's roles that the access table gives anything (``subject``, ``middle_manager``: nothing)."""
    return {role for role in actor.roles if access.POLICY.get(role)}


def test_readme_demo_accounts_have_the_roles_it_names(demo_store):
    rows = demo_rows(README.read_text(encoding="utf-8"))
    listed = {login for logins, _ in rows for login in logins}
    assert listed == {account.username for account in demo_store.find_accounts()}
    for logins, named in rows:
        assert named <= set(access.ROLES), (logins, named)
        held = {login: granting_roles(demo_store.actor_for(login)) for login in logins}
        for login, roles in held.items():
            assert roles <= named, f"{login} holds {sorted(roles - named)}, which README's demo table omits"
        assert set().union(*held.values()) == named, f"README names roles none of {logins} holds"


def test_readme_says_de_identified_only_and_the_studio_leader_reaches_no_student(demo_store):
    row = next(r for r in table_after(README.read_text(encoding="utf-8"), DEMO_HEADING) if "`leader1`" in r[0])
    assert "de-identified only" in row[-1]
    leader = demo_store.actor_for("leader1")
    for action in (access.STUDENT_READ, access.RECORD_READ, access.FLAG_READ_STATUS, access.FLAG_READ_DETAILS):
        assert access.reach(leader, action).empty, action
    assert access.permits(leader, access.AGGREGATE_READ)
