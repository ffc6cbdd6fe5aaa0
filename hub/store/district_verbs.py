"""The district's side of the plan (issue 22): schools' implementation plans (一校一策), the district dashboard,
mentors' work portfolios (导师工作档案) and the district's calendar of milestones.

- **Plans.** A school admin or school leader fills in the plan's seven headings (``PLAN_HEADINGS``) and
  submits it (上报): each submission is kept as a version with the school's figures as the platform counts
  them that day (staff, students, the ratio, classes by stage). District staff (role ``district``) list
  every school's plan and status, comment, ask for changes or file it (备案). Every step is audited.
- **Dashboard.** Per school and stage: coverage (a primary mentor for every student, mentors over 15
  mentees, special-needs students with a mentor from the priority roles), the term's 三个一 so far, training
  (学时 by course and tier), 导师团 and studio activity. Schools in one fixed order (their ids), never sorted
  by a figure; groups of fewer than ``dashboards.MIN_CELL`` people blanked as on the research dashboard.
- **Portfolios.** Per teacher and school year: counts only, no student named, no score, no ranking.
- **Milestones.** The district's staged schedule; each role sees the steps that concern it and whether its
  school has met the ones the platform can check.

The role ``district`` has no entry in the access table for any action that names a student: whatever it
reads here is aggregate or a school's own text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pandas as pd
from sqlalchemy import case, distinct, func, intersect, literal, or_, select

from hub.cases import dashboards
from hub.pii import find_id_and_phone_numbers

from . import access
from .access import Actor
from .district_models import (
    PLAN_STATUSES,
    DistrictMilestone,
    SchoolPlan,
    SchoolPlanReview,
    SchoolPlanVersion,
)
from .errors import Conflict, Forbidden, Invalid, NotFound
from .models import (
    DEFAULT_MAX_MENTEES,
    Account,
    Case,
    MentorAssignment,
    MentorTeam,
    MentorTeamMember,
    Record,
    School,
    SchoolClass,
    Staff,
    Student,
    Studio,
    StudioMember,
    StudioSession,
    Term,
    TrainingResult,
    utcnow,
)
from .team_models import ClassTeamMeeting
from .validation import check_text, echo

#: The headings of a school's implementation plan, in the plan's order.
PLAN_HEADINGS = {
    "goals": "工作目标", "organisation": "组织架构", "matching": "匹配机制", "duties": "职责任务",
    "requirements": "工作要求", "training": "研训制度", "incentives": "激励保障",
}  # fmt: skip
PLAN_TEXT_MAX = 5000
PLAN_TEXT_MIN = 20  # on submission: a heading needs at least this many characters
STATUS_LABELS = {"none": "未提交", "draft": "未提交", "submitted": "已提交", "changes_requested": "需修改",
                 "filed": "已备案"}  # fmt: skip
REVIEW_ACTIONS = {"comment": "意见", "request_changes": "需修改", "file": "备案"}
REVIEW_TEXT_MAX = 2000
#: Stages by grade (Shanghai: 小学 1-5, 初中 6-9, 高中 10-12); the dashboard's fixed order.
STAGES = ("小学", "初中", "高中")
#: Roles the plan asks to mentor students with special guidance needs first.
PRIORITY_ROLES = ("leader", "middle_manager", "head_teacher", "psychology")
MENTEE_LIMIT = DEFAULT_MAX_MENTEES  # 1:15
TRI_ONE = {"home_visit": "home_visit", "talk": "talk", "growth_message": "message"}
MILESTONE_CHECKS = ("", "plan_drafted", "plan_submitted", "matching", "home_visits")
MILESTONE_MAX = 40


def stage_of(grade: int) -> str:
    return STAGES[0] if grade <= 5 else STAGES[1] if grade <= 9 else STAGES[2]


def district_error(kind: type, chinese: str, english: str, field: str | None = None):
    return kind(english, chinese, field)


def _text(value, field: str, label: str, limit: int, *, required: bool = False, minimum: int = 0) -> str:
    """A plan's or a review's text: valid Unicode, no ID-card or phone numbers, within limits; the Chinese
    message names the heading."""
    if value is None:
        value = ""
    value = check_text(value, field, label).strip()
    if len(value) > limit:
        raise Invalid(f"{field} is longer than {limit} characters", f"“{label}”超过 {limit} 字的上限，请精简", field)
    if required and len(value) < max(minimum, 1):
        raise Invalid(f"{field} needs at least {minimum} characters",
                      f"“{label}”尚未填写或过短（至少 {minimum} 字），请补充后再提交", field)  # fmt: skip
    if value and any(found.kind in ("id_card", "phone") for found in find_id_and_phone_numbers(value)):
        raise Invalid(f"{field} holds an ID-card or phone number",
                      f"“{label}”中含有身份证号或电话号码，学校实施方案不应包含个人信息，请删除", field)  # fmt: skip
    return value


def check_plan_sections(payload, *, complete: bool) -> dict[str, str]:
    """The headings of a plan as stored; ``complete``: every heading filled in (for submission)."""
    if not isinstance(payload, dict):
        raise Invalid("sections must be an object", "方案内容格式不正确：应为各部分标题到正文的对应", "sections")
    unknown = [key for key in payload if key not in PLAN_HEADINGS]
    if unknown:
        raise Invalid(f"unknown plan heading {echo(unknown[0])}", f"方案中没有“{echo(unknown[0])}”这一部分", echo(unknown[0]))
    return {key: _text(payload.get(key), key, label, PLAN_TEXT_MAX, required=complete, minimum=PLAN_TEXT_MIN)
            for key, label in PLAN_HEADINGS.items()}  # fmt: skip


def school_year_of(term: Term) -> str:
    return term.academic_year


class DistrictVerbs:
    """Mixin for ``RecordStore``."""

    # --- helpers --------------------------------------------------------------------------------
    def _current_school_year(self, school_year: str | None) -> str:
        if school_year:
            return check_text(school_year, "school_year", "学年")[:16]
        return school_year_of(self.current_term())

    def _plan_schools(self, actor: Actor, action: str) -> list[str] | None:
        """None: every school; else the schools the caller's scope covers (403 when none)."""
        reach = access.reach(actor, action)
        if reach.everything:
            return None
        if reach.school_ids:
            return sorted(reach.school_ids)
        raise district_error(Forbidden, "您没有查看或填写学校实施方案的权限", "no access to school plans")

    def _plan_school(self, actor: Actor, action: str, school_id: str | None) -> str:
        schools = self._plan_schools(actor, action)
        if not school_id:
            if schools and len(schools) == 1:
                return schools[0]
            raise Invalid("school is required", "请指定学校", "school_id")
        if schools is not None and school_id not in schools:
            raise district_error(NotFound, f"找不到学校 {echo(school_id)} 的实施方案，或不在您的范围内",
                                 "school plan not found", "school_id")  # fmt: skip
        return school_id

    # --- the school's figures (filled in from the platform) --------------------------------------
    def school_figures(self, school_id: str, session=None) -> dict:
        """Staff, students, the ratio, classes by stage and mentoring in the current term of one school."""
        if session is None:
            with self.reading() as s:
                return self.school_figures(school_id, s)
        s = session
        school = s.get(School, school_id)
        if school is None:
            raise district_error(NotFound, f"找不到学校 {echo(school_id)}", "school not found", "school_id")
        staff = s.scalar(select(func.count()).select_from(Staff).where(Staff.school_id == school_id,
                                                                        Staff.active.is_(True)))  # fmt: skip
        students = s.scalar(select(func.count()).select_from(Student).where(Student.school_id == school_id,
                                                                            Student.active.is_(True)))  # fmt: skip
        grades = s.execute(select(SchoolClass.grade, func.count()).where(SchoolClass.school_id == school_id)
                           .group_by(SchoolClass.grade)).all()  # fmt: skip
        by_stage = {stage: 0 for stage in STAGES}
        for grade, count in grades:
            by_stage[stage_of(grade)] += count
        term = self._current_term_in(s)
        mentors = matched = 0
        if term is not None:
            mentors = s.scalar(select(func.count(distinct(MentorAssignment.staff_id))).join(
                Staff, Staff.staff_id == MentorAssignment.staff_id).where(
                MentorAssignment.term_id == term.term_id, Staff.school_id == school_id))  # fmt: skip
            matched = s.scalar(select(func.count(distinct(MentorAssignment.student_id))).join(
                Student, Student.student_id == MentorAssignment.student_id).where(
                MentorAssignment.term_id == term.term_id, MentorAssignment.kind == "primary",
                Student.school_id == school_id, Student.active.is_(True)))  # fmt: skip
        return {
            "school_id": school_id, "school_name": school.name, "stage": school.stage or "",
            "staff": staff, "students": students,
            "ratio": f"1:{students / staff:.1f}" if staff else "—",
            "classes": {stage: n for stage, n in by_stage.items() if n},
            "mentors": mentors, "students_with_mentor": matched,
            "term_id": term.term_id if term else None, "counted_on": self.today().isoformat(),
        }  # fmt: skip

    # --- plans ----------------------------------------------------------------------------------
    def _school_plan_row(self, s, school_id: str, school_year: str) -> SchoolPlan | None:
        return s.scalar(select(SchoolPlan).where(SchoolPlan.school_id == school_id,
                                                 SchoolPlan.school_year == school_year))  # fmt: skip

    def _school_plan_dict(self, s, plan: SchoolPlan | None, school: School, school_year: str, *, full: bool) -> dict:
        status = plan.status if plan else "none"
        out = {"school_id": school.school_id, "school_name": school.name, "school_year": school_year,
               "status": status, "status_label": STATUS_LABELS[status], "version": plan.version if plan else 0,
               "updated_at": plan.updated_at.isoformat() if plan else None,
               "submitted_at": plan.submitted_at.isoformat() if plan and plan.submitted_at else None}  # fmt: skip
        if not full:
            return out
        versions = list(s.scalars(select(SchoolPlanVersion).where(SchoolPlanVersion.plan_id == plan.plan_id)
                                  .order_by(SchoolPlanVersion.version))) if plan else []  # fmt: skip
        reviews = list(s.scalars(select(SchoolPlanReview).where(SchoolPlanReview.plan_id == plan.plan_id)
                                 .order_by(SchoolPlanReview.at, SchoolPlanReview.review_id))) if plan else []  # fmt: skip
        out.update({
            "headings": PLAN_HEADINGS,
            "sections": {key: (plan.sections or {}).get(key, "") if plan else "" for key in PLAN_HEADINGS},
            "figures": self.school_figures(school.school_id, s),
            "versions": [{"version": v.version, "submitted_by": v.submitted_by,
                          "submitted_at": v.submitted_at.isoformat(), "sections": v.sections, "figures": v.figures}
                         for v in versions],
            "reviews": [{"version": r.version, "action": r.action, "action_label": REVIEW_ACTIONS[r.action],
                         "text": r.text, "author": r.author, "at": r.at.isoformat()} for r in reviews],
        })  # fmt: skip
        return out

    def find_school_plans(self, actor: Actor, school_year: str | None = None) -> list[dict]:
        """Every school's plan and status in the caller's scope, schools in their fixed order."""
        schools = self._plan_schools(actor, access.SCHOOL_PLAN_READ)
        year = self._current_school_year(school_year)
        with self.reading() as s:
            query = select(School).order_by(School.school_id)
            if schools is not None:
                query = query.where(School.school_id.in_(schools))
            plans = {p.school_id: p for p in s.scalars(select(SchoolPlan).where(SchoolPlan.school_year == year))}
            return [self._school_plan_dict(s, plans.get(school.school_id), school, year, full=False)
                    for school in s.scalars(query)]  # fmt: skip

    def find_school_plan(self, actor: Actor, school_id: str | None = None, school_year: str | None = None) -> dict:
        school_id = self._plan_school(actor, access.SCHOOL_PLAN_READ, school_id)
        year = self._current_school_year(school_year)
        with self.reading() as s:
            school = s.get(School, school_id)
            if school is None:
                raise district_error(NotFound, f"找不到学校 {echo(school_id)}", "school not found", "school_id")
            return self._school_plan_dict(s, self._school_plan_row(s, school_id, year), school, year, full=True)

    def save_school_plan(self, actor: Actor, school_id: str | None, payload) -> dict:
        """The school's working draft (partial headings allowed); a filed plan is not changed."""
        school_id = self._plan_school(actor, access.SCHOOL_PLAN_WRITE, school_id)
        if not isinstance(payload, dict):
            raise Invalid("body must be an object", "提交的内容格式不正确", None)
        year = self._current_school_year(payload.get("school_year"))
        sections = check_plan_sections(payload.get("sections", {}), complete=False)
        with self.writing() as s:
            plan = self._school_plan_row(s, school_id, year)
            if plan is None:
                plan = SchoolPlan(school_id=school_id, school_year=year, status="draft", sections={}, version=0)
                s.add(plan)
            elif plan.status == "filed":
                raise district_error(Conflict, "本学年的实施方案已备案，不能再修改", "the plan is filed", "status")
            elif plan.status == "submitted":
                raise district_error(Conflict, "实施方案已上报，正在等待区德育科审阅；如需修改请等待反馈",
                                     "the plan is submitted and waiting for review", "status")  # fmt: skip
            plan.sections = {**(plan.sections or {}), **{k: v for k, v in sections.items()
                                                         if k in payload.get("sections", {})}}  # fmt: skip
            plan.updated_by, plan.updated_at = actor.username, utcnow()
            self._audit(s, actor, "school_plan.save", "school", school_id, detail={"school_year": year})
            s.flush()
            return self._school_plan_dict(s, plan, s.get(School, school_id), year, full=True)

    def submit_school_plan(self, actor: Actor, school_id: str | None, payload=None) -> dict:
        """上报: every heading filled in; a new version with the day's figures; status 已提交."""
        school_id = self._plan_school(actor, access.SCHOOL_PLAN_WRITE, school_id)
        payload = payload if isinstance(payload, dict) else {}
        year = self._current_school_year(payload.get("school_year"))
        with self.writing() as s:
            plan = self._school_plan_row(s, school_id, year)
            if plan is None:
                raise district_error(Invalid, "请先填写实施方案再上报", "nothing to submit", "sections")
            if plan.status in ("submitted", "filed"):
                raise district_error(Conflict, f"实施方案{STATUS_LABELS[plan.status]}，不能重复上报",
                                     "already submitted", "status")  # fmt: skip
            sections = check_plan_sections(plan.sections or {}, complete=True)
            plan.version += 1
            plan.status, plan.submitted_at = "submitted", utcnow()
            plan.updated_by, plan.updated_at = actor.username, plan.submitted_at
            s.add(SchoolPlanVersion(plan_id=plan.plan_id, version=plan.version, sections=sections,
                                    figures=self.school_figures(school_id, s), submitted_by=actor.username,
                                    submitted_at=plan.submitted_at))  # fmt: skip
            self._audit(s, actor, "school_plan.submit", "school", school_id,
                        detail={"school_year": year, "version": plan.version})  # fmt: skip
            s.flush()
            return self._school_plan_dict(s, plan, s.get(School, school_id), year, full=True)

    def review_school_plan(self, actor: Actor, school_id: str, payload) -> dict:
        """The district's comment, request for changes (需修改) or filing (备案) of the submitted version."""
        if not access.permits(actor, access.SCHOOL_PLAN_REVIEW):
            raise district_error(Forbidden, "只有区德育科可以审阅学校实施方案", "only the district reviews plans")
        if not isinstance(payload, dict):
            raise Invalid("body must be an object", "提交的内容格式不正确", None)
        action = payload.get("action")
        if action not in REVIEW_ACTIONS:
            raise Invalid("unknown review action", "审阅操作应为：" + "、".join(f"{k}（{v}）" for k, v in REVIEW_ACTIONS.items()),
                          "action")  # fmt: skip
        text = _text(payload.get("text"), "text", "审阅意见", REVIEW_TEXT_MAX, required=action != "file", minimum=2)
        year = self._current_school_year(payload.get("school_year"))
        with self.writing() as s:
            plan = self._school_plan_row(s, school_id, year) if isinstance(school_id, str) else None
            if plan is None or plan.version == 0:
                raise district_error(NotFound, "该校本学年尚未上报实施方案", "no submitted plan", "school_id")
            if action != "comment" and plan.status != "submitted":
                raise district_error(Conflict, f"实施方案当前为“{STATUS_LABELS[plan.status]}”，只能对已提交的方案提出修改或备案",
                                     "only a submitted plan can be sent back or filed", "status")  # fmt: skip
            s.add(SchoolPlanReview(plan_id=plan.plan_id, version=plan.version, action=action, text=text,
                                   author=actor.username))  # fmt: skip
            if action == "request_changes":
                plan.status = "changes_requested"
            elif action == "file":
                plan.status = "filed"
            plan.updated_at = utcnow()
            self._audit(s, actor, f"school_plan.{action}", "school", school_id,
                        detail={"school_year": year, "version": plan.version})  # fmt: skip
            s.flush()
            return self._school_plan_dict(s, plan, s.get(School, school_id), year, full=True)

    def find_school_plan_docx(self, actor: Actor, school_id: str | None, version: int | None = None,
                              school_year: str | None = None) -> tuple[bytes, str]:  # fmt: skip
        """The plan as a .docx (a submitted version, or the working draft when ``version`` is None/0)."""
        from hub.district_docs import plan_docx

        plan = self.find_school_plan(actor, school_id, school_year)
        if version:
            chosen = next((v for v in plan["versions"] if v["version"] == version), None)
            if chosen is None:
                raise district_error(NotFound, f"找不到第 {echo(version)} 版", "version not found", "version")
            sections, figures = chosen["sections"], chosen["figures"]
        else:
            sections, figures = plan["sections"], plan["figures"]
        data = plan_docx(plan["school_name"], plan["school_year"], PLAN_HEADINGS, sections, figures)
        suffix = f"-第{version}版" if version else "-草稿"
        return data, f"{plan['school_name']}全员导师制工作学校实施方案-{plan['school_year']}{suffix}.docx"

    # --- the district dashboard -------------------------------------------------------------------
    def find_district_dashboard(self, actor: Actor, term_id: str | None = None) -> dict:
        if not access.permits(actor, access.DISTRICT_DASHBOARD):
            raise district_error(Forbidden, "区级看板只对区德育科和平台管理员开放", "district dashboard: district staff only")
        term = self.find_term(term_id) if term_id else self.current_term()
        return self.compute_district_dashboard(term)

    def compute_district_dashboard(self, term: Term) -> dict:
        """Every figure of the district dashboard for ``term``, computed now (no cache: a write shows at once).
        The database hands over sets of student ids (each from a covering index) and a few grouped rows; the
        per-class counting is one vectorised pandas pass over the active students."""
        with self.reading() as s:
            conn = s.connection()
            schools = [(row.school_id, row.name) for row in conn.execute(
                select(School.school_id, School.name).order_by(School.school_id))]  # fmt: skip
            classes = pd.DataFrame(conn.execute(select(SchoolClass.class_id, SchoolClass.school_id, SchoolClass.grade)).all(),
                                   columns=["class", "school", "grade"])  # fmt: skip
            per_class = self._per_class_counts(conn, term)
            loads = self._mentor_loads(conn, term)
            training = self._training_rows(conn)
            activity = self._activity_rows(conn, term)
        names = dict(schools)
        order = [school_id for school_id, _ in schools]
        per_class = per_class.merge(classes, on="class", how="left")
        per_class["stage"] = per_class["grade"].fillna(0).astype(int).map(stage_of)
        figures = [*dashboards.TRI_ONE_KINDS, "all_three"]
        tables = {
            "coverage": _per_school_stage(per_class, ["students", "with_mentor", "special_needs", "special_with_priority"],
                                          order, names, shares={"with_mentor_share": ("with_mentor", "students"),
                                                                "special_priority_share": ("special_with_priority",
                                                                                           "special_needs")}),
            "tri_one": _per_school_stage(per_class, ["students", *figures], order, names,
                                         shares={f"{k}_share": (k, "students") for k in figures}),
            "mentors": self._mentor_table(loads, order, names),
            "training": self._training_table(training, order, names),
            "activity": self._activity_table(activity, order, names),
        }  # fmt: skip
        return {"term_id": term.term_id, "school_year": term.academic_year, "min_cell": dashboards.MIN_CELL,
                "schools": [{"school_id": sid, "name": name} for sid, name in schools],
                "computed_at": utcnow().isoformat(timespec="seconds"),
                "tables": {key: _rows(table) for key, table in tables.items()}}  # fmt: skip

    @staticmethod
    def _per_class_counts(conn, term) -> pd.DataFrame:
        """Per class: active students; with a primary mentor this term; special-needs students (needs_mentors > 1)
        and those of them with a mentor of the priority roles; with a home visit, a talk, a 成长寄语, all three.
        Each figure is one GROUP BY in the database over a set of student ids (the 三个一 sets are walks along
        the covering index of (term, kind, student); all three is their INTERSECT): a few hundred rows leave it."""
        active = Student.active.is_(True)
        base = conn.execute(select(Student.class_id, func.count(), func.sum(case((Student.needs_mentors > 1, 1), else_=0)))
                            .where(active).group_by(Student.class_id)).all()  # fmt: skip
        frame = pd.DataFrame([tuple(r) for r in base], columns=["class", "students", "special_needs"]).set_index("class")

        def per_class(ids, name: str) -> None:
            ids = ids.subquery()
            rows = conn.execute(select(Student.class_id, func.count()).join(ids, ids.c.student_id == Student.student_id)
                                .where(active).group_by(Student.class_id)).all()  # fmt: skip
            frame[name] = pd.Series({c: n for c, n in rows}, dtype="int64").reindex(frame.index).fillna(0).astype(int)

        per_class(select(MentorAssignment.student_id).where(MentorAssignment.term_id == term.term_id,
                                                            MentorAssignment.kind == "primary"), "with_mentor")  # fmt: skip
        roles = literal(";") + Staff.roles + literal(";")
        per_class(select(MentorAssignment.student_id).distinct()
                  .join(Staff, Staff.staff_id == MentorAssignment.staff_id)
                  .join(Student, Student.student_id == MentorAssignment.student_id)
                  .where(MentorAssignment.term_id == term.term_id, Student.needs_mentors > 1,
                         or_(*(roles.like(f"%;{role};%") for role in PRIORITY_ROLES))), "special_with_priority")  # fmt: skip
        done = {kind: select(Record.student_id).distinct().where(Record.term_id == term.term_id, Record.kind == kind,
                                                                  Record.deleted_at.is_(None)) for kind in TRI_ONE}  # fmt: skip
        for kind, name in TRI_ONE.items():
            per_class(done[kind], name)
        per_class(intersect(*done.values()), "all_three")
        return frame.rename_axis("class").reset_index()

    @staticmethod
    def _mentor_loads(conn, term) -> pd.DataFrame:
        """(school, mentor, mentees this term) of every mentor with at least one mentee."""
        query = (select(Staff.school_id, MentorAssignment.staff_id, func.count(distinct(MentorAssignment.student_id)))
                 .join(Staff, Staff.staff_id == MentorAssignment.staff_id)
                 .where(MentorAssignment.term_id == term.term_id).group_by(Staff.school_id, MentorAssignment.staff_id))  # fmt: skip
        return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=["school", "mentor", "mentees"])

    @staticmethod
    def _training_rows(conn) -> pd.DataFrame:
        """Per school and course: teachers with a result, how many completed, 学时 earned (grouped by SQL)."""
        query = (select(Staff.school_id, TrainingResult.course_id, TrainingResult.course_title,
                        func.count(distinct(TrainingResult.staff_id)),
                        func.sum(case((TrainingResult.completed.is_(True), 1), else_=0)),
                        func.coalesce(func.sum(TrainingResult.hours), 0.0))
                 .join(Staff, Staff.staff_id == TrainingResult.staff_id).where(Staff.active.is_(True))
                 .group_by(Staff.school_id, TrainingResult.course_id, TrainingResult.course_title))  # fmt: skip
        frame = pd.DataFrame([tuple(r) for r in conn.execute(query)],
                             columns=["school", "course_id", "course", "teachers", "completed", "hours"])
        tiers = course_tiers()
        frame["tier"] = [tiers.get(course, "") for course in frame["course_id"]]
        return frame

    @staticmethod
    def _activity_rows(conn, term) -> dict:
        """Per school: 导师团 meetings in the term and the students discussed (codes counted, none named);
        studio sessions (a school's studios; district studios under ``""``) and the cases they discussed."""
        meetings = conn.execute(
            select(SchoolClass.school_id, ClassTeamMeeting.student_codes)
            .join(SchoolClass, SchoolClass.class_id == ClassTeamMeeting.class_id)
            .where(ClassTeamMeeting.meeting_date >= term.start_date, ClassTeamMeeting.meeting_date <= term.end_date)
        ).all()  # fmt: skip
        sessions = conn.execute(
            select(Studio.school_id, StudioSession.case_ids).join(Studio, Studio.studio_id == StudioSession.studio_id)
            .where(StudioSession.date >= term.start_date, StudioSession.date <= term.end_date)
        ).all()  # fmt: skip
        out = defaultdict(lambda: Counter())
        for school, codes in meetings:
            out[school]["team_meetings"] += 1
            out[school]["team_students_discussed"] += len(codes or [])
        for school, cases in sessions:
            out[school or ""]["studio_sessions"] += 1
            out[school or ""]["studio_cases"] += len(cases or [])
        return out

    # tables (pure pandas over the few rows above)
    @staticmethod
    def _mentor_table(loads: pd.DataFrame, order: list, names: dict) -> pd.DataFrame:
        grouped = loads.assign(over=loads["mentees"] > MENTEE_LIMIT).groupby("school").agg(
            mentors=("mentor", "size"), over_limit=("over", "sum"), mean_mentees=("mentees", "mean"))
        table = grouped.reindex(order).fillna({"mentors": 0, "over_limit": 0, "mean_mentees": 0.0})
        table = table.rename_axis("school").reset_index()
        table.insert(1, "school_name", table["school"].map(names))
        table[["mentors", "over_limit"]] = table[["mentors", "over_limit"]].astype(int)
        return dashboards.suppress(table, "mentors", ["over_limit", "mean_mentees"])

    @staticmethod
    def _training_table(frame: pd.DataFrame, order: list, names: dict) -> pd.DataFrame:
        columns = ["school", "school_name", "course", "tier", "teachers", "completed", "hours", "completed_share"]
        position = {school: n for n, school in enumerate(order)}
        table = frame[frame["school"].isin(position)].copy()
        table["position"] = table["school"].map(position)
        table = table.sort_values(["position", "course", "tier"], kind="stable")
        table["school_name"] = table["school"].map(names)
        table["hours"] = table["hours"].astype(float)
        table["completed_share"] = table["completed"] / table["teachers"]
        table = table[columns].reset_index(drop=True)
        return dashboards.suppress(table, "teachers", ["completed", "hours", "completed_share"])

    @staticmethod
    def _activity_table(activity: dict, order: list, names: dict) -> pd.DataFrame:
        keys = ["team_meetings", "team_students_discussed", "studio_sessions", "studio_cases"]
        rows = [{"school": school, "school_name": names[school], **{k: activity.get(school, {}).get(k, 0) for k in keys}}
                for school in order]  # fmt: skip
        district = activity.get("", {})
        rows.append({"school": "", "school_name": "区级工作室", **{k: district.get(k, 0) for k in keys}})
        return pd.DataFrame(rows, columns=["school", "school_name", *keys])

    # --- portfolios (导师工作档案) ---------------------------------------------------------------------
    def _year_terms(self, s, school_year: str) -> list[Term]:
        return list(s.scalars(select(Term).where(Term.academic_year == school_year).order_by(Term.start_date)))

    def find_portfolio(self, actor: Actor, staff_id: str | None = None, school_year: str | None = None) -> dict:
        """One teacher's 导师工作档案 for a school year: their own, or (school leaders and admins) a teacher of
        their school. Counts only; no student appears."""
        year = self._current_school_year(school_year)
        staff_id = staff_id or actor.staff_id
        with self.reading() as s:
            staff = s.get(Staff, staff_id) if isinstance(staff_id, str) else None
            if staff is None or not self._may_read_portfolio(actor, staff):
                raise district_error(NotFound, "找不到该教师的导师工作档案，或不在您的范围内", "portfolio not found",
                                     "staff_id")  # fmt: skip
            return self._portfolio(s, staff, year)

    @staticmethod
    def _may_read_portfolio(actor: Actor, staff: Staff) -> bool:
        if actor.staff_id == staff.staff_id:
            return True
        return staff.school_id in access.reach(actor, access.PORTFOLIO_READ).school_ids

    def _portfolio(self, s, staff: Staff, year: str) -> dict:
        terms = self._year_terms(s, year)
        start, end = year_span(year, terms)
        usernames = {staff.staff_id, *s.scalars(select(Account.username).where(Account.staff_id == staff.staff_id))}
        tiers = course_tiers()
        training = []
        for result in s.scalars(select(TrainingResult).where(TrainingResult.staff_id == staff.staff_id)
                                .order_by(TrainingResult.course_id)):  # fmt: skip
            if start is None or not start <= result.updated_at.date() <= end:
                continue
            training.append({"course_id": result.course_id, "course": result.course_title,
                             "tier": tiers.get(result.course_id, ""), "completed": bool(result.completed),
                             "hours": float(result.hours)})  # fmt: skip
        by_term = []
        for term in terms:
            kinds = dict(s.execute(select(Record.kind, func.count()).where(
                Record.term_id == term.term_id, Record.author.in_(sorted(usernames)), Record.deleted_at.is_(None),
                Record.kind.in_(list(TRI_ONE))).group_by(Record.kind)).all())  # fmt: skip
            mentees = s.scalar(select(func.count(distinct(MentorAssignment.student_id))).where(
                MentorAssignment.term_id == term.term_id, MentorAssignment.staff_id == staff.staff_id))  # fmt: skip
            by_term.append({"term_id": term.term_id, "mentees": mentees,
                            **{kind: int(kinds.get(kind, 0)) for kind in TRI_ONE}})  # fmt: skip
        meetings = []
        if start:
            meetings = s.execute(select(ClassTeamMeeting.attendees, ClassTeamMeeting.author).join(
                SchoolClass, SchoolClass.class_id == ClassTeamMeeting.class_id).where(
                SchoolClass.school_id == staff.school_id, ClassTeamMeeting.meeting_date >= start,
                ClassTeamMeeting.meeting_date <= end)).all()  # fmt: skip
        attended = sum(1 for attendees, author in meetings if staff.staff_id in (attendees or []) or author in usernames)
        led = sum(1 for _, author in meetings if author in usernames)
        sessions = []
        if start:
            sessions = s.execute(select(StudioSession.attendance, StudioSession.studio_id).where(
                StudioSession.date >= start, StudioSession.date <= end)).all()  # fmt: skip
        studios = sorted(set(s.scalars(select(StudioMember.studio_id).where(StudioMember.username.in_(sorted(usernames))))))
        studio_sessions = sum(1 for attendance, _ in sessions if usernames & set(attendance or []))
        cases = [{"case_id": c.case_id, "title": c.title, "status": c.status}
                 for c in s.scalars(select(Case).where(Case.author.in_(sorted(usernames))).order_by(Case.case_id))
                 if start is not None and start <= c.created_at.date() <= end]  # fmt: skip
        term_ids = [t.term_id for t in terms]
        teams = s.execute(select(MentorTeam.team_id, MentorTeam.lead_staff_id).outerjoin(
            MentorTeamMember, MentorTeamMember.team_id == MentorTeam.team_id).where(
            MentorTeam.term_id.in_(term_ids),
            or_(MentorTeam.lead_staff_id == staff.staff_id, MentorTeamMember.staff_id == staff.staff_id))
            .distinct()).all() if term_ids else []  # fmt: skip
        return {
            "staff_id": staff.staff_id, "name": staff.name, "school_id": staff.school_id,
            "school_name": (s.get(School, staff.school_id).name if s.get(School, staff.school_id) else ""),
            "school_year": year,
            "training": training,
            "training_hours": round(sum(r["hours"] for r in training), 2),
            "hours_by_tier": {tier: round(sum(r["hours"] for r in training if r["tier"] == tier), 2)
                              for tier in sorted({r["tier"] for r in training})},
            "terms": by_term,
            "class_team": {"meetings_attended": attended, "meetings_recorded": led},
            "studios": {"member_of": studios, "sessions_attended": studio_sessions},
            "cases": cases,
            "support_teams": {"served": len({t for t, _ in teams}),
                              "as_lead": len({t for t, lead in teams if lead == staff.staff_id})},
        }  # fmt: skip

    def find_school_portfolios(self, actor: Actor, school_id: str | None = None, school_year: str | None = None) -> dict:
        """Every active teacher's portfolio of a school (school leaders and admins), by name (never by a figure)."""
        reach = access.reach(actor, access.PORTFOLIO_READ)
        schools = sorted(reach.school_ids)
        if not schools:
            raise district_error(Forbidden, "只有本校的校领导和学校管理员可以查看全校教师的导师工作档案",
                                 "school portfolios: the school's leaders and admins only")  # fmt: skip
        school_id = school_id or schools[0]
        if school_id not in schools:
            raise district_error(NotFound, f"找不到学校 {echo(school_id)}，或不在您的范围内", "school not found", "school_id")
        year = self._current_school_year(school_year)
        with self.reading() as s:
            staff = list(s.scalars(select(Staff).where(Staff.school_id == school_id, Staff.active.is_(True))
                                   .order_by(Staff.name, Staff.staff_id)))  # fmt: skip
            school = s.get(School, school_id)
            portfolios = [self._portfolio(s, member, year) for member in staff]
        return {"school_id": school_id, "school_name": school.name, "school_year": year, "teachers": portfolios}

    # --- milestones -------------------------------------------------------------------------------
    def put_milestones(self, actor: Actor, school_year: str | None, items) -> list[dict]:
        """Replace the district's milestones of a school year (district staff), all or nothing."""
        if not access.permits(actor, access.MILESTONE_WRITE):
            raise district_error(Forbidden, "只有区德育科可以编辑区级时间节点", "milestones: district staff only")
        year = self._current_school_year(school_year)
        if not isinstance(items, list) or len(items) > MILESTONE_MAX:
            raise Invalid("milestones must be a list", f"时间节点应为列表，最多 {MILESTONE_MAX} 项", "milestones")
        rows = [check_milestone(item, n) for n, item in enumerate(items, 1)]
        with self.writing() as s:
            for old in s.scalars(select(DistrictMilestone).where(DistrictMilestone.school_year == year)):
                s.delete(old)
            s.flush()
            s.add_all(DistrictMilestone(school_year=year, **row) for row in rows)
            self._audit(s, actor, "milestones.put", "school_year", year, detail={"milestones": len(rows)})
        return self.find_milestones(actor, year)

    def add_default_milestones(self, school_year: str, first_day: dt.date) -> int:
        """The plan's staged schedule as the district's template for a school year (demo, new districts)."""
        rows = default_milestones(first_day)
        with self.writing() as s:
            s.add_all(DistrictMilestone(school_year=school_year, **row) for row in rows)
        return len(rows)

    def find_milestones(self, actor: Actor, school_year: str | None = None) -> list[dict]:
        """The milestones that concern the caller's roles (district staff and admins: all), in date order, each
        with whether the caller's school has met it (``met``: True/False; None when the platform cannot tell);
        district staff get how many schools have met each."""
        year = self._current_school_year(school_year)
        everyone = bool(actor.roles & {"district", "admin"})
        with self.reading() as s:
            items = list(s.scalars(select(DistrictMilestone).where(DistrictMilestone.school_year == year)
                                   .order_by(DistrictMilestone.due_date, DistrictMilestone.milestone_id)))  # fmt: skip
            schools = [row for row in s.scalars(select(School.school_id).order_by(School.school_id))]
            term = self._current_term_in(s)
            mine = sorted(actor.school_ids)
            met: dict[str, set[str]] = {}
            out = []
            for item in items:
                if not everyone and not (set(item.audience or []) & actor.roles):
                    continue
                entry = {"milestone_id": item.milestone_id, "title": item.title, "description": item.description,
                         "start_date": item.start_date.isoformat() if item.start_date else None,
                         "due_date": item.due_date.isoformat(), "audience": item.audience, "check": item.check,
                         "overdue": item.due_date < self.today()}  # fmt: skip
                if item.check:
                    if item.check not in met:
                        met[item.check] = self._schools_meeting(s, item.check, year, term, mine or None)
                    if mine:
                        entry["met"] = set(mine) <= met[item.check]
                    elif everyone:
                        entry["schools_met"] = len(met[item.check] & set(schools))
                        entry["schools"] = len(schools)
                else:
                    entry["met"] = None
                out.append(entry)
        return out

    def _schools_meeting(self, s, check: str, year: str, term: Term | None, schools: list[str] | None) -> set[str]:
        """The schools (of ``schools``; None: all) that have met a milestone's check, each check one or two
        GROUP BY queries whatever the number of schools."""
        def scoped(query, column):
            return query.where(column.in_(schools)) if schools is not None else query

        if check in ("plan_drafted", "plan_submitted"):
            plans = s.scalars(scoped(select(SchoolPlan).where(SchoolPlan.school_year == year), SchoolPlan.school_id))
            if check == "plan_drafted":
                return {p.school_id for p in plans
                        if p.version > 0 or all((p.sections or {}).get(k) for k in PLAN_HEADINGS)}  # fmt: skip
            return {p.school_id for p in plans if p.version > 0 and p.status in ("submitted", "filed", "changes_requested")}
        if term is None:
            return set()
        active = Student.active.is_(True)
        totals = dict(s.execute(scoped(select(Student.school_id, func.count()).where(active), Student.school_id)
                                .group_by(Student.school_id)).all())  # fmt: skip
        if check == "matching":
            done = select(MentorAssignment.student_id).where(MentorAssignment.term_id == term.term_id,
                                                             MentorAssignment.kind == "primary")  # fmt: skip
        else:  # home_visits
            done = select(Record.student_id).distinct().where(Record.term_id == term.term_id, Record.kind == "home_visit",
                                                              Record.deleted_at.is_(None))  # fmt: skip
        done = done.subquery()
        counts = dict(s.execute(scoped(select(Student.school_id, func.count()).join(done, done.c.student_id == Student.student_id)
                                       .where(active), Student.school_id).group_by(Student.school_id)).all())  # fmt: skip
        return {school for school, total in totals.items() if total and counts.get(school, 0) >= total}


