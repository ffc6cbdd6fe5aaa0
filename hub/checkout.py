"""Server mode: what of the repository checkout users' accounts may read.

Users' servers run from the checkout: its virtual environment, the ``hub`` and ``widgets`` packages
(``hub/user_config`` among them) and the Voilà apps in ``casestudies/`` (``~/apps``). Nothing else in it is
theirs to read: ``courses/`` holds the model answers and hidden tests, ``tests/`` planted answers, ``.git``
every version of both. At each start in server mode the hub takes the read and search bits for others
off every other top-level entry of the checkout. ``courses/`` is given to the group ``mentorhub-graders``
(the ``grader-<course>`` accounts, which copy the sources into their course folders), readable by it only.
"""

from __future__ import annotations

import grp
import os
import stat
import subprocess
import sys
from pathlib import Path

from hub.settings import REPO_ROOT

GRADERS_GROUP = "mentorhub-graders"
#: top-level entries of the checkout that users' servers need
USER_READABLE = ("hub", "widgets", "casestudies")


def top_entry(path: Path, root: Path) -> str | None:
    """Name of the top-level entry of ``root`` that holds ``path``; None when ``path`` is outside ``root``."""
    try:
        parts = Path(path).resolve().relative_to(root.resolve()).parts
    except ValueError:
        return None
    return parts[0] if parts else None


def user_readable_entries(settings, root: Path = REPO_ROOT) -> set[str]:
    """The packages and apps, the virtual environment and the state folder (which guards itself)."""
    needed = {top_entry(Path(sys.prefix), root), top_entry(settings.state_dir, root)}
    return set(USER_READABLE) | {name for name in needed if name}


def ensure_graders_group(accounts: list[str]) -> int:
    """The group ``mentorhub-graders`` (made when missing) with ``accounts`` among its members; its gid."""
    try:
        group = grp.getgrnam(GRADERS_GROUP)
    except KeyError:
        subprocess.run(["groupadd", "--system", GRADERS_GROUP], check=True, capture_output=True)
        group = grp.getgrnam(GRADERS_GROUP)
    for account in accounts:
        if account not in group.gr_mem:
            subprocess.run(["usermod", "--append", "--groups", GRADERS_GROUP, account], check=True,
                           capture_output=True)
    return group.gr_gid


def private_to_others(path: Path) -> None:
    """No read, write or search bit for others on ``path`` (a symlink is left alone)."""
    mode = path.lstat().st_mode
    if not stat.S_ISLNK(mode):
        path.chmod(stat.S_IMODE(mode) & ~0o007)


def give_sources_to_graders(courses_dir: Path, gid: int) -> None:
    """``courses/`` and everything in it: group ``gid`` may read (and search), others nothing."""
    for folder, dirs, files in os.walk(courses_dir):
        for path in [Path(folder), *(Path(folder) / name for name in dirs + files)]:
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                continue
            os.chown(path, -1, gid)
            readable = 0o050 if stat.S_ISDIR(mode) else 0o040
            path.chmod((stat.S_IMODE(mode) & ~0o077) | readable)


def protect_checkout(settings, grader_accounts: list[str], root: Path = REPO_ROOT) -> None:
    """Server mode, as root: see the module docstring. Safe to call at every start."""
    keep = user_readable_entries(settings, root)
    for entry in root.iterdir():
        if entry.name not in keep:
            private_to_others(entry)
    courses = root / "courses"
    if courses.is_dir():
        give_sources_to_graders(courses, ensure_graders_group(grader_accounts))
