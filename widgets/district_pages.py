"""The district's pages (issue 22), Voilà apps over the records service (``widgets.district_client``):

- ``SchoolPlanPage`` (学校实施方案.ipynb): a school admin or leader fills in the seven parts of the school's
  plan beside the figures the platform counted, saves, submits (上报), reads the district's comments and
  downloads the .docx; district staff (``PlanReviewPage``) see every school's status in a fixed order, open
  a plan and its versions, comment, ask for changes or file it.
- ``DistrictDashboardPage`` (区级看板.ipynb): the dashboard's tables and charts, small cells as <5, and the
  monthly meeting's exports (.xlsx, a .docx brief with the charts).
- ``PortfolioPage`` (导师工作档案.ipynb): a teacher's own 导师工作档案 with its .docx; school leaders and admins
  also pick a teacher of their school and export the school's summary (.xlsx).

``open_page(client, kind)`` chooses by the caller's roles. Each page exposes ``widget`` and never calls
``display()``; downloads are data-URI links made once the file has come from the service.
"""

from __future__ import annotations

import base64
import html
import logging

import ipywidgets as w

from hub.district_docs import CHARTS, DASHBOARD_TITLES, TERM_COLUMNS, chart_png, table_cells

from . import district_client as dc
from .client import RecordsError
from .style import styled
from .team_page import Status

log = logging.getLogger(__name__)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CELL = 'style="border:1px solid #ddd;padding:4px 8px"'
UNEXPECTED = "出现意外错误，请稍后再试；如果一直这样，请联系平台管理员"


def esc(value) -> str:
    return html.escape("" if value is None else str(value))


def table(head, rows, css: str) -> str:
    lines = ["<tr>" + "".join(f"<th {CELL}>{esc(h)}</th>" for h in head) + "</tr>"]
    lines += ["<tr>" + "".join(f"<td {CELL}>{esc(c)}</td>" for c in row) + "</tr>" for row in rows]
    return f'<table class="{css}" style="border-collapse:collapse">' + "".join(lines) + "</table>"


