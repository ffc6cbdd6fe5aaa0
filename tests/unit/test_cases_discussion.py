"""The discussion room driven headless through its model, with the in-memory storage."""

import io
import itertools

import pytest
from docx import Document

from hub.cases import texts
from hub.cases.discussion import DiscussionRoom, InMemoryStorage, Session
from hub.cases.errors import Forbidden, Invalid, NotFound
from hub.cases.minutes import minutes_docx, minutes_markdown

MEMBERS = ("leader1", "teacher1", "teacher2")


@pytest.fixture
def room():
    ticks = itertools.count()
    return DiscussionRoom(InMemoryStorage(), clock=lambda: f"2026-01-01T00:00:{next(ticks):02d}")


@pytest.fixture
def session(room):
    created = room.create_session("leader1", "studio-a", MEMBERS, "b01-new-student-alone", "开学一个月仍独来独往的初一新生")
    room.join("teacher1", created.id)
    room.join("teacher2", created.id)
    return created


def run_full_session(room, session_id):
    """Leader and two members go through every round; returns the ids of the two proposals."""
    room.contribute("teacher1", session_id, "学生缺少被看见的机会。")
    room.contribute("teacher2", session_id, "先了解他在小学时的兴趣。")
    room.advance("leader1", session_id)
    room.contribute("teacher1", session_id, "同意，兴趣是切入点。")
    room.advance("leader1", session_id)
    first = room.contribute("teacher1", session_id, "组织观星角活动")
    second = room.contribute("teacher2", session_id, "安排同伴午饭")
    room.advance("leader1", session_id)
    room.vote("teacher1", session_id, first.id)
    room.vote("teacher2", session_id, first.id)
    room.vote("leader1", session_id, second.id)
    room.close_vote("leader1", session_id)
    room.advance("leader1", session_id)
    room.write_summary("leader1", session_id, "以兴趣为切入点，同伴活动为载体。", finish=True)
    return first.id, second.id


def test_a_whole_session_end_to_end(room, session):
    first, second = run_full_session(room, session.id)
    view = room.view("teacher2", session.id)
    assert view.session.round == "summary" and view.session.finished
    assert [(line.proposal_id, line.votes) for line in view.tally] == [(first, 2), (second, 1)]
    assert [c.author for c in view.in_round("analysis")] == ["teacher1", "teacher2"]
    assert view.session.participants == list(MEMBERS)


def test_non_member_is_refused(room, session):
    with pytest.raises(Forbidden, match="不是本工作室成员"):
        room.join("outsider", session.id)
    with pytest.raises(Forbidden):
        room.contribute("outsider", session.id, "我也想说")
    with pytest.raises(Forbidden):
        room.view("outsider", session.id)


def test_member_must_join_before_contributing(room):
    created = room.create_session("leader1", "studio-a", MEMBERS, "c", "标题")
    with pytest.raises(Forbidden, match="没有加入"):
        room.contribute("teacher1", created.id, "分析")


def test_leader_must_be_a_member(room):
    with pytest.raises(Invalid, match="主持人"):
        room.create_session("boss", "studio-a", MEMBERS, "c", "标题")


def test_only_the_author_edits_a_contribution(room, session):
    mine = room.contribute("teacher1", session.id, "初稿")
    with pytest.raises(Forbidden, match="只能修改自己的发言"):
        room.edit_contribution("teacher2", mine.id, "改掉别人的")
    with pytest.raises(Forbidden):
        room.edit_contribution("leader1", mine.id, "主持人也不能改")
    edited = room.edit_contribution("teacher1", mine.id, "修改稿")
    assert edited.text == "修改稿"
    assert [c.text for c in room.view("teacher1", session.id).contributions] == ["修改稿"]


def test_only_the_leader_moves_rounds_closes_vote_and_summarises(room, session):
    for action in (
        lambda: room.advance("teacher1", session.id),
        lambda: room.close_vote("teacher1", session.id),
        lambda: room.write_summary("teacher1", session.id, "总结"),
    ):
        with pytest.raises(Forbidden, match="只有主持人"):
            action()


