"""Records-service handlers for case studies: case library, studios, the discussion room, dashboards.

Thin like ``handlers``: parse, call one store verb (which enforces every rule), write JSON.
"""

from __future__ import annotations

from hub.cases import texts

from .handlers import ApiError, BaseHandler

STUDIO_PATTERNS = {"case_id": r"(?P<case_id>[^/]+)", "discussion_id": r"(?P<discussion_id>[A-Za-z0-9]+)",
                   "contribution_id": r"(?P<contribution_id>[A-Za-z0-9]+)"}  # fmt: skip


class StudioHandler(BaseHandler):
    def fields(self, *names: str, optional: tuple[str, ...] = ()) -> dict:
        """Required text fields (and optional ones) of a JSON object body; 422 naming the bad field."""
        body = self.body()
        body = body if isinstance(body, dict) else {}
        values = {}
        for name in (*names, *optional):
            value = body.get(name)
            if value is None and name in optional:
                continue
            if not isinstance(value, str):
                english, chinese = texts.SERVICE_MESSAGES["bad_body"]
                raise ApiError(422, english.format(value=name), chinese.format(value=name), name)
            values[name] = value
        if "finish" in body:
            values["finish"] = body["finish"] is True
        return values


class CasesHandler(StudioHandler):
    async def get(self):
        arg = self.get_query_argument
        cases = await self.act("find_cases", stage=arg("stage", None) or None, domain=arg("domain", None) or None,
                               tag=arg("tag", None) or None, text=arg("q", None) or None)  # fmt: skip
        self.send({"cases": [case.to_dict() for case in cases]})


class CaseHandler(StudioHandler):
    async def get(self, case_id):
        self.send((await self.act("find_case", case_id)).to_dict())


class StudiosHandler(StudioHandler):
    async def get(self):
        self.send({"studios": await self.act("find_my_studios")})


class DiscussionsHandler(StudioHandler):
    async def get(self):
        studio = self.get_query_argument("studio", None) or None
        self.send({"discussions": await self.act("find_discussions", studio)})

    async def post(self):
        body = self.fields("studio_id", "case_id")
        self.send(await self.act("add_discussion", body["studio_id"], body["case_id"]), 201)


class DiscussionHandler(StudioHandler):
    async def get(self, discussion_id):
        self.send(await self.act("find_discussion", discussion_id))


class DiscussionVersionHandler(StudioHandler):
    async def get(self, discussion_id):
        self.send(await self.act("find_discussion_version", discussion_id))


class JoinHandler(StudioHandler):
    async def post(self, discussion_id):
        self.send(await self.act("join_discussion", discussion_id))


class ContributionsHandler(StudioHandler):
    async def post(self, discussion_id):
        self.send(await self.act("add_contribution", discussion_id, self.fields("text")["text"]), 201)


class ContributionHandler(StudioHandler):
    async def patch(self, contribution_id):
        self.send(await self.act("update_contribution", contribution_id, self.fields("text")["text"]))


class AdvanceHandler(StudioHandler):
    async def post(self, discussion_id):
        self.send(await self.act("advance_discussion", discussion_id))


class CloseVoteHandler(StudioHandler):
    async def post(self, discussion_id):
        self.send(await self.act("close_discussion_vote", discussion_id))


class VotesHandler(StudioHandler):
    async def post(self, discussion_id):
        self.send(await self.act("put_discussion_vote", discussion_id, self.fields("proposal_id")["proposal_id"]))


class SummaryHandler(StudioHandler):
    async def post(self, discussion_id):
        body = self.fields("text")
        self.send(await self.act("write_discussion_summary", discussion_id, body["text"], body.get("finish", False)))


class MinutesHandler(StudioHandler):
    async def get(self, discussion_id):
        fmt = self.get_query_argument("format", "md")
        content, media_type = await self.act("find_minutes", discussion_id, fmt)
        self.set_header("Content-Type", media_type)
        filename = f"minutes-{discussion_id}.{fmt}"
        self.set_header("Content-Disposition", f'attachment; filename="{filename}"')
        self.finish(content)


class DashboardsHandler(StudioHandler):
    async def get(self):
        self.send(await self.act("find_dashboards", self.get_query_argument("term", None) or None))


STUDIO_ROUTES = [
    ("cases", CasesHandler, ("get",)),
    ("cases/{case_id}", CaseHandler, ("get",)),
    ("studios", StudiosHandler, ("get",)),
    ("discussions", DiscussionsHandler, ("get", "post")),
    ("discussions/{discussion_id}", DiscussionHandler, ("get",)),
    ("discussions/{discussion_id}/version", DiscussionVersionHandler, ("get",)),
    ("discussions/{discussion_id}/join", JoinHandler, ("post",)),
    ("discussions/{discussion_id}/contributions", ContributionsHandler, ("post",)),
    ("contributions/{contribution_id}", ContributionHandler, ("patch",)),
    ("discussions/{discussion_id}/advance", AdvanceHandler, ("post",)),
    ("discussions/{discussion_id}/close-vote", CloseVoteHandler, ("post",)),
    ("discussions/{discussion_id}/votes", VotesHandler, ("post",)),
    ("discussions/{discussion_id}/summary", SummaryHandler, ("post",)),
    ("discussions/{discussion_id}/minutes", MinutesHandler, ("get",)),
    ("dashboards", DashboardsHandler, ("get",)),
]
