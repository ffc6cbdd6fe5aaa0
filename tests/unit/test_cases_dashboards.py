"""Dashboards computed on a small seeded term; numbers checked by hand; small cells suppressed."""

import math

import pandas as pd
import pytest

from hub.cases import dashboards

S1C1 = [f"s{i}" for i in range(1, 7)]  # 6 students
S1C2 = ["t1", "t2", "t3"]  # 3 students: suppressed
S2D1 = [f"u{i}" for i in range(1, 6)]  # 5 students: just enough


@pytest.fixture(scope="module")
def students():
    rows = [("一校", "初一(1)班", s) for s in S1C1] + [("一校", "初一(2)班", s) for s in S1C2]
    rows += [("二校", "初二(1)班", s) for s in S2D1]
    return pd.DataFrame(rows, columns=["school", "class", "student"])


@pytest.fixture(scope="module")
def records(students):
    where = students.set_index("student")
    plan = [
        ("s1", "home_visit", "2026-03-02", ["生活指导"]),
        ("s1", "talk", "2026-04-10", ["学习辅导", "心理疏导"]),
        ("s1", "message", "2026-06-30", ["思想引导"]),
        ("s2", "home_visit", "2026-03-09", ["生活指导"]),
        ("s2", "talk", "2026-04-18", ["学习辅导"]),
        ("s2", "talk", "2026-04-27", ["心理疏导"]),
        ("s2", "message", "2026-06-29", ["思想引导"]),
        ("s3", "home_visit", "2026-03-16", ["生活指导"]),
        ("s3", "talk", "2026-05-20", ["生涯指导"]),
        ("s4", "talk", "2026-06-22", ["学习辅导"]),
        ("s6", "message", "2026-06-30", ["思想引导"]),
        ("t1", "home_visit", "2026-03-03", ["生活指导"]),
        ("u1", "home_visit", "2026-03-04", ["生活指导"]),
        ("u1", "message", "2026-06-28", ["思想引导"]),
    ] + [(u, "talk", "2026-04-14", ["学习辅导"]) for u in S2D1]
    frame = pd.DataFrame(plan, columns=["student", "kind", "date", "domains"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["school"] = frame["student"].map(where["school"])
    frame["class"] = frame["student"].map(where["class"])
    return frame


EXAMS = ["2026-04-20", "2026-06-25"]


def test_tri_one_completion_by_school_and_class(students, records):
    table = dashboards.tri_one_completion(students, records).set_index(["school", "class"])
    c1 = table.loc[("一校", "初一(1)班")]
    assert c1["students"] == 6
    assert c1["home_visit"] == pytest.approx(3 / 6)
    assert c1["talk"] == pytest.approx(4 / 6)
    assert c1["message"] == pytest.approx(3 / 6)
    assert c1["all_three"] == pytest.approx(2 / 6)
    d1 = table.loc[("二校", "初二(1)班")]
    assert (d1["students"], d1["talk"], d1["all_three"]) == (5, 1.0, pytest.approx(0.2))
    assert not d1["suppressed"] and not c1["suppressed"]


def test_school_level_completion(students, records):
    table = dashboards.tri_one_completion(students, records, by=("school",)).set_index("school")
    assert table.loc["一校", "students"] == 9
    assert table.loc["一校", "home_visit"] == pytest.approx(4 / 9)
    assert table.loc["一校", "all_three"] == pytest.approx(2 / 9)


def test_small_class_is_suppressed(students, records):
    table = dashboards.tri_one_completion(students, records).set_index(["school", "class"])
    small = table.loc[("一校", "初一(2)班")]
    assert small["suppressed"]
    assert all(math.isnan(small[column]) for column in ("students", "home_visit", "talk", "message", "all_three"))
    shown = dashboards.for_display(table.reset_index())
    row = shown[shown["班级"] == "初一(2)班"].iloc[0]
    assert row["学生数"] == "<5" and row["家访完成率"] == "<5"


def test_no_student_level_rows_or_ordering_by_figures(students, records):
    table = dashboards.tri_one_completion(students, records)
    assert "student" not in table.columns
    assert list(table["class"]) == sorted(table["class"])


def test_progress_reaches_the_final_completion(students, records):
    progress = dashboards.tri_one_progress(students, records, freq="M")
    assert list(progress.index) == ["2026-03", "2026-04", "2026-05", "2026-06"]
    assert progress.loc["2026-05", "一校"] == 0
    assert progress.loc["2026-06", "一校"] == pytest.approx(2 / 9)
    assert progress.loc["2026-06", "二校"] == pytest.approx(1 / 5)


def test_domain_distribution(records):
    table = dashboards.domain_distribution(records).set_index("domain")
    assert table.loc["学习辅导", "records"] == 8
    assert table.loc["学习辅导", "students"] == 8
    assert table.loc["生活指导", "records"] == 5
    assert table.loc["学习辅导", "share"] == pytest.approx(8 / 20)
    # 思想引导 reaches 4 students, 心理疏导 2, 生涯指导 1: suppressed
    for domain in ("思想引导", "心理疏导", "生涯指导"):
        assert table.loc[domain, "suppressed"] and math.isnan(table.loc[domain, "records"])


def test_exam_offsets_use_the_nearest_exam(records):
    dates = pd.Series(pd.to_datetime(["2026-04-10", "2026-04-27", "2026-05-20", "2026-06-22", "2026-03-01"]))
    assert list(dashboards.exam_offsets(dates, EXAMS)) == [-10, 7, 30, -3, -50]
    windows = dashboards.window_of(dashboards.exam_offsets(dates, EXAMS))
    assert list(windows) == ["before_1w", "after_1w", "other", "exam_week", "before_2w"]


def test_talk_timing(records):
    table = dashboards.talk_timing(records, EXAMS).set_index("window")
    # talks: s1 04-10 (-10), u1..u5 04-14 (-6), s2 04-18 (-2), s2 04-27 (+7), s3 05-20 (+30), s4 06-22 (-3)
    assert table.loc["exam_week", "records"] == 7
    assert table.loc["exam_week", "students"] == 7
    assert table.loc["exam_week", "share"] == pytest.approx(7 / 10)
    assert table.loc["before_1w", "suppressed"] and table.loc["other", "suppressed"]


def test_follow_up_delay():
    raised = pd.Timestamp("2026-03-01")
    rows = [("一校", f"s{i}", raised, raised + pd.Timedelta(days=d)) for i, d in enumerate([1, 2, 3, 4, 10])]
    rows += [("一校", "s9", raised, pd.NaT), ("二校", "u1", raised, raised + pd.Timedelta(days=2))]
    flags = pd.DataFrame(rows, columns=["school", "student", "raised_at", "followed_up_at"])
    table = dashboards.follow_up_delay(flags).set_index("school")
    one = table.loc["一校"]
    assert (one["students"], one["flags"], one["median_days"], one["open"]) == (6, 6, 3, 1)
    assert one["p90_days"] == pytest.approx(7.6)
    assert table.loc["二校", "suppressed"] and math.isnan(table.loc["二校", "median_days"])


def test_training_completion():
    rows = [("一校", f"t{i}", "心理健康教育", i < 4) for i in range(5)]
    rows += [("一校", f"t{i}", "生涯指导", True) for i in range(3)]
    table = dashboards.training_completion(pd.DataFrame(rows, columns=["school", "teacher", "course", "completed"]))
    table = table.set_index("course")
    assert table.loc["心理健康教育", "completed"] == pytest.approx(0.8)
    assert table.loc["生涯指导", "suppressed"]


def test_chart_is_a_figure_with_one_bar_per_group(students, records):
    table = dashboards.tri_one_completion(students, records)
    figure = dashboards.bar_chart(table, "class", "all_three", "“三个一”")
    assert len(figure.axes[0].patches) == len(table)
