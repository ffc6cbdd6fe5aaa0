"""Who takes a course: hub group ``nbgrader-<course>`` members, with names and schools from a roster file.

The hub knows user names; the export needs staff id, name and school. A roster CSV (columns
``username,staff_id,name,school``; ``staff_id`` defaults to the user name) supplies those.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from . import texts
from .errors import CourseError, Invalid

REQUIRED_COLUMNS = ("username", "name", "school")


@dataclass(frozen=True)
class RosterEntry:
    username: str
    staff_id: str
    name: str = ""
    school: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def read_roster_csv(path: Path) -> dict[str, RosterEntry]:
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise Invalid(texts.ROSTER_MISSING_COLUMN.format(path=path, columns="、".join(missing)))
        entries = {}
        for line, row in enumerate(reader, start=2):
            username = (row.get("username") or "").strip()
            if not username:
                raise Invalid(texts.ROSTER_FILE_INVALID.format(path=path, line=line, error="username 为空"))
            entries[username] = RosterEntry(
                username=username,
                staff_id=(row.get("staff_id") or "").strip() or username,
                name=(row.get("name") or "").strip(),
                school=(row.get("school") or "").strip(),
            )
    return entries


def fetch_group_members(api_url: str, token: str, group: str, *, timeout: float = 10) -> list[str]:
    """User names in a hub group, through the hub REST API (needs ``read:groups`` on it)."""
    try:
        response = requests.get(f"{api_url.rstrip('/')}/groups/{group}",
                                headers={"Authorization": f"token {token}"}, timeout=timeout)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise CourseError(texts.ROSTER_HUB_UNREACHABLE.format(group=group, error=exc)) from exc
    return sorted(response.json().get("users", []))


def roster_for(usernames: list[str], details: dict[str, RosterEntry]) -> list[RosterEntry]:
    """One entry per user name; users missing from the roster file keep their user name as staff id."""
    return [details.get(u, RosterEntry(username=u, staff_id=u)) for u in sorted(set(usernames))]
