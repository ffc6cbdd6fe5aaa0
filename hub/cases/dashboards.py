"""Research dashboards: aggregations over de-identified frames, small cells suppressed.

Inputs are pandas frames holding pseudonymous ids only (no names): ``students`` (school, class,
student), ``records`` (school, class, student, kind, date, domains), ``flags`` (school, student,
raised_at, followed_up_at) and ``enrollments`` (school, teacher, course, completed). Each function
does one vectorised pass and returns a group-level table; a group with fewer than ``MIN_CELL``
people keeps its row but has every figure blanked (NaN) and ``suppressed`` set. Tables are ordered
by group names, never by a figure, and no function returns one row per student.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hub.cases import texts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MIN_CELL = 5
TRI_ONE_KINDS = ("home_visit", "talk", "message")
WINDOW_ORDER = tuple(texts.EXAM_WINDOWS)
#: Preferred fonts for Chinese chart labels; the first one installed is used (see ``chart_font``).
CHART_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC")


@functools.cache
def chart_font() -> str:
    """The first installed font of CHART_FONTS, else matplotlib's default (labels may show boxes)."""
    from matplotlib import font_manager  # charts only: the service's tables need no matplotlib

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CHART_FONTS if name in installed), "DejaVu Sans")


def suppress(table: pd.DataFrame, count_column: str, figures: Iterable[str], minimum: int = MIN_CELL) -> pd.DataFrame:
    """Blank ``figures`` (and the count) where ``count_column`` < minimum; add a ``suppressed`` column."""
    table = table.copy()
    small = table[count_column] < minimum
    columns = [count_column, *figures]
    table[columns] = table[columns].astype("float64")
    table.loc[small, columns] = np.nan
    table["suppressed"] = small
    return table


def _done_matrix(student_ids: pd.Series, records: pd.DataFrame) -> np.ndarray:
    """Boolean matrix (student row × 三个一 kind): has the student at least one such record."""
    student_position = pd.Index(student_ids).get_indexer(records["student"])
    kind_position = pd.Index(TRI_ONE_KINDS).get_indexer(records["kind"])
    valid = (student_position >= 0) & (kind_position >= 0)
    done = np.zeros((len(student_ids), len(TRI_ONE_KINDS)), dtype=bool)
    done[student_position[valid], kind_position[valid]] = True
    return done


def tri_one_completion(
    students: pd.DataFrame, records: pd.DataFrame, by: tuple[str, ...] = ("school", "class")
) -> pd.DataFrame:
    """Share of students per group (default: school and class) with a home visit, a talk, a 成长寄语,
    and all three; ``by=("school",)`` gives the school level."""
    joined = students[["school", "class", "student"]].copy()
    done = _done_matrix(students["student"], records)
    figures = [*TRI_ONE_KINDS, "all_three"]
    for position, name in enumerate(TRI_ONE_KINDS):
        joined[name] = done[:, position]
    joined["all_three"] = done.all(axis=1)
    table = joined.groupby(list(by), sort=True, observed=True).agg(
        students=("student", "nunique"), **{name: (name, "mean") for name in figures}
    )
    return suppress(table.reset_index(), "students", figures)


