"""Pure functions the hub configuration calls to wire the exchange in (nothing here touches a hub).

``exchange_service(settings)`` is the entry for ``JupyterHub.services``; ``exchange_roles()`` the
entries for ``load_roles``; ``EXCHANGE_ACCESS_SCOPE`` is what users' roles and ``server_token_scopes``
need so that teachers' servers (and trainers') can call it with their own token.
"""

from __future__ import annotations

import sys
from pathlib import Path

SERVICE_NAME = "exchange"
EXCHANGE_ACCESS_SCOPE = f"access:services!service={SERVICE_NAME}"
STORE_FOLDER = "exchange-store"


def exchange_port(settings) -> int:
    """``settings.exchange_port`` once the schema has it; until then ``records_port + 1``."""
    port = getattr(settings, "exchange_port", None)
    if port is None and hasattr(settings, "raw"):
        port = settings.raw.get("exchange_port")
    return int(port) if port else int(settings.records_port) + 1


def store_dir(settings) -> Path:
    return Path(settings.state_dir) / STORE_FOLDER


def exchange_service(settings, courses=(), *, python: str = sys.executable,
                     max_bytes: int | None = None) -> dict:
    """The hub-managed service ``exchange`` (``python -m hub.exchange``) on loopback."""
    environment = {
        "MENTORHUB_EXCHANGE_DIR": str(store_dir(settings)),
        "MENTORHUB_EXCHANGE_COURSES": ",".join(getattr(c, "course_id", c) for c in courses),
    }
    if max_bytes:
        environment["MENTORHUB_EXCHANGE_MAX_BYTES"] = str(int(max_bytes))
    limits = getattr(settings, "exchange", None) or {}
    if limits.get("quota_mb_per_teacher"):
        environment["MENTORHUB_EXCHANGE_QUOTA_BYTES"] = str(int(limits["quota_mb_per_teacher"]) * 2**20)
    if limits.get("submissions_per_window") and limits.get("window_seconds"):
        environment["MENTORHUB_EXCHANGE_RATE"] = f"{int(limits['submissions_per_window'])}/{int(limits['window_seconds'])}"
    return {
        "name": SERVICE_NAME,
        "url": f"http://127.0.0.1:{exchange_port(settings)}",
        "command": [python, "-m", "hub.exchange"],
        "environment": environment,
        "display": False,
        "oauth_no_confirm": True,
    }


def exchange_roles(courses=()) -> list[dict]:
    """The service reads who is calling (name and groups come with the token; these scopes let it also
    look users and groups up). Each course's formgrader service (named like the course) may call the
    exchange with its own token. Users reach it through ``EXCHANGE_ACCESS_SCOPE`` in their own role."""
    roles = [{
        "name": "exchange-service",
        "services": [SERVICE_NAME],
        "scopes": ["read:users:groups", "read:groups", "list:users", "list:groups", "read:users:name"],
    }]
    names = [getattr(c, "course_id", c) for c in courses]
    if names:
        roles.append({"name": "exchange-course-services", "services": names, "scopes": [EXCHANGE_ACCESS_SCOPE]})
    return roles
