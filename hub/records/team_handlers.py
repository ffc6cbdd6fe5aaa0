"""Records-service handlers of the class mentor teams (导师团), parent-contact requests (归口管理), 多对一
support plans and the matching review. Thin: parse, call one store verb, write JSON."""

from __future__ import annotations

from urllib.parse import quote

from .handlers import BaseHandler, path_id

TEAM_PATTERNS = {"class_id": r"(?P<class_id>[^/]+)", "meeting_id": r"(?P<meeting_id>\d+)",
                 "request_id": r"(?P<request_id>\d+)", "team_id": r"(?P<team_id>\d+)"}  # fmt: skip
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ClassTeamsHandler(BaseHandler):
    async def get(self):
        self.send({"class_teams": await self.act("find_class_teams")})


class ClassTeamHandler(BaseHandler):
    async def get(self, class_id):
        self.send(await self.act("find_class_team", class_id))


class ClassMeetingsHandler(BaseHandler):
    async def post(self, class_id):
        self.send(await self.act("add_class_meeting", class_id, self.body()), 201)


class MeetingMinutesHandler(BaseHandler):
    async def get(self, meeting_id):
        content, filename = await self.act("find_meeting_minutes", path_id(meeting_id))
        self.set_header("Content-Type", DOCX)
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(filename)}")
        self.finish(content)


class ContactTargetsHandler(BaseHandler):
    async def get(self):
        self.send({"students": await self.act("find_contact_targets")})


class ContactRequestsHandler(BaseHandler):
    async def get(self):
        self.send({"requests": await self.act("find_contact_requests")})

    async def post(self):
        self.send(await self.act("add_contact_request", self.body()), 201)


class ContactAnswerHandler(BaseHandler):
    async def post(self, request_id):
        self.send(await self.act("answer_contact_request", path_id(request_id), self.body()))


class SupportPlansHandler(BaseHandler):
    async def get(self):
        self.send({"plans": await self.act("find_support_plans")})

    async def post(self):
        self.send(await self.act("add_support_team", self.body()), 201)


class SupportPlanHandler(BaseHandler):
    async def get(self, team_id):
        self.send(await self.act("find_support_plan", path_id(team_id)))

    async def patch(self, team_id):
        self.send(await self.act("update_support_plan", path_id(team_id), self.body()))


class SupportReviewsHandler(BaseHandler):
    async def post(self, team_id):
        self.send(await self.act("add_support_review", path_id(team_id), self.body()), 201)


class MatchingReviewHandler(BaseHandler):
    async def get(self):
        self.send(await self.act("find_matching_review", self.get_query_argument("term", None) or None))


TEAM_ROUTES = [
    ("class-teams", ClassTeamsHandler, ("get",)),
    ("class-teams/{class_id}", ClassTeamHandler, ("get",)),
    ("class-teams/{class_id}/meetings", ClassMeetingsHandler, ("post",)),
    ("meetings/{meeting_id}/minutes.docx", MeetingMinutesHandler, ("get",)),
    ("contact-targets", ContactTargetsHandler, ("get",)),
    ("contact-requests", ContactRequestsHandler, ("get", "post")),
    ("contact-requests/{request_id}/answer", ContactAnswerHandler, ("post",)),
    ("support-plans", SupportPlansHandler, ("get", "post")),
    ("support-plans/{team_id}", SupportPlanHandler, ("get", "patch")),
    ("support-plans/{team_id}/reviews", SupportReviewsHandler, ("post",)),
    ("matching-review", MatchingReviewHandler, ("get",)),
]