def tri_one_progress(students: pd.DataFrame, records: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """Cumulative share of students per school with all three done, at the end of each period."""
    done = records.loc[records["kind"].isin(TRI_ONE_KINDS), ["student", "kind", "date"]]
    firsts = done.groupby(["student", "kind"], observed=True)["date"].min().unstack()
    completed_at = firsts.reindex(columns=list(TRI_ONE_KINDS)).max(axis=1, skipna=False).dropna()
    frame = students[["school", "student"]].copy()
    frame["completed_at"] = frame["student"].map(completed_at)
    periods = pd.period_range(records["date"].min(), records["date"].max(), freq=freq)
    sizes = frame.groupby("school")["student"].nunique()
    rows = {}
    for period in periods:
        reached = frame["completed_at"] <= period.end_time
        rows[str(period)] = reached.groupby(frame["school"]).mean()
    table = pd.DataFrame(rows).T.rename_axis("period")
    table.loc[:, sizes[sizes < MIN_CELL].index] = np.nan
    return table


def domain_distribution(records: pd.DataFrame) -> pd.DataFrame:
    """Records and distinct students per guidance domain, and each domain's share of records."""
    exploded = records[["student", "domains"]].explode("domains").dropna(subset=["domains"])
    table = exploded.groupby("domains").agg(records=("student", "size"), students=("student", "nunique"))
    table = table.reindex(list(texts.DOMAINS), fill_value=0).rename_axis("domain").reset_index()
    table["share"] = table["records"] / max(int(table["records"].sum()), 1)
    return suppress(table, "students", ["records", "share"])


def exam_offsets(dates: pd.Series, exam_dates: Iterable) -> pd.Series:
    """Days from each date to the nearest exam date (negative: before the exam)."""
    exams = np.sort(pd.to_datetime(pd.Series(list(exam_dates))).to_numpy(dtype="datetime64[D]"))
    values = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    position = np.clip(np.searchsorted(exams, values), 1, len(exams) - 1) if len(exams) > 1 else np.zeros(len(values), int)
    before, after = exams[np.maximum(position - 1, 0)], exams[position]
    to_before = (values - before).astype(int)
    to_after = (values - after).astype(int)
    nearest = np.where(np.abs(to_before) <= np.abs(to_after), to_before, to_after)
    return pd.Series(nearest, index=dates.index)


def window_of(offsets: pd.Series) -> pd.Series:
    bins = [-np.inf, -15, -8, 0, 7, 14, np.inf]
    labels = ["before_2w", "before_1w", "exam_week", "after_1w", "after_2w", "other"]
    return pd.cut(offsets, bins=bins, labels=labels, right=True)


def talk_timing(records: pd.DataFrame, exam_dates: Iterable) -> pd.DataFrame:
    """Talks per window around the nearest exam (考前两周以上 … 考后一至两周)."""
    talks = records.loc[records["kind"] == "talk", ["student", "date"]]
    windows = window_of(exam_offsets(talks["date"], exam_dates))
    table = talks.groupby(windows, observed=False).agg(records=("student", "size"), students=("student", "nunique"))
    table = table.reindex(list(WINDOW_ORDER), fill_value=0).rename_axis("window").reset_index()
    table["share"] = table["records"] / max(int(table["records"].sum()), 1)
    return suppress(table, "students", ["records", "share"])


def follow_up_delay(flags: pd.DataFrame) -> pd.DataFrame:
    """Per school: flags, median and 90th-percentile days from flag to follow-up, flags still open."""
    days = (pd.to_datetime(flags["followed_up_at"]) - pd.to_datetime(flags["raised_at"])).dt.days
    frame = flags.assign(days=days, open=flags["followed_up_at"].isna())
    table = frame.groupby("school", sort=True).agg(
        students=("student", "nunique"),
        flags=("student", "size"),
        median_days=("days", "median"),
        p90_days=("days", lambda values: values.quantile(0.9)),
        open=("open", "sum"),
    )
    return suppress(table.reset_index(), "students", ["flags", "median_days", "p90_days", "open"])


def training_completion(enrollments: pd.DataFrame, by: tuple[str, ...] = ("school", "course")) -> pd.DataFrame:
    """Share of enrolled teachers who completed each course, per school by default (``by=("course",)``:
    district level). Groups of fewer than MIN_CELL teachers are suppressed too."""
    table = enrollments.groupby(list(by), sort=True).agg(
        teachers=("teacher", "nunique"), completed=("completed", "mean")
    )
    return suppress(table.reset_index(), "teachers", ["completed"])


def for_display(table: pd.DataFrame) -> pd.DataFrame:
    """Chinese headings and labels, rates as percentages, suppressed figures shown as "<5"."""
    shown = table.drop(columns=["suppressed"], errors="ignore").copy()
    rate_columns = [c for c in shown.columns if c in (*TRI_ONE_KINDS, "all_three", "share", "completed")]
    for column in shown.columns:
        if column in rate_columns:
            shown[column] = shown[column].map(lambda v: texts.SUPPRESSED if pd.isna(v) else f"{v:.0%}")
        elif pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: texts.SUPPRESSED if pd.isna(v) else f"{v:g}")
    if "window" in shown:
        shown["window"] = shown["window"].map(texts.EXAM_WINDOWS)
    return shown.rename(columns=texts.COLUMN_LABELS)


def bar_chart(table: pd.DataFrame, label_column: str, value_column: str, title: str, labels=None) -> Figure:
    """A horizontal bar chart of one figure per group; suppressed groups are drawn empty."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 0.4 * len(table) + 1.5))
    axes = figure.subplots()
    names = [str(labels.get(v, v)) if labels else str(v) for v in table[label_column]]
    axes.barh(names, table[value_column].fillna(0), color="#4c78a8")
    axes.invert_yaxis()
    axes.set_title(title, fontfamily=chart_font())
    for label in axes.get_yticklabels():
        label.set_fontfamily(chart_font())
    figure.subplots_adjust(left=0.3, right=0.95)
    return figure
