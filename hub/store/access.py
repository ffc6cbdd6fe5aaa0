"""Who may do what: ONE table, role x action -> scope, consulted by the store and the service.

A caller is an ``Actor`` (built by the store from the account, the staff row and the current term's
assignments). Every role the actor holds contributes the scope the table gives it for an action;
the actor may act on a student when any of those scopes covers the student. Roles without an entry
get nothing. ``mentor`` is the role every active staff member holds (全员导师制: every teacher mentors).

Scopes:
  own_mentee   students the actor mentors in the current term (primary or additional)
  own_class    students of classes whose head teacher the actor is
  own_school   students of the actor's school
  district     everything (only used for non-student actions: audit, aggregates, accounts)
  class_team   students of the classes whose 导师团 (class mentor team) the actor is on: the classes of
               their current mentees
  support_team the students whose 多对一 team (support team) the actor is on (lead or member)
  taught_class students of the classes the actor teaches (the roster's classes column)
  break_glass  the ONE student named in a break-glass request (``BreakGlass``: a ground from
               ``BREAK_GLASS_GROUNDS`` and a reason), only through the store's ``find_break_glass``,
               always audited; never a list, never more than that student

Every read of record contents (and of concern-flag details) beyond the actor's own mentees is written
to the audit log by the store. README.md's "Who can read what" table is this table: a unit test
(tests/unit/test_readme_access.py) compares the two; ``python -m hub.store.access`` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

OWN_MENTEE = "own_mentee"
OWN_CLASS = "own_class"
OWN_SCHOOL = "own_school"
DISTRICT = "district"
BREAK_GLASS = "break_glass"
CLASS_TEAM = "class_team"
SUPPORT_TEAM = "support_team"
TAUGHT_CLASS = "taught_class"

# actions
STUDENT_READ = "student.read"
RECORD_READ = "record.read"
RECORD_WRITE = "record.write"  # home_visit, talk, growth_message, guidance
PARENT_CONTACT_WRITE = "record.write_parent_contact"  # 归口管理: head teacher or assigned mentor only
PROGRESS_READ = "progress.read"
ASSIGNMENT_READ = "assignment.read"
ASSIGNMENT_WRITE = "assignment.write"
FLAG_RAISE = "flag.raise"
FLAG_READ_STATUS = "flag.read_status"
FLAG_READ_DETAILS = "flag.read_details"
FLAG_UPDATE = "flag.update"
AUDIT_READ = "audit.read"
AGGREGATE_READ = "aggregate.read"  # de-identified aggregates only
ACCOUNT_MANAGE = "account.manage"
STAFF_READ = "staff.read"  # the school's staff list (for mentor matching)
PROGRESS_EXPORT = "progress.export"  # the school's 三个一 summary file (counts only; every export audited)
TERM_WRITE = "term.write"  # a school's own term calendar (the district's template: `mentorhub term add`)
LIFE_EVENT_WRITE = "life_event.write"  # mark a major change in a student's life: opens a talk task
ROSTER_CHANGE = "roster.change"  # during the year: a student's class or school, a mentor's leave (reassigning)
CLASS_TEAM_READ = "class_team.read"  # a class's 导师团 page: members, the class's 三个一 counts, meetings
CLASS_TEAM_WRITE = "class_team.write"  # record the team's meetings (集体教研)
CONTACT_REQUEST = "parent_contact.request"  # ask the mentor or head teacher to contact a parent (归口管理)
CONTACT_RESPOND = "parent_contact.respond"  # accept and make the contact, or decline with a reason
SUPPORT_MANAGE = "support_team.manage"  # set up a 多对一 team: lead mentor and members
SUPPORT_READ = "support_plan.read"  # a 多对一 support plan and its reviews
SUPPORT_WRITE = "support_plan.write"  # the plan's goals, actions and next review; reviews

ACTIONS = (
    STUDENT_READ, RECORD_READ, RECORD_WRITE, PARENT_CONTACT_WRITE, PROGRESS_READ, ASSIGNMENT_READ,
    ASSIGNMENT_WRITE, FLAG_RAISE, FLAG_READ_STATUS, FLAG_READ_DETAILS, FLAG_UPDATE, AUDIT_READ,
    AGGREGATE_READ, ACCOUNT_MANAGE, STAFF_READ, PROGRESS_EXPORT, TERM_WRITE, LIFE_EVENT_WRITE, ROSTER_CHANGE,
    CLASS_TEAM_READ, CLASS_TEAM_WRITE, CONTACT_REQUEST, CONTACT_RESPOND, SUPPORT_MANAGE, SUPPORT_READ, SUPPORT_WRITE,
)  # fmt: skip

MENTOR = "mentor"
ROLES = (
    MENTOR, "subject", "head_teacher", "psychology", "leader", "middle_manager",
    "trainer", "studio_leader", "school_admin", "admin", "district",
)  # fmt: skip

POLICY: dict[str, dict[str, str]] = {
    MENTOR: {
        STUDENT_READ: OWN_MENTEE, RECORD_READ: OWN_MENTEE, RECORD_WRITE: OWN_MENTEE,
        PARENT_CONTACT_WRITE: OWN_MENTEE, PROGRESS_READ: OWN_MENTEE, ASSIGNMENT_READ: OWN_MENTEE,
        FLAG_RAISE: OWN_MENTEE, FLAG_READ_STATUS: OWN_MENTEE, LIFE_EVENT_WRITE: OWN_MENTEE,
        CLASS_TEAM_READ: CLASS_TEAM, CONTACT_RESPOND: OWN_MENTEE, SUPPORT_READ: SUPPORT_TEAM,
        SUPPORT_WRITE: SUPPORT_TEAM,
    },
    "subject": {CONTACT_REQUEST: TAUGHT_CLASS},
    "middle_manager": {},
    "head_teacher": {
        STUDENT_READ: OWN_CLASS, RECORD_READ: OWN_CLASS, PARENT_CONTACT_WRITE: OWN_CLASS,
        PROGRESS_READ: OWN_CLASS, ASSIGNMENT_READ: OWN_CLASS, FLAG_RAISE: OWN_CLASS,
        FLAG_READ_STATUS: OWN_CLASS, LIFE_EVENT_WRITE: OWN_CLASS, CLASS_TEAM_READ: OWN_CLASS,
        CLASS_TEAM_WRITE: OWN_CLASS, CONTACT_RESPOND: OWN_CLASS,
    },
    "psychology": {
        STUDENT_READ: OWN_SCHOOL, FLAG_RAISE: OWN_SCHOOL, FLAG_READ_STATUS: OWN_SCHOOL,
        FLAG_READ_DETAILS: OWN_SCHOOL, FLAG_UPDATE: OWN_SCHOOL, SUPPORT_READ: OWN_SCHOOL,
    },
    "leader": {
        STUDENT_READ: OWN_SCHOOL, RECORD_READ: OWN_SCHOOL, PROGRESS_READ: OWN_SCHOOL,
        ASSIGNMENT_READ: OWN_SCHOOL, FLAG_RAISE: OWN_SCHOOL, FLAG_READ_STATUS: OWN_SCHOOL,
        FLAG_READ_DETAILS: OWN_SCHOOL, FLAG_UPDATE: OWN_SCHOOL, CLASS_TEAM_READ: OWN_SCHOOL,
        SUPPORT_MANAGE: OWN_SCHOOL, SUPPORT_READ: OWN_SCHOOL,
    },
    "school_admin": {
        STUDENT_READ: OWN_SCHOOL, RECORD_READ: OWN_SCHOOL, PROGRESS_READ: OWN_SCHOOL,
        ASSIGNMENT_READ: OWN_SCHOOL, ASSIGNMENT_WRITE: OWN_SCHOOL, AGGREGATE_READ: OWN_SCHOOL,
        STAFF_READ: OWN_SCHOOL, PROGRESS_EXPORT: OWN_SCHOOL, TERM_WRITE: OWN_SCHOOL, ROSTER_CHANGE: OWN_SCHOOL,
        CLASS_TEAM_READ: OWN_SCHOOL, SUPPORT_MANAGE: OWN_SCHOOL,
    },
    "trainer": {AGGREGATE_READ: DISTRICT},
    "studio_leader": {AGGREGATE_READ: DISTRICT},
    "admin": {
        AUDIT_READ: DISTRICT, ACCOUNT_MANAGE: DISTRICT, AGGREGATE_READ: DISTRICT,
        STUDENT_READ: BREAK_GLASS, RECORD_READ: BREAK_GLASS, FLAG_READ_STATUS: BREAK_GLASS,
        PROGRESS_EXPORT: OWN_SCHOOL,  # only a district admin who belongs to the school (a staff row there)
    },
}  # fmt: skip

# Minors' data (issue 21): record history, guardians and consents, guardians' requests, the access review.
RECORD_HISTORY = "record.history"  # every version of a record; its author always sees their own (hub.store.history)
CONSENT_READ = "consent.read"  # what may be recorded for a student (consent status per scope, no guardian data)
GUARDIAN_MANAGE = "guardian.manage"  # the school office: guardians, consents, guardians' requests
ACTIONS += (RECORD_HISTORY, CONSENT_READ, GUARDIAN_MANAGE)
for _action in (RECORD_HISTORY, CONSENT_READ):
    for _role, _scope in ((MENTOR, OWN_MENTEE), ("head_teacher", OWN_CLASS), ("leader", OWN_SCHOOL),
                          ("school_admin", OWN_SCHOOL)):  # fmt: skip
        POLICY[_role][_action] = _scope
POLICY["school_admin"][GUARDIAN_MANAGE] = OWN_SCHOOL
ACCESS_REVIEW = "access.review"  # who read which students' records, from the audit log (hub.store.review_verbs)
ACTIONS += (ACCESS_REVIEW,)
POLICY["leader"][ACCESS_REVIEW] = OWN_SCHOOL  # the school's person in charge of minors' personal information
POLICY["admin"][ACCESS_REVIEW] = DISTRICT
# 排摸重点对象 (issue 20, part 5): each term the school's leaders and psychology teacher review which students need
# focus (from concern flags, 多对一 teams and mentors' nominations); every read and write is audited
# (hub.store.focus_verbs). A mentor nominates one of their own mentees with a reason, and may withdraw that
# nomination while the student is undecided; the reviewers may withdraw any nomination of their school (the
# verb also requires a mentor to be the one who nominated).
FOCUS_REVIEW = "focus.review"
FOCUS_NOMINATE = "focus.nominate"
FOCUS_WITHDRAW = "focus.withdraw"
ACTIONS += (FOCUS_REVIEW, FOCUS_NOMINATE, FOCUS_WITHDRAW)
POLICY["leader"][FOCUS_REVIEW] = OWN_SCHOOL
POLICY["psychology"][FOCUS_REVIEW] = OWN_SCHOOL
POLICY[MENTOR][FOCUS_NOMINATE] = OWN_MENTEE
POLICY[MENTOR][FOCUS_WITHDRAW] = OWN_MENTEE
POLICY["leader"][FOCUS_WITHDRAW] = OWN_SCHOOL
POLICY["psychology"][FOCUS_WITHDRAW] = OWN_SCHOOL

# The district's side of the plan (issue 22): each school's own implementation plan (一校一策), the district
# dashboard, mentors' work portfolios and the district's timeline. The role ``district`` (教育局德育科 staff,
# hub group ``district-staff``) reads schools' plans and aggregates and reviews the plans; it has no entry
# for any action that names a student (hub.store.district_verbs).
SCHOOL_PLAN_READ = "school_plan.read"  # a school's 实施方案: its text, status, versions and the district's comments
SCHOOL_PLAN_WRITE = "school_plan.write"  # fill in the school's plan and submit it (上报)
SCHOOL_PLAN_REVIEW = "school_plan.review"  # comment, ask for changes, file (备案)
DISTRICT_DASHBOARD = "district.dashboard"  # per school and stage: coverage, 三个一, training, 导师团 and studios
PORTFOLIO_READ = "portfolio.read"  # teachers' 导师工作档案 (everyone always reads their own)
MILESTONE_WRITE = "milestone.write"  # the district's calendar of milestones
ACTIONS += (SCHOOL_PLAN_READ, SCHOOL_PLAN_WRITE, SCHOOL_PLAN_REVIEW, DISTRICT_DASHBOARD, PORTFOLIO_READ,
            MILESTONE_WRITE)  # fmt: skip
POLICY["district"] = {AGGREGATE_READ: DISTRICT, SCHOOL_PLAN_READ: DISTRICT, SCHOOL_PLAN_REVIEW: DISTRICT,
                      DISTRICT_DASHBOARD: DISTRICT, MILESTONE_WRITE: DISTRICT}  # fmt: skip
for _role in ("leader", "school_admin"):
    POLICY[_role][SCHOOL_PLAN_READ] = OWN_SCHOOL
    POLICY[_role][SCHOOL_PLAN_WRITE] = OWN_SCHOOL
    POLICY[_role][PORTFOLIO_READ] = OWN_SCHOOL
POLICY["admin"][SCHOOL_PLAN_READ] = DISTRICT
POLICY["admin"][DISTRICT_DASHBOARD] = DISTRICT


#: Grounds for break-glass access (the request names one; the free-text reason says what happened).
BREAK_GLASS_GROUNDS = {
    "safety": "学生人身安全紧急情况",
    "child_protection": "疑似学生受到侵害（未成年人保护）",
    "complaint": "家长或学生投诉核查",
    "authority": "司法机关或教育主管部门依法调取",
    "data_correction": "应学生或家长申请更正数据",
}
#: The reason must say what happened: at least this many characters, and that many different ones.
BREAK_GLASS_REASON_MIN = 10
BREAK_GLASS_REASON_DISTINCT = 5

#: How the README's table names each scope (the column headers are the role names themselves).
SCOPE_WORDS = {OWN_MENTEE: "own mentees", OWN_CLASS: "own class", OWN_SCHOOL: "own school",
               DISTRICT: "district", BREAK_GLASS: "break-glass", CLASS_TEAM: "class team",
               SUPPORT_TEAM: "support team", TAUGHT_CLASS: "taught classes"}  # fmt: skip
NO_SCOPE = "—"


@dataclass(frozen=True)
class BreakGlass:
    """One break-glass request: the student it opens, its ground and its reason."""

    student_id: str
    ground: str
    reason: str


@dataclass(frozen=True)
class StudentRef:
    student_id: str
    class_id: str
    school_id: str


@dataclass(frozen=True)
class Actor:
    """The caller as the policy sees it."""

    username: str
    roles: frozenset[str] = frozenset()
    staff_id: str | None = None
    school_ids: frozenset[str] = frozenset()
    class_ids: frozenset[str] = frozenset()  # classes whose head teacher this is
    mentee_ids: frozenset[str] = frozenset()  # current term, primary or additional
    groups: frozenset[str] = frozenset()
    break_glass: BreakGlass | None = None
    class_team_ids: frozenset[str] = frozenset()  # classes of the current mentees (their 导师团)
    support_student_ids: frozenset[str] = frozenset()  # students whose active 多对一 team this is on
    taught_class_ids: frozenset[str] = frozenset()  # classes taught

    def with_break_glass(self, request: BreakGlass) -> Actor:
        return replace(self, break_glass=request)

    def ordinary(self) -> Actor:
        """The same caller without break-glass."""
        return replace(self, break_glass=None) if self.break_glass else self


@dataclass(frozen=True)
class Reach:
    """What an action reaches for an actor: explicit ids plus whether it reaches everything."""

    student_ids: frozenset[str] = field(default_factory=frozenset)
    class_ids: frozenset[str] = field(default_factory=frozenset)
    school_ids: frozenset[str] = field(default_factory=frozenset)
    everything: bool = False

    @property
    def empty(self) -> bool:
        return not (self.everything or self.student_ids or self.class_ids or self.school_ids)

    def covers(self, student: StudentRef) -> bool:
        return (
            self.everything
            or student.student_id in self.student_ids
            or student.class_id in self.class_ids
            or student.school_id in self.school_ids
        )


def scopes_for(roles, action: str) -> set[str]:
    """The scopes the table grants any of ``roles`` for ``action``."""
    return {POLICY[r][action] for r in roles if r in POLICY and action in POLICY[r]}


def reach(actor: Actor, action: str) -> Reach:
    students, classes, schools = set(), set(), set()
    everything = False
    for scope in scopes_for(actor.roles, action):
        if scope == OWN_MENTEE:
            students |= actor.mentee_ids
        elif scope == OWN_CLASS:
            classes |= actor.class_ids
        elif scope == OWN_SCHOOL:
            schools |= actor.school_ids
        elif scope == DISTRICT:
            everything = True
        elif scope == CLASS_TEAM:
            classes |= actor.class_team_ids
        elif scope == SUPPORT_TEAM:
            students |= actor.support_student_ids
        elif scope == TAUGHT_CLASS:
            classes |= actor.taught_class_ids
        elif scope == BREAK_GLASS and actor.break_glass is not None:
            students.add(actor.break_glass.student_id)  # one student, never everything
    return Reach(frozenset(students), frozenset(classes), frozenset(schools), everything)


def permits(actor: Actor, action: str, student: StudentRef | None = None) -> bool:
    """May ``actor`` perform ``action`` (on ``student``, for student-level actions)?"""
    r = reach(actor, action)
    if student is None:
        return r.everything
    return r.covers(student)


def needs_break_glass(actor: Actor, action: str, student: StudentRef) -> bool:
    """True when only the break-glass scope lets the actor reach this student (so it must be audited)."""
    return not reach(actor.ordinary(), action).covers(student) and permits(actor, action, student)


def may_break_glass(actor: Actor) -> bool:
    """Does any role of the actor hold the break-glass scope for reading a student?"""
    return BREAK_GLASS in scopes_for(actor.roles, STUDENT_READ)


def covering_scope(actor: Actor, action: str, student: StudentRef) -> str | None:
    """The narrowest scope through which ``actor`` reaches ``student`` for ``action`` (for the audit log)."""
    for scope in (OWN_MENTEE, SUPPORT_TEAM, OWN_CLASS, CLASS_TEAM, TAUGHT_CLASS, OWN_SCHOOL, DISTRICT, BREAK_GLASS):
        if scope in scopes_for(actor.roles, action):
            roles = frozenset(r for r in actor.roles if POLICY.get(r, {}).get(action) == scope)
            if permits(replace(actor, roles=roles), action, student):
                return scope
    return None


def beyond_own_mentees(actor: Actor, student: StudentRef) -> bool:
    """A read of this student's record contents must be audited: not one of the actor's own mentees."""
    return student.student_id not in actor.mentee_ids


def markdown_table() -> str:
    """The policy as README.md shows it: one row per action, one column per role, the scope in each cell."""
    lines = ["| action | " + " | ".join(f"`{role}`" for role in ROLES) + " |",
             "|---|" + "---|" * len(ROLES)]  # fmt: skip
    for action in ACTIONS:
        cells = [SCOPE_WORDS[POLICY[role][action]] if action in POLICY[role] else NO_SCOPE for role in ROLES]
        lines.append(f"| `{action}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())


def action_for_kind(kind: str) -> str:
    return PARENT_CONTACT_WRITE if kind == "parent_contact" else RECORD_WRITE
