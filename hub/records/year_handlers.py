"""Records-service handlers of the school year: terms and their calendar, life events (and, in
``team_handlers``, class mentor teams, 多对一 teams and 排摸). Thin like ``handlers``: parse, call one store
verb (which enforces every rule), write JSON.
"""

from __future__ import annotations

from .focus_handlers import FOCUS_PATTERNS, FOCUS_ROUTES
from .handlers import BaseHandler
from .team_handlers import TEAM_PATTERNS, TEAM_ROUTES

YEAR_PATTERNS = {"term_id": r"(?P<term_id>[^/]+)", **TEAM_PATTERNS, **FOCUS_PATTERNS}


class TermsHandler(BaseHandler):
    async def get(self):
        self.send({"terms": await self.act("find_term_calendars")})


class TermCalendarHandler(BaseHandler):
    async def put(self, term_id):
        self.send(await self.act("set_school_calendar", term_id, self.body()))


class LifeEventsHandler(BaseHandler):
    async def post(self):
        self.send(await self.act("add_life_event", self.body()), 201)


class StudentLifeEventsHandler(BaseHandler):
    async def get(self, student_id):
        self.send({"life_events": await self.act("find_life_events", student_id)})


YEAR_ROUTES = [
    ("terms", TermsHandler, ("get",)),
    ("terms/{term_id}/calendar", TermCalendarHandler, ("put",)),
    ("life-events", LifeEventsHandler, ("post",)),
    ("students/{student_id}/life-events", StudentLifeEventsHandler, ("get",)),
    *TEAM_ROUTES,
    *FOCUS_ROUTES,  # 排摸重点对象 and reminders
]
