"""Records-service handlers of the district's side (issue 22): schools' implementation plans (一校一策), the
district dashboard and its exports, mentors' work portfolios and the district's milestones. Thin like
``handlers``: parse, call one store verb (``hub.store.district_verbs``, which enforces every rule), write
JSON or a file. Every file download is written to the audit log before it is sent.
"""

from __future__ import annotations

from .export_handlers import content_disposition
from .handlers import ApiError, BaseHandler

DISTRICT_PATTERNS = {"school_id": r"(?P<school_id>[^/]+)"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileHandler(BaseHandler):
    async def send_file(self, data: bytes, mime: str, filename: str, fallback: str, audit: tuple) -> None:
        action, entity, entity_id, detail = audit
        await self.act("add_audit", action, entity, entity_id, detail=detail)
        self.set_header("Content-Type", mime)
        self.set_header("Content-Disposition", content_disposition(filename, fallback))
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(data)

    def year(self):
        return self.get_query_argument("year", None) or None


def int_argument(handler, name: str) -> int | None:
    value = handler.get_query_argument(name, "") or ""
    if not value:
        return None
    if not value.isdigit() or len(value) > 6:
        raise ApiError(400, f"query parameter {name} is not valid", f"查询参数 {name} 的格式不正确", name)
    return int(value)


class SchoolPlansHandler(FileHandler):
    async def get(self):
        self.send({"plans": await self.act("find_school_plans", self.year())})


class SchoolPlanHandler(FileHandler):
    async def get(self, school_id):
        self.send(await self.act("find_school_plan", school_id, self.year()))

    async def put(self, school_id):
        self.send(await self.act("save_school_plan", school_id, self.body()))


class SchoolPlanSubmitHandler(FileHandler):
    async def post(self, school_id):
        self.send(await self.act("submit_school_plan", school_id, self.body()))


class SchoolPlanReviewsHandler(FileHandler):
    async def post(self, school_id):
        self.send(await self.act("review_school_plan", school_id, self.body()), 201)


class SchoolPlanDocxHandler(FileHandler):
    async def get(self, school_id):
        version = int_argument(self, "version")
        data, filename = await self.act("find_school_plan_docx", school_id, version, self.year())
        await self.send_file(data, DOCX, filename, f"school-plan-{school_id}.docx",
                             ("export.school_plan", "school", school_id, {"version": version or 0}))


class DistrictDashboardHandler(FileHandler):
    async def get(self):
        self.send(await self.act("find_district_dashboard", self.get_query_argument("term", None) or None))


class DistrictDashboardXlsxHandler(FileHandler):
    async def get(self):
        from hub.district_docs import dashboard_xlsx

        board = await self.act("find_district_dashboard", self.get_query_argument("term", None) or None)
        data = await self.call(dashboard_xlsx, board)
        await self.send_file(data, XLSX, f"区级看板-{board['term_id']}.xlsx", f"district-{board['term_id']}.xlsx",
                             ("export.district_dashboard", "term", board["term_id"], {"format": "xlsx"}))


class DistrictBriefHandler(FileHandler):
    async def get(self):
        from hub.district_docs import brief_docx

        board = await self.act("find_district_dashboard", self.get_query_argument("term", None) or None)
        data = await self.call(brief_docx, board)
        await self.send_file(data, DOCX, f"月度推进简报-{board['term_id']}.docx", f"brief-{board['term_id']}.docx",
                             ("export.district_brief", "term", board["term_id"], {"format": "docx"}))


class PortfolioHandler(FileHandler):
    async def get(self):
        self.send(await self.act("find_portfolio", self.get_query_argument("staff_id", None) or None, self.year()))


class PortfolioDocxHandler(FileHandler):
    async def get(self):
        from hub.district_docs import portfolio_docx

        portfolio = await self.act("find_portfolio", self.get_query_argument("staff_id", None) or None, self.year())
        data = await self.call(portfolio_docx, portfolio)
        await self.send_file(data, DOCX, f"导师工作档案-{portfolio['name']}-{portfolio['school_year']}.docx",
                             f"portfolio-{portfolio['staff_id']}-{portfolio['school_year']}.docx",
                             ("export.portfolio", "staff", portfolio["staff_id"], {"school_year": portfolio["school_year"]}))


class PortfoliosHandler(FileHandler):
    async def get(self):
        self.send(await self.act("find_school_portfolios", self.get_query_argument("school", None) or None,
                                 self.year()))  # fmt: skip


class PortfoliosXlsxHandler(FileHandler):
    async def get(self):
        from hub.district_docs import portfolios_xlsx

        summary = await self.act("find_school_portfolios", self.get_query_argument("school", None) or None, self.year())
        data = await self.call(portfolios_xlsx, summary)
        await self.send_file(data, XLSX, f"导师工作汇总-{summary['school_name']}-{summary['school_year']}.xlsx",
                             f"portfolios-{summary['school_id']}-{summary['school_year']}.xlsx",
                             ("export.portfolios", "school", summary["school_id"],
                              {"school_year": summary["school_year"], "teachers": len(summary["teachers"])}))


class MilestonesHandler(FileHandler):
    async def get(self):
        self.send({"milestones": await self.act("find_milestones", self.year())})

    async def put(self):
        body = self.body()
        if not isinstance(body, dict):
            raise ApiError(422, "body must be an object", "提交的内容格式不正确")
        self.send({"milestones": await self.act("put_milestones", body.get("school_year"), body.get("milestones"))})


DISTRICT_ROUTES = [
    ("school-plans", SchoolPlansHandler, ("get",)),
    ("school-plans/{school_id}", SchoolPlanHandler, ("get", "put")),
    ("school-plans/{school_id}/submit", SchoolPlanSubmitHandler, ("post",)),
    ("school-plans/{school_id}/reviews", SchoolPlanReviewsHandler, ("post",)),
    ("school-plans/{school_id}/plan.docx", SchoolPlanDocxHandler, ("get",)),
    ("district/dashboard", DistrictDashboardHandler, ("get",)),
    ("district/dashboard.xlsx", DistrictDashboardXlsxHandler, ("get",)),
    ("district/brief.docx", DistrictBriefHandler, ("get",)),
    ("portfolio", PortfolioHandler, ("get",)),
    ("portfolio.docx", PortfolioDocxHandler, ("get",)),
    ("portfolios", PortfoliosHandler, ("get",)),
    ("portfolios.xlsx", PortfoliosXlsxHandler, ("get",)),
    ("milestones", MilestonesHandler, ("get", "put")),
]
