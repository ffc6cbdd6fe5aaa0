"""Mentors' work portfolios (导师工作档案, issue 22 part 3) on the hand-made district (tests.district_world),
field by field; who may read whose; the teacher's .docx and the school's .xlsx read back, no student named,
teachers in name order only."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from hub.district_docs import PORTFOLIO_HEADER, portfolio_docx, portfolios_xlsx
from hub.store import Forbidden, NotFound, open_store
from hub.store.testing import new_database_url
from tests.district_world import build_hand_district


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("portfolios"))
    store = open_store(url)
    info = build_hand_district(store)
    yield store, info
    store.close()


def test_a_teachers_portfolio_field_by_field(district):
    store, _ = district
    portfolio = store.find_portfolio(store.actor_for("ta2"))
    assert portfolio == {
        "staff_id": "ta2", "name": "甲二", "school_id": "A", "school_name": "甲校", "school_year": "2026-2027",
        "training": [{"course_id": "foundations", "course": "导师工作基础", "tier": "新任导师", "completed": True,
                      "hours": 10.0}],
        "training_hours": 10.0, "hours_by_tier": {"新任导师": 10.0},
        "terms": [{"term_id": "T1", "mentees": 5, "home_visit": 2, "talk": 2, "growth_message": 1}],
        "class_team": {"meetings_attended": 1, "meetings_recorded": 0},
        "studios": {"member_of": ["s1"], "sessions_attended": 1},
        "cases": [{"case_id": "c-ta2", "title": "新生适应的陪伴", "status": "published"}],
        "support_teams": {"served": 1, "as_lead": 0},
    }  # fmt: skip


def test_other_teachers_portfolios(district):
    store, _ = district
    lead = store.actor_for("lead")
    ta3 = store.find_portfolio(lead, "ta3")
    assert ta3["support_teams"] == {"served": 1, "as_lead": 1} and ta3["terms"][0]["mentees"] == 1
    assert ta3["studios"] == {"member_of": [], "sessions_attended": 1}
    ta5 = store.find_portfolio(store.actor_for("adm"), "ta5")
    assert ta5["terms"][0] == {"term_id": "T1", "mentees": 16, "home_visit": 0, "talk": 6, "growth_message": 0}
    assert ta5["training_hours"] == 0.0 and ta5["training"][0]["completed"] is False
    ta1 = store.find_portfolio(lead, "ta1")
    assert ta1["class_team"] == {"meetings_attended": 2, "meetings_recorded": 2}
    assert store.find_portfolio(lead, "ta1", "2019-2020")["terms"] == []  # a year without terms: nothing counted


@pytest.mark.parametrize("user, other", [("ta1", "ta2"), ("admb", "ta2"), ("dist1", "ta2"), ("ta3", "ta5")])
def test_nobody_else_reads_a_portfolio(district, user, other):
    store, _ = district
    with pytest.raises(NotFound):
        store.find_portfolio(store.actor_for(user), other)


def test_the_school_summary_is_for_the_schools_leaders_in_name_order(district):
    store, info = district
    summary = store.find_school_portfolios(store.actor_for("adm"))
    assert [p["name"] for p in summary["teachers"]] == sorted(p["name"] for p in summary["teachers"])
    for user in ("ta1", "dist1", "admin"):
        with pytest.raises(Forbidden):
            store.find_school_portfolios(store.actor_for(user))
    with pytest.raises(NotFound):
        store.find_school_portfolios(store.actor_for("adm"), "B")
    book = load_workbook(io.BytesIO(portfolios_xlsx(summary)), read_only=True)
    rows = [list(row) for row in book["导师工作汇总"].iter_rows(values_only=True)]
    assert rows[0] == PORTFOLIO_HEADER
    ta2 = next(row for row in rows if row[0] == "ta2")
    assert ta2 == ["ta2", "甲二", 10, 1, "5", 2, 2, 1, 1, 1, 1, 1]
    text = " ".join(str(cell) for row in rows for cell in row)
    assert not any(name in text for name in info["student_names"])


def test_the_teachers_docx_reads_back(district):
    store, info = district
    document = Document(io.BytesIO(portfolio_docx(store.find_portfolio(store.actor_for("ta2")))))
    assert document.paragraphs[0].text == "导师工作档案（2026-2027学年）"
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["导师工作基础", "新任导师", "已完成", "10.0"] in cells
    assert ["T1", "5", "2", "2", "1"] in cells
    assert ["参加导师团会议", "1"] in cells and ["新生适应的陪伴", "published"] in cells
    text = " ".join(" ".join(row) for row in cells) + " ".join(p.text for p in document.paragraphs)
    assert not any(name in text for name in info["student_names"])


def test_a_formula_looking_name_stays_text_in_the_summary(district):
    store, _ = district
    summary = store.find_school_portfolios(store.actor_for("adm"))
    summary["teachers"][0]["name"] = '=HYPERLINK("http://x","y")'
    book = load_workbook(io.BytesIO(portfolios_xlsx(summary)))
    cell = book["导师工作汇总"]["B2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_training_counts_towards_the_school_year_it_was_earned_in(tmp_path):
    import datetime as dt

    from sqlalchemy import update

    from hub.store.models import TrainingResult

    url, _ = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    try:
        build_hand_district(store)
        store.put_training_results("psychology", "心理健康教育", [{"staff_id": "ta2", "completed": True, "hours": 8.0}])
        with store.writing() as s:  # earned in the summer before the year began (区级培训 in July)
            s.execute(update(TrainingResult).where(TrainingResult.course_id == "psychology")
                      .values(updated_at=dt.datetime(2026, 7, 20, 10, 0)))
        actor = store.actor_for("ta2")
        assert [r["course_id"] for r in store.find_portfolio(actor, None, "2026-2027")["training"]] == ["foundations"]
        earlier = store.find_portfolio(actor, None, "2025-2026")
        assert [r["course_id"] for r in earlier["training"]] == ["psychology"] and earlier["training_hours"] == 8.0
        assert earlier["terms"] == [] and earlier["cases"] == []  # no term of that year, the case is this year's
    finally:
        store.close()
