"""Case library and discussion room views, driven headless (set values, click buttons)."""

import base64
import io
import re
from pathlib import Path

import pytest
from docx import Document

from hub.cases.discussion import DiscussionRoom, InMemoryStorage
from hub.cases.errors import Forbidden
from hub.cases.synthetic import EXAM_DATES, synthetic_term
from widgets.case_library import CaseLibraryApp
from widgets.dashboards import DashboardApp
from widgets.discussion_room import DiscussionRoomApp

CASES = Path(__file__).resolve().parents[2] / "casestudies" / "cases"


@pytest.fixture(scope="module")
def library_app_cases():
    return CaseLibraryApp.from_folder(CASES).cases


def test_library_filters_and_shows_an_escaped_case(library_app_cases):
    app = CaseLibraryApp(library_app_cases)
    assert len(app.results.options) == len(library_app_cases)
    app.stage.value = "高中"
    assert app.results.options and all(label.startswith("[高中]") for label, _ in app.results.options)
    app.search.value = "选科"
    assert [value for _, value in app.results.options] == ["b10-subject-choice"]
    app.results.value = "b10-subject-choice"
    assert "物理还是历史" in app.detail.value and "讨论题" in app.detail.value
    app.search.value = "没有这个词"
    assert app.results.options == () and "没有符合条件" in app.count.value


def test_library_escapes_html(library_app_cases):
    tricky = library_app_cases[0].__class__.from_dict(library_app_cases[0].to_dict() | {"title": "<b>标题</b>"})
    app = CaseLibraryApp([tricky])
    app.results.value = tricky.id
    assert "&lt;b&gt;标题&lt;/b&gt;" in app.detail.value and "<b>标题</b>" not in app.detail.value


@pytest.fixture
def room():
    return DiscussionRoom(InMemoryStorage())


def test_three_pages_run_one_session(room):
    session = room.create_session("leader1", "studio-a", ["leader1", "teacher1", "teacher2"], "b10", "选科分歧")
    leader = DiscussionRoomApp.join(room, session.id, "leader1")
    one = DiscussionRoomApp.join(room, session.id, "teacher1")
    two = DiscussionRoomApp.join(room, session.id, "teacher2")
    assert leader.leader_box.layout.display == "" and one.leader_box.layout.display == "none"

    one.text.value = "先听学生自己的想法"
    one.submit.click()
    assert one.text.value == "" and "先听学生自己的想法" in one.board.value
    assert two.poll_once() and "先听学生自己的想法" not in two.board.value  # independent analysis
    leader.advance_button.click()
    assert two.poll_once() and "先听学生自己的想法" in two.board.value
    assert not two.poll_once()

    leader.advance_button.click()
    for page, idea in ((one, "生涯课查专业目录"), (two, "父子一起参加讲座")):
        page.poll_once()
        page.text.value = idea
        page.submit.click()
    two.mine.value = two.mine.options[0][1]
    two.text.value = "父子一起参加生涯讲座"
    two.save_edit.click()
    leader.poll_once()
    leader.advance_button.click()
    for page in (one, two):
        page.poll_once()
        assert page.vote_box.layout.display == ""
        page.proposal.value = page.proposal.options[0][1]
        page.vote_button.click()
    leader.poll_once()
    leader.close_vote_button.click()
    leader.advance_button.click()
    leader.summary.value = "尊重学生的选择，家校共同查资料。"
    leader.finish.click()
    leader.export_button.click()
    assert "研讨已结束" in leader.header.value

    encoded = re.search(r'href="data:[^;]+;base64,([^"]+)"', leader.downloads.value).group(1)
    document = Document(io.BytesIO(base64.b64decode(encoded)))
    body = "\n".join(p.text for p in document.paragraphs)
    for text in ("先听学生自己的想法", "生涯课查专业目录", "父子一起参加生涯讲座", "2 票", "尊重学生的选择"):
        assert text in body


def test_errors_are_shown_on_the_page(room):
    session = room.create_session("leader1", "studio-a", ["leader1", "teacher1"], "c", "标题")
    page = DiscussionRoomApp.join(room, session.id, "teacher1")
    page.text.value = "家长电话13812345678"
    page.submit.click()
    assert "电话号码" in page.message.value
    assert room.storage.find_contributions(session.id) == []


def test_non_member_cannot_open_the_page(room):
    session = room.create_session("leader1", "studio-a", ["leader1"], "c", "标题")
    with pytest.raises(Forbidden):
        DiscussionRoomApp.join(room, session.id, "outsider")


def test_dashboard_app_builds_a_tab_per_dashboard():
    students, records, flags, enrollments = synthetic_term(600, schools_total=6)
    app = DashboardApp.from_frames(students, records, flags, enrollments, EXAM_DATES)
    assert len(app.tabs.children) == 5 and app.tabs.titles[0].startswith("“三个一”")
    first_table = app.tabs.children[0].children[0].value
    assert "学校" in first_table and "student" not in first_table and "p000" not in first_table
    assert bytes(app.tabs.children[0].children[1].value).startswith(b"\x89PNG")
    assert not app.images["training"].value
    app.tabs.selected_index = 4
    assert bytes(app.images["training"].value).startswith(b"\x89PNG")
