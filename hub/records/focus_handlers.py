"""Records-service handlers of 排摸重点对象 (``hub.store.focus_verbs``) and reminders
(``hub.store.reminder_verbs``); their OpenAPI paths are in ``focus_openapi``. Thin: parse, call one store
verb, write JSON."""

from __future__ import annotations

from .handlers import BaseHandler, path_id


class FocusReviewHandler(BaseHandler):
    async def get(self):
        self.send(await self.act("find_focus_review"))


class FocusDecisionHandler(BaseHandler):
    async def post(self, student_id):
        self.send(await self.act("decide_focus", student_id, self.body()))


class FocusTeamHandler(BaseHandler):
    async def post(self, student_id):
        self.send(await self.act("start_focus_team", student_id, self.body()), 201)


class FocusNominationsHandler(BaseHandler):
    async def get(self):
        self.send({"nominations": await self.act("find_my_nominations")})

    async def post(self):
        self.send(await self.act("add_focus_nomination", self.body()), 201)


class FocusWithdrawHandler(BaseHandler):
    """``POST focus-nominations/{nomination_id}/withdraw`` (no body): the nomination is kept, marked withdrawn."""

    async def post(self, nomination_id):
        self.send(await self.act("withdraw_focus_nomination", path_id(nomination_id)))


class RemindersHandler(BaseHandler):
    async def get(self):
        self.send(await self.act("find_reminders"))


FOCUS_ROUTES = [
    ("focus-review", FocusReviewHandler, ("get",)),
    ("focus-review/{student_id}/decision", FocusDecisionHandler, ("post",)),
    ("focus-review/{student_id}/team", FocusTeamHandler, ("post",)),
    ("focus-nominations", FocusNominationsHandler, ("get", "post")),
    ("focus-nominations/{nomination_id}/withdraw", FocusWithdrawHandler, ("post",)),
    ("reminders", RemindersHandler, ("get",)),
]

FOCUS_PATTERNS = {"nomination_id": r"(?P<nomination_id>\d+)"}
