"""The mentor workbench: everything a logged-in user needs for this term's practice records, in tabs.

    bench = Workbench.from_client(RecordsClient.from_environment())
    bench.widget        # the root widget; the Voilà page's last expression

Which tabs appear follows the user's roles from ``GET me``: every mentor gets their mentees' 三个一
tracker, the record forms and the concern flow; head teachers also their classes; psychology teachers and
school leaders the school's concern queue; school admins the per-class summary and the .xlsx export. Nothing
here decides access: the records service does. The page is one column on a phone (``widgets.style``).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import ipywidgets as w

from .client import RecordsError
from .concern import ConcernFlow
from .concern_queue import ConcernQueue
from .export import ExportButton
from .forms import RecordForm
from .forms_model import RECORD_KINDS, TermDates
from .growth_message import GrowthMessageForm
from .reminders_panel import RemindersPanel
from .style import styled
from .texts import KIND_TITLES, t
from .tracker import ClassTracker, MenteeTracker, SchoolSummary, fetch_records
from .tracker_model import TermInfo

log = logging.getLogger(__name__)
#: Roles whose workbench has the school's concern queue (those the access table lets handle concerns).
QUEUE_ROLES = frozenset({"psychology", "leader"})


class Lazy:
    """A placeholder box whose content is built the first time it is needed (fewer widgets at page load)."""

    def __init__(self, build: Callable[[], object]):
        self._build = build
        self.value = None
        self.widget = w.VBox([])

    def get(self):
        if self.value is None:
            self.value = self._build()
            self.widget.children = [self.value.widget]
        return self.value


class RecordForms:
    """The five record forms behind a row of kind buttons; each form is built when first shown."""

    def __init__(self, client, mentees: list[dict], term: TermInfo, *, contact_students: list[dict] | None = None,
                 today: Callable[[], dt.date] = dt.date.today, on_saved=None):  # fmt: skip
        self.client, self.mentees, self.contact_students = client, mentees, contact_students
        self.dates = TermDates(term.term_id, term.start, term.end)
        self.today, self.on_saved = today, on_saved
        self.pages = {kind: Lazy(lambda kind=kind: self._build(kind)) for kind in RECORD_KINDS}
        self.kind = w.ToggleButtons(options=[(KIND_TITLES[k], k) for k in RECORD_KINDS], value=RECORD_KINDS[0],
                                    description=t("record_kind"))  # fmt: skip
        self.stack = w.Stack([self.pages[k].widget for k in RECORD_KINDS], selected_index=0)
        self.kind.observe(self._on_kind, names="value")
        self.pages[RECORD_KINDS[0]].get()
        self.widget = w.VBox([self.kind, self.stack])

    def _build(self, kind: str):
        students = self.contact_students if kind == "parent_contact" and self.contact_students else self.mentees
        options = {"today": self.today, "on_saved": self.on_saved}
        if kind == "growth_message":
            return GrowthMessageForm.from_client(self.client, students, self.dates, **options)
        return RecordForm(kind, self.client, students, self.dates, **options)

    def _on_kind(self, change) -> None:
        self.pages[change["new"]].get()
        self.stack.selected_index = RECORD_KINDS.index(change["new"])

    def show(self, kind: str) -> RecordForm:
        """Switch to ``kind`` and return its form."""
        self.kind.value = kind
        page = self.pages[kind].get()
        return page.form if isinstance(page, GrowthMessageForm) else page

    @property
    def growth(self) -> GrowthMessageForm:
        return self.pages["growth_message"].get()


class Workbench:
    """Composes the tracker, forms, concern flow and (by role) class and school views.

    Only the first tab is built at once; the others are built when first opened (or first used from
    code: ``bench.forms``, ``bench.concern``, ``bench.class_tracker``, ``bench.school``)."""

    def __init__(self, client, me: dict, progress: dict, records: dict[str, list[dict]], flags: list[dict], *,
                 contact_students: list[dict] | None = None, today: Callable[[], dt.date] = dt.date.today,
                 reminders: dict | None = None):  # fmt: skip
        self.client, self.me, self.today, self.progress = client, me, today, progress
        self.term = TermInfo.from_progress(progress) if progress else TermInfo(me.get("term_id") or "")
        mentees = me.get("mentees", [])
        roles = set(me.get("roles", []))
        self.tracker = MenteeTracker(client, mentees, self.term, today=today, records=records, flags=flags)
        self._forms = Lazy(lambda: RecordForms(client, mentees, self.term, contact_students=contact_students,
                                               today=today, on_saved=self._after_save))  # fmt: skip
        self._concern = Lazy(lambda: ConcernFlow(client, mentees, flags, username=me.get("username"),
                                                 on_raised=self.tracker.set_flags))  # fmt: skip
        self._class = Lazy(lambda: ClassTracker(client, progress, me["classes"], self.term, today=today))
        self._school = Lazy(self._build_school)
        self._queue = Lazy(lambda: ConcernQueue.from_client(client))
        pages = []
        if mentees or not ({"head_teacher", "school_admin", *QUEUE_ROLES} & roles):  # else a page of empty forms
            pages = [(t("tab_mentees"), self.tracker), (t("tab_log"), self._forms), (t("tab_concern"), self._concern)]
        if QUEUE_ROLES & roles:
            pages.append((t("tab_queue"), self._queue))
        if "head_teacher" in roles and me.get("classes") and progress:
            pages.append((t("tab_class"), self._class))
        if "school_admin" in roles and progress:
            pages.append((t("tab_school"), self._school))
        pages += action_pages(self, client, mentees, contact_students, today)  # 学生动态 (widgets.mentee_actions)
        pages += consent_pages(client, roles, mentees)  # 可记录范围 / 监护人同意 (widgets.consent_panel)
        self.pages = [page for _, page in pages]
        self.tabs = w.Tab([page.widget for page in self.pages], titles=[title for title, _ in pages])
        self.status = w.HTML("")
        self.tabs.observe(self._on_tab, names="selected_index")
        self._on_tab({"new": 0})
        name = me.get("display_name") or me.get("username", "")
        header = f"<p>{html.escape(t('hello', name=name))} {html.escape(t('term_line', term=self.term.term_id))}</p>"
        self.reminders = RemindersPanel(reminders) if reminders else None  # widgets.reminders_panel
        top = [w.HTML(header), self.status] + ([self.reminders.widget] if self.reminders else [])
        self.widget = styled(w.VBox([*top, self.tabs]))
        self.widget.add_class("mh-workbench")

    @property
    def forms(self) -> RecordForms:
        return self._forms.get()

    @property
    def concern(self) -> ConcernFlow:
        return self._concern.get()

    @property
    def queue(self) -> ConcernQueue | None:
        return self._queue.get() if self._queue in self.pages else None

    @property
    def class_tracker(self) -> ClassTracker | None:
        return self._class.get() if self._class in self.pages else None

    @property
    def school(self) -> SchoolSummary | None:
        return self._school.get() if self._school in self.pages else None

    def _build_school(self) -> SchoolSummary:
        self.export = ExportButton(self.client, self.term.term_id)
        return SchoolSummary(self.progress, self.term, self.export.widget)

    def _on_tab(self, change) -> None:
        index = change["new"]
        if index is not None and 0 <= index < len(self.pages) and isinstance(self.pages[index], Lazy):
            try:
                self.pages[index].get()
            except RecordsError as error:
                self.status.value = f'<p style="color:#b00020">{html.escape(t("load_failed", message=error.message_zh))}</p>'

    @classmethod
    def from_client(cls, client, *, today: Callable[[], dt.date] = dt.date.today):
        """Read everything the page needs through the records client; a failure shows as a message."""
        try:
            me = client.me()
            roles = set(me.get("roles", []))
            mentee_ids = [m["student_id"] for m in me.get("mentees", [])]
            with ThreadPoolExecutor(max_workers=4) as pool:  # independent reads, side by side
                progress = pool.submit(cls._progress, client, me)
                reminders = pool.submit(RemindersPanel.from_client, client)  # None when it cannot load
                flags = pool.submit(client.flags, mine=True) if mentee_ids else None
                contact = pool.submit(client.students) if "head_teacher" in roles and me.get("classes") else None
                records = fetch_records(client, mentee_ids)
                progress = progress.result()
                flags = flags.result() if flags else []
                contact = contact.result() if contact else None
                reminders = reminders.result()
        except RecordsError as error:
            log.error("workbench could not load: %s %s", error.status, error)
            return ErrorPage(t("load_failed", message=error.message_zh))
        return cls(client, me, progress, records, flags, contact_students=contact, today=today,
                   reminders=reminders.reminders if reminders else None)

    @staticmethod
    def _progress(client, me: dict) -> dict:
        roles = set(me.get("roles", []))
        if not (me.get("mentees") or me.get("classes") or "school_admin" in roles):
            return {}
        return client.progress()

    def _after_save(self, record: dict) -> None:
        try:
            self.tracker.refresh_student(record.get("student_id"))
            if self._class.value is not None:
                self._class.value.reload()
        except RecordsError as error:
            self.status.value = f'<p style="color:#b00020">{html.escape(t("load_failed", message=error.message_zh))}</p>'


    def after_life_event(self, _event: dict) -> None:
        """A life event was marked: the progress (with its talk tasks) and the tracker anew."""
        try:
            self.progress = client_progress = self.client.progress()
            self.term = TermInfo.from_progress(client_progress)
            self.tracker.term = self.term
            self.tracker.view.set_rows(self.tracker._rows())
        except RecordsError as error:
            self.status.value = f'<p style="color:#b00020">{html.escape(t("load_failed", message=error.message_zh))}</p>'


def action_pages(bench, client, mentees: list, contact_students: list | None, today) -> list:
    """The 学生动态 tab: life events and nominations, for the caller's mentees and (head teacher) class."""
    from .focus_texts import f
    from .mentee_actions import MenteeActions

    students = {s["student_id"]: s for s in [*(contact_students or []), *mentees]}
    if not students:
        return []
    ordered = sorted(students.values(), key=lambda s: (s.get("class_id") or "", s["student_id"]))
    return [(f("tab_actions"), Lazy(lambda: MenteeActions.from_client(client, ordered, today=today,
                                                                       on_event=bench.after_life_event,
                                                                       nominees=mentees)))]


def consent_pages(client, roles: set, mentees: list) -> list:
    """A mentor's 可记录范围 tab (their mentees' consents), a school admin's 监护人同意 tab (missing ones)."""
    from . import consent_texts
    from .consent_panel import ConsentPanel, MissingConsentsPanel

    pages = []
    if mentees:
        ids = [mentee["student_id"] for mentee in mentees]
        pages.append((consent_texts.TAB_MENTEES, Lazy(lambda: ConsentPanel.from_client(client, ids))))
    if "school_admin" in roles:
        pages.append((consent_texts.TAB_SCHOOL, Lazy(lambda: MissingConsentsPanel.from_client(client))))
    return pages


class ErrorPage:
    """What the page shows when it cannot load (a message instead of a traceback)."""

    def __init__(self, message: str):
        self.widget = w.VBox([w.HTML(f"<h2>{html.escape(t('workbench_title'))}</h2>"),
                              w.HTML(f'<p class="mh-load-error" style="color:#b00020">{html.escape(message)}</p>')])