def test_independent_analysis_is_hidden_from_others_until_sharing(room, session):
    room.contribute("teacher1", session.id, "甲的分析")
    room.contribute("teacher2", session.id, "乙的分析")
    assert [c.text for c in room.view("teacher1", session.id).contributions] == ["甲的分析"]
    assert room.view("leader1", session.id).contributions == ()
    room.advance("leader1", session.id)
    assert [c.text for c in room.view("teacher1", session.id).contributions] == ["甲的分析", "乙的分析"]


def test_round_rules(room, session):
    with pytest.raises(Invalid, match="投票"):
        room.vote("teacher1", session.id, "contribution-1")
    room.advance("leader1", session.id)
    room.advance("leader1", session.id)
    with pytest.raises(Invalid, match="还没有策略提案"):
        room.advance("leader1", session.id)
    proposal = room.contribute("teacher1", session.id, "提案")
    room.advance("leader1", session.id)
    with pytest.raises(Invalid, match="当前环节是“投票”"):
        room.contribute("teacher2", session.id, "迟到的提案")
    with pytest.raises(Invalid, match="先结束投票"):
        room.advance("leader1", session.id)
    with pytest.raises(Invalid, match="不是本次研讨的策略提案"):
        room.vote("teacher2", session.id, "contribution-999")
    room.vote("teacher2", session.id, proposal.id)
    room.close_vote("leader1", session.id)
    with pytest.raises(Invalid, match="投票已结束"):
        room.vote("teacher1", session.id, proposal.id)


def test_revote_replaces_the_earlier_vote(room, session):
    room.advance("leader1", session.id)
    room.advance("leader1", session.id)
    first = room.contribute("teacher1", session.id, "提案一")
    second = room.contribute("teacher2", session.id, "提案二")
    room.advance("leader1", session.id)
    room.vote("teacher1", session.id, first.id)
    room.vote("teacher1", session.id, second.id)
    view = room.view("teacher1", session.id)
    assert [line.votes for line in view.tally] == [0, 1]
    assert view.my_vote == second.id


def test_contribution_text_is_checked(room, session):
    with pytest.raises(Invalid, match="不能为空"):
        room.contribute("teacher1", session.id, "   ")
    with pytest.raises(Invalid, match="过长"):
        room.contribute("teacher1", session.id, "字" * 2001)
    with pytest.raises(Invalid, match="电话号码"):
        room.contribute("teacher1", session.id, "家长电话13812345678")
    assert room.storage.find_contributions(session.id) == []


def test_finished_session_is_read_only(room, session):
    run_full_session(room, session.id)
    with pytest.raises(Invalid, match="研讨已结束"):
        room.write_summary("leader1", session.id, "再改")


def test_version_moves_on_every_write(room, session):
    before = room.version(session.id)
    room.contribute("teacher1", session.id, "分析")
    assert room.version(session.id) == before + 1


def test_unknown_session(room):
    with pytest.raises(NotFound):
        room.join("teacher1", "session-404")


def test_session_round_trips_through_dict(session):
    assert Session.from_dict(session.to_dict()) == session


def test_minutes_markdown_and_docx_hold_every_contribution(room, session):
    run_full_session(room, session.id)
    view = room.view("leader1", session.id)
    markdown = minutes_markdown(view)
    document = Document(io.BytesIO(minutes_docx(view)))
    docx_text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    for contribution in view.contributions:
        assert contribution.text in markdown
        assert f"{contribution.author}：{contribution.text}" in docx_text
    for text in (texts.MINUTES_TITLE, "开学一个月仍独来独往的初一新生", "以兴趣为切入点", "组织观星角活动（teacher1）：2 票"):
        assert text in markdown and text in docx_text
    assert "leader1、teacher1、teacher2" in docx_text
