"""The files of a release, submission or feedback on the wire: ``[{path, content_b64, sha256}]``.

Shared by the server (which validates everything) and the nbgrader client classes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from . import texts
from .errors import Invalid, TooLarge
from .names import check_relative_path

MAX_FILES = 500


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_files(files: dict[str, bytes]) -> list[dict]:
    return [{"path": path, "content_b64": base64.b64encode(data).decode("ascii"), "sha256": sha256(data)}
            for path, data in sorted(files.items())]


def raw_limit(max_bytes: int) -> int:
    """Largest request body that can carry ``max_bytes`` of files (base64 plus JSON framing)."""
    return max_bytes * 4 // 3 + 1024 * 1024


def decode_files(items, max_bytes: int) -> dict[str, bytes]:
    """Validate and decode; refuses bad paths, duplicates, a file that is also a folder, bad base64, checksum
    mismatches, oversize."""
    if not isinstance(items, list) or not items or len(items) > MAX_FILES:
        raise Invalid(texts.BAD_FILES)
    files, total = {}, 0
    for item in items:
        if not isinstance(item, dict) or set(item) - {"path", "content_b64", "sha256"}:
            raise Invalid(texts.BAD_FILES)
        path = check_relative_path(item.get("path"))
        if path in files:
            raise Invalid(texts.DUPLICATE_PATH, path=path)
        try:
            data = base64.b64decode(item.get("content_b64") or "", validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise Invalid(texts.BAD_BASE64, path=path) from None
        if item.get("sha256") != sha256(data):
            raise Invalid(texts.CHECKSUM_MISMATCH, path=path)
        total += len(data)
        if total > max_bytes:
            raise TooLarge(total, max_bytes)
        files[path] = data
    check_no_folder_clash(files)
    return files


def check_no_folder_clash(paths) -> None:
    """Refuse a path that is also a folder of another (``a`` and ``a/b``): both cannot be written."""
    folders: dict[str, str] = {}  # folder -> a path inside it
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folders.setdefault("/".join(parts[:depth]), path)
    for path in sorted(paths):
        if path in folders:
            raise Invalid(texts.PATH_CLASH, path=path, inner=folders[path])