def year_span(school_year: str, terms: list[Term]) -> tuple[dt.date | None, dt.date | None]:
    """The days of a school year: 1 August to 31 July for a year written "2026-2027" (summer training counts
    towards the year it prepares), else from its first term's first day to its last term's last day."""
    match = re.fullmatch(r"(\d{4})-(\d{4})", school_year)
    if match:
        return dt.date(int(match.group(1)), 8, 1), dt.date(int(match.group(2)), 7, 31)
    if not terms:
        return None, None
    return min(t.start_date for t in terms), max(t.end_date for t in terms)


def check_milestone(item, n: int) -> dict:
    from .validation import parse_day

    if not isinstance(item, dict):
        raise Invalid("a milestone must be an object", f"第 {n} 个时间节点格式不正确", "milestones")
    title = _text(item.get("title"), "title", f"第 {n} 个时间节点的名称", 100, required=True, minimum=2)
    description = _text(item.get("description"), "description", f"第 {n} 个时间节点的说明", 1000)
    due = parse_day(item.get("due_date"), "due_date")
    start = parse_day(item["start_date"], "start_date") if item.get("start_date") else None
    if start and start > due:
        raise Invalid("start after due", f"第 {n} 个时间节点的开始日期晚于截止日期", "start_date")
    audience = item.get("audience") or []
    if not isinstance(audience, list) or any(role not in access.ROLES for role in audience):
        raise Invalid("unknown role in audience", f"第 {n} 个时间节点的对象角色不正确，可选：{'、'.join(access.ROLES)}",
                      "audience")  # fmt: skip
    check = item.get("check") or ""
    if check not in MILESTONE_CHECKS:
        raise Invalid("unknown check", f"第 {n} 个时间节点的完成判断方式不正确，可选：{'、'.join(c for c in MILESTONE_CHECKS if c)}",
                      "check")  # fmt: skip
    return {"title": title, "description": description, "start_date": start, "due_date": due,
            "audience": list(dict.fromkeys(audience)), "check": check}  # fmt: skip


