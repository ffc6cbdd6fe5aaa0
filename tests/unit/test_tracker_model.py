"""三个一 tracker states, computed from due dates and records, on both sides of each due date."""

import datetime as dt

import pytest

from widgets.tracker_model import (
    DONE,
    DUE_SOON,
    DUE_SOON_DAYS,
    OPEN,
    OVERDUE,
    FollowUps,
    TermInfo,
    class_summary,
    done_kinds,
    follow_ups,
    last_contact,
    mentee_rows,
    progress_rows,
    state_counts,
    task_state,
)

DUE = dt.date(2025, 6, 20)
TERM = TermInfo("2024-2025-2", {"home_visit": dt.date(2025, 6, 1), "talk": dt.date(2025, 5, 15), "growth_message": DUE},
                dt.date(2025, 2, 17), dt.date(2025, 7, 4))  # fmt: skip


@pytest.mark.parametrize(("done", "today", "expected"), [
    (False, DUE - dt.timedelta(days=DUE_SOON_DAYS + 1), OPEN),
    (False, DUE - dt.timedelta(days=DUE_SOON_DAYS), DUE_SOON),
    (False, DUE - dt.timedelta(days=1), DUE_SOON),
    (False, DUE, DUE_SOON),  # due today: still due, not yet late
    (False, DUE + dt.timedelta(days=1), OVERDUE),
    (False, DUE + dt.timedelta(days=40), OVERDUE),
    (True, DUE - dt.timedelta(days=30), DONE),
    (True, DUE + dt.timedelta(days=30), DONE),  # done late is still done
])  # fmt: skip
def test_task_state_on_both_sides_of_the_due_date(done, today, expected):
    assert task_state(done, DUE, today) == expected


def test_no_due_date_is_never_overdue():
    assert task_state(False, None, dt.date(2030, 1, 1)) == OPEN


def record(kind, date, term_id="2024-2025-2", **fields):
    return {"kind": kind, "date": date, "term_id": term_id, "record_id": hash((kind, date)) % 10_000, **fields}


def test_only_records_of_the_term_count_as_done():
    records = [
        record("home_visit", "2024-12-01", term_id="2024-2025-1"),  # last term
        record("talk", "2025-03-03"),
        record("parent_contact", "2025-03-04"),  # not one of the three
        record("growth_message", "2025-03-05", deleted=True),  # deleted records never count
    ]
    assert done_kinds(records, TERM) == {"talk"}


def test_records_without_term_id_count_by_date_within_the_term():
    records = [{"kind": "home_visit", "date": "2025-03-01"}, {"kind": "talk", "date": "2025-01-01"}]
    assert done_kinds(records, TERM) == {"home_visit"}


def test_tracker_rows_for_a_term_with_records_on_both_sides_of_the_due_dates():
    today = dt.date(2025, 5, 25)  # after the talk due date, a week before the home-visit due date
    mentees = [{"student_id": "c2-01", "display_name": "乙", "class_id": "c2"},
               {"student_id": "c1-02", "display_name": "甲", "class_id": "c1"},
               {"student_id": "c1-01", "display_name": "丙", "class_id": "c1"}]  # fmt: skip
    records = {
        # talk done before its due date, home visit done after its due date would have passed: both done
        "c1-01": [record("talk", "2025-04-01"), record("home_visit", "2025-05-20")],
        # nothing this term, one home visit last term
        "c1-02": [record("home_visit", "2024-11-20", term_id="2024-2025-1")],
        # talk written after its due date (late, but done)
        "c2-01": [record("talk", "2025-05-20", follow_up_date="2025-05-22")],
    }
    rows = mentee_rows(mentees, records, TERM, today)
    assert [r.student_id for r in rows] == ["c1-01", "c1-02", "c2-01"]  # class, then id: never by a count
    by_id = {r.student_id: r for r in rows}
    assert by_id["c1-01"].states == {"home_visit": DONE, "talk": DONE, "growth_message": OPEN}
    assert by_id["c1-02"].states == {"home_visit": DUE_SOON, "talk": OVERDUE, "growth_message": OPEN}
    assert by_id["c2-01"].states == {"home_visit": DUE_SOON, "talk": DONE, "growth_message": OPEN}
    assert by_id["c1-02"].last_contact == dt.date(2024, 11, 20)
    assert by_id["c2-01"].follow_ups == FollowUps(open=1, late=1)
    assert by_id["c1-01"].follow_ups == FollowUps(0, 0)
    later = mentee_rows(mentees, records, TERM, dt.date(2025, 6, 25))
    assert {r.student_id: r.states["growth_message"] for r in later} == {"c1-01": OVERDUE, "c1-02": OVERDUE,
                                                                          "c2-01": OVERDUE}  # fmt: skip
    counts = state_counts(rows)
    assert counts["talk"] == {DONE: 2, DUE_SOON: 0, OVERDUE: 1, OPEN: 0}


def test_a_later_record_closes_a_follow_up():
    records = [record("talk", "2025-03-01", follow_up_date="2025-03-10"), record("guidance", "2025-03-08")]
    assert follow_ups(records, dt.date(2025, 4, 1)) == FollowUps(0, 0)
    assert follow_ups(records[:1], dt.date(2025, 3, 9)) == FollowUps(1, 0)


def test_last_contact_ignores_growth_messages_and_deleted_records():
    records = [record("talk", "2025-03-01"), record("growth_message", "2025-04-01"),
               record("parent_contact", "2025-03-20", deleted=True)]  # fmt: skip
    assert last_contact(records) == dt.date(2025, 3, 1)
    assert last_contact([]) is None


def test_progress_rows_and_class_summary_are_in_class_order():
    progress = {
        "term_id": "T", "due": {"home_visit": "2025-06-01", "talk": None, "growth_message": "2025-06-20"},
        "students": [
            {"student_id": "b-1", "display_name": "乙", "class_id": "b", "home_visit": False, "talk": True,
             "growth_message": False},
            {"student_id": "a-2", "display_name": "甲", "class_id": "a", "home_visit": True, "talk": False,
             "growth_message": False},
        ],
        "classes": [{"class_id": "b", "students": 30, "home_visit": 29, "talk": 1, "growth_message": 0, "complete": 0},
                    {"class_id": "a", "students": 30, "home_visit": 2, "talk": 0, "growth_message": 0, "complete": 0}],
    }  # fmt: skip
    term = TermInfo.from_progress(progress)
    assert term.due == {"home_visit": dt.date(2025, 6, 1), "talk": None, "growth_message": dt.date(2025, 6, 20)}
    rows = progress_rows(progress, term, dt.date(2025, 6, 2))
    assert [r.student_id for r in rows] == ["a-2", "b-1"]
    assert rows[1].states == {"home_visit": OVERDUE, "talk": DONE, "growth_message": OPEN}
    assert [r.student_id for r in progress_rows(progress, term, dt.date(2025, 6, 2), class_ids={"b"})] == ["b-1"]
    assert [c["class_id"] for c in class_summary(progress)] == ["a", "b"]
