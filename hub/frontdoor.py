"""The Chinese home page: which sections a person sees follows from their hub groups.

`home_sections(user)` is passed to the templates through `JupyterHub.template_vars` (JupyterHub calls it
with the current user). It returns plain data, so it is unit-tested without a hub.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from hub.localize.lab_texts import ASSIGNMENT_LIST as LAB_ASSIGNMENT_LIST
from hub.localize.lab_texts import MENU as LAB_MENU

log = logging.getLogger(__name__)

APPS = "apps"  # the ~/apps link every user's server has (hub.spawners)


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Milestone:
    """One step of the district's timeline as the home page shows it (``status``: met, open, overdue,
    unchecked; ``note``: what the status means for this person, e.g. 本校已完成 or 已完成学校 3/5)."""

    title: str
    due: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    description: str
    links: list[Link] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)


def app_url(notebook: str) -> str:
    """A Voilà app in the user's own server; user-redirect starts the server when needed."""
    return f"/hub/user-redirect/voila/render/{APPS}/{quote(notebook)}"


def milestone_view(item: dict) -> Milestone:
    """A milestone of ``RecordStore.find_milestones`` as the home page shows it."""
    if "schools_met" in item:
        status = "met" if item["schools_met"] == item["schools"] else "overdue" if item["overdue"] else "open"
        note = f"已完成学校 {item['schools_met']}/{item['schools']}"
    elif item.get("met") is None:
        status, note = "unchecked", ""
    elif item["met"]:
        status, note = "met", "本校已完成"
    else:
        status = "overdue" if item["overdue"] else "open"
        note = "本校尚未完成" + ("（已过截止日期）" if item["overdue"] else "")
    return Milestone(item["title"], item["due_date"], status, note)