def default_milestones(first_day: dt.date) -> list[dict]:
    """The plan's staged schedule (学习要求、制定方案、初步匹配、家访、全面开展、交流研讨) around a school
    year whose first term begins on ``first_day``; written in our own words."""
    day = lambda offset: first_day + dt.timedelta(days=offset)  # noqa: E731
    school = ["leader", "school_admin"]
    return [
        {"title": "学习市、区全员导师制工作要求", "description": "学校领导小组学习工作要求，调研本校现状与需求。",
         "start_date": day(-150), "due_date": day(-120), "audience": [*school, "district"], "check": ""},
        {"title": "制定学校实施方案（一校一策）", "description": "按七个部分填写本校实施方案。",
         "start_date": day(-120), "due_date": day(-90), "audience": [*school, "district"], "check": "plan_drafted"},
        {"title": "上报学校实施方案", "description": "在平台上提交本校实施方案，区德育科审阅备案。",
         "start_date": day(-90), "due_date": day(-30), "audience": [*school, "district"], "check": "plan_submitted"},
        {"title": "初步建立导师与学生的双向匹配", "description": "每名学生都有一位主导师，每位导师原则上不超过15名学生。",
         "start_date": day(-60), "due_date": day(0), "audience": [*school, "district"], "check": "matching"},
        {"title": "月度工作推进会", "description": "区德育科召集各校交流推进情况（可导出区级看板简报）。",
         "start_date": day(-30), "due_date": day(-25), "audience": ["district", "leader"], "check": ""},
        {"title": "导师开展家访", "description": "开学前由班主任指导或联合导师完成一次家访。",
         "start_date": day(-14), "due_date": day(7), "audience": ["mentor", "head_teacher", *school, "district"],
         "check": "home_visits"},
        {"title": "全员导师制全面开展", "description": "“三个一”与全面发展指导全面开展。",
         "start_date": day(0), "due_date": day(110), "audience": ["mentor", *school, "district"], "check": ""},
        {"title": "学校、集团校、学区交流研讨", "description": "以导师团和工作室为单位开展案例研讨与交流。",
         "start_date": day(30), "due_date": day(110), "audience": [*school, "studio_leader", "district"], "check": ""},
        {"title": "区域交流研讨", "description": "区德育科组织全区交流研讨。",
         "start_date": day(120), "due_date": day(135), "audience": ["leader", "studio_leader", "district"], "check": ""},
    ]  # fmt: skip


