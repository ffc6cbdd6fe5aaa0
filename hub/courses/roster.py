"""Who takes a course: hub group ``nbgrader-<course>`` members, with names and schools from a roster file.

The hub knows user names; the export needs staff id, name and school. A roster CSV (columns
``username,staff_id,name,school``; ``staff_id`` defaults to the user name) supplies those.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from hub.spreadsheets import TableRefused, check_file_size, csv_rows, from_csv_text

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
    """The roster file's entries by user name, within the limits of ``hub.spreadsheets``."""
    path = Path(path)
    try:
        check_file_size(path.stat().st_size)
        grid = csv_rows(path.read_bytes().decode("utf-8-sig"), path.name)
        header = [h.strip() for h in next(grid, [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise Invalid(texts.ROSTER_MISSING_COLUMN.format(path=path, columns="、".join(missing)))
        entries = {}
        for line, cells in enumerate(grid, start=2):
            if not any(cells):
                continue
            row = dict(zip(header, (from_csv_text(c).strip() for c in cells), strict=False))
            username = row.get("username") or ""
            if not username:
                raise Invalid(texts.ROSTER_FILE_INVALID.format(path=path, line=line, error="username 为空"))
            entries[username] = RosterEntry(username=username, staff_id=row.get("staff_id") or username,
                                            name=row.get("name") or "", school=row.get("school") or "")
    except TableRefused as refused:
        raise Invalid(texts.ROSTER_FILE_REFUSED.format(path=path, error=refused.message)) from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise Invalid(texts.ROSTER_FILE_REFUSED.format(path=path, error=error)) from None
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
