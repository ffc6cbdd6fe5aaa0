"""The repository stands alone: no tracked file points at a folder beside the checkout or at an
absolute path of the machine it was written on."""

from __future__ import annotations

import subprocess

from hub.settings import REPO_ROOT

# Built from pieces so that this file does not match itself.
OUTSIDE_MARKERS = (
    "../" + "shared",                       # the developers' reference folder beside the checkout
    "/work" + "/shared", "/work" + "/main",  # where the developers' machines keep those folders
    str(REPO_ROOT.parent) + "/",            # whatever folder holds this checkout
)


def outside_references(text: str) -> list[str]:
    return [marker for marker in OUTSIDE_MARKERS if marker in text]


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0") if name and name != "package-lock.json"]


def test_no_tracked_file_points_outside_the_repository():
    found = []
    for name in tracked_files():
        try:
            text = (REPO_ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue
        found += [f"{name}: {marker}" for marker in outside_references(text)]
    assert found == []


def test_a_link_to_the_reference_folder_is_found():
    assert outside_references("Architecture: [" + "../" + "shared/DESIGN.md]") == ["../" + "shared"]
    assert outside_references(f"CHART = '{REPO_ROOT.parent}/elsewhere/values.yaml'") == [str(REPO_ROOT.parent) + "/"]