def _per_school_stage(frame: pd.DataFrame, counts: list[str], order: list, names: dict, shares: dict) -> pd.DataFrame:
    """Sum ``counts`` per (school, stage) in the fixed school order and the fixed stage order, add ``shares``
    (numerator, denominator), and blank groups of fewer than MIN_CELL students."""
    grouped = frame.groupby(["school", "stage"], observed=True)[counts].sum()
    rows = []
    for school in order:
        for stage in STAGES:
            if (school, stage) in grouped.index:
                values = grouped.loc[(school, stage)]
                rows.append({"school": school, "school_name": names[school], "stage": stage,
                             **{c: int(values[c]) for c in counts}})  # fmt: skip
    table = pd.DataFrame(rows, columns=["school", "school_name", "stage", *counts])
    for name, (numerator, denominator) in shares.items():
        table[name] = (table[numerator] / table[denominator].where(table[denominator] > 0)).astype("float64")
    figures = [c for c in counts if c != "students"] + list(shares)
    return dashboards.suppress(table, "students", figures)


def _rows(table: pd.DataFrame) -> list[dict]:
    from .dashboard_verbs import table_rows

    return table_rows(table)


_TIERS: dict[str, str] | None = None


def course_tiers() -> dict[str, str]:
    """{course id: tier} from the course catalog (cached; empty when the catalog cannot be read)."""
    global _TIERS
    if _TIERS is None:
        try:
            from pathlib import Path

            from hub.courses.catalog import load_catalog

            catalog = load_catalog(Path(__file__).resolve().parents[2] / "courses")
            _TIERS = {course_id: course.tier for course_id, course in catalog.items()}
        except Exception:  # noqa: BLE001 - a checkout without courses still gets its dashboard
            _TIERS = {}
    return _TIERS


__all__ = ["PLAN_HEADINGS", "PLAN_STATUSES", "STAGES", "DistrictVerbs", "check_plan_sections", "default_milestones"]
