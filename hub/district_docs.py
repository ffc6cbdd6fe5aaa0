"""Documents and workbooks of the district's side (issue 22), built on the server from the store's answers:

- ``plan_docx``: a school's 全员导师制工作学校实施方案 in the usual shape (title, the school's figures,
  the seven numbered parts, the date line);
- ``dashboard_xlsx`` and ``brief_docx``: the district dashboard for the monthly meeting (every table as a
  sheet; the charts as images with the tables in a short brief);
- ``portfolio_docx`` and ``portfolios_xlsx``: a teacher's 导师工作档案 and a school's summary for the annual
  assessment (teachers by name, never by a figure).

Every workbook goes through ``hub.spreadsheets`` (formula-safe cells); every .docx cell and paragraph is
plain text (``docx_table``). Suppressed figures are written as ``<5`` as on the screen.
"""

from __future__ import annotations

import io

from hub.spreadsheets import docx_table, xlsx_bytes

SUPPRESSED = "<5"
CN_NUMBERS = "一二三四五六七八九十"
STAGE_WORDS = ("小学", "初中", "高中")

#: column titles of the dashboard's tables (Chinese), in their order
DASHBOARD_COLUMNS = {
    "coverage": {"school_name": "学校", "stage": "学段", "students": "学生数", "with_mentor": "有主导师",
                 "with_mentor_share": "主导师覆盖率", "special_needs": "特殊指导需求学生",
                 "special_with_priority": "其中由德育骨干指导", "special_priority_share": "骨干指导比例"},
    "tri_one": {"school_name": "学校", "stage": "学段", "students": "学生数", "home_visit": "已家访",
                "talk": "已谈心", "message": "已写成长寄语", "all_three": "三项均完成",
                "home_visit_share": "家访完成率", "talk_share": "谈心完成率", "message_share": "寄语完成率",
                "all_three_share": "三个一完成率"},
    "mentors": {"school_name": "学校", "mentors": "导师数", "over_limit": "超过15名学生的导师",
                "mean_mentees": "人均指导学生"},
    "training": {"school_name": "学校", "course": "课程", "tier": "层级", "teachers": "参训教师",
                 "completed": "已完成", "hours": "学时合计", "completed_share": "完成率"},
    "activity": {"school_name": "学校", "team_meetings": "导师团会议", "team_students_discussed": "研讨学生人次",
                 "studio_sessions": "工作室活动", "studio_cases": "研讨案例数"},
}  # fmt: skip
DASHBOARD_TITLES = {"coverage": "导师覆盖", "tri_one": "三个一完成情况", "mentors": "导师指导人数",
                    "training": "培训学时", "activity": "导师团与工作室活动"}  # fmt: skip
#: (table, label columns, figure) of each chart
CHARTS = {"coverage": ("with_mentor_share", "主导师覆盖率"), "tri_one": ("all_three_share", "三个一完成率（本学期至今）"),
          "training": ("completed_share", "培训完成率")}  # fmt: skip


def cell_value(column: str, value):
    """A figure as shown: shares as percentages, blanked ones as <5."""
    if value is None or (isinstance(value, float) and value != value):
        return SUPPRESSED if column not in ("school_name", "stage", "course", "tier") else ""
    if column.endswith("_share"):
        return f"{value:.0%}"
    if isinstance(value, float):
        return round(value, 1) if not value.is_integer() else int(value)
    return value


def table_cells(key: str, rows: list[dict]) -> tuple[list[str], list[list]]:
    columns = DASHBOARD_COLUMNS[key]
    header = list(columns.values())
    body = [[cell_value(column, row.get(column)) for column in columns] for row in rows]
    return header, body


def dashboard_xlsx(board: dict) -> bytes:
    sheets = {DASHBOARD_TITLES[key]: table_cells(key, rows) for key, rows in board["tables"].items()}
    sheets["说明"] = (["项目", "内容"], [["学期", board["term_id"]], ["生成时间（UTC）", board.get("computed_at", "")],
                                      ["小样本", f"不足 {board['min_cell']} 人的单元格以 {SUPPRESSED} 表示"],
                                      ["顺序", "学校按固定编号排列，不按任何指标排序"]])  # fmt: skip
    return xlsx_bytes(sheets)