def sections_for_groups(groups: set[str], course_titles: dict[str, str] | None = None, roles: set[str] | None = None,
                        milestones: list[dict] | None = None) -> list[Section]:  # fmt: skip
    """The home page's sections for a person in ``groups``; ``roles`` (from the records store: school leaders
    have no hub group of their own) and ``milestones`` (the district's timeline steps that concern them,
    ``RecordStore.find_milestones``) add the district's side (issue 22)."""
    titles = course_titles or {}
    roles = roles or set()

    def course_title(course_id: str) -> str:
        return titles.get(course_id, course_id)

    sections: list[Section] = []
    enrolled = sorted(g.removeprefix("nbgrader-") for g in groups if g.startswith("nbgrader-"))
    grading = sorted(g.removeprefix("formgrade-") for g in groups if g.startswith("formgrade-"))
    if "teachers" in groups or enrolled:
        sections.append(Section(
            "courses", "我的培训课程",
            f"在 JupyterLab 中打开“{LAB_MENU}”菜单里的“{LAB_ASSIGNMENT_LIST}”，领取、完成并提交培训作业，查看反馈。",
            [Link(course_title(c), "/hub/user-redirect/lab", f"课程代码 {c}") for c in enrolled]
            or [Link("打开 JupyterLab", "/hub/user-redirect/lab", "暂未加入任何培训课程")],
        ))
    if "teachers" in groups:
        sections.append(Section(
            "workbench", "导师工作台",
            "记录家访、谈心谈话、成长寄语、家校沟通与指导，查看“三个一”进度。",
            [Link("打开导师工作台", app_url("导师工作台.ipynb")), Link("导师团", app_url("导师团.ipynb")),
             Link("多对一帮扶计划", app_url("多对一帮扶.ipynb")), Link("导师工作档案", app_url("导师工作档案.ipynb")),
             Link("重点对象排摸", app_url("重点对象排摸.ipynb"), "校领导、心理教师")],
        ))
    if groups & {"teachers", "studio-leaders"} or any(g.startswith("studio-") for g in groups):
        sections.append(Section(
            "cases", "案例研讨",
            "浏览去标识化的育人案例库，参加工作室或导师团的案例研讨。",
            [Link("案例库", app_url("案例库.ipynb")), Link("案例研讨室", app_url("案例研讨.ipynb"))],
        ))
    if "studio-leaders" in groups:
        sections.append(Section(
            "research", "研究看板",
            "基于去标识化汇总数据的研究看板（小样本单元格已隐去）。",
            [Link("打开研究看板", app_url("研究看板.ipynb"))],
        ))
    if "trainers" in groups or grading:
        sections.append(Section(
            "grading", "评分",
            "发布培训作业、收取、自动评分与人工评分、发布反馈、导出学时。",
            [Link(f"{course_title(c)} · 评分", f"/services/{c}/formgrader") for c in grading]
            or [Link("尚未分配课程", "/hub/home")],
        ))
    if "school-admins" in groups:
        sections.append(Section(
            "school", "学校管理",
            "导入名册、双向匹配导师与学生、跟进全校“三个一”进度。",
            [Link("导师匹配", app_url("导师匹配.ipynb")), Link("三个一进度", app_url("导师工作台.ipynb")),
             Link("学期日历", app_url("学期日历.ipynb")), Link("学校实施方案", app_url("学校实施方案.ipynb"))],
        ))
    if "leader" in roles and "school-admins" not in groups:
        sections.append(Section(
            "leadership", "学校领导",
            "本校全员导师制实施方案（一校一策）与教师的导师工作档案（年度考核汇总）。",
            [Link("学校实施方案", app_url("学校实施方案.ipynb")), Link("导师工作档案", app_url("导师工作档案.ipynb"))],
        ))
    if "district-staff" in groups:
        sections.append(Section(
            "district", "区德育科",
            "各校实施方案的审阅与备案，按学校和学段的区级看板（不排名，小样本隐去），月度推进会材料。",
            [Link("各校实施方案", app_url("学校实施方案.ipynb")), Link("区级看板", app_url("区级看板.ipynb")),
             Link("研究看板", app_url("研究看板.ipynb"))],
        ))
    if "admins" in groups:
        sections.append(Section(
            "admin", "平台管理",
            "管理账号、用户组与服务器（不含查看他人笔记本与学生记录的权限）。",
            [Link("用户与服务器管理", "/hub/admin"), Link("区级看板", app_url("区级看板.ipynb")),
             Link("各校实施方案", app_url("学校实施方案.ipynb"))],
        ))
    if milestones:
        sections.append(Section(
            "timeline", "区级时间节点",
            "全员导师制分阶段工作安排中与您有关的节点，以及本校是否已完成（平台能判断的节点）。",
            milestones=[milestone_view(item) for item in milestones],
        ))
    return sections


@dataclass
class HomeSections:
    """JupyterHub template variable: called with the logged-in user, returns their sections."""

    course_titles: dict[str, str]
    #: ``user name -> (roles, milestones)`` from the records store (``DistrictInfo``); None: groups only
    district: Callable[[str], tuple[set[str], list[dict]]] | None = None

    def __call__(self, user) -> list[Section]:
        if user is None:
            return []
        roles, milestones = self.district(user.name) if self.district else (set(), [])
        return sections_for_groups({group.name for group in user.groups}, self.course_titles, roles, milestones)


@dataclass
class DistrictInfo:
    """A person's roles and the district's milestones that concern them, read from the records store by the
    hub (which already reads accounts there); nothing shown when the store cannot be read."""

    records_url: str
    _store: object = None

    def __call__(self, username: str) -> tuple[set[str], list[dict]]:
        try:
            if self._store is None:
                from hub.store import open_store

                self._store = open_store(self.records_url)
            actor = self._store.actor_for(username)
            return set(actor.roles), self._store.find_milestones(actor)
        except Exception:  # noqa: BLE001 - the home page never fails because of the timeline
            log.warning("the district's milestones could not be read for %s", username, exc_info=True)
            return set(), []
