"""Research dashboards (Voilà app): one tab per dashboard, a table and a chart each.

Model: ``hub.cases.dashboards`` (pure pandas aggregations over de-identified frames).
View: ``DashboardApp`` renders the tables with ``to_html(escape=True)`` and the charts as PNG
images (drawn when a tab is first opened); it exposes ``root`` and never calls ``display()``. ``DashboardApp.from_frames`` computes
every table once.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import ipywidgets as widgets
import pandas as pd

from hub.cases import dashboards, texts
from widgets.style import styled


def figure_png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96)
    return buffer.getvalue()


#: group-label columns of the aggregate tables; every other column holds a figure
LABEL_COLUMNS = ("school", "class", "domain", "window", "course", "suppressed")


def frame_from_rows(rows: list[dict]) -> pd.DataFrame:
    """A table sent by the records service; blanked figures (``null``) become NaN again."""
    table = pd.DataFrame(rows)
    for column in table.columns:
        if column not in LABEL_COLUMNS:
            table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    return table


class DashboardApp:
    #: (key, label column, figure column, label mapping) of the chart drawn for each dashboard.
    CHARTS = {
        "tri_one": ("school", "all_three", None),
        "domains": ("domain", "share", None),
        "exam_timing": ("window", "share", texts.EXAM_WINDOWS),
        "follow_up": ("school", "median_days", None),
        "training": ("course", "completed", None),
    }

    def __init__(self, tables: dict[str, pd.DataFrame], charts: dict[str, pd.DataFrame] | None = None):
        """``tables`` by dashboard key; ``charts`` may give a coarser table to draw (default: the table).
        Each chart is drawn the first time its tab is shown."""
        self.tables = tables
        self.chart_tables = {key: (charts or {}).get(key, table) for key, table in tables.items()}
        self.keys = list(tables)
        self.images = {key: widgets.Image(format="png") for key in self.keys}
        self.tabs = widgets.Tab()
        children = []
        for key, table in tables.items():
            html_table = dashboards.for_display(table).to_html(index=False, escape=True, border=0)
            children.append(widgets.VBox([widgets.HTML(f'<div class="mh-scroll">{html_table}</div>'),
                                          self.images[key]]))  # fmt: skip
        self.tabs.children = children
        self.tabs.titles = [texts.DASHBOARD_TITLES[key] for key in self.keys]
        self.tabs.observe(self._on_tab, names="selected_index")
        self.root = styled(widgets.VBox([self.tabs]))  # full tab titles, one column on a phone (widgets.style)
        self.root.add_class("mh-dashboards")
        self.draw_chart(self.keys[0])

    def draw_chart(self, key: str) -> None:
        if self.images[key].value:
            return
        label_column, value_column, labels = self.CHARTS[key]
        chart = dashboards.bar_chart(
            self.chart_tables[key], label_column, value_column, texts.DASHBOARD_TITLES[key], labels
        )
        self.images[key].value = figure_png(chart)

    def _on_tab(self, change) -> None:
        if change["new"] is not None:
            self.draw_chart(self.keys[change["new"]])

    @classmethod
    def from_client(cls, client, term: str | None = None) -> DashboardApp:
        """The de-identified aggregates of a term from the records service (``GET dashboards``)."""
        payload = client.dashboards(term)
        tables = {key: frame_from_rows(rows) for key, rows in payload["tables"].items() if rows}
        charts = {key: frame_from_rows(rows) for key, rows in payload["charts"].items() if rows and key in tables}
        return cls(tables, charts)

    @classmethod
    def from_frames(
        cls,
        students: pd.DataFrame,
        records: pd.DataFrame,
        flags: pd.DataFrame,
        enrollments: pd.DataFrame,
        exam_dates: Iterable,
    ) -> DashboardApp:
        return cls(
            tables={
                "tri_one": dashboards.tri_one_completion(students, records),
                "domains": dashboards.domain_distribution(records),
                "exam_timing": dashboards.talk_timing(records, exam_dates),
                "follow_up": dashboards.follow_up_delay(flags),
                "training": dashboards.training_completion(enrollments),
            },
            charts={
                "tri_one": dashboards.tri_one_completion(students, records, by=("school",)),
                "training": dashboards.training_completion(enrollments, by=("course",)),
            },
        )