def chart_png(key: str, rows: list[dict]) -> bytes:
    """One bar per school and stage (fixed order); suppressed groups drawn empty and labelled <5."""
    from matplotlib.figure import Figure

    from hub.cases.dashboards import chart_font

    column, title = CHARTS[key]
    labels, values = [], []
    for row in rows:
        label = row.get("school_name", "")
        if row.get("stage"):
            label += f"·{row['stage']}"
        if row.get("course"):
            label += f"·{row['course']}"
        value = row.get(column)
        blank = value is None
        labels.append(label + (f"（{SUPPRESSED}）" if blank else ""))
        values.append(0.0 if blank else float(value) * 100)
    figure = Figure(figsize=(7, 0.4 * max(len(rows), 1) + 1.5))
    axes = figure.subplots()
    axes.barh(labels or ["—"], values or [0], color="#4c78a8")
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("%", fontfamily=chart_font())
    axes.set_title(title, fontfamily=chart_font())
    for label in axes.get_yticklabels():
        label.set_fontfamily(chart_font())
    figure.subplots_adjust(left=0.35, right=0.95)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96)
    return buffer.getvalue()


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _paragraphs(document, text: str) -> None:
    for line in (text or "").splitlines() or [""]:
        if line.strip():
            document.add_paragraph(line.strip())


def brief_docx(board: dict) -> bytes:
    """The monthly meeting's brief: the charts as images, then every table."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.add_heading(f"全员导师制工作月度推进简报（{board['term_id']}）", level=1)
    document.add_paragraph(f"数据截至 {board.get('computed_at', '')}（UTC）。学校按固定编号排列，不作排名；"
                           f"不足 {board['min_cell']} 人的单元格以 {SUPPRESSED} 表示。")  # fmt: skip
    for n, key in enumerate(board["tables"], 1):
        document.add_heading(f"{CN_NUMBERS[n - 1]}、{DASHBOARD_TITLES[key]}", level=2)
        rows = board["tables"][key]
        if key in CHARTS and rows:
            document.add_picture(io.BytesIO(chart_png(key, rows)), width=Cm(15))
        header, body = table_cells(key, rows)
        docx_table(document, [header, *body])
    return _save(document)


def plan_docx(school_name: str, school_year: str, headings: dict[str, str], sections: dict, figures: dict) -> bytes:
    """A school's implementation plan: title, the figures the platform counted, its parts (``headings``: key
    -> heading, in order; the plan's seven, ``hub.store.district_verbs.PLAN_HEADINGS``)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    title = document.add_heading(f"{school_name}全员导师制工作学校实施方案", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph(f"（{school_year}学年）")
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("为落实区全员导师制工作实施方案，结合本校校情、学情和学段实际，制定本方案。")
    document.add_heading("学校基本情况", level=1)
    classes = "、".join(f"{stage}{n}个" for stage, n in (figures.get("classes") or {}).items()) or "—"
    docx_table(document, [
        ["项目", "数据"], ["教职工数", figures.get("staff", "")], ["学生数", figures.get("students", "")],
        ["导师与学生比", figures.get("ratio", "")], ["班级数（按学段）", classes],
        ["本学期已有主导师的学生", figures.get("students_with_mentor", "")], ["本学期担任导师的教师", figures.get("mentors", "")],
        ["数据统计日期", figures.get("counted_on", "")],
    ])  # fmt: skip
    for n, (key, heading) in enumerate(headings.items(), 1):
        document.add_heading(f"{CN_NUMBERS[n - 1]}、{heading}", level=1)
        _paragraphs(document, sections.get(key, ""))
    closing = document.add_paragraph(school_name)
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return _save(document)


