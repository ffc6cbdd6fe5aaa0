"""The district's Voilà pages (widgets.district_pages) driven against the real records service on the hand-made
district (tests.district_world; only the hub's token check is replaced): the school's plan form, the district's
review, the district dashboard with its exports, the portfolio with its downloads."""

from __future__ import annotations

import base64
import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from hub.store import open_store
from hub.store.testing import new_database_url
from tests.district_support import USER_HEADER, ServedWithUsers, plan_sections
from tests.district_world import build_hand_district
from widgets.client import RecordsClient
from widgets.district_pages import (
    DistrictDashboardPage,
    MessagePage,
    PlanReviewPage,
    PortfolioPage,
    SchoolPlanPage,
    open_page,
)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("district-pages"))
    store = open_store(url)
    info = build_hand_district(store)
    service = ServedWithUsers(store, monkeypatch)
    yield service, store, info
    service.stop()
    monkeypatch.undo()
    store.close()


def client_for(service, user: str) -> RecordsClient:
    client = RecordsClient(service.url)
    client.session.headers[USER_HEADER] = user
    return client


def link_bytes(html: str) -> bytes:
    return base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", html).group(1))


def test_the_school_fills_in_saves_submits_and_downloads_its_plan(served):
    service, _, _ = served
    page = open_page(client_for(service, "adm"), "plan")
    assert isinstance(page, SchoolPlanPage)
    assert "状态：<b>未提交</b>" in page.header.value and "<td" in page.figures.value
    page.areas["goals"].value = "太短"
    page.submit()
    assert "mh-status-error" in page.status.widget.value and "“工作目标”尚未填写或过短" in page.status.widget.value
    for key, text in plan_sections().items():
        page.areas[key].value = text
    page.submit()
    assert "已上报（第1版）" in page.status.widget.value and page.plan["status"] == "submitted"
    assert page.areas["goals"].disabled and page.submit_button.disabled
    page.download()
    document = Document(io.BytesIO(link_bytes(page.link.value)))
    assert document.paragraphs[0].text == "甲校全员导师制工作学校实施方案"


def test_the_district_reviews_and_the_school_sees_it(served):
    service, store, _ = served
    if store.find_school_plan(store.actor_for("adm"))["status"] != "submitted":
        store.save_school_plan(store.actor_for("adm"), None, {"sections": plan_sections()})
        store.submit_school_plan(store.actor_for("adm"), None)
    page = open_page(client_for(service, "dist1"), "plan")
    assert isinstance(page, PlanReviewPage)
    assert "已提交" in page.overview.value and page.overview.value.index("甲校") < page.overview.value.index("乙校")
    page.picker.value = "A"
    assert "工作目标" in page.detail.value and page.version_pick.value == 1
    page.comment.value = "请补充研训制度的具体频次。"
    page.review("request_changes")
    assert "已退回学校修改" in page.status.widget.value and "需修改" in page.overview.value
    page.download()
    assert page.link.value.startswith('<a class="mh-plan-docx"')
    school = open_page(client_for(service, "adm"), "plan")
    assert "请补充研训制度的具体频次。" in school.reviews.value and not school.areas["goals"].disabled


def test_the_district_dashboard_page_and_its_exports(served):
    service, _, _ = served
    page = open_page(client_for(service, "dist1"), "dashboard")
    assert isinstance(page, DistrictDashboardPage)
    assert list(page.tabs.titles) == ["导师覆盖", "三个一完成情况", "导师指导人数", "培训学时", "导师团与工作室活动"]
    coverage = page.tabs.children[0].children[0].value
    assert "&lt;5" in coverage and "学生甲" not in coverage and page.images["coverage"].value[:4] == b"\x89PNG"
    page.export_xlsx()
    book = load_workbook(io.BytesIO(link_bytes(page.link.value)), read_only=True)
    assert "导师覆盖" in book.sheetnames
    page.export_brief()
    assert len(Document(io.BytesIO(link_bytes(page.link.value))).inline_shapes) == 3
    refused = open_page(client_for(service, "ta1"), "dashboard")
    assert isinstance(refused, MessagePage) and "区级看板只对区德育科和平台管理员开放" in refused.message.value


def test_a_teacher_downloads_their_portfolio_and_a_leader_exports_the_school(served):
    service, _, info = served
    own = open_page(client_for(service, "ta2"), "portfolio")
    assert isinstance(own, PortfolioPage) and own.school is None
    assert "甲二" in own.view.value and "新任导师" in own.view.value
    own.download()
    document = Document(io.BytesIO(link_bytes(own.link.value)))
    assert document.paragraphs[0].text == "导师工作档案（2026-2027学年）"
    assert not any(name in own.view.value for name in info["student_names"])
    lead = open_page(client_for(service, "lead"), "portfolio")
    assert [label for label, _ in lead.picker.options][:2] == ["甲一（ta1）", "甲三（ta3）"]  # by name
    lead.picker.value = "ta5"
    assert "甲五" in lead.view.value
    lead.export_summary()
    book = load_workbook(io.BytesIO(link_bytes(lead.link.value)), read_only=True)
    assert [row[1] for row in book["导师工作汇总"].iter_rows(min_row=2, values_only=True)][:3] == ["甲一", "甲三", "甲二"]
    assert isinstance(open_page(client_for(service, "dist1"), "portfolio"), MessagePage)


def test_a_platform_admin_reads_the_plans_without_review_buttons(served):
    service, _, _ = served
    page = open_page(client_for(service, "admin"), "plan")
    assert isinstance(page, PlanReviewPage) and "甲校" in page.overview.value
    assert page.comment.layout.display == "none" and all(b.layout.display == "none" for b in page.buttons.values())


def test_the_dashboard_shows_another_term(served):
    service, store, _ = served
    import datetime as dt

    store.add_term("T0", "2025-2026", 2, dt.date(2026, 2, 20), dt.date(2026, 6, 30))
    store.forget_cached()
    page = open_page(client_for(service, "dist1"), "dashboard")
    assert list(page.term_pick.options) == ["T0", "T1"] and page.term_pick.value == "T1"
    page.term_pick.value = "T0"
    assert page.board["term_id"] == "T0" and "T0" in page.heading.value
    tri = page.board["tables"]["tri_one"]
    assert all(row["home_visit"] in (0, None) for row in tri)  # nothing was recorded in that term
    page.export_xlsx()
    assert "区级看板-T0.xlsx" in page.link.value
