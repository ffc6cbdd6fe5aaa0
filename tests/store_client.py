"""``StoreClient``: the records client of the widgets (``widgets.client.RecordsClient``) for the headless
widget tests, answered by the store's verbs as the caller ``username`` would be by the records service, errors
as ``RecordsError``. Its named methods are the client's; ``request(method, path, ...)`` is routed by the
subclass's ``ROUTES`` (method, path pattern, ``call(store, actor, match, body)``) and kept in ``calls``. The HTTP
side itself is tested against a real hub (tests/app)."""

from __future__ import annotations

import re

from hub.store import StoreError
from widgets.client import RecordsError


class StoreClient:
    ROUTES: list = []

    def __init__(self, store, username: str):
        self.store, self.username = store, username
        self.calls: list[tuple[str, str]] = []

    def _call(self, verb, *args, **kwargs):
        try:
            return getattr(self.store, verb)(self.store.actor_for(self.username), *args, **kwargs)
        except StoreError as error:
            raise RecordsError(error.status, error.message_zh, error.message_en, error.field) from None

    def me(self):
        return self._call("find_me")

    def progress(self, term=None):
        return self._call("find_progress", term)

    def students(self):
        return [s.to_dict() for s in self._call("find_students")]

    def records_for(self, student_id):
        return [r.to_dict() for r in self._call("find_records", student_id)]

    def flags(self, student_id=None, mine=False):
        return self._call("find_flags", student_id, mine=mine)

    def request(self, method, path, *, params=None, json=None, raw=False):
        self.calls.append((method, path))
        for verb, pattern, call in self.ROUTES:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                try:
                    return call(self.store, self.store.actor_for(self.username), match, json)
                except StoreError as error:
                    raise RecordsError(error.status, error.message_zh, error.message_en, error.field) from None
        raise AssertionError(f"no route for {method} {path}")