TERM_COLUMNS = (("mentees", "指导学生数"), ("home_visit", "家访"), ("talk", "谈心谈话"), ("growth_message", "成长寄语"))


def portfolio_docx(portfolio: dict) -> bytes:
    """A teacher's 导师工作档案 for one school year (counts only, no student named)."""
    from docx import Document

    document = Document()
    document.add_heading(f"导师工作档案（{portfolio['school_year']}学年）", level=0)
    document.add_paragraph(f"{portfolio['school_name']}　{portfolio['name']}（工号 {portfolio['staff_id']}）")
    document.add_heading("一、培训学时", level=1)
    docx_table(document, [["课程", "层级", "是否完成", "学时"]] + [
        [r["course"], r["tier"] or "—", "已完成" if r["completed"] else "未完成", r["hours"]] for r in portfolio["training"]
    ] + [["合计", "", "", portfolio["training_hours"]]])  # fmt: skip
    document.add_heading("二、“三个一”完成情况（次数）", level=1)
    docx_table(document, [["学期", *(label for _, label in TERM_COLUMNS)]] + [
        [t["term_id"], *(t[key] for key, _ in TERM_COLUMNS)] for t in portfolio["terms"]])  # fmt: skip
    document.add_heading("三、导师团与工作室", level=1)
    team, studios = portfolio["class_team"], portfolio["studios"]
    docx_table(document, [["项目", "次数"], ["参加导师团会议", team["meetings_attended"]],
                          ["记录导师团会议", team["meetings_recorded"]],
                          ["参加工作室活动", studios["sessions_attended"]],
                          ["所在工作室", "、".join(studios["member_of"]) or "—"]])  # fmt: skip
    document.add_heading("四、贡献的案例（去标识化）", level=1)
    if portfolio["cases"]:
        docx_table(document, [["案例", "状态"]] + [[c["title"], c["status"]] for c in portfolio["cases"]])
    else:
        document.add_paragraph("本学年暂无。")
    document.add_heading("五、参与“多对一”帮扶", level=1)
    docx_table(document, [["项目", "数量"], ["参与的帮扶团队", portfolio["support_teams"]["served"]],
                          ["其中担任牵头导师", portfolio["support_teams"]["as_lead"]]])  # fmt: skip
    return _save(document)


PORTFOLIO_HEADER = ["工号", "姓名", "培训学时", "已完成课程", "指导学生数（各学期）", "家访", "谈心谈话", "成长寄语",
                    "参加导师团会议", "参加工作室活动", "贡献案例", "参与多对一团队"]  # fmt: skip


def portfolio_row(p: dict) -> list:
    total = lambda key: sum(t[key] for t in p["terms"])  # noqa: E731
    return [p["staff_id"], p["name"], p["training_hours"], sum(1 for r in p["training"] if r["completed"]),
            "/".join(str(t["mentees"]) for t in p["terms"]) or "0", total("home_visit"), total("talk"),
            total("growth_message"), p["class_team"]["meetings_attended"], p["studios"]["sessions_attended"],
            len(p["cases"]), p["support_teams"]["served"]]  # fmt: skip


def portfolios_xlsx(summary: dict) -> bytes:
    """The school's summary for the annual assessment: one row per teacher, by name (the store's order)."""
    rows = [portfolio_row(p) for p in summary["teachers"]]
    training = [[p["staff_id"], p["name"], r["course"], r["tier"], "已完成" if r["completed"] else "未完成", r["hours"]]
                for p in summary["teachers"] for r in p["training"]]  # fmt: skip
    return xlsx_bytes({
        "导师工作汇总": (PORTFOLIO_HEADER, rows),
        "培训学时明细": (["工号", "姓名", "课程", "层级", "是否完成", "学时"], training),
        "说明": (["项目", "内容"], [["学校", summary["school_name"]], ["学年", summary["school_year"]],
                                ["说明", "按姓名排列，仅为工作记录的次数汇总，不作排名；不含任何学生信息"]]),
    })  # fmt: skip
