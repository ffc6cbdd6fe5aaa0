"""Terms and their calendar (issue 20, part 1): the plan's windows (home visit before the term begins, talks
around exams and after a life event, growth message at the end), a school's own calendar, the tracker's
states by those windows, `mentorhub term add/list`, the demo's home visit before the term, and the
school admins' calendar page."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.cli import main
from hub.demo import seed_demo
from hub.store import Conflict, Forbidden, Invalid, NotFound, open_store
from hub.store.term_calendar import CalendarError, Exam, check_calendar, default_calendar, end_of_first_week
from hub.store.testing import build_small_world, new_database_url
from widgets.term_calendar import TermCalendarPage
from widgets.term_calendar_model import CalendarForm, FormProblem, parse_exam_lines
from widgets.tracker_model import DONE, DUE_SOON, OPEN, OVERDUE, TermInfo, mentee_rows, window_state

TODAY = dt.date.today()
NEXT_START = TODAY + dt.timedelta(days=90)  # the small world's current term ends 60 days from today
NEXT = "2090-2091-1"
TALK = {"kind": "talk", "talk_type": "例行关怀", "summary": "聊了聊新学期的打算和同伴关系。"}
VISIT = {"kind": "home_visit", "form": "视频", "purpose": "了解暑期作息与新学期准备"}


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


# --- the pure calendar --------------------------------------------------------------------------------
def test_the_default_calendar_puts_the_home_visit_before_the_term_and_the_message_at_its_end():
    start, end = dt.date(2026, 9, 1), dt.date(2027, 1, 22)  # a Tuesday
    calendar = default_calendar("2026-2027-1", start, end, [Exam("期中考试", dt.date(2026, 11, 10))])
    assert (calendar.home_visit_from, calendar.home_visit_to) == (dt.date(2026, 8, 18), dt.date(2026, 9, 6))
    assert end_of_first_week(start) == dt.date(2026, 9, 6) and calendar.opens_on == dt.date(2026, 8, 18)
    assert calendar.due() == {"home_visit": dt.date(2026, 9, 6), "talk": dt.date(2026, 11, 17),
                              "growth_message": end}  # fmt: skip
    assert (calendar.growth_message_from, calendar.growth_message_to) == (dt.date(2027, 1, 9), end)
    window = calendar.talk_windows()[0]
    assert (window.start, window.end, window.name) == (dt.date(2026, 11, 3), dt.date(2026, 11, 17), "期中考试")
    assert calendar.life_event_window(dt.date(2026, 12, 1)).end == dt.date(2026, 12, 8)
    check_calendar(calendar, previous_end=dt.date(2026, 7, 1))


@pytest.mark.parametrize("change, key", [
    ({"home_visit_from": dt.date(2026, 9, 2)}, "home_visit_after_start"),
    ({"home_visit_from": dt.date(2026, 6, 20)}, "home_visit_too_early"),
    ({"home_visit_to": dt.date(2026, 8, 1)}, "window_reversed"),
    ({"growth_message_to": dt.date(2027, 2, 1)}, "outside_term_window"),
    ({"exams": (Exam("期中考试", dt.date(2027, 3, 1)),)}, "exam_outside_term"),
    ({"exams": (Exam("月考", dt.date(2026, 10, 1)), Exam("月考", dt.date(2026, 11, 1)))}, "exam_twice"),
    ({"talk_days_after": 61}, "bad_days"),
])  # fmt: skip
def test_a_calendar_that_cannot_be_is_refused_by_name(change, key):
    from dataclasses import replace

    calendar = replace(default_calendar("T", dt.date(2026, 9, 1), dt.date(2027, 1, 22)), **change)
    with pytest.raises(CalendarError) as caught:
        check_calendar(calendar)
    assert caught.value.key == key


def test_a_home_visit_window_reaching_into_the_previous_term_is_refused():
    calendar = default_calendar("T", dt.date(2026, 9, 1), dt.date(2027, 1, 22))
    with pytest.raises(CalendarError) as caught:
        check_calendar(calendar, previous_end=dt.date(2026, 8, 20))
    assert caught.value.key == "home_visit_in_previous_term"


# --- the tracker's rules -------------------------------------------------------------------------------
def test_window_states():
    windows = ((dt.date(2026, 11, 3), dt.date(2026, 11, 17)), (dt.date(2027, 1, 7), dt.date(2027, 1, 21)))
    assert window_state(False, windows, dt.date(2026, 10, 1)) == OPEN
    assert window_state(False, windows, dt.date(2026, 11, 4)) == DUE_SOON  # the mid-term window is open
    assert window_state(False, windows, dt.date(2026, 12, 1)) == OPEN  # missed it: the end-of-term one is left
    assert window_state(False, windows, dt.date(2027, 1, 22)) == OVERDUE
    assert window_state(True, windows, dt.date(2027, 1, 22)) == DONE


def test_the_tracker_shows_the_home_visit_due_before_the_term_not_at_its_end():
    progress = {"term_id": "T", "start_date": "2026-09-01", "end_date": "2027-01-22",
                "due": {"home_visit": "2026-09-06", "talk": "2027-01-21", "growth_message": "2027-01-22"},
                "windows": {"home_visit": [{"from": "2026-08-18", "to": "2026-09-06"}],
                            "talk": [{"from": "2027-01-07", "to": "2027-01-21"}],
                            "growth_message": [{"from": "2027-01-09", "to": "2027-01-22"}]},
                "life_events": {"s2": {"event_date": "2026-09-20", "kind": "家庭变故", "due": "2026-09-27"}}}
    term = TermInfo.from_progress(progress)
    mentees = [{"student_id": "s1", "class_id": "A"}, {"student_id": "s2", "class_id": "A"}]
    records = {"s2": [{"kind": "talk", "date": "2026-09-21", "term_id": "T"}]}
    rows = {row.student_id: row for row in mentee_rows(mentees, records, term, dt.date(2026, 8, 25))}
    assert rows["s1"].states == {"home_visit": DUE_SOON, "talk": OPEN, "growth_message": OPEN}
    assert rows["s1"].event_talk is None
    later = {row.student_id: row for row in mentee_rows(mentees, records, term, dt.date(2026, 9, 28))}
    assert later["s1"].states["home_visit"] == OVERDUE  # four months before the term's end
    assert later["s2"].event_talk == DONE
    assert mentee_rows(mentees, {}, term, dt.date(2026, 9, 28))[1].event_talk == OVERDUE


# --- the store -----------------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request, tmp_path):
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path, pg)
    store = open_store(url)
    build_small_world(store)
    yield store
    store.close()
    cleanup()


def add_next_term(store, **calendar):
    body = {"exams": [{"name": "期中考试", "date": (NEXT_START + dt.timedelta(days=60)).isoformat()}], **calendar}
    return store.add_term_with_calendar(NEXT, NEXT_START, NEXT_START + dt.timedelta(days=140), body, by="test")


def test_a_new_term_keeps_the_district_calendar_and_its_due_dates(world):
    calendar = add_next_term(world)
    term = world.find_term(NEXT)
    assert (term.academic_year, term.term_no) == ("2090-2091", 1)
    assert term.home_visit_due == calendar.home_visit_to == end_of_first_week(NEXT_START)
    assert term.home_visit_due < term.talk_due < term.growth_message_due == term.end_date
    assert world.find_calendar(NEXT, "A") == calendar  # no school calendar yet: the template
    assert [a.action for a in world.find_audit(world.actor_for("admin"), action="term.add")] == ["term.add"]


@pytest.mark.parametrize("term_id, start, end, key, error", [
    (NEXT, NEXT_START, NEXT_START, None, None),  # the second time
    ("2090-2091-2", TODAY, TODAY + dt.timedelta(days=100), "term_overlaps", Conflict),
    ("autumn", NEXT_START + dt.timedelta(days=200), NEXT_START + dt.timedelta(days=300), "bad_term_id", Invalid),
    ("2091-2092-1", NEXT_START + dt.timedelta(days=300), NEXT_START + dt.timedelta(days=200), "term_end_before_start",
     Invalid),
])  # fmt: skip
def test_terms_that_cannot_be_are_refused_and_nothing_is_written(world, term_id, start, end, key, error):
    add_next_term(world)
    before = [t.term_id for t in world.find_terms()]
    with pytest.raises(error or Conflict) as caught:
        world.add_term_with_calendar(term_id, start, end)
    assert caught.value.message_zh
    assert [t.term_id for t in world.find_terms()] == before


def test_a_home_visit_before_the_term_belongs_to_it_and_the_term_is_current_from_then(world):
    add_next_term(world)
    admin = world.actor_for("adm_a")
    world.add_assignments(admin, NEXT, [{"student_id": "sa1", "staff_id": "plain_a", "kind": "primary"}])
    visit_day = NEXT_START - dt.timedelta(days=5)
    world.today = lambda: visit_day
    world.forget_cached()
    assert world.current_term().term_id == NEXT
    mentor = world.actor_for("plain_a")
    assert mentor.mentee_ids == {"sa1"}
    record = world.add_record(mentor, {**VISIT, "student_id": "sa1", "date": visit_day.isoformat()})
    assert record.term_id == NEXT
    progress = world.find_progress(mentor)
    assert progress["students"][0]["home_visit"] is True
    assert progress["due"]["home_visit"] == end_of_first_week(NEXT_START).isoformat()
    assert progress["windows"]["home_visit"][0]["from"] == (NEXT_START - dt.timedelta(days=14)).isoformat()
    with pytest.raises(Invalid) as caught:  # before the window opens: no term
        world.add_record(mentor, {**VISIT, "student_id": "sa1", "date": (NEXT_START - dt.timedelta(days=20)).isoformat()})
    assert caught.value.field == "date"
    assert world.actor_for("m_a").mentee_ids == frozenset()  # last term's mentor: the new term has begun


def test_a_school_keeps_its_own_calendar_and_the_other_school_the_template(world):
    add_next_term(world)
    own = {"home_visit": {"from": (NEXT_START - dt.timedelta(days=7)).isoformat(),
                          "to": (NEXT_START + dt.timedelta(days=3)).isoformat()},
           "exams": [{"name": "期末考试", "date": (NEXT_START + dt.timedelta(days=130)).isoformat()}],
           "talk_days_before": 3}  # fmt: skip
    answer = world.set_school_calendar(world.actor_for("adm_a"), NEXT, own)
    assert answer["school_id"] == "A" and answer["home_visit"]["to"] == own["home_visit"]["to"]
    assert answer["windows"]["talk"] == [{"name": "期末考试", "from": (NEXT_START + dt.timedelta(days=127)).isoformat(),
                                          "to": (NEXT_START + dt.timedelta(days=137)).isoformat()}]  # fmt: skip
    assert world.find_calendar(NEXT, "A").home_visit_from == NEXT_START - dt.timedelta(days=7)
    assert world.find_calendar(NEXT, "B").home_visit_from == NEXT_START - dt.timedelta(days=14)
    listed = {t["term_id"]: t for t in world.find_term_calendars(world.actor_for("m_a"))}
    assert listed[NEXT]["own"] is True and listed["T-cur"]["calendar"]["legacy"] is True
    assert {t["term_id"]: t["own"] for t in world.find_term_calendars(world.actor_for("m_b"))}[NEXT] is False
    # a record dated in the template's window but before school A's own window: not in the term for A
    world.add_assignments(world.actor_for("adm_a"), NEXT, [{"student_id": "sa1", "staff_id": "m_a"}])
    world.today = lambda: NEXT_START
    world.forget_cached()
    with pytest.raises(Invalid):
        world.add_record(world.actor_for("m_a"), {**VISIT, "student_id": "sa1",
                                                  "date": (NEXT_START - dt.timedelta(days=10)).isoformat()})


@pytest.mark.parametrize("who", ["m_a", "ht_a1", "lead_a", "psy_a", "admin", "trainer1"])
def test_only_a_school_admin_sets_a_school_calendar(world, who):
    add_next_term(world)
    with pytest.raises(Forbidden):
        world.set_school_calendar(world.actor_for(who), NEXT, {"talk_days_before": 3})
    assert world.find_calendar_schools() == {}


@pytest.mark.parametrize("body, field", [
    ({"home_visit": {"from": (NEXT_START + dt.timedelta(days=2)).isoformat(),
                     "to": (NEXT_START + dt.timedelta(days=6)).isoformat()}}, "home_visit"),
    ({"home_visit": {"from": "2090-13-01", "to": "2090-09-01"}}, "home_visit"),
    ({"home_visit": "2090-09-01"}, "home_visit"),
    ({"exams": [{"name": "期中", "date": "2099-01-01"}]}, "exams"),
    ({"exams": [{"name": "", "date": NEXT_START.isoformat()}]}, "exams"),
    ({"talk_days_before": "7"}, "talk_days_before"),
    ({"life_event_days": -1}, "life_event_days"),
    ({"colour": "red"}, "colour"),
])  # fmt: skip
def test_a_bad_school_calendar_is_refused_with_the_field_named(world, body, field):
    add_next_term(world)
    with pytest.raises(Invalid) as caught:
        world.set_school_calendar(world.actor_for("adm_a"), NEXT, body)
    assert caught.value.field == field and caught.value.message_zh
    assert world.find_calendar_schools() == {}


def test_an_unknown_term_is_not_found(world):
    with pytest.raises(NotFound):
        world.set_school_calendar(world.actor_for("adm_a"), "2099-2100-1", {})


# --- life events ---------------------------------------------------------------------------------------
def test_a_life_event_opens_a_talk_task_that_a_later_talk_closes(world):
    mentor = world.actor_for("m_a")
    event = world.add_life_event(mentor, {"student_id": "sa1", "kind": "家庭变故", "event_date": day(-3)})
    assert event["talk_due"] == day(-3 + 7) and event["term_id"] == "T-cur"
    tasks = world.find_progress(mentor)["life_events"]
    assert tasks == {"sa1": {"event_date": day(-3), "kind": "家庭变故", "due": day(4), "done": False}}
    world.add_record(mentor, {**TALK, "student_id": "sa1", "date": day(-1)})
    assert world.find_progress(mentor)["life_events"]["sa1"]["done"] is True
    head = world.actor_for("ht_a1")  # the head teacher of sa1's class sees it too, in the class view
    assert world.find_progress(head)["life_events"]["sa1"]["done"] is True
    assert [e["kind"] for e in world.find_life_events(head, "sa1")] == ["家庭变故"]
    audited = world.find_audit(world.actor_for("admin"), action="life_event.read")
    assert [a.actor for a in audited] == ["ht_a1"]  # beyond one's own mentees: audited


def test_the_head_teacher_marks_a_life_event_for_the_class_and_nobody_else_may(world):
    world.add_life_event(world.actor_for("ht_a1"), {"student_id": "sa3", "kind": "转学转班"})
    for who, student in (("m_a", "sa3"), ("m_b", "sa1"), ("psy_a", "sa1"), ("adm_a", "sa1"), ("lead_a", "sa1")):
        with pytest.raises(NotFound):
            world.add_life_event(world.actor_for(who), {"student_id": student, "kind": "家庭变故"})


@pytest.mark.parametrize("body, field", [
    ({"student_id": "sa1", "kind": "吵架"}, "kind"),
    ({"student_id": "sa1", "kind": "家庭变故", "event_date": day(3)}, "event_date"),
    ({"student_id": "sa1", "kind": "家庭变故", "details": "父母离异"}, "details"),
    ({"student_id": "sa1", "kind": "家庭变故", "event_date": "2019-01-01"}, "event_date"),
])  # fmt: skip
def test_a_bad_life_event_is_refused(world, body, field):
    with pytest.raises(Invalid) as caught:
        world.add_life_event(world.actor_for("m_a"), body)
    assert caught.value.field == field


# --- the demo ------------------------------------------------------------------------------------------
def test_the_demo_term_has_the_home_visit_before_the_term_begins(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    seed_demo(store)
    term = store.current_term()
    calendar = store.find_calendar(term.term_id, "dh")
    assert calendar.home_visit_from < term.start_date <= calendar.home_visit_to <= term.start_date + dt.timedelta(6)
    assert term.home_visit_due == calendar.home_visit_to  # not at the end of the term any more
    assert [e.name for e in calendar.exams] == ["期中考试", "期末考试"]
    visits = [r for teacher in map(store.actor_for, ("teacher1", "teacher2", "teacher3", "teacher4", "teacher5"))
              for s in sorted(teacher.mentee_ids) for r in store.find_records(teacher, s) if r.kind == "home_visit"]
    assert visits and all(calendar.home_visit_from <= r.event_date <= calendar.home_visit_to for r in visits)
    store.close()


# --- the command line ----------------------------------------------------------------------------------
def test_mentorhub_term_add_and_list(tmp_path, capsys):
    url, _ = new_database_url("sqlite", tmp_path)
    assert main(["term", "add", "2026-2027-1", "--start", "2026-09-01", "--end", "2027-01-22", "--exam",
                 "期中考试=2026-11-10", "--home-visit", "2026-08-20:2026-09-04", "--db", url]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "家访（开学前）：2026-08-20 至 2026-09-04" in out and "期中考试 2026-11-10" in out
    assert main(["term", "add", "2026-2027-2", "--start", "2027-01-10", "--end", "2027-06-30", "--db", url]) == 1
    assert "时间重叠" in capsys.readouterr().err
    assert main(["term", "add", "2026-2027-2", "--start", "2027-02-20", "--end", "2027-06-30", "--exam", "期中",
                 "--db", url]) == 2  # fmt: skip
    assert "名称=日期" in capsys.readouterr().err
    assert main(["term", "list", "--db", url]) == 0
    listing = capsys.readouterr().out
    assert "2026-2027-1" in listing and "2026-08-20～2026-09-04" in listing


# --- the school admins' page ---------------------------------------------------------------------------
class FakeClient:
    def __init__(self, store, username):
        self.store, self.username, self.calls = store, username, []

    def request(self, method, path, **kwargs):
        from hub.store import StoreError
        from widgets.client import RecordsError

        actor = self.store.actor_for(self.username)
        self.calls.append((method, path))
        try:
            if path == "terms":
                return {"terms": self.store.find_term_calendars(actor)}
            term_id = path.split("/")[1]
            return self.store.set_school_calendar(actor, term_id, kwargs["json"])
        except StoreError as error:
            raise RecordsError(error.status, error.message_zh, error.message_en, error.field) from None


def test_the_calendar_page_saves_the_schools_calendar_and_shows_refusals(world):
    add_next_term(world)
    client = FakeClient(world, "adm_a")
    page = TermCalendarPage.from_client(client)
    page.picker.value = NEXT
    assert "沿用区模板" in page.source.value
    page.home_from.value = NEXT_START - dt.timedelta(days=10)
    page.exams.value = f"期中考试 {(NEXT_START + dt.timedelta(days=60)).isoformat()}\n期末考试 {(NEXT_START + dt.timedelta(days=130)).isoformat()}"
    page.save.click()
    assert "mh-status-ok" in page.status.value and "本校日历" in page.source.value
    assert world.find_calendar(NEXT, "A").home_visit_from == NEXT_START - dt.timedelta(days=10)
    assert len(world.find_calendar(NEXT, "A").exams) == 2
    page.home_from.value = NEXT_START + dt.timedelta(days=1)  # after the first day: the plan says before
    page.save.click()
    assert "mh-status-error" in page.status.value and "开学前" in page.status.value
    page.exams.value = "期中考试 下周二"
    page.save.click()
    assert "第 1 行" in page.status.value
    assert world.find_calendar(NEXT, "A").home_visit_from == NEXT_START - dt.timedelta(days=10)


def test_exam_lines_and_form_body():
    assert parse_exam_lines("期中考试 2026-11-10\n\n 期末 考试  2027-01-14 ") == [
        {"name": "期中考试", "date": "2026-11-10"}, {"name": "期末 考试", "date": "2027-01-14"}]
    with pytest.raises(FormProblem):
        parse_exam_lines("期中考试 2026-02-30")
    form = CalendarForm.from_calendar({"home_visit": None, "growth_message": None, "exams": []})
    assert set(form.body()) == {"exams", "talk_days_before", "talk_days_after", "life_event_days"}


def test_the_migrated_schema_matches_the_year_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from hub.store import make_engine
    from hub.store.models import Base
    from hub.store.store import RecordStore  # noqa: F401 - imports every model module

    url, _ = new_database_url("sqlite", tmp_path)
    engine = make_engine(url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = ("term_calendars", "life_events", "mentor_changes", "student_moves", "staff_leaves", "class_team_meetings",
            "parent_contact_requests", "support_plans", "support_reviews")
    assert [d for d in differences if any(name in repr(d) for name in ours)] == []
    engine.dispose()
