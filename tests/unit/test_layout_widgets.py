"""Issue 19, item 8 (layout), the parts that can be checked without a browser: the growth-message hints have
one mark each (no list bullet before it), the .xlsx link is styled as a link, every app carries the stylesheet
that keeps labels whole and makes one column on a phone, and the research dashboard page shows no command
line. What the browser really draws is checked in tests/browser/test_roles_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

from widgets.growth_message import advice_html
from widgets.growth_message_model import check_growth_message
from widgets.style import APP_CLASS, CSS, download_link_html, stylesheet

CASESTUDIES = Path(__file__).resolve().parents[2] / "casestudies"


def test_each_growth_message_hint_has_one_mark_and_no_bullet():
    page = advice_html(check_growth_message("你比班上其他同学都努力，希望你继续保持。", "王一", []))
    assert 'list-style:none' in page
    items = re.findall(r"<li[^>]*>(.*?)</li>", page)
    assert items and all(item[0] in "✓•✗" and item[1] == " " and item[2] not in "✓•✗" for item in items)


def test_the_download_link_looks_like_a_link():
    link = download_link_html("汇总.xlsx", "application/octet-stream", b"x", "下载 汇总.xlsx", "mh-export-link")
    assert 'class="mh-link mh-export-link"' in link and "text-decoration:underline" in link and "color:#" in link
    assert 'download="汇总.xlsx"' in link


def test_the_stylesheet_keeps_labels_whole_and_makes_one_column_on_a_phone():
    assert "<style>" in stylesheet().value
    assert re.search(r"\.widget-label \{[^}]*white-space: normal", CSS)
    assert re.search(r"\.jupyter-button \{[^}]*white-space: normal", CSS)
    assert re.search(r"\.lm-TabBar-tabLabel \{[^}]*overflow: visible", CSS)
    phone = CSS[CSS.index("@media (max-width: 600px)"):]
    assert "flex-wrap: wrap" in phone and "width: 100% !important" in phone and "td[data-label]::before" in phone


def test_every_app_root_carries_the_stylesheet():
    from widgets.dashboards import DashboardApp
    from widgets.matching_panel import MatchingPanel
    from widgets.workbench import Workbench

    class Client:
        def flags(self, **_):
            return []

    bench = Workbench(Client(), {"username": "t", "roles": ["mentor"], "mentees": []}, {}, {}, [])
    import pandas as pd

    app = DashboardApp({"tri_one": pd.DataFrame({"school": ["甲"], "all_three": [0.5]})})
    for root in (bench.widget, MatchingPanel().root, app.root):
        assert APP_CLASS in root._dom_classes and "mh-stylesheet" in root.children[0]._dom_classes


def test_the_research_dashboard_page_shows_no_command_line():
    notebook = json.loads((CASESTUDIES / "研究看板.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    assert "mentorhub" not in text and "`" not in text
