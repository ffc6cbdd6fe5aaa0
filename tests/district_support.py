"""Shared steps of the district tests (issue 22): a records service on a real store whose hub token check is
replaced by a header naming the caller (everything else, the access rules included, is the real service);
plan texts that pass validation."""

from __future__ import annotations

import requests

from hub.records import handlers
from hub.store.district_verbs import PLAN_HEADINGS
from tests.records_support import ServedRecords

USER_HEADER = "X-Test-User"


def plan_sections(extra: str = "") -> dict[str, str]:
    return {key: f"{label}：本校结合校情学情，明确本部分的具体安排、责任人和时间要求。{extra}"
            for key, label in PLAN_HEADINGS.items()}  # fmt: skip


class HeaderAuth:
    """Stands in for the hub's token check only: the caller is the user the test header names."""

    async def get_user(self, handler, sync=False):
        name = handler.request.headers.get(USER_HEADER)
        return {"name": name, "kind": "user", "groups": [], "created": f"created-{name}"} if name else None


class ServedWithUsers(ServedRecords):
    """``ServedRecords`` whose callers are named by ``USER_HEADER`` (``call(user, method, path)``)."""

    def __init__(self, store, monkeypatch):
        monkeypatch.setattr(handlers.BaseHandler, "hub_auth", HeaderAuth(), raising=False)
        monkeypatch.setattr(handlers.BaseHandler, "check_hub_user", lambda self, model: model)
        super().__init__(store)

    def call(self, user: str, method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(method, self.url + path, headers={USER_HEADER: user}, timeout=30, **kwargs)