def download_link(data: bytes, mime: str, name: str, css: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<a class="{css}" download="{esc(name)}" href="data:{mime};base64,{encoded}">下载：{esc(name)}</a>'


def status() -> Status:
    """The shared status line, showing a refusal's Chinese message without the field and ``UNEXPECTED``."""
    return Status(refusal=lambda error: str(error.message_zh), unexpected=UNEXPECTED)


class MessagePage:
    def __init__(self, message: str):
        self.message = w.HTML(f'<p class="mh-message">{esc(message)}</p>')
        self.widget = styled(w.VBox([self.message]))


def figures_html(figures: dict) -> str:
    classes = "、".join(f"{stage}{n}个班" for stage, n in (figures.get("classes") or {}).items()) or "—"
    rows = [["教职工数", figures.get("staff")], ["学生数", figures.get("students")], ["导师与学生比", figures.get("ratio")],
            ["班级（按学段）", classes], ["本学期已有主导师的学生", figures.get("students_with_mentor")],
            ["本学期担任导师的教师", figures.get("mentors")], ["统计日期", figures.get("counted_on")]]  # fmt: skip
    return table(["学校数据（平台自动统计）", ""], rows, "mh-plan-figures")


def reviews_html(reviews: list[dict]) -> str:
    if not reviews:
        return "<p>区德育科暂无意见。</p>"
    return table(["版本", "意见类型", "内容", "时间"],
                 [[f"第{r['version']}版", r["action_label"], r["text"], r["at"][:16].replace("T", " ")] for r in reviews],
                 "mh-plan-reviews")  # fmt: skip


class SchoolPlanPage:
    """The school's form: seven parts, save, submit, comments, the .docx."""

    def __init__(self, client, plan: dict):
        self.client, self.plan = client, plan
        self.status = status()
        self.header = w.HTML("")
        self.figures = w.HTML("")
        self.areas = {key: w.Textarea(description=label, layout=w.Layout(width="100%", height="120px"))
                      for key, label in plan["headings"].items()}  # fmt: skip
        for key, area in self.areas.items():
            area.add_class(f"mh-plan-{key}")
        self.save_button = w.Button(description="保存草稿", icon="save")
        self.submit_button = w.Button(description="上报区德育科", button_style="primary", icon="upload")
        self.docx_button = w.Button(description="生成 Word 文档", icon="download")
        self.save_button.on_click(self.save)
        self.submit_button.on_click(self.submit)
        self.docx_button.on_click(self.download)
        self.link = w.HTML("")
        self.reviews = w.HTML("")
        self.widget = styled(w.VBox([
            w.HTML("<h3>学校全员导师制工作实施方案（一校一策）</h3><p>按七个部分填写本校方案；学校数据由平台统计，"
                   "上报时随方案一并保存。上报后等待区德育科审阅：需修改时可修改后再次上报，已备案的方案不再修改。</p>"),
            self.header, self.figures, *self.areas.values(),
            w.HBox([self.save_button, self.submit_button, self.docx_button]), self.link, self.status.widget,
            w.HTML("<h4>区德育科意见</h4>"), self.reviews]))  # fmt: skip
        self.widget.add_class("mh-school-plan")
        self.show(plan)

    def show(self, plan: dict) -> None:
        self.plan = plan
        self.header.value = (f'<p class="mh-plan-status" data-status="{esc(plan["status"])}">{esc(plan["school_name"])} · '
                             f'{esc(plan["school_year"])}学年 · 状态：<b>{esc(plan["status_label"])}</b>'
                             f'{"（已上报 " + str(plan["version"]) + " 次）" if plan["version"] else ""}</p>')  # fmt: skip
        self.figures.value = figures_html(plan["figures"])
        for key, area in self.areas.items():
            area.value = plan["sections"].get(key, "")
        editable = plan["status"] in ("none", "draft", "changes_requested")
        for widget in (*self.areas.values(), self.save_button, self.submit_button):
            widget.disabled = not editable
        self.reviews.value = reviews_html(plan["reviews"])

    def sections(self) -> dict:
        return {key: area.value for key, area in self.areas.items()}

    def save(self, _button=None) -> bool:
        def run():
            self.show(dc.save_school_plan(self.client, self.plan["school_id"], self.sections()))

        if self.status.run("saving the plan", run):
            self.status.ok("草稿已保存")
            return True
        return False

    def submit(self, _button=None) -> None:
        if not self.save():
            return
        if self.status.run("submitting the plan", lambda: self.show(dc.submit_school_plan(self.client, self.plan["school_id"]))):
            self.status.ok(f"已上报（第{self.plan['version']}版），等待区德育科审阅")

    def download(self, _button=None) -> None:
        def run():
            version = self.plan["version"] if self.plan["status"] in ("submitted", "filed") else None
            data = dc.school_plan_docx(self.client, self.plan["school_id"], version)
            name = f"{self.plan['school_name']}全员导师制工作学校实施方案.docx"
            self.link.value = download_link(data, DOCX_MIME, name, "mh-plan-docx")

        self.status.run("making the plan's docx", run)


class PlanReviewPage:
    """District staff: every school's status, one plan at a time, comment / ask for changes / file."""

    def __init__(self, client, plans: list[dict], *, may_review: bool = True):
        self.client = client
        self.status = status()
        self.overview = w.HTML("")
        self.picker = w.Dropdown(description="学校", options=[], value=None)
        self.detail = w.HTML("")
        self.version_pick = w.Dropdown(description="版本", options=[], value=None)
        self.docx_button = w.Button(description="下载该版本 Word", icon="download")
        self.docx_button.on_click(self.download)
        self.link = w.HTML("")
        self.comment = w.Textarea(description="审阅意见", layout=w.Layout(width="100%", height="80px"))
        self.buttons = {action: w.Button(description=label, button_style=style)
                        for action, label, style in (("comment", "提出意见", ""), ("request_changes", "退回修改", "warning"),
                                                     ("file", "备案", "success"))}  # fmt: skip
        for action, button in self.buttons.items():
            button.on_click(lambda _b, action=action: self.review(action))
        self.picker.observe(lambda _change: self.open(), names="value")
        self.widget = styled(w.VBox([
            w.HTML("<h3>各校实施方案（一校一策）</h3><p>学校按固定编号排列。打开一所学校的方案，查看历次上报的版本，"
                   "提出意见、退回修改或备案。</p>"),
            self.overview, self.picker, self.detail, w.HBox([self.version_pick, self.docx_button]), self.link,
            self.comment, w.HBox(list(self.buttons.values())), self.status.widget]))  # fmt: skip
        self.widget.add_class("mh-plan-review")
        if not may_review:  # platform admins read the plans; only the district reviews them
            self.comment.layout.display = "none"
            for button in self.buttons.values():
                button.layout.display = "none"
        self.set_plans(plans)

    def set_plans(self, plans: list[dict]) -> None:
        self.plans = plans
        self.overview.value = table(["学校", "学年", "状态", "上报次数"],
                                    [[p["school_name"], p["school_year"], p["status_label"], p["version"]] for p in plans],
                                    "mh-plan-overview")  # fmt: skip
        current = self.picker.value
        self.picker.options = [(p["school_name"], p["school_id"]) for p in plans]
        if current in {p["school_id"] for p in plans}:
            self.picker.value = current

    def open(self) -> None:
        if not self.picker.value:
            return

        def run():
            plan = self.plan = dc.school_plan(self.client, self.picker.value)
            latest = plan["versions"][-1] if plan["versions"] else None
            sections = latest["sections"] if latest else plan["sections"]
            parts = [f'<p class="mh-plan-status" data-status="{esc(plan["status"])}">{esc(plan["school_name"])} · '
                     f'状态：<b>{esc(plan["status_label"])}</b></p>', figures_html(latest["figures"] if latest else plan["figures"])]
            for key, label in plan["headings"].items():
                parts.append(f"<h4>{esc(label)}</h4><p style=\"white-space:pre-wrap\">{esc(sections.get(key, '')) or '（未填写）'}</p>")
            parts.append("<h4>意见记录</h4>" + reviews_html(plan["reviews"]))
            self.detail.value = "".join(parts)
            self.version_pick.options = [(f"第{v['version']}版 {v['submitted_at'][:10]}", v["version"]) for v in plan["versions"]]
            self.version_pick.value = plan["versions"][-1]["version"] if plan["versions"] else None
            for action, button in self.buttons.items():
                button.disabled = not plan["versions"] or (action != "comment" and plan["status"] != "submitted")

        self.status.run("opening a plan", run)

    def review(self, action: str) -> None:
        def run():
            dc.review_school_plan(self.client, self.picker.value, action, self.comment.value)
            self.comment.value = ""
            self.set_plans(dc.school_plans(self.client))
            self.open()

        if self.status.run("reviewing a plan", run):
            self.status.ok({"comment": "意见已发送", "request_changes": "已退回学校修改", "file": "已备案"}[action])

    def download(self, _button=None) -> None:
        if not self.picker.value or not self.version_pick.value:
            return

        def run():
            data = dc.school_plan_docx(self.client, self.picker.value, self.version_pick.value)
            name = f"{self.plan['school_name']}实施方案-第{self.version_pick.value}版.docx"
            self.link.value = download_link(data, DOCX_MIME, name, "mh-plan-docx")

        self.status.run("downloading a plan", run)


class DistrictDashboardPage:
    """Tabs of tables (fixed school order, <5 for small cells), charts, and the monthly meeting's exports."""

    def __init__(self, client, board: dict, terms: list[str] | None = None):
        self.client, self.board = client, board
        self.status = status()
        self.heading = w.HTML("")
        self.term_pick = w.Dropdown(description="学期", options=list(terms or [board["term_id"]]), value=board["term_id"])
        self.term_pick.observe(lambda _change: self.change_term(), names="value")
        self.tabs = w.Tab()
        self.tabs.observe(self._on_tab, names="selected_index")
        self.images: dict[str, w.Image] = {}
        self.xlsx_button = w.Button(description="导出表格（Excel）", icon="download")
        self.brief_button = w.Button(description="生成月度简报（Word，含图表）", icon="download")
        self.xlsx_button.on_click(self.export_xlsx)
        self.brief_button.on_click(self.export_brief)
        self.link = w.HTML("")
        self.widget = styled(w.VBox([self.heading, self.term_pick, self.tabs,
                                     w.HBox([self.xlsx_button, self.brief_button]), self.link, self.status.widget]))
        self.widget.add_class("mh-district-dashboard")
        self.show(board)

    def show(self, board: dict) -> None:
        """Tables and (drawn when their tab is opened) charts of one term's dashboard."""
        self.board, self.images, self.link.value = board, {}, ""
        self.heading.value = (f"<h3>区级看板 · {esc(board['term_id'])}</h3><p>按学校和学段汇总；学校按固定编号排列，不作排名；"
                              f"不足 {board['min_cell']} 人的单元格显示为 &lt;5。数据截至 {esc(board.get('computed_at', ''))}"
                              "（UTC）。</p>")  # fmt: skip
        children = []
        for key, rows in board["tables"].items():
            header, body = table_cells(key, rows)
            parts = [w.HTML(f'<div class="mh-scroll mh-district-{key}">{table(header, body, "mh-district-table")}</div>')]
            if key in CHARTS and rows:
                self.images[key] = w.Image(format="png")
                parts.append(self.images[key])
            children.append(w.VBox(parts))
        self.tabs.children = children
        self.tabs.titles = [DASHBOARD_TITLES[key] for key in board["tables"]]
        self.tabs.selected_index = 0
        self.draw(next(iter(board["tables"])))

    def change_term(self) -> None:
        term = self.term_pick.value
        if term and term != self.board["term_id"]:
            self.status.run("loading a term's dashboard", lambda: self.show(dc.district_dashboard(self.client, term)))

    def draw(self, key: str) -> None:
        image = self.images.get(key)
        if image is not None and not image.value:
            image.value = chart_png(key, self.board["tables"][key])

    def _on_tab(self, change) -> None:
        if change["new"] is not None and self.board["tables"]:
            self.draw(list(self.board["tables"])[change["new"]])

    def export_xlsx(self, _button=None) -> None:
        def run():
            data = dc.district_dashboard_xlsx(self.client, self.board["term_id"])
            self.link.value = download_link(data, XLSX_MIME, f"区级看板-{self.board['term_id']}.xlsx", "mh-district-xlsx")

        self.status.run("exporting the dashboard", run)

    def export_brief(self, _button=None) -> None:
        def run():
            data = dc.district_brief_docx(self.client, self.board["term_id"])
            self.link.value = download_link(data, DOCX_MIME, f"月度推进简报-{self.board['term_id']}.docx", "mh-district-brief")

        self.status.run("making the brief", run)


def portfolio_html(p: dict) -> str:
    training = table(["课程", "层级", "是否完成", "学时"],
                     [[r["course"], r["tier"] or "—", "已完成" if r["completed"] else "未完成", r["hours"]] for r in p["training"]]
                     + [["合计", "", "", p["training_hours"]]], "mh-portfolio-training")  # fmt: skip
    terms = table(["学期", *(label for _, label in TERM_COLUMNS)],
                  [[t["term_id"], *(t[key] for key, _ in TERM_COLUMNS)] for t in p["terms"]], "mh-portfolio-terms")
    other = table(["项目", "数量"], [
        ["参加导师团会议", p["class_team"]["meetings_attended"]], ["记录导师团会议", p["class_team"]["meetings_recorded"]],
        ["参加工作室活动", p["studios"]["sessions_attended"]], ["贡献的案例（去标识化）", len(p["cases"])],
        ["参与的多对一帮扶团队", p["support_teams"]["served"]], ["其中担任牵头导师", p["support_teams"]["as_lead"]]],
        "mh-portfolio-other")  # fmt: skip
    return (f'<p class="mh-portfolio-who">{esc(p["school_name"])} · {esc(p["name"])} · {esc(p["school_year"])}学年</p>'
            f"<h4>培训学时</h4>{training}<h4>“三个一”（次数）</h4>{terms}<h4>导师团、工作室与多对一</h4>{other}")


class PortfolioPage:
    """The teacher's own portfolio; for school leaders and admins also their school's teachers and summary."""

    def __init__(self, client, own: dict | None, school: dict | None = None):
        self.client, self.school = client, school
        self.status = status()
        self.view = w.HTML("")
        self.current = own
        self.docx_button = w.Button(description="下载导师工作档案（Word）", icon="download")
        self.docx_button.add_class("mh-portfolio-download")
        self.docx_button.on_click(self.download)
        self.link = w.HTML("")
        parts = [w.HTML("<h3>导师工作档案</h3><p>本学年的培训学时、“三个一”次数、导师团与工作室参与、贡献的案例和多对一帮扶，"
                        "只计次数，不出现学生姓名，不作排名。</p>")]  # fmt: skip
        if school is not None:
            self.picker = w.Dropdown(description="教师", options=[(f"{t['name']}（{t['staff_id']}）", t["staff_id"])
                                                                for t in school["teachers"]], value=None)  # fmt: skip
            self.picker.observe(lambda _change: self.pick(), names="value")
            self.summary_button = w.Button(description="导出本校汇总（Excel，年度考核用）", icon="download")
            self.summary_button.on_click(self.export_summary)
            parts += [w.HBox([self.picker, self.summary_button])]
        parts += [self.view, self.docx_button, self.link, self.status.widget]
        self.widget = styled(w.VBox(parts))
        self.widget.add_class("mh-portfolio")
        self.show(own)

    def show(self, portfolio: dict | None) -> None:
        self.current = portfolio
        self.view.value = portfolio_html(portfolio) if portfolio else "<p>请选择教师。</p>"
        self.docx_button.disabled = portfolio is None

    def pick(self) -> None:
        chosen = next((t for t in self.school["teachers"] if t["staff_id"] == self.picker.value), None)
        self.show(chosen)

    def download(self, _button=None) -> None:
        if self.current is None:
            return
        current = self.current

        def run():
            data = dc.portfolio_docx(self.client, current["staff_id"], current["school_year"])
            name = f"导师工作档案-{current['name']}-{current['school_year']}.docx"
            self.link.value = download_link(data, DOCX_MIME, name, "mh-portfolio-docx")

        self.status.run("downloading a portfolio", run)

    def export_summary(self, _button=None) -> None:
        def run():
            data = dc.portfolios_xlsx(self.client, self.school["school_id"], self.school["school_year"])
            name = f"导师工作汇总-{self.school['school_name']}-{self.school['school_year']}.xlsx"
            self.link.value = download_link(data, XLSX_MIME, name, "mh-portfolios-xlsx")

        self.status.run("exporting the school summary", run)


def open_page(client, kind: str):
    """The page of ``kind`` ("plan", "dashboard", "portfolio") for the caller, or a message saying why not."""
    try:
        me = client.me()
        roles = set(me.get("roles", []))
        if kind == "plan":
            if roles & {"district", "admin"}:
                return PlanReviewPage(client, dc.school_plans(client), may_review="district" in roles)
            if roles & {"school_admin", "leader"}:
                return SchoolPlanPage(client, dc.school_plan(client, me["schools"][0]))
            return MessagePage("学校实施方案由学校管理员或校领导填写，区德育科审阅。")
        if kind == "dashboard":
            from .year_client import terms

            return DistrictDashboardPage(client, dc.district_dashboard(client), [t["term_id"] for t in terms(client)])
        own = dc.portfolio(client) if me.get("staff_id") else None
        school = dc.portfolios(client) if roles & {"school_admin", "leader"} else None
        if own is None and school is None:
            return MessagePage("导师工作档案属于学校的教师；您的账号没有对应的教职工。")
        return PortfolioPage(client, own, school)
    except RecordsError as error:
        log.warning("district page %s could not load: %s %s", kind, error.status, error)
        return MessagePage(f"页面无法加载：{error.message_zh}")
