"""Team verbs of the records store: the class mentor team (导师团), parent-contact requests, 多对一 teams.

导师团 (plan: 以班级为单位、班主任教师与导师协同合作): a class's head teacher and the current mentors of its
students. Its page shows the members, the class's 三个一 counts (per class and per member, never per
student for members who do not mentor that student), the team's meetings (集体教研: date, attendees, the
students discussed by code only, decisions, minutes as .docx) and the class's parent-contact requests.

Parent contact (plan: 归口管理, 导师在确有学科教师介入必要时要做好"协调者"): a subject teacher of the class asks
through the page (``access.CONTACT_REQUEST``, the classes they teach); the student's mentor or head teacher
(``access.CONTACT_RESPOND``) accepts and makes the contact (the outcome is an ordinary parent-contact record
written by them), or declines with a reason. The request, who answered and how is kept; the requester sees
the status and the responder's note, not the record.

多对一 (plan: 针对个别具有特殊指导需求的学生 … 校级领导、中层干部、班主任、心理教师等德育骨干队伍应优先承担): a school
leader or admin (``SUPPORT_MANAGE``) sets up the team: a lead mentor and members, at least one of them in a
priority role, listed priority roles first. Its support plan (goals, agreed actions, the next review date)
and its reviews are read by the team, the school's leaders and its psychology teacher (``SUPPORT_READ``;
reads by anyone not on the team are audited) and written by the team (``SUPPORT_WRITE``). The school's
progress page counts the plans by status (``support_status``), with no student named.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict

from sqlalchemy import select

from . import access
from .access import Actor
from .errors import Conflict, Invalid, NotFound
from .models import (
    MentorAssignment,
    MentorTeam,
    MentorTeamMember,
    Record,
    SchoolClass,
    Staff,
    Student,
    TeachingAssignment,
    split_roles,
    utcnow,
)
from .practice import TRI_ONE, ref
from .team_models import ClassTeamMeeting, ParentContactRequest, SupportPlan, SupportReview
from .validation import Text, check_row_id, clean_text, echo, invalid, parse_day, validate_student_id

PRIORITY_ROLES = ("leader", "middle_manager", "head_teacher", "psychology")  # the plan's 德育骨干
MEMBER_ROLES = {"lead": "组长", "psychology": "心理教师", "head_teacher": "班主任", "leader": "校领导",
                "member": "成员"}  # fmt: skip
REVIEW_OUTCOMES = ("进展良好", "有所进展", "没有变化", "需要调整")
REQUEST_STATUSES = ("open", "accepted", "done", "declined")
REVIEW_SOON_DAYS = 7
MAX_GOALS = 10
MAX_STUDENTS_DISCUSSED = 60

TEAM_TEXTS = {
    "class_not_found": ("class {value} not found", "找不到班级 {value}"),
    "meeting_not_found": ("meeting {value} not found", "找不到导师团会议 {value}"),
    "request_not_found": ("request {value} not found", "找不到家校沟通请求 {value}"),
    "plan_not_found": ("support plan {value} not found", "找不到多对一帮扶计划 {value}"),
    "not_in_class": ("student {value} is not in this class", "学生 {value} 不在本班"),
    "not_staff": ("{value} is not active staff of this school", "{value} 不是本校在职教职工"),
    "no_priority_role": ("a 多对一 team needs at least one member in a priority role (校领导、中层干部、班主任、心理教师)",
                         "多对一导师组中至少要有一位校领导、中层干部、班主任或心理教师（方案要求德育骨干优先承担）"),
    "team_exists": ("student {value} already has an active 多对一 team", "学生 {value} 已有进行中的多对一导师组"),
    "bad_action": ("action must be accept, complete or decline", "操作只能是：接受、完成或婉拒"),
    "bad_state": ("the request is {value}: it cannot be {action} now", "该请求当前为“{value}”，不能再{action}"),
    "own_request": ("a request cannot be answered by the one who made it", "不能答复自己提出的请求"),
    "not_list": ("{field} must be a list of at most {limit} entries", "{label}必须是列表，最多 {limit} 项"),
    "review_outcome": ("outcome must be one of {choices}", "评估结论只能是：{choices}"),
    "closed_plan": ("the plan is closed", "该帮扶计划已结束，不能再修改"),
}
LABELS = {"topic": "主题", "reason": "理由", "decisions": "决定事项", "minutes": "纪要", "attendees": "参会人员",
          "student_codes": "讨论的学生编号", "goals": "目标", "actions": "约定的行动", "summary": "评估摘要",
          "members": "导师组成员", "lead_staff_id": "组长", "response": "答复", "next_review": "下次评估日期",
          "review_date": "评估日期", "meeting_date": "会议日期", "content_summary": "沟通内容摘要"}  # fmt: skip
STATUS_WORDS = {"open": "待处理", "accepted": "已接受", "done": "已完成", "declined": "已婉拒"}


def team_error(cls, key: str, field: str | None = None, **values):
    values.setdefault("label", LABELS.get(field or "", field or ""))
    values.setdefault("field", field)
    english, chinese = TEAM_TEXTS[key]
    return cls(english.format(**values), chinese.format(**values), field)


def text_field(payload: dict, name: str, limit: int, required: bool = False) -> str:
    value = payload.get(name, "")
    if value is None:
        value = ""
    return clean_text(value, name, Text(limit, required))


def id_list(payload: dict, name: str, limit: int) -> list[str]:
    value = payload.get(name, [])
    if not isinstance(value, list) or len(value) > limit:
        raise team_error(Invalid, "not_list", name, limit=limit)
    return list(dict.fromkeys(validate_student_id(item, name) for item in value))


def check_keys(payload, allowed) -> dict:
    if not isinstance(payload, dict):
        raise invalid("not_object")
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise invalid("unknown_field", echo(unknown[0]))
    return payload


def meeting_docx(meeting: dict, class_name: str) -> bytes:
    """The minutes of one 导师团 meeting as a .docx (students by code only)."""
    from docx import Document

    document = Document()
    document.add_heading(f"导师团会议纪要 · {class_name}", level=1)
    for heading, text in (("日期", meeting["meeting_date"]), ("主题", meeting["topic"] or "—"),
                          ("参会人员", "、".join(meeting["attendees"]) or "—"),
                          ("讨论的学生（编号）", "、".join(meeting["student_codes"]) or "—"),
                          ("决定事项", meeting["decisions"] or "—"), ("纪要", meeting["minutes"] or "—"),
                          ("记录人", meeting["author"])):  # fmt: skip
        document.add_heading(heading, level=2)
        for line in str(text).splitlines() or [""]:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class TeamVerbs:
    """Mixin for ``RecordStore``."""

    # --- the actor's teams (called by ``_load_actor``) ----------------------------------------------
    def _team_reach(self, session, staff: Staff | None, mentees) -> dict:
        if staff is None or not staff.active:
            return {}
        classes = set()
        if mentees:
            classes = set(session.scalars(select(Student.class_id).where(Student.student_id.in_(sorted(mentees)))))
        supported = set(session.scalars(
            select(MentorTeam.student_id).join(MentorTeamMember, MentorTeamMember.team_id == MentorTeam.team_id)
            .join(SupportPlan, SupportPlan.team_id == MentorTeam.team_id)
            .where(MentorTeamMember.staff_id == staff.staff_id, SupportPlan.status == "active")))  # fmt: skip
        taught = set(session.scalars(select(TeachingAssignment.class_id)
                                     .where(TeachingAssignment.staff_id == staff.staff_id)))  # fmt: skip
        return {"class_team_ids": frozenset(classes), "support_student_ids": frozenset(supported),
                "taught_class_ids": frozenset(taught)}  # fmt: skip

    # --- 导师团 -----------------------------------------------------------------------------------------
    def _classes_in_reach(self, session, actor: Actor, action: str) -> list[SchoolClass]:
        reach = access.reach(actor, action)
        if reach.empty or reach.everything:
            return []
        query = select(SchoolClass).where(
            SchoolClass.class_id.in_(sorted(reach.class_ids)) | SchoolClass.school_id.in_(sorted(reach.school_ids)))
        return list(session.scalars(query.order_by(SchoolClass.class_id)))

    def _class_in_reach(self, session, actor: Actor, action: str, class_id) -> SchoolClass:
        class_id = validate_student_id(class_id, "class_id")
        klass = session.get(SchoolClass, class_id)
        reach = access.reach(actor, action)
        if klass is None or not (class_id in reach.class_ids or klass.school_id in reach.school_ids):
            raise team_error(NotFound, "class_not_found", "class_id", value=echo(class_id))
        return klass

    def find_class_teams(self, actor: Actor) -> list[dict]:
        """The classes whose 导师团 page the caller may open, by class id."""
        with self.reading() as s:
            return [{"class_id": c.class_id, "name": c.name, "grade": c.grade, "school_id": c.school_id,
                     "head_teacher_id": c.head_teacher_id}
                    for c in self._classes_in_reach(s, actor, access.CLASS_TEAM_READ)]  # fmt: skip

    def find_class_team(self, actor: Actor, class_id: str) -> dict:
        """One class's 导师团: members, the class's 三个一 counts this term, meetings, parent-contact requests."""
        term = self.current_term()
        with self.reading() as s:
            klass = self._class_in_reach(s, actor, access.CLASS_TEAM_READ, class_id)
            students = list(s.scalars(select(Student.student_id).where(Student.class_id == klass.class_id,
                                                                       Student.active.is_(True))))  # fmt: skip
            pairs = s.execute(select(MentorAssignment.staff_id, MentorAssignment.student_id).where(
                MentorAssignment.term_id == term.term_id, MentorAssignment.student_id.in_(students))).all()
            done = set(s.execute(select(Record.student_id, Record.kind).distinct().where(
                Record.term_id == term.term_id, Record.deleted_at.is_(None), Record.kind.in_(TRI_ONE),
                Record.student_id.in_(students))).all())  # fmt: skip
            member_ids = sorted({staff_id for staff_id, _ in pairs} | ({klass.head_teacher_id} - {None}))
            names = dict(s.execute(select(Staff.staff_id, Staff.name).where(Staff.staff_id.in_(member_ids))).all())
            meetings = list(s.scalars(select(ClassTeamMeeting).where(ClassTeamMeeting.class_id == klass.class_id)
                                      .order_by(ClassTeamMeeting.meeting_date.desc(),
                                                ClassTeamMeeting.meeting_id.desc())))  # fmt: skip
        mentees = defaultdict(set)
        for staff_id, student_id in pairs:
            mentees[staff_id].add(student_id)
        members = []
        for staff_id in member_ids:
            row = {"staff_id": staff_id, "name": names.get(staff_id, staff_id),
                   "head_teacher": staff_id == klass.head_teacher_id, "mentees": len(mentees[staff_id])}
            row.update(tri_one_counts(mentees[staff_id], done))
            members.append(row)
        return {
            "class_id": klass.class_id, "name": klass.name, "grade": klass.grade, "school_id": klass.school_id,
            "term_id": term.term_id, "head_teacher_id": klass.head_teacher_id,
            "progress": {"students": len(students), **tri_one_counts(set(students), done)},
            "members": members, "meetings": [meeting_dict(m) for m in meetings],
            "requests": self.find_contact_requests(actor, class_id=klass.class_id),
        }  # fmt: skip

    def add_class_meeting(self, actor: Actor, class_id: str, payload) -> dict:
        """Record a meeting of the class's 导师团 (the head teacher): students discussed by code only."""
        payload = check_keys(payload, ("meeting_date", "topic", "attendees", "student_codes", "decisions", "minutes"))
        day = parse_day(payload.get("meeting_date") or self.today().isoformat(), "meeting_date")
        if day > self.today():
            raise invalid("future_date", "meeting_date")
        values = {"topic": text_field(payload, "topic", 100, True), "decisions": text_field(payload, "decisions", 2000),
                  "minutes": text_field(payload, "minutes", 10000)}  # fmt: skip
        attendees = id_list(payload, "attendees", 60)
        codes = id_list(payload, "student_codes", MAX_STUDENTS_DISCUSSED)
        with self.writing() as s:
            klass = self._class_in_reach(s, actor, access.CLASS_TEAM_WRITE, class_id)
            in_class = set(s.scalars(select(Student.student_id).where(Student.class_id == klass.class_id)))
            for code in codes:
                if code not in in_class:
                    raise team_error(Invalid, "not_in_class", "student_codes", value=echo(code))
            staff = dict(s.execute(select(Staff.staff_id, Staff.school_id).where(Staff.staff_id.in_(attendees))).all())
            for staff_id in attendees:
                if staff.get(staff_id) != klass.school_id:
                    raise team_error(Invalid, "not_staff", "attendees", value=echo(staff_id))
            meeting = ClassTeamMeeting(class_id=klass.class_id, meeting_date=day, attendees=attendees,
                                       student_codes=codes, author=actor.username, **values)  # fmt: skip
            s.add(meeting)
            s.flush()
            self._audit(s, actor, "class_team.meeting", "class", klass.class_id,
                        detail={"meeting_id": meeting.meeting_id})  # fmt: skip
        return meeting_dict(meeting)

    def find_meeting_minutes(self, actor: Actor, meeting_id: int) -> tuple[bytes, str]:
        """(the .docx of a meeting's minutes, a file name) for those who may open the class's 导师团 page."""
        row_id = check_row_id(meeting_id)
        with self.reading() as s:
            meeting = s.get(ClassTeamMeeting, row_id) if row_id is not None else None
            if meeting is None:
                raise team_error(NotFound, "meeting_not_found", value=echo(meeting_id))
            try:
                klass = self._class_in_reach(s, actor, access.CLASS_TEAM_READ, meeting.class_id)
            except NotFound:
                raise team_error(NotFound, "meeting_not_found", value=echo(meeting_id)) from None
        return meeting_docx(meeting_dict(meeting), klass.name or klass.class_id), f"导师团纪要-{klass.class_id}-{meeting.meeting_date}.docx"

    # --- parent-contact requests (归口管理) ------------------------------------------------------------
    def find_contact_targets(self, actor: Actor) -> list[dict]:
        """Students of the classes the caller teaches (id, name, class), for a parent-contact request."""
        reach = access.reach(actor, access.CONTACT_REQUEST)
        if not reach.class_ids:
            return []
        with self.reading() as s:
            rows = s.execute(select(Student.student_id, Student.display_name, Student.class_id).where(
                Student.class_id.in_(sorted(reach.class_ids)), Student.active.is_(True))
                .order_by(Student.class_id, Student.student_id)).all()  # fmt: skip
        return [{"student_id": r.student_id, "display_name": r.display_name, "class_id": r.class_id} for r in rows]

    def add_contact_request(self, actor: Actor, payload) -> dict:
        payload = check_keys(payload, ("student_id", "topic", "reason"))
        student_id = validate_student_id(payload.get("student_id"))
        topic, reason = text_field(payload, "topic", 100, True), text_field(payload, "reason", 1000, True)
        with self.writing() as s:
            student = self._student_in_reach(s, actor, access.CONTACT_REQUEST, student_id)
            request = ParentContactRequest(student_id=student_id, class_id=student.class_id,
                                           requested_by=actor.username, topic=topic, reason=reason)  # fmt: skip
            s.add(request)
            s.flush()
            self._audit(s, actor, "contact_request.add", "student", student_id,
                        detail={"request_id": request.request_id})  # fmt: skip
            return self._request_dict(s, request, actor)

    def find_contact_requests(self, actor: Actor, *, class_id: str | None = None) -> list[dict]:
        """Requests the caller made, and those about students they may answer for (their mentees, their
        class); a school leader or admin sees the school's. Newest first."""
        respond = access.reach(actor, access.CONTACT_RESPOND)
        school = access.reach(actor, access.CLASS_TEAM_READ).school_ids
        with self.reading() as s:
            query = select(ParentContactRequest, Student).join(Student)
            if class_id is not None:
                query = query.where(ParentContactRequest.class_id == class_id)
            out = []
            for request, student in s.execute(query.order_by(ParentContactRequest.request_id.desc())).all():
                if (request.requested_by == actor.username or respond.covers(ref(student))
                        or student.school_id in school):
                    out.append(self._request_dict(s, request, actor, student))
            return out

    def _request_dict(self, s, request: ParentContactRequest, actor: Actor, student: Student | None = None) -> dict:
        student = student or s.get(Student, request.student_id)
        may_answer = (request.requested_by != actor.username
                      and access.permits(actor, access.CONTACT_RESPOND, ref(student)))  # fmt: skip
        return {"request_id": request.request_id, "student_id": request.student_id,
                "display_name": student.display_name, "class_id": request.class_id,
                "requested_by": request.requested_by, "topic": request.topic, "reason": request.reason,
                "status": request.status, "status_text": STATUS_WORDS[request.status],
                "responder": request.responder, "response": request.response,
                "record_id": request.record_id if may_answer else None, "may_answer": may_answer,
                "created_at": request.created_at.isoformat(), "updated_at": request.updated_at.isoformat()}  # fmt: skip

    def answer_contact_request(self, actor: Actor, request_id: int, payload) -> dict:
        """The mentor or head teacher answers: ``accept`` (status accepted), ``complete`` (the contact is made:
        a parent-contact record is written by them with ``channel`` and ``content_summary``), ``decline``
        (with a ``response`` saying why). ``response`` is the note the requester reads."""
        payload = check_keys(payload, ("action", "response", "channel", "content_summary", "date"))
        action = payload.get("action")
        if action not in ("accept", "complete", "decline"):
            raise team_error(Invalid, "bad_action", "action")
        response = text_field(payload, "response", 1000, required=action == "decline")
        row_id = check_row_id(request_id)
        with self.writing() as s:
            request = s.get(ParentContactRequest, row_id) if row_id is not None else None
            student = s.get(Student, request.student_id) if request else None
            if request is None or not student.active or not access.permits(actor, access.CONTACT_RESPOND, ref(student)):
                raise team_error(NotFound, "request_not_found", value=echo(request_id))
            if request.requested_by == actor.username:
                raise team_error(Invalid, "own_request")
            allowed = {"accept": ("open",), "decline": ("open", "accepted"), "complete": ("open", "accepted")}
            if request.status not in allowed[action]:
                words = {"accept": "接受", "decline": "婉拒", "complete": "完成"}
                raise team_error(Conflict, "bad_state", "action", value=STATUS_WORDS[request.status],
                                 action=words[action])  # fmt: skip
            request_key = request.request_id
        record_id = None
        if action == "complete":  # the contact itself: an ordinary parent-contact record of the responder
            record = self.add_record(actor, {
                "student_id": student.student_id, "kind": "parent_contact",
                "date": payload.get("date") or self.today().isoformat(), "channel": payload.get("channel"),
                "topic": request.topic, "content_summary": payload.get("content_summary"),
                "client_ref": f"contact-request-{request_key}"})  # fmt: skip
            record_id = record.record_id
        with self.writing() as s:
            request = s.get(ParentContactRequest, request_key)
            if request.status not in allowed[action]:  # answered meanwhile by someone else
                raise team_error(Conflict, "bad_state", "action", value=STATUS_WORDS[request.status], action="")
            request.status = {"accept": "accepted", "complete": "done", "decline": "declined"}[action]
            request.responder, request.updated_at = actor.username, utcnow()
            if response or action == "decline":
                request.response = response
            if record_id is not None:
                request.record_id = record_id
            self._audit(s, actor, f"contact_request.{action}", "student", request.student_id,
                        detail={"request_id": request.request_id, "record_id": record_id})  # fmt: skip
            return self._request_dict(s, request, actor)

    # --- 多对一 teams -------------------------------------------------------------------------------------
    def add_support_team(self, actor: Actor, payload) -> dict:
        """Set up a 多对一 team with its plan: {student_id, lead_staff_id, members: [staff ids], reason, goals,
        actions: [{staff_id, action}], next_review}."""
        payload = check_keys(payload, ("student_id", "lead_staff_id", "members", "reason", "goals", "actions",
                                       "next_review"))  # fmt: skip
        student_id = validate_student_id(payload.get("student_id"))
        lead = validate_student_id(payload.get("lead_staff_id"), "lead_staff_id")
        members = [m for m in id_list(payload, "members", 12) if m != lead]
        reason = text_field(payload, "reason", 50)
        goals, actions = self._plan_lists(payload)
        next_review = parse_day(payload["next_review"], "next_review") if payload.get("next_review") else None
        term = self.current_term()
        with self.writing() as s:
            student = self._student_in_reach(s, actor, access.SUPPORT_MANAGE, student_id)
            staff = {row.staff_id: row for row in s.scalars(select(Staff).where(Staff.staff_id.in_([lead, *members])))}
            for staff_id in (lead, *members):
                row = staff.get(staff_id)
                if row is None or not row.active or row.school_id != student.school_id:
                    raise team_error(Invalid, "not_staff", "members" if staff_id != lead else "lead_staff_id",
                                     value=echo(staff_id))  # fmt: skip
            if not any(set(split_roles(staff[m].roles)) & set(PRIORITY_ROLES) for m in (lead, *members)):
                raise team_error(Invalid, "no_priority_role", "members")
            self._check_action_staff(actions, {lead, *members})
            active = s.scalar(select(MentorTeam.team_id).join(SupportPlan, SupportPlan.team_id == MentorTeam.team_id)
                              .where(MentorTeam.student_id == student_id, SupportPlan.status == "active"))
            if active is not None:
                raise team_error(Conflict, "team_exists", "student_id", value=student_id)
            team = MentorTeam(term_id=term.term_id, student_id=student_id, lead_staff_id=lead, reason=reason,
                              review_date=next_review)  # fmt: skip
            s.add(team)
            s.flush()
            s.add(MentorTeamMember(team_id=team.team_id, staff_id=lead, role="lead"))
            for staff_id in members:
                roles = set(split_roles(staff[staff_id].roles))
                role = next((r for r in ("psychology", "head_teacher", "leader") if r in roles), "member")
                s.add(MentorTeamMember(team_id=team.team_id, staff_id=staff_id, role=role))
            s.add(SupportPlan(team_id=team.team_id, school_id=student.school_id, goals=goals, actions=actions,
                              created_by=actor.username))  # fmt: skip
            s.flush()
            self._audit(s, actor, "support_team.add", "student", student_id, detail={"team_id": team.team_id})
            team_id = team.team_id
        self.forget_cached()  # the members' reach changes
        # the plan itself only for those who may read it (a school admin sets teams up without reading plans)
        return {"team_id": team_id, "student_id": student_id, "status": "active"}

    def _plan_lists(self, payload: dict) -> tuple[list[str], list[dict]]:
        goals = payload.get("goals", [])
        if not isinstance(goals, list) or len(goals) > MAX_GOALS:
            raise team_error(Invalid, "not_list", "goals", limit=MAX_GOALS)
        goals = [clean_text(g, "goals", Text(200, True)) for g in goals]
        actions = payload.get("actions", [])
        if not isinstance(actions, list) or len(actions) > 20:
            raise team_error(Invalid, "not_list", "actions", limit=20)
        cleaned = []
        for item in actions:
            if not isinstance(item, dict) or set(item) != {"staff_id", "action"}:
                raise team_error(Invalid, "not_list", "actions", limit=20)
            cleaned.append({"staff_id": validate_student_id(item["staff_id"], "actions"),
                            "action": clean_text(item["action"], "actions", Text(300, True))})  # fmt: skip
        return goals, cleaned

    def _check_action_staff(self, actions: list[dict], members: set[str]) -> None:
        for item in actions:
            if item["staff_id"] not in members:
                raise team_error(Invalid, "not_staff", "actions", value=echo(item["staff_id"]))

    def _plan_in_reach(self, s, actor: Actor, team_id, action: str) -> tuple[MentorTeam, SupportPlan, Student]:
        row_id = check_row_id(team_id)
        team = s.get(MentorTeam, row_id) if row_id is not None else None
        plan = s.get(SupportPlan, row_id) if team is not None else None
        student = s.get(Student, team.student_id) if team is not None else None
        if plan is None or not student.active or not access.permits(actor, action, ref(student)):
            raise team_error(NotFound, "plan_not_found", value=echo(team_id))
        return team, plan, student

    def _plan_dict(self, s, team: MentorTeam, plan: SupportPlan, student: Student) -> dict:
        members = s.execute(select(MentorTeamMember.staff_id, MentorTeamMember.role, Staff.name, Staff.roles)
                            .join(Staff, Staff.staff_id == MentorTeamMember.staff_id)
                            .where(MentorTeamMember.team_id == team.team_id)).all()  # fmt: skip

        def order(row):  # the lead, then the plan's priority roles, then the others
            return (row.role != "lead", not (set(split_roles(row.roles)) & set(PRIORITY_ROLES)), row.staff_id)

        reviews = s.scalars(select(SupportReview).where(SupportReview.team_id == team.team_id)
                            .order_by(SupportReview.review_date, SupportReview.review_id))  # fmt: skip
        return {"team_id": team.team_id, "student_id": student.student_id, "display_name": student.display_name,
                "class_id": student.class_id, "school_id": student.school_id, "reason": team.reason,
                "lead_staff_id": team.lead_staff_id, "status": plan.status,
                "review_state": review_state(plan.status, team.review_date, self.today()),
                "members": [{"staff_id": m.staff_id, "name": m.name, "role": m.role,
                             "role_text": MEMBER_ROLES.get(m.role, m.role),
                             "priority": bool(set(split_roles(m.roles)) & set(PRIORITY_ROLES))}
                            for m in sorted(members, key=order)],
                "goals": plan.goals, "actions": plan.actions,
                "next_review": team.review_date.isoformat() if team.review_date else None,
                "reviews": [r.to_dict() for r in reviews], "updated_at": plan.updated_at.isoformat()}  # fmt: skip

    def _audit_plan_read(self, s, actor: Actor, team_ids: list[int], student_ids: list[str]) -> None:
        """A plan read by someone who is not on its team (a leader, the psychology teacher) is audited."""
        outside = [(t, sid) for t, sid in zip(team_ids, student_ids, strict=True)
                   if sid not in actor.support_student_ids]  # fmt: skip
        if outside:
            self._audit(s, actor, "support_plan.read", "support_plan", ",".join(str(t) for t, _ in outside)[:64],
                        detail={"team_ids": [t for t, _ in outside], "student_ids": [sid for _, sid in outside]})

    def find_support_plans(self, actor: Actor) -> list[dict]:
        """The plans the caller may read (their teams; a leader's or psychology teacher's school: audited)."""
        reach = access.reach(actor, access.SUPPORT_READ)
        if reach.empty or reach.everything:
            return []
        with self.writing() as s:
            query = (select(MentorTeam, SupportPlan, Student).join(SupportPlan, SupportPlan.team_id == MentorTeam.team_id)
                     .join(Student, Student.student_id == MentorTeam.student_id)
                     .where(Student.active.is_(True),
                            Student.student_id.in_(sorted(reach.student_ids)) | Student.school_id.in_(sorted(reach.school_ids)))
                     .order_by(Student.class_id, Student.student_id, MentorTeam.team_id))  # fmt: skip
            rows = s.execute(query).all()
            out = [self._plan_dict(s, team, plan, student) for team, plan, student in rows]
            self._audit_plan_read(s, actor, [p["team_id"] for p in out], [p["student_id"] for p in out])
        return out

    def find_support_plan(self, actor: Actor, team_id: int) -> dict:
        with self.writing() as s:
            team, plan, student = self._plan_in_reach(s, actor, team_id, access.SUPPORT_READ)
            self._audit_plan_read(s, actor, [team.team_id], [student.student_id])
            return self._plan_dict(s, team, plan, student)

    def update_support_plan(self, actor: Actor, team_id: int, changes) -> dict:
        """The team changes its plan: goals, actions, next_review, status ("closed" ends the team)."""
        changes = check_keys(changes, ("goals", "actions", "next_review", "status"))
        goals, actions = self._plan_lists(changes)
        with self.writing() as s:
            team, plan, student = self._plan_in_reach(s, actor, team_id, access.SUPPORT_WRITE)
            if plan.status == "closed":
                raise team_error(Conflict, "closed_plan")
            members = set(s.scalars(select(MentorTeamMember.staff_id).where(MentorTeamMember.team_id == team.team_id)))
            if "goals" in changes:
                plan.goals = goals
            if "actions" in changes:
                self._check_action_staff(actions, members)
                plan.actions = actions
            if "next_review" in changes:
                team.review_date = parse_day(changes["next_review"], "next_review") if changes["next_review"] else None
            if "status" in changes:
                if changes["status"] not in ("active", "closed"):
                    raise invalid("bad_choice", "status", choices="active、closed")
                plan.status = changes["status"]
            plan.updated_at = utcnow()
            self._audit(s, actor, "support_plan.update", "support_plan", team.team_id, detail={"fields": sorted(changes)})
            result = self._plan_dict(s, team, plan, student)
        self.forget_cached()
        return result

    def add_support_review(self, actor: Actor, team_id: int, payload) -> dict:
        """A review of the plan: {review_date, outcome, summary, next_review}; the next review date moves on."""
        payload = check_keys(payload, ("review_date", "outcome", "summary", "next_review"))
        outcome = payload.get("outcome")
        if outcome not in REVIEW_OUTCOMES:
            raise team_error(Invalid, "review_outcome", "outcome", choices="、".join(REVIEW_OUTCOMES))
        day = parse_day(payload.get("review_date") or self.today().isoformat(), "review_date")
        if day > self.today():
            raise invalid("future_date", "review_date")
        summary = text_field(payload, "summary", 2000, True)
        next_review = parse_day(payload["next_review"], "next_review") if payload.get("next_review") else None
        if next_review is not None and next_review < day:
            raise invalid("follow_up_before", "next_review")
        with self.writing() as s:
            team, plan, student = self._plan_in_reach(s, actor, team_id, access.SUPPORT_WRITE)
            if plan.status == "closed":
                raise team_error(Conflict, "closed_plan")
            s.add(SupportReview(team_id=team.team_id, review_date=day, outcome=outcome, summary=summary,
                                next_review=next_review, author=actor.username))  # fmt: skip
            team.review_date = next_review
            plan.updated_at = utcnow()
            s.flush()
            self._audit(s, actor, "support_plan.review", "support_plan", team.team_id)
            return self._plan_dict(s, team, plan, student)

    def _support_status(self, session, school_ids) -> dict:
        """Counts of a school's 多对一 plans by status (no student named): for the school's progress page."""
        rows = session.execute(select(SupportPlan.status, MentorTeam.review_date)
                               .join(MentorTeam, MentorTeam.team_id == SupportPlan.team_id)
                               .join(Student, Student.student_id == MentorTeam.student_id)
                               .where(SupportPlan.school_id.in_(sorted(school_ids)), Student.active.is_(True))).all()
        counts = Counter(review_state(status, review, self.today()) for status, review in rows)
        return {key: counts[key] for key in ("on_track", "review_soon", "review_overdue", "no_review_date", "closed")}


def review_state(status: str, review: dt.date | None, today: dt.date) -> str:
    if status == "closed":
        return "closed"
    if review is None:
        return "no_review_date"
    if review < today:
        return "review_overdue"
    return "review_soon" if (review - today).days <= REVIEW_SOON_DAYS else "on_track"


def tri_one_counts(students: set[str], done: set[tuple[str, str]]) -> dict:
    counts = {kind: sum((sid, kind) in done for sid in students) for kind in TRI_ONE}
    counts["complete"] = sum(all((sid, kind) in done for kind in TRI_ONE) for sid in students)
    return counts


def meeting_dict(meeting: ClassTeamMeeting) -> dict:
    data = meeting.to_dict()
    return {**data, "meeting_date": meeting.meeting_date.isoformat()}
